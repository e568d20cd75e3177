"""Graders of notebook 08, EfficientNet: the compound scaling multipliers and the rounding of a
scaled channel count."""

from __future__ import annotations

import itertools
import math
import numbers

from cnn_course.grading.report import described, grader
from cnn_course.models.efficientnet import round_filters as reference_round_filters

ALPHA, BETA, GAMMA = 1.2, 1.1, 1.15  # depth, width, resolution (Tan & Le 2019, section 3.3)
_NAMES = ("depth", "width", "resolution")
_PHIS = [0, 1, 2, 3, 4, 5, 6, 7, 0.5, 2.5]
RTOL = 1e-6


def _close(got, want) -> bool:
    return all(abs(a - b) <= RTOL * abs(b) for a, b in zip(got, want))


_SCALING_MISTAKES = [
    (lambda phi: (ALPHA * phi, BETA * phi, GAMMA * phi), "multiplies the coefficients by phi: raise them to the "
                                                         "power phi, alpha ** phi"),
    (lambda phi: (phi ** ALPHA, phi ** BETA, phi ** GAMMA), "computes phi ** alpha: the coefficient is the base, "
                                                            "alpha ** phi"),
    (lambda phi: (1 + ALPHA * phi, 1 + BETA * phi, 1 + GAMMA * phi), "grows linearly: the multipliers are powers, "
                                                                     "alpha ** phi"),
    (lambda phi: (ALPHA, BETA, GAMMA), "ignores phi: the coefficients are the multipliers for phi = 1 only"),
    (lambda phi: (ALPHA ** phi, BETA ** (2 * phi), GAMMA ** (2 * phi)), "squares width and resolution: those "
                                                                        "squares enter the FLOPS constraint "
                                                                        "alpha * beta^2 * gamma^2 ~ 2, not the "
                                                                        "multipliers"),
]


@grader("compound_scaling")
def check_compound_scaling(compound_scaling, report) -> None:
    """Grade ``compound_scaling(phi)`` -> (depth, width, resolution) = (1.2**phi, 1.1**phi, 1.15**phi)."""
    answers = {}
    for phi in _PHIS:
        what = f"compound_scaling({phi})"
        got = answers[phi] = report.call(compound_scaling, phi, what=what)
        if isinstance(got, numbers.Number):
            report.fail(f"{what} returned one number, {got!r}: return the three multipliers as a tuple, "
                        f"`return depth, width, resolution`")
        report.precondition(isinstance(got, tuple) and len(got) == 3,
                            f"{what} returned {described(got)}: return a tuple of three numbers, "
                            f"`return depth, width, resolution`")
        report.precondition(all(isinstance(value, numbers.Real) and not isinstance(value, bool) for value in got),
                            f"{what} returned ({', '.join(type(value).__name__ for value in got)}): return three "
                            f"numbers")
        report.precondition(all(math.isfinite(value) for value in got), f"{what} returned {got!r}")
    want = {phi: (ALPHA ** phi, BETA ** phi, GAMMA ** phi) for phi in _PHIS}
    wrong = [phi for phi in _PHIS if not _close(answers[phi], want[phi])]
    if wrong:
        phi, got = wrong[0], answers[wrong[0]]
        order = next((names for names, index in _ORDERS
                      if all(_close(answers[p], [want[p][i] for i in index]) for p in _PHIS)), None)
        if order:
            report.fail(f"compound_scaling({phi}) returned {_show(got)}, the multipliers in the order "
                        f"({', '.join(order)}): return them as (depth, width, resolution) -- alpha = {ALPHA} is "
                        f"depth's, beta = {BETA} width's, gamma = {GAMMA} resolution's")
        hint = next((why for formula, why in _SCALING_MISTAKES
                     if all(_close(answers[p], formula(p)) for p in _PHIS)), "")
        if not hint and all(round(value, 2) == value for p in _PHIS for value in answers[p]):
            hint = "rounds the multipliers: return them unrounded"
        name = next(name for name, a, b in zip(_NAMES, got, want[phi]) if not _close([a], [b]))
        report.fail(f"compound_scaling({phi}) returned {_show(got)}: the {name} multiplier is wrong"
                    + (f"; it {hint}" if hint else ""))
    report.success(f"right for phi in {_PHIS}: depth 1.2**phi, width 1.1**phi, resolution 1.15**phi")


# Every other order of the three multipliers: (names, indices into (depth, width, resolution)).
_ORDERS = [([_NAMES[i] for i in order], order) for order in itertools.permutations(range(3)) if order != (0, 1, 2)]


