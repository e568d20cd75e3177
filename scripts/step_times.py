"""Time one training step of notebook 02's ResNet-50 (64x64x3 fingers, batch 32, Adam) on each
Keras backend, three ways:

- ``network alone``: no augmentation;
- ``augmentation inside the compiled step``: the augmentation layers stacked in front of the
  network in one model, so they are compiled into the training step with it;
- ``augmentation in the input pipeline``: `training.fit`, which distorts each batch as it is drawn
  (`training.AugmentedBatches`) and compiles only the network's step -- what notebook 02 does.

A step's time is the median over the steps after the first (the first compiles). Each backend runs
in its own process, because Keras reads ``KERAS_BACKEND`` when it is imported.

    python scripts/step_times.py --out results/step_times.json   # and updates the README
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

# Column: (Keras backend, TF_ENABLE_ONEDNN_OPTS or None). The course turns oneDNN on (config.enable_fast_cpu_kernels);
# "oneDNN off" is what TensorFlow does by itself on CPUs without AVX-512 VNNI/BF16/AMX.
RUNS = {"tensorflow": ("tensorflow", "1"), "tensorflow, oneDNN off": ("tensorflow", "0"), "jax": ("jax", None)}
BACKENDS = ("tensorflow", "jax")
WAYS = ("network alone", "augmentation inside the compiled step", "augmentation in the input pipeline")


def step_seconds(way: str, steps: int) -> float:
    """Median seconds per training step, after the first, for one of `WAYS`."""
    import keras

    from cnn_course import augment, config, costs, datasets, training
    from cnn_course.models import ResNet50

    config.setup(verbose=False)
    (x, y), _ = datasets.load("fingers")
    x, y = x[:32 * steps].astype("float32") / 255, y[:32 * steps]
    model, clock = ResNet50(input_shape=(64, 64, 3), classes=6), costs.Stopwatch()
    if way == "augmentation inside the compiled step":
        model = keras.Sequential([keras.Input((64, 64, 3)), augment.flip_rotate_translate(), model])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    if way == "augmentation in the input pipeline":
        model.fit(training.AugmentedBatches(x, y, 32, augment.flip_rotate_translate()), epochs=1, verbose=0,
                  callbacks=[clock])
    else:
        model.fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[clock])
    return statistics.median(clock.steps[1:])


def on_backend(run: str, steps: int) -> dict:
    """`step_seconds` for every way, measured in a fresh process for one of `RUNS`."""
    backend, onednn = RUNS[run]
    command = [sys.executable, __file__, "--backend", backend, "--steps", str(steps)]
    env = {**os.environ, "KERAS_BACKEND": backend, **({"TF_ENABLE_ONEDNN_OPTS": onednn} if onednn else {})}
    output = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=8, help="training steps timed per way")
    parser.add_argument("--backend", choices=BACKENDS, help="measure in this process (KERAS_BACKEND must match)")
    parser.add_argument("--out", default=None, help="write the figures as JSON here")
    args = parser.parse_args()
    if args.backend:
        print(json.dumps({way: round(step_seconds(way, args.steps), 3) for way in WAYS}))
        return
    from cnn_course.notebooks.readme import report_figures

    figures = {"seconds_per_step": {run: on_backend(run, args.steps) for run in RUNS},
               "batch_size": 32, "image_shape": [64, 64, 3]}
    report_figures(figures, args.out)


if __name__ == "__main__":
    main()
