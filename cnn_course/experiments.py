"""Experiments that compare trained networks over seeds, and the sentences that read them.

- `seeds`: the seeds of this run, from ``CNN_COURSE_SEED`` (the benchmark changes it);
- `eagerly`: whether ``fit`` runs eagerly -- in quick mode, where compiling costs more than the few steps;
- `per_class_subset`, `epochs_for`: the training set each seed draws, and a budget of steps fair to small sets;
- `from_scratch`: a network trained from random weights drawn from one seed, with the course's recipe;
- `closest_in_cost`: an arm matched to another's cost (multiplications), by bisection;
- `seed_table`: measurements over seeds as a table of `results.Spread`;
- `paired`: two arms measured on the same seeds, their per-seed differences, and the sentence that reads them
  (an effect only when every seed agrees in sign); `compared` for runs that cannot be paired;
- `training_fit`: each arm's training accuracy, and whether every arm fits (the course's conventions, section 3).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np

from cnn_course import augment, config
from cnn_course.models.baseline import SmallCNN
from cnn_course.results import Spread
from cnn_course.training import fit_from_scratch

MIN_SEEDS = 3  # the fewest seeds on which an effect is claimed (the course's conventions)


def seeds(n: int) -> list[int]:
    """`n` consecutive seeds from this run's (``$CNN_COURSE_SEED``, 0 unless set): each arm of an experiment
    trains once from each."""
    first = config.run_seed()
    return list(range(first, first + n))


def eagerly() -> bool:
    """Whether to train eagerly: in quick mode on TensorFlow, whose few steps cost less run eagerly than traced.
    JAX compiles each operation of an eager step on its first use, so there one compiled step costs less."""
    return config.is_quick() and keras.backend.backend() == "tensorflow"


def per_class_subset(y: np.ndarray, per_class: int | None, seed: int) -> np.ndarray:
    """Indices of `per_class` images of each class of labels `y` (all of them for None), drawn with `seed`."""
    if per_class is None:
        return np.arange(len(y))
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in np.unique(y)])


def epochs_for(count: int, minimum_epochs: int, minimum_steps: int, batch_size: int = 32) -> int:
    """Epochs for `count` images: at least `minimum_epochs`, and enough for `minimum_steps` steps, so that a
    small training set is not also trained for fewer steps."""
    return max(minimum_epochs, math.ceil(minimum_steps / math.ceil(count / batch_size)))


def training_copies(distortion, x: np.ndarray, y: np.ndarray, seed: int, steps: int,
                    batch_size: int = 32) -> tuple[np.ndarray, np.ndarray, int]:
    """A fixed budget for every arm of an augmentation experiment: enough copies of ``(x, y)`` for `steps` steps
    (one copy per epoch), each a fresh draw of `distortion` from `seed` (`augment.distorted_copies`), or the
    images as they are when `distortion` is None. Returns the images, their labels and the number of copies;
    one pass over them is the training."""
    copies = epochs_for(len(x), 1, steps, batch_size)
    config.setup(seed, verbose=False)
    images = (np.tile(x, (copies, 1, 1, 1)) if distortion is None
              else augment.distorted_copies(distortion, x, copies, batch_size))
    return images, np.tile(y, copies), copies


def from_scratch(x: np.ndarray, y: np.ndarray, seed: int, *, epochs: int,
                 build: Callable[[], keras.Model] | None = None, augmentation=True, peak: float = 3e-3,
                 copies: int = 1, batch_size: int = 32, validation_data=None) -> keras.Model:
    """A network trained from random weights on ``(x, y)`` with the course's recipe
    (`training.fit_from_scratch`), everything random drawn from `seed`: the initial weights, the order of the
    batches and the distortions -- so the arms of an experiment trained from one seed start alike.

    Args:
        build: returns the untrained network; by default `SmallCNN` for the images' shape and the labels'
            classes.
        augmentation: True for the recipe's distortions, None for none, or a layer or a function of a batch.
        peak: the learning rate after the warm-up (the course's small networks train at 3e-3).
        copies: distorted copies of each image in `x` (``augmentation=None``), as for `training.fit_from_scratch`.
        epochs, batch_size, validation_data: as for ``fit``.

    Returns:
        The trained network; ``network.history.history`` holds its logs per epoch.
    """
    config.setup(seed, verbose=False)
    network = build() if build else SmallCNN(input_shape=x.shape[1:], classes=len(np.unique(y)))
    fit_from_scratch(network, x, y, epochs=epochs, validation_data=validation_data, batch_size=batch_size,
                     peak=peak, augmentation=augmentation, copies=copies, run_eagerly=eagerly())
    return network


def closest_in_cost(options: Sequence, cost: Callable, budget: float):
    """The option whose `cost` comes closest to `budget`, from `options` listed in order of increasing cost
    (e.g. whole numbers of layers, channels or pixels), found by bisection: one `cost` call per halving --
    the arms of a comparison at matched multiplications."""
    low, high = 0, len(options) - 1
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if cost(options[middle]) < budget else (low, middle)
    return min(options[low], options[high], key=lambda option: abs(cost(option) - budget))


def seed_table(results: dict, header: str, unit: str = "seed") -> str:
    """``{row: {column: [value per seed]}}`` as a text table with each cell's `Spread` (counted in `unit`s)."""
    columns = list(next(iter(results.values())))
    cells = {row: [format(Spread.of(values, unit), ".3f") for values in by_column.values()]
             for row, by_column in results.items()}
    width = max(map(len, results)) + 2
    widths = [max(len(str(column)), *(len(row[i]) for row in cells.values())) + 2 for i, column in enumerate(columns)]
    lines = [header, " " * width + "".join(f"{column:>{w}}" for column, w in zip(columns, widths))]
    lines += [f"{row:<{width}}" + "".join(f"{cell:>{w}}" for cell, w in zip(row_cells, widths))
              for row, row_cells in cells.items()]
    return "\n".join(lines)


@dataclass(frozen=True)
class Paired:
    """Arms `a` and `b` measured on the same seeds (the same data subset and initial draw for both):
    the differences a - b, seed by seed."""

    a: str
    b: str
    differences: tuple[float, ...]
    what: str = "validation accuracy"

    @property
    def spread(self) -> Spread:
        """The differences' median, lowest and highest."""
        return Spread.of(self.differences)

    def verdict(self, min_seeds: int = MIN_SEEDS) -> str:
        """What the seeds show, computed: an effect only when every one of at least `min_seeds` seeds agrees in
        sign, else "no measurable effect at this scale" with the count of seeds each way."""
        n, difference = len(self.differences), format(self.spread, "+.3f")
        higher, lower = sum(d > 0 for d in self.differences), sum(d < 0 for d in self.differences)
        if n < min_seeds:
            return (f"{self.what} difference {difference} -- {n} seed{'s' * (n != 1)} cannot show an effect "
                    f"(it takes at least {min_seeds} that agree)")
        if n in (higher, lower):
            return f"{self.what} {'higher' if higher else 'lower'} on every seed, by {difference}"
        return (f"no measurable effect at this scale on {self.what} -- higher on {higher}, lower on {lower} "
                f"of {n} seeds, difference {difference}")

    def sentence(self, min_seeds: int = MIN_SEEDS) -> str:
        """The `verdict` and the per-seed differences, after "a vs b, paired over n seeds:", the form the
        benchmark records."""
        n = len(self.differences)
        per_seed = "" if n < min_seeds else "; per seed " + ", ".join(f"{d:+.3f}" for d in self.differences)
        return f"{self.a} vs {self.b}, paired over {n} seed{'s' * (n != 1)}: {self.verdict(min_seeds)}{per_seed}"


def training_fit(accuracies: dict, classes: int) -> str:
    """``{arm: [training accuracy per seed]}`` in one line, the form the benchmark records: each arm's `Spread`,
    and whether every arm fits its training images above chance (1 / `classes`) on every seed -- an arm that
    does not is a broken recipe, not a finding."""
    chance = 1 / classes
    stuck = [arm for arm, values in accuracies.items() if min(values) < chance + 0.1]
    verdict = (f"every arm fits above chance ({chance:.3f}) on every seed" if not stuck else
               f"{', '.join(stuck)} within 0.1 of chance ({chance:.3f}) on some seed: " +
               ("expected of quick mode's few steps" if config.is_quick() else "a recipe to mend, not a result"))
    return ("training accuracy by arm: " + ", ".join(f"{arm} {Spread.of(values)}" for arm, values in
                                                     accuracies.items()) + f"; {verdict}")


def paired(a: str, a_values: Sequence[float], b: str, b_values: Sequence[float],
           what: str = "validation accuracy") -> Paired:
    """Arm `a` against arm `b`, seed by seed (`a_values[i]` and `b_values[i]` from the same seed)."""
    if len(a_values) != len(b_values):
        raise ValueError(f"{a} has {len(a_values)} runs and {b} {len(b_values)}: pair them seed by seed")
    return Paired(a, b, tuple(float(p) - float(q) for p, q in zip(a_values, b_values)), what)


def compared(a: Sequence[float], b: Sequence[float], min_runs: int = MIN_SEEDS) -> str:
    """For runs that cannot be paired (e.g. ensembles of k networks against single networks): the difference
    of the medians of `a` and `b`, and whether their ranges (lowest to highest) overlap -- a difference is
    only read as real where they do not, and only with at least `min_runs` runs on each side."""
    difference = f"{np.median(a) - np.median(b):+.3f}"
    if min(len(a), len(b)) < min_runs:
        return f"{difference} (too few runs to compare: it takes at least {min_runs} on each side)"
    overlap = min(a) <= max(b) and min(b) <= max(a)
    return f"{difference} ({'ranges overlap' if overlap else 'ranges apart'})"