def _show(values) -> str:
    return "(" + ", ".join(f"{value:.6g}" for value in values) + ")"



# (filters, width, divisor): width 1.0, rounding up and down (68 = 8.5 x 8 rounds half up), the 10% rule
# (7 x 1.7 = 11.9 and MobileNetV2's 32 x 0.35 = 11.2 round down to 8, too far: 16), the floor of one divisor,
# and divisors 16 and 4.
_ROUND_CASES = [(32, 1.0, 8), (20, 1.0, 8), (68, 1.0, 8), (32, 1.1, 8), (112, 1.1, 8), (40, 1.2, 8), (7, 1.7, 8),
                (32, 0.35, 8), (3, 1.0, 8), (2, 1.5, 8), (1280, 1.8, 8), (23, 1.0, 16), (100, 1.4, 16), (6, 1.0, 4),
                (13, 1.5, 4)]


def _round(filters, width, divisor, ten_percent=True, floor=True, rounding=lambda v, d: int(v + d / 2) // d * d):
    """keras.applications' rounding with one knob per plausible mistake."""
    value = filters * width
    new = max(divisor, rounding(value, divisor)) if floor else rounding(value, divisor)
    return new + divisor if ten_percent and new < 0.9 * value else new


_ROUND_MISTAKES = [
    (lambda *case: _round(*case, ten_percent=False), "misses the 10% rule: when rounding loses more than 10% of "
                                                     "filters x width, add one divisor"),
    (lambda *case: _round(*case, ten_percent=False, floor=False), "misses the 10% rule and the floor of one divisor"),
    (lambda *case: _round(*case, rounding=lambda v, d: round(v / d) * d), "rounds half to even with round(): "
                                                                           "int(value + divisor / 2) rounds half up"),
    (lambda *case: _round(*case, rounding=lambda v, d: math.ceil(v / d) * d), "always rounds up: round to the "
                                                                               "nearest multiple"),
    (lambda *case: _round(*case, rounding=lambda v, d: int(v) // d * d), "always rounds down: round to the "
                                                                         "nearest multiple, int(value + divisor / 2)"),
    (lambda f, w, d: _round(f, w, 8), "ignores the divisor argument"),
    (lambda f, w, d: _round(f, 1.0, d), "ignores the width coefficient: round filters x width"),
    (lambda f, w, d: (lambda new: new + d if new < 0.9 * f else new)(_round(f, w, d, ten_percent=False)),
     "compares with 90% of filters; the 10% rule compares with 90% of filters x width"),
]


@grader("round_filters", answer_key=["cnn_course.models.efficientnet.round_filters",
                                     "cnn_course.models.mobilenet.make_divisible",
                                     "keras.src.applications.mobilenet_v2._make_divisible",
                                     "keras.src.applications.mobilenet_v3._depth"])
def check_round_filters(round_filters, report) -> None:
    """Grade ``round_filters(filters, width_coefficient, divisor=8)`` against keras.applications' rounding."""
    answers = {}
    for case in _ROUND_CASES:
        got = answers[case] = report.call(round_filters, *_args(case), what=_call(case))
        report.precondition(isinstance(got, numbers.Real) and not isinstance(got, bool),
                            f"{_call(case)} returned {described(got)}: return one number of channels, an int")
    wrong = [case for case in _ROUND_CASES if answers[case] != reference_round_filters(*case)]
    if wrong:
        hint = next((why for formula, why in _ROUND_MISTAKES
                     if all(formula(*case) == answers[case] for case in _ROUND_CASES)), "")
        if not hint and answers[wrong[0]] % wrong[0][2]:
            hint = "does not round: return a multiple of the divisor"
        report.fail(f"{_call(wrong[0])} returned {answers[wrong[0]]!r}, expected {reference_round_filters(*wrong[0])}"
                    + (f": it {hint}" if hint else ""))
    for case, got in answers.items():
        report.precondition(isinstance(got, numbers.Integral),
                            f"{_call(case)} returned {got!r}, a {type(got).__name__}: return an int (a number of "
                            f"channels)")
    report.success(f"right on {len(_ROUND_CASES)} cases, the 10% rule and the floor of one divisor included")


def _args(case) -> tuple:
    """The call's arguments: the divisor only when it is not the default 8."""
    filters, width, divisor = case
    return (filters, width) if divisor == 8 else case


def _call(case) -> str:
    return f"round_filters({', '.join(map(repr, _args(case)))})"
