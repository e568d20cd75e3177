"""Reading a block by role -- one chain, a main path and a shortcut, or branches -- so that the order in which the
learner created its layers does not matter; and a layer's settings compared with the reference's."""

from __future__ import annotations

from keras import layers

from cnn_course.grading.compare import free_epsilon
from cnn_course.grading.vocabulary import STRUCTURAL, conv_padding, expand, padded, pooling, words, zero_padding
from cnn_course.graph import branch, chain_back, inputs_of, is_addition, is_concatenation, producer


def chain(output, source, report, what) -> dict:
    """{"chain": layers} of a block that is one chain from its input."""
    layers_ = branch(output, source)
    report.precondition(layers_ is not None, f"{what}: the block should be one chain of layers from x (each layer "
                                             f"called on the previous one's output)")
    return {"chain": layers_}


def residual(output, source, report, what, after=("ReLU",), optional=False) -> dict:
    """{"main": layers, "shortcut": layers} of a block that adds a shortcut to its main path, then applies `after`;
    with `optional`, a block that is one chain has ``"shortcut": None``."""
    tensors = chain_back(output, source)
    if tensors[-1] is source:
        report.precondition(optional, f"{what}: no addition found -- the block must add the shortcut to the main "
                                      f"path (layers.Add()([shortcut, x]))")
        return {"main": branch(output, source), "shortcut": None}
    layer, inputs = producer(tensors[-1])
    report.precondition(layer is not None and bool(inputs), f"{what}: the output does not come from the block's "
                                                            f"input: call the layers on x")
    report.precondition(is_addition(layer), f"{what}: the two paths are joined by {type(layer).__name__}; add them "
                                            f"with layers.Add()([shortcut, x]) (or shortcut + x)")
    report.precondition(len(inputs) == 2, f"{what}: the addition has {len(inputs)} inputs; add exactly the two "
                                          f"paths, layers.Add()([shortcut, x])")
    found = words(branch(output, tensors[-1]))  # an activation of several operations as one
    if list(found) != list(after):
        report.fail(f"{what}: after the addition the block " + (
            f"should apply exactly one {after[0]}, a[l+2] = g(z[l+2] + a[l]), found {' -> '.join(found) or 'nothing'}"
            if after else f"applies {' -> '.join(found)}: the block's output is the sum itself, the input plus the "
                          f"linear projection"))
    paths = [branch(tensor, source) for tensor in inputs]
    report.precondition(all(path is not None for path in paths),
                        f"{what}: each input of the Add must be one chain of layers starting from the block's input")
    main, shortcut = sorted(paths, key=weight, reverse=True)
    return {"main": main, "shortcut": shortcut}


def weight(path) -> tuple:
    """The main path has more convolutions than the shortcut -- or, when neither shows any (layers of the learner's
    own), more layers."""
    return sum(word in ("Conv2D", "DepthwiseConv2D") for word in words(path)), len(path)


def branches(output, source, report, what, role_of, roles, order_advice) -> dict:
    """{role: layers} of a module that concatenates branches, one per role, in the order of `roles`."""
    layer, inputs = producer(output)
    report.precondition(is_concatenation(layer) and len(inputs) == len(roles),
                        f"{what}: the module should end by concatenating its {len(roles)} branches (layers.Concatenate"
                        f"()), found {type(layer).__name__ if layer else 'the input'} with {len(inputs)} input(s)")
    report.precondition(getattr(layer, "axis", -1) in (-1, 3),
                        f"{what}: concatenate along the channels (axis=-1), not axis={getattr(layer, 'axis', None)}")
    found = [branch(tensor, source) for tensor in inputs]
    report.precondition(all(path is not None for path in found),
                        f"{what}: each input of the Concatenate must be one chain of layers from the module's input")
    shared = next((layer.name for i, path in enumerate(found) for other in found[i + 1:] for layer in path
                   if getattr(layer, "weights", None) and any(layer is mine for mine in other)), None)
    # a layer with weights is called once in a module (the block engine refuses more): in two branches, their start
    report.precondition(shared is None, f"{what}: {shared} is in two branches: each branch starts from the module's "
                                        f"input with layers of its own -- check what each layer is called on")
    named = [role_of(path) for path in found]
    report.precondition(sorted(named) == sorted(roles), f"{what}: expected the branches {', '.join(roles)}, found "
                                                        f"{', '.join(named)}")
    report.require(named == list(roles), f"branches concatenated in the order ({', '.join(roles)})",
                   f"{what}: the branches are concatenated as ({', '.join(named)}); {order_advice}")
    return dict(zip(named, found))


