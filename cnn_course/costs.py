"""What a network costs: parameters, multiplications, the shrinking volume, and measured seconds.

The lectures compare architectures by two numbers. *Parameters* are the weights a layer
stores. *Multiplications* are those of the weighted sums a layer computes for one input
image: a convolution producing an ``n_H x n_W x n_C`` volume with ``f x f`` filters over
``n_C_prev`` channels does ``n_H * n_W * n_C * f * f * n_C_prev`` of them.

Only layers that compute weighted sums are counted -- Dense, Conv1D/2D/3D (any stride,
padding or ``groups``), DepthwiseConv1D/2D and SeparableConv1D/2D. Every other layer
(pooling, activations, BatchNormalization, Add, Concatenate, Flatten, ...) costs 0
multiplications here, as in the lecture's examples: parameter-free layers do no weighted
sums, and batch normalization folds into the preceding convolution at inference time.
A layer with a kernel of any other kind raises ``NotImplementedError`` rather than
being counted silently as free.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from math import prod

import keras
from keras import layers

from cnn_course.graph import inputs_within, producer_name

_WEIGHTED = (layers.Dense, layers.Conv1D, layers.Conv2D, layers.Conv3D, layers.DepthwiseConv1D,
             layers.DepthwiseConv2D, layers.SeparableConv1D, layers.SeparableConv2D)


def conv_output_size(n: int, f: int, p: int = 0, s: int = 1) -> int:
    """floor((n + 2p - f) / s) + 1: the output size of an f x f convolution with padding p and stride s
    on an n x n input -- the filter must fit entirely (the lecture on strided convolutions)."""
    return (n + 2 * p - f) // s + 1


def conv_multiplies(n_h: int, n_w: int, n_c: int, f: int, n_c_prev: int) -> int:
    """n_H * n_W * n_C * f * f * n_C_prev: each of the output's values is a weighted sum of f * f * n_C_prev."""
    return n_h * n_w * n_c * f * f * n_c_prev


def separable_conv_multiplies(n_out: int, f: int, n_c: int, n_c_out: int) -> tuple[int, int]:
    """(depthwise, pointwise) multiplications of a depthwise-separable convolution with an n_out x n_out output
    (Howard et al. 2017, section 3.1): one f x f filter per input channel, then n_c_out 1x1 filters over n_c."""
    return conv_multiplies(n_out, n_out, n_c, f, 1), conv_multiplies(n_out, n_out, n_c_out, 1, n_c)


def compound_scaling(phi: float, alpha: float = 1.2, beta: float = 1.1, gamma: float = 1.15) -> tuple:
    """(depth, width, resolution) multipliers alpha**phi, beta**phi, gamma**phi of EfficientNet's compound
    scaling (Tan & Le 2019, section 3.3): each step of phi about doubles the multiplications, alpha * beta**2 *
    gamma**2 ~ 2."""
    return alpha ** phi, beta ** phi, gamma ** phi


def count_params(layer_or_model) -> int:
    """Number of weights, trainable or not; equals ``model.count_params()``.

    Args:
        layer_or_model: a built Keras layer or model.
    """
    if not layer_or_model.built:
        raise ValueError(f"{layer_or_model.name} is not built yet: call it on an input (or keras.Input) first")
    return sum(prod(w.shape) for w in layer_or_model.weights)


def count_multiplies(layer_or_model, input_shape=None) -> int:
    """Multiplications to process one example (batch size 1).

    Args:
        layer_or_model: a Keras model, or a layer that has been called on a
            ``keras.Input`` (so its input and output shapes are known).
        input_shape: the shape of one input without the batch axis, for a layer
            that has not been called yet, e.g. ``(28, 28, 192)``.

    Returns:
        The number of multiplications of all weighted sums (see the module docstring).
    """
    if isinstance(layer_or_model, keras.Model):
        return sum(count_multiplies(_sized(layer, layer_or_model)) for layer in layer_or_model.layers
                   if not isinstance(layer, layers.InputLayer))
    layer = layer_or_model
    if not isinstance(layer, _WEIGHTED):
        if getattr(layer, "kernel", None) is not None:
            raise NotImplementedError(f"count_multiplies does not know {type(layer).__name__} ({layer.name})")
        return 0
    if input_shape is not None:
        in_shape = (1, *input_shape)
        out_shape = layer.compute_output_shape(in_shape)
    else:
        in_shape, out_shape = _shapes(layer)
    return _layer_multiplies(layer, in_shape, out_shape)


def _sized(layer, model):
    """`layer`, or a copy of it when it is a model built for any image size (its layers' shapes leave the positions
    unknown) and called on a known size in `model`: rebuilt on that size."""
    own = getattr(layer, "inputs", None) if isinstance(layer, keras.Model) else None  # a subclassed model has none
    if not own or len(own) > 1 or None not in own[0].shape[1:]:
        return layer
    called_on = inputs_within(layer, model)  # read only for such a model: it walks `model`'s graph
    if len(called_on) != 1:
        return layer
    return keras.models.clone_model(layer, input_tensors=keras.Input(batch_shape=called_on[0].shape))


def _shapes(layer):
    """Input and output shapes of a layer that was called on symbolic inputs."""
    try:
        return layer.input.shape, layer.output.shape
    except (AttributeError, ValueError) as error:
        raise ValueError(f"layer {layer.name!r} has no single known input: call it on keras.Input "
                         f"or pass input_shape=") from error


