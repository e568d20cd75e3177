"""The figures the notebooks show.

Each function returns a `Picture`: a `matplotlib.figure.Figure` built without pyplot that
shows itself as a PNG image when it is a cell's last value (or passed to ``display``) in
JupyterLab, Jupyter Notebook, VS Code and Colab -- whatever matplotlib backend is active --
exactly once, while scripts and tests save or inspect it without a display.
"""

from __future__ import annotations

import io

import numpy as np
from matplotlib.figure import Figure


class Picture(Figure):
    """A figure that IPython displays as a PNG image (its ``_repr_png_``)."""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()


def spread_of(points) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The median, lowest and highest of each point's runs: `points` holds a value or a list of values (one
    per run) for each point."""
    runs = [np.atleast_1d(np.asarray(point, dtype=float)) for point in points]
    return tuple(np.array([statistic(r) for r in runs]) for statistic in (np.median, np.min, np.max))


def median_and_range(ax, x, points, label: str, band: bool = False) -> str:
    """Draw measurements repeated over runs (seeds) at positions `x`: a line through the medians, with the
    range from the lowest to the highest run as a band (`band`, for curves over many points such as epochs)
    or as bars. The label says how many runs; returns the line's colour.

    Args:
        ax: the matplotlib axes to draw on.
        x: the positions of the points.
        points: for each point, a value or a list of values (one per run).
        label: what the line is.
    """
    median, low, high = spread_of(points)
    runs = max(np.size(point) for point in points)
    name = f"{label} (median and range of {runs})" if runs > 1 else str(label)
    if band:
        (line,) = ax.plot(x, median, marker="o", markersize=3, label=name)
        if runs > 1:
            ax.fill_between(x, low, high, color=line.get_color(), alpha=0.15)
        return line.get_color()
    bars = ax.errorbar(x, median, yerr=(median - low, high - median), marker="o", markersize=4, capsize=3, label=name)
    return bars.lines[0].get_color()


def image_grid(images, titles=None, columns: int = 8, size: float = 1.4) -> Picture:
    """Show images in a grid, optionally with a title over each.

    Args:
        images: array (N, H, W, C) of uint8 or floats in [0, 1]; C may be 1 or 3.
        titles: N strings, or None.
        columns: images per row.
        size: inches per image.
    """
    images = np.asarray(images)
    rows = int(np.ceil(len(images) / columns))
    fig = Picture(figsize=(columns * size, rows * size * (1.2 if titles is not None else 1.0)))
    for i, image in enumerate(images):
        ax = fig.add_subplot(rows, columns, i + 1)
        ax.imshow(image.squeeze(), cmap="gray" if image.shape[-1] == 1 else None)
        ax.set_axis_off()
        if titles is not None:
            ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    return fig


def examples_per_class(x, y, class_names, per_class: int = 6, size: float = 1.3) -> Picture:
    """One row per class with its first `per_class` images: do the pictures match the labels?"""
    classes = len(class_names)
    fig = Picture(figsize=(per_class * size, classes * size))
    for label in range(classes):
        chosen = np.flatnonzero(y == label)[:per_class]
        for j, index in enumerate(chosen):
            ax = fig.add_subplot(classes, per_class, label * per_class + j + 1)
            ax.imshow(x[index].squeeze(), cmap="gray" if x.shape[-1] == 1 else None)
            ax.set_xticks([])
            ax.set_yticks([])
            if j == 0:
                ax.set_ylabel(class_names[label], fontsize=9)
    fig.tight_layout()
    return fig


def learning_curves(history, metrics=("loss", "accuracy")) -> Picture:
    """Training and validation curves per epoch from a Keras ``History`` (or its ``.history`` dict)."""
    logs = getattr(history, "history", history)
    fig = Picture(figsize=(5 * len(metrics), 3.5))
    for i, metric in enumerate(metrics):
        ax = fig.add_subplot(1, len(metrics), i + 1)
        epochs = np.arange(1, len(logs[metric]) + 1)
        ax.plot(epochs, logs[metric], marker="o", label="training")
        if f"val_{metric}" in logs:
            ax.plot(epochs, logs[f"val_{metric}"], marker="o", label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def line_panels(panels, xlabel: str, ylabel: str, log: bool = False, size: float = 4.5) -> Picture:
    """Side-by-side panels of labelled curves on a shared y axis, e.g. training loss of plain
    and of residual networks, one curve per depth.

    A curve measured over several runs (seeds) is drawn as its median, a band from the lowest to
    the highest run (`median_and_range`), and every run as a thin line.

    Args:
        panels: ``{panel title: {curve label: y values}}``, or ``{... {curve label: [run 1's y values,
            run 2's, ...]}}``; x runs 1, 2, ... along each curve.
        xlabel, ylabel: axis labels.
        log: logarithmic y axis.
        size: inches per panel.
    """
    fig = Picture(figsize=(size * len(panels), 0.75 * size))
    first = None
    for i, (title, curves) in enumerate(panels.items()):
        ax = fig.add_subplot(1, len(panels), i + 1, sharey=first)
        first = first or ax
        for label, values in curves.items():
            runs = np.atleast_2d(np.asarray(values, dtype=float))
            x = np.arange(1, runs.shape[1] + 1)
            color = median_and_range(ax, x, list(runs.T), label, band=True)
            if len(runs) > 1:
                for run in runs:
                    ax.plot(x, run, color=color, linewidth=0.6, alpha=0.5)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if log:
            ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return fig


def volume_chart(table, title: str = "") -> Picture:
    """The volume walk as a picture: height x width and channels of each layer's output.

    Args:
        table: a `cnn_course.costs.VolumeTable` (rows with 3-D image shapes are drawn).
        title: figure title.
    """
    rows = [row for row in table if len(row.shape) == 3]
    names = [row.name for row in rows]
    fig = Picture(figsize=(max(6, 0.45 * len(rows)), 4))
    ax = fig.add_subplot(1, 1, 1)
    positions = np.arange(len(rows))
    ax.bar(positions, [row.shape[0] for row in rows], color="tab:blue", label="height = width  $n_H$")
    ax.set_ylabel("$n_H$ (height, width)", color="tab:blue")
    channels = ax.twinx()
    channels.plot(positions, [row.shape[2] for row in rows], color="tab:red", marker="o", label="channels $n_C$")
    channels.set_ylabel("$n_C$ (channels)", color="tab:red")
    ax.set_xticks(positions, names, rotation=60, ha="right", fontsize=8)
    ax.set_title(title or "$n_H$ and $n_W$ go down, $n_C$ goes up")
    fig.tight_layout()
    return fig


def confusion_matrix(y_true, y_pred, class_names, title: str = "") -> Picture:
    """Counts of (true class, predicted class) pairs: the diagonal is right, the rest are mistakes.

    Args:
        y_true: integer labels.
        y_pred: integer predictions (e.g. ``probabilities.argmax(-1)``).
        class_names: a name per class, in label order.
        title: figure title.
    """
    from sklearn.metrics import ConfusionMatrixDisplay

    fig = Picture(figsize=(1.0 + 0.7 * len(class_names), 0.6 + 0.7 * len(class_names)))
    ax = fig.add_subplot(1, 1, 1)
    ConfusionMatrixDisplay.from_predictions(y_true, y_pred, labels=range(len(class_names)),
                                            display_labels=class_names, ax=ax, colorbar=False, cmap="Blues")
    ax.set_title(title or f"{np.mean(np.asarray(y_true) == np.asarray(y_pred)):.1%} right")
    fig.tight_layout()
    return fig


def measured_lines(series, xlabel: str, ylabel: str, log_x: bool = False, title: str = "",
                   size: float = 5.5) -> Picture:
    """One line per series through measured points, e.g. accuracy against multiplications for each
    way of scaling a network. A point measured over several runs (seeds) is drawn at the median
    with a bar from the lowest to the highest run (`median_and_range`).

    Args:
        series: ``{label: [(x, y or [y of run 1, run 2, ...]), ...]}``.
        xlabel, ylabel: axis labels.
        log_x: logarithmic x axis.
        title: figure title.
        size: width in inches.
    """
    fig = Picture(figsize=(size, 0.7 * size))
    ax = fig.add_subplot(1, 1, 1)
    for label, points in series.items():
        median_and_range(ax, [point[0] for point in points], [point[1] for point in points], label)
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def bars(values, xlabel: str, title: str = "", size: float = 6.0, fmt: str = "{:.2f}") -> Picture:
    """Horizontal bars with their values written at the ends, e.g. seconds per epoch for each way of
    training; a value measured over several runs is drawn at its median with the range as a bar.

    Args:
        values: ``{label: value or [value of run 1, run 2, ...]}``, drawn top to bottom.
        xlabel, title: axis label and title.
        fmt: how a value is written.
    """
    labels = list(values)
    medians, low, high = spread_of([values[label] for label in labels])
    several = max(np.size(values[label]) for label in labels) > 1
    fig = Picture(figsize=(size, 0.5 * len(labels) + 1))
    ax = fig.add_subplot(1, 1, 1)
    positions = np.arange(len(labels))[::-1]
    ax.barh(positions, medians, xerr=(medians - low, high - medians) if several else None, color="tab:blue", alpha=0.8)
    for y, median in zip(positions, medians):
        ax.text(median, y, " " + fmt.format(median), va="center", fontsize=9)
    ax.set_yticks(positions, labels)
    ax.set_xlim(0, medians.max() * 1.25)
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    fig.tight_layout()
    return fig