# -- a layer's settings against the reference's ---------------------------------------------------------
def settings(layer) -> dict:
    """The settings of a layer that change what it computes (a momentum between 0 and 1 and a `free_epsilon`
    are free)."""
    if isinstance(layer, layers.BatchNormalization):
        axis = layer.axis if isinstance(layer.axis, int) else layer.axis[0]
        return {"axis": -1 if axis == 3 else axis, "center": layer.center, "scale": layer.scale,
                "epsilon": "at most 1e-3" if free_epsilon(layer.epsilon) else layer.epsilon,
                "momentum": "between 0 and 1" if 0 < layer.momentum < 1 else layer.momentum,
                "renorm": getattr(layer, "renorm", False)}
    if pool := pooling(layer):  # a pooling layer, or keras.ops' pool
        return dict(zip(("pool_size", "strides", "padding"), pool[1:]))
    found = {}
    for name in ("filters", "kernel_size", "strides", "dilation_rate", "use_bias", "depth_multiplier", "groups",
                 "pool_size", "units"):
        if hasattr(layer, name):
            value = getattr(layer, name)
            found[name] = tuple(value) if isinstance(value, (list, tuple)) else value
    if isinstance(layer, layers.Conv2D):
        found["padding"] = conv_padding(layer)
    elif isinstance(getattr(layer, "padding", None), str) and not isinstance(layer, layers.DepthwiseConv2D):
        found["padding"] = layer.padding  # a depthwise convolution's is `depthwise_padding`, ZeroPadding2D included
    return found


def first_setting_difference(steps, reference_steps) -> tuple | None:
    """(word, its ordinal among the path's layers of that word, setting, got, want) of the first layer whose settings
    differ from the reference's, else None."""
    count = {}
    for step, reference_step in zip(steps, reference_steps):
        layer, reference = step.layers[0], reference_step.layers[0]
        if step.fused or not (isinstance(layer, STRUCTURAL) or pooling(layer)):
            continue
        count[step.word] = count.get(step.word, 0) + 1
        got, want = settings(layer), settings(reference)
        for name, value in want.items():
            if got.get(name) != value:
                return step.word, count[step.word], name, got.get(name), value
    return None


# Advice on settings every model leaves at Keras' defaults, when a description has none of its own.
KEEP = {"epsilon": "keep BatchNormalization's default epsilon", "dilation_rate": "keep 1",
        "depth_multiplier": "keep 1, one filter per input channel",
        "renorm": "keep BatchNormalization's default renorm=False: batch renormalization is another method",
        "momentum": "keep a momentum between 0 and 1 (Keras' default is 0.99): at 1 the moving statistics never "
                    "move, at 0 they hold only the last batch's"}


def setting_difference(steps, reference_steps, role: str, advice=None) -> str:
    """The first layer setting that differs from the reference's, in words ('' when none); `advice`: (word,
    ordinal, setting, got, want) -> advice, before `KEEP`'s."""
    difference = first_setting_difference(steps, reference_steps)
    if not difference:
        return ""
    word, ordinal, setting, got, want = difference
    said = (advice(*difference) if advice else "") or KEEP.get(setting, "")
    nth = {1: "1st", 2: "2nd", 3: "3rd"}.get(ordinal, f"{ordinal}th")
    return f"the {nth} {word} of the {role} has {setting}={got!r}, expected {want!r}" + (f" -- {said}" if said else "")


def depthwise_padding(path) -> tuple:
    """((top, bottom), (left, right)) a path's depthwise convolution pads, by zero padding right before it and its
    own padding="same"; () when it has none; None when the size it pads is unknown (a nested model built for any
    size: the outputs, compared later, tell)."""
    path = expand(path)
    index = next((i for i, layer in enumerate(path) if isinstance(layer, layers.DepthwiseConv2D)), None)
    if index is None:
        return ()
    layer, pads = path[index], [[0, 0], [0, 0]]
    for at, before in enumerate(path[:index]):  # paddings right before it, activations between allowed
        if zero_padding(before) is not None and padded(path, at) is layer:
            pads = [[a + b for a, b in zip(pads[axis], zero_padding(before)[axis])] for axis in (0, 1)]
    if layer.padding == "same":
        size = inputs_of(layer, call=-1)[0].shape[1:3]  # the last call: a block rebuilt on x's shape (`unwrapped`)
        if None in size:
            return None
        for axis, (n, k, s) in enumerate(zip(size, layer.kernel_size, layer.strides)):
            total = max((-(-n // s) - 1) * s + k - n, 0)
            pads[axis] = [pads[axis][0] + total // 2, pads[axis][1] + total - total // 2]
    return tuple(map(tuple, pads))