def _layer_multiplies(layer, in_shape, out_shape) -> int:
    """Multiplications of one weighted layer, given its input and output shapes (batch axis first)."""
    if isinstance(layer, layers.Dense):
        return prod(out_shape[1:-1]) * in_shape[-1] * layer.units
    channels_last = layer.data_format == "channels_last"
    in_channels = in_shape[-1] if channels_last else in_shape[1]
    positions = prod(out_shape[1:-1] if channels_last else out_shape[2:])
    kernel = prod(layer.kernel_size)
    if isinstance(layer, (layers.DepthwiseConv1D, layers.DepthwiseConv2D)):
        return positions * in_channels * layer.depth_multiplier * kernel
    if isinstance(layer, (layers.SeparableConv1D, layers.SeparableConv2D)):
        depthwise = positions * in_channels * layer.depth_multiplier * kernel
        pointwise = positions * in_channels * layer.depth_multiplier * layer.filters
        return depthwise + pointwise
    return positions * layer.filters * kernel * (in_channels // layer.groups)


@dataclass(frozen=True)
class VolumeRow:
    """One layer of a volume walk."""

    name: str
    kind: str
    shape: tuple
    activations: int
    params: int
    multiplies: int


class VolumeTable(list):
    """Rows of a volume walk; ``print(table)`` shows them with totals."""

    @property
    def total_params(self) -> int:
        return sum(row.params for row in self)

    @property
    def total_multiplies(self) -> int:
        return sum(row.multiplies for row in self)

    def __str__(self) -> str:
        header = ("layer", "type", "output shape", "activations", "parameters", "multiplications")
        lines = [(r.name, r.kind, " x ".join(map(str, r.shape)), f"{r.activations:,}", f"{r.params:,}",
                  f"{r.multiplies:,}") for r in self]
        lines.append(("total", "", "", "", f"{self.total_params:,}", f"{self.total_multiplies:,}"))
        widths = [max(len(str(line[i])) for line in [header, *lines]) for i in range(len(header))]
        fmt = lambda cells: "  ".join(  # noqa: E731 -- text columns left, numbers right
            c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
        rule = "-" * len(fmt(header))
        return "\n".join([fmt(header), rule, *map(fmt, lines[:-1]), rule, fmt(lines[-1])])

    def grouped(self, key) -> VolumeTable:
        """One row per value of ``key(name)``: a stage, a block, a module, in the order they first appear.

        Parameters and multiplications are summed; the shape is the group's last output. A model's
        layers can interleave (Keras lists a side branch's layers next to the main path's of the
        same depth), so a group gathers all its rows, wherever they stand.
        ``table.grouped(lambda name: name.split("_block")[0])`` walks ResNet-50 stage by stage.
        """
        members: dict = {}
        for row in self:
            members.setdefault(key(row.name), []).append(row)
        groups = VolumeTable()
        for group, rows in members.items():
            groups.append(VolumeRow(group, f"{len(rows)} layers" if len(rows) > 1 else rows[0].kind, rows[-1].shape,
                                    rows[-1].activations, sum(r.params for r in rows),
                                    sum(r.multiplies for r in rows)))
        return groups

    def _repr_pretty_(self, printer, cycle):  # IPython displays the table, not a list of rows
        printer.text(str(self))


def volume_table(model) -> VolumeTable:
    """Walk a model layer by layer: output shape, activations, parameters, multiplications.

    The lecture's pattern shows in the shape column: height and width go down while the
    number of channels goes up. The input is the first row.

    Args:
        model: a built Keras model (Sequential or Functional).
    """
    table = VolumeTable()
    for tensor in model.inputs:
        shape = tuple(tensor.shape[1:])
        table.append(VolumeRow(producer_name(tensor), "Input", shape, prod(shape), 0, 0))
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        shape = tuple(layer.output.shape[1:])
        table.append(VolumeRow(layer.name, type(layer).__name__, shape, prod(shape), count_params(layer),
                               count_multiplies(layer)))
    return table


def forward_seconds(model, batch, repeats: int = 10) -> float:
    """Measured cost: the median wall time of ``model(batch)`` over `repeats` runs, after one
    warm-up run (which builds and compiles). Converting the output to NumPy waits until the
    computation has finished, so the time is the whole forward pass on this machine."""
    import statistics
    import timeit

    batch = keras.ops.convert_to_tensor(batch)
    forward = lambda: keras.ops.convert_to_numpy(model(batch))  # noqa: E731 -- timeit takes a callable
    forward()
    return float(statistics.median(timeit.repeat(forward, number=1, repeat=repeats)))


class Stopwatch(keras.callbacks.Callback):
    """Times ``fit``: the seconds of each training step (``steps``) and of each epoch (``epochs``)."""

    def on_train_begin(self, logs=None):
        self.steps, self.epochs = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.epochs.append(time.perf_counter() - self.epoch_start)

    def on_train_batch_begin(self, batch, logs=None):
        self.step_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append(time.perf_counter() - self.step_start)


def epoch_seconds(model, data, y=None, epochs: int = 3, batch_size: int = 32) -> list[float]:
    """Measured cost of training: the seconds of each of `epochs` epochs of the compiled `model` on `data`
    (arrays with labels `y`, or a dataset of batches), after one more epoch first that compiles the step and
    is not counted."""
    stopwatch = Stopwatch()
    model.fit(data, y, epochs=epochs + 1, batch_size=None if y is None else batch_size, callbacks=[stopwatch],
              verbose=0)
    return stopwatch.epochs[1:]
