"""The figures show what their names promise."""

import numpy as np
import pytest

from cnn_course import plots


def test_confusion_matrix_counts_true_against_predicted():
    fig = plots.confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2], ["zero", "one", "two"])
    ax = fig.axes[0]
    counts = np.array([int(t.get_text()) for t in ax.texts]).reshape(3, 3)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [0, 0, 1]])
    assert ax.get_ylabel() == "True label" and ax.get_xlabel() == "Predicted label"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["zero", "one", "two"]
    assert ax.get_title() == "75.0% right"


def test_learning_curves_draw_training_and_validation():
    fig = plots.learning_curves({"loss": [2.0, 1.0], "val_loss": [2.5, 1.5], "accuracy": [.5, .7],
                                 "val_accuracy": [.4, .6]})
    assert [len(ax.lines) for ax in fig.axes] == [2, 2]
    np.testing.assert_array_equal(fig.axes[0].lines[1].get_ydata(), [2.5, 1.5])


def test_line_panels_draw_one_panel_per_group_on_a_shared_axis():
    fig = plots.line_panels({"plain": {8: [3, 2, 1], 20: [3, 2.5, 2]}, "residual": {8: [3, 1, .5]}},
                            xlabel="epoch", ylabel="training loss", log=True)
    plain, residual = fig.axes
    assert [plain.get_title(), residual.get_title()] == ["plain", "residual"]
    assert [len(plain.lines), len(residual.lines)] == [2, 1]
    np.testing.assert_array_equal(plain.lines[1].get_ydata(), [3, 2.5, 2])
    assert plain.get_yscale() == "log" and residual.get_ylim() == plain.get_ylim()


def test_line_panels_draw_runs_over_seeds_as_median_band_and_thin_lines():
    runs = [[3, 2, 1], [3, 1, 0.5], [3, 3, 2]]
    (panel,) = plots.line_panels({"plain": {44: runs}}, xlabel="epoch", ylabel="loss").axes
    median, *thin = panel.lines
    np.testing.assert_array_equal(median.get_ydata(), [3, 2, 1])
    assert [list(line.get_ydata()) for line in thin] == runs
    assert median.get_label() == "44 (median and range of 3)" and len(panel.collections) == 1  # the min-max band
    np.testing.assert_array_equal(panel.collections[0].get_paths()[0].vertices[:, 1].min(), 0.5)  # the lowest run


def test_measured_lines_draw_the_median_of_runs_with_a_range_bar():
    fig = plots.measured_lines({"depth": [(1e6, [0.8, 0.9, 0.7]), (2e6, [0.9, 0.95, 0.92])], "one run": [(1e6, 0.5)]},
                               xlabel="multiplications", ylabel="accuracy", log_x=True)
    (ax,) = fig.axes
    depth, single = ax.containers
    np.testing.assert_allclose(depth.lines[0].get_ydata(), [0.8, 0.92])
    (bars,) = depth.lines[2]
    np.testing.assert_allclose([segment[:, 1] for segment in bars.get_segments()], [[0.7, 0.9], [0.9, 0.95]])
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["depth (median and range of 3)", "one run"]


def test_bars_draw_medians_top_to_bottom_with_their_values_written():
    fig = plots.bars({"plain": 2.0, "augmented": [3.0, 2.5, 4.0]}, xlabel="seconds per epoch")
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_yticklabels()] == ["plain", "augmented"]
    assert [patch.get_width() for patch in ax.patches] == [2.0, 3.0]
    assert [t.get_text().strip() for t in ax.texts] == ["2.00", "3.00"]
    (_, _, (ranges,)), _ = ax.containers  # the range of the runs as a bar: 2.0 (one run) and 2.5 to 4.0
    np.testing.assert_allclose([segment[:, 0] for segment in ranges.get_segments()], [[2.0, 2.0], [2.5, 4.0]])


def test_spread_of_gives_median_lowest_and_highest_per_point():
    median, low, high = plots.spread_of([0.5, [0.8, 0.9, 0.7], [1, 3]])
    np.testing.assert_allclose(median, [0.5, 0.8, 2])
    np.testing.assert_allclose(low, [0.5, 0.7, 1])
    np.testing.assert_allclose(high, [0.5, 0.9, 3])


FIGURE_CELLS = [
    "import numpy as np\nfrom cnn_course import costs, plots\nfrom cnn_course.models import LeNet5\n"
    "images = np.random.default_rng(0).uniform(size=(6, 8, 8, 3))",
    "plots.image_grid(images, titles=list('abcdef'), columns=3)",
    "plots.examples_per_class(images, np.array([0, 0, 1, 1, 2, 2]), ['a', 'b', 'c'], per_class=2)",
    "plots.learning_curves({'loss': [2, 1], 'val_loss': [2, 1.5], 'accuracy': [.5, .7], 'val_accuracy': [.4, .6]})",
    "plots.line_panels({'plain': {8: [3, 2]}, 'residual': {8: [3, 1]}}, xlabel='epoch', ylabel='loss')",
    "plots.volume_chart(costs.volume_table(LeNet5()))",
    "plots.measured_lines({'depth': [(1, [0.5, 0.6]), (2, [0.7, 0.8])]}, xlabel='multiplications', ylabel='accuracy')",
    "plots.bars({'plain': 1.0, 'augmented': [1.2, 1.4]}, xlabel='seconds')",
    "display(plots.confusion_matrix([0, 1, 1], [0, 1, 0], ['zero', 'one']))",
    "import matplotlib.pyplot as plt  # the inline backend is now active as well\n"
    "plots.confusion_matrix([0, 1, 1], [0, 1, 0], ['zero', 'one'])",
]


@pytest.mark.one_backend  # matplotlib in a Jupyter kernel
def test_every_figure_displays_as_one_image_in_a_jupyter_kernel(tmp_path):
    """nbval compares no outputs, so a figure that shows as '<Figure size ...>' text passes it:
    run the figures in a real kernel and look at what the front end receives."""
    import nbformat

    from cnn_course.notebooks.run import execute

    path = tmp_path / "figures.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in FIGURE_CELLS]), path)
    cells = execute(path, quick=True).cells
    for cell in cells[1:]:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{cell.source}: {errors[0]['ename']}: {errors[0]['evalue']}"
        images = [o for o in cell.outputs if "image/png" in o.get("data", {})]
        assert len(images) == 1, f"{cell.source}: {len(images)} images in {[o.get('data', o) for o in cell.outputs]}"
