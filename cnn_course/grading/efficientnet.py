"""Graders of notebook 08, EfficientNet: the compound scaling multipliers and the rounding of a channel count."""

from __future__ import annotations

import math
from fractions import Fraction

from cnn_course.costs import compound_scaling
from cnn_course.grading.formula import Formula, formula_grader
from cnn_course.models.efficientnet import round_filters

ALPHA, BETA, GAMMA = 1.2, 1.1, 1.15  # depth, width, resolution (Tan & Le 2019, section 3.3)

check_compound_scaling = formula_grader(Formula(
    exercise="compound_scaling", reference=compound_scaling, arguments=("phi",), integers=False,
    parts=("depth", "width", "resolution"),
    # 9.375: beyond B7, three decimals; 11.5: near the top of the draws, so that none of them decides alone; -2: a
    # network smaller than B0 (the text sets phi no lower bound), where the multipliers fall below 1
    cases=[(phi,) for phi in (0, 1, 2, 3, 4, 5, 6, 7, 0.5, 2.5, 9.375, 11.5, -2)],
    draw=lambda rng: (float(rng.uniform(0, 12)),),  # beyond B7's 7, and not rounded
    parts_advice=f" -- alpha = {ALPHA} is depth's, beta = {BETA} width's, gamma = {GAMMA} resolution's",
    mistakes=[
        ("multiplies the coefficients by phi: raise them to the power phi, alpha ** phi",
         lambda phi: (ALPHA * phi, BETA * phi, GAMMA * phi)),
        ("computes phi ** alpha: the coefficient is the base, alpha ** phi",
         lambda phi: (phi ** ALPHA, phi ** BETA, phi ** GAMMA)),
        ("grows linearly: the multipliers are powers, alpha ** phi",
         lambda phi: (1 + ALPHA * phi, 1 + BETA * phi, 1 + GAMMA * phi)),
        ("ignores phi: the coefficients are the multipliers for phi = 1 only", lambda phi: (ALPHA, BETA, GAMMA)),
        ("scales a negative phi up: alpha ** phi is below 1 there, a network smaller than B0",
         lambda phi: tuple(c ** abs(phi) for c in (ALPHA, BETA, GAMMA))),
        ("squares width and resolution: those squares enter the FLOPS constraint alpha * beta^2 * gamma^2 ~ 2, not "
         "the multipliers", lambda phi: (ALPHA ** phi, BETA ** (2 * phi), GAMMA ** (2 * phi))),
        *(("rounds the multipliers: return them unrounded",
           lambda phi, places=places: tuple(round(v, places) for v in compound_scaling(phi)))
          for places in range(1, 6)),  # a rounding to 6 decimals or more is within the tolerance
    ],
    success="right for the lecture's phi and fresh ones: depth 1.2**phi, width 1.1**phi, resolution 1.15**phi"))


def _round(filters, width, divisor, ten_percent=True, floor=True, rounding=lambda v, d: int(v + d / 2) // d * d):
    """keras.applications' rounding with one knob per plausible mistake."""
    value = filters * width
    new = max(divisor, rounding(value, divisor)) if floor else rounding(value, divisor)
    return new + divisor if ten_percent and new < 0.9 * value else new


def _draw_filters(rng) -> tuple:
    """A fresh (filters, width, divisor) whose filters x width is not a half-multiple of the divisor exactly: there
    the float reference and an answer computed exactly (a Fraction) may round apart."""
    while True:
        case = (int(rng.integers(1, 400)), round(float(rng.uniform(0.25, 2.5)), 2),
                int(rng.choice([3, 4, 5, 6, 7, 8, 8, 12, 16])))
        if Fraction(case[0]) * Fraction(str(case[1])) / case[2] % 1 != Fraction(1, 2):
            return case


check_round_filters = formula_grader(Formula(
    exercise="round_filters", reference=round_filters, arguments=("filters", "width_coefficient", "divisor"),
    # Width 1.0, rounding up and down (68 = 8.5 x 8 rounds half up), the 10% rule (7 x 1.7 = 11.9 and MobileNetV2's
    # 32 x 0.35 = 11.2 round down to 8, too far: 16), the floor of one divisor, divisors 16, 4 and 6 (not a power of
    # two), and 45 x 1.5 = 67.5, which rounds to 64 but to 72 when filters x width is rounded to an integer first;
    # 7 x 1.28 = 8.96, whose 10% rule adds a divisor (16) that truncating it to 8 first does not; 76 = 9.5 x 8, which
    # rounds half up to 80 (round() too, half to even); an odd divisor, 5 (27.5 rounds to 30); 20 -> 18 and 40 -> 36,
    # exactly 90%, which the 10% rule keeps; 18 -> 16 and 27 -> 24, below 90% two and three divisors up, where the
    # rule adds one divisor (24, 32), not one per divisor already there; 1 x 0.5, where only the floor gives 8.
    cases=[(32, 1.0, 8), (20, 1.0, 8), (68, 1.0, 8), (32, 1.1, 8), (112, 1.1, 8), (40, 1.2, 8), (7, 1.7, 8),
           (32, 0.35, 8), (3, 1.0, 8), (2, 1.5, 8), (1280, 1.8, 8), (23, 1.0, 16), (100, 1.4, 16), (6, 1.0, 4),
           (13, 1.5, 4), (100, 1.0, 6), (45, 1.5, 8), (7, 1.28, 8), (76, 1.0, 8), (25, 1.1, 5), (20, 1.0, 6),
           (40, 1.0, 12), (18, 1.0, 8), (27, 1.0, 8), (1, 0.5, 8)],
    draw=_draw_filters,
    call=lambda case: case[:2] if case[2] == 8 else case,  # the divisor only when it is not the default 8
    mistakes=[
        ("misses the 10% rule: when rounding loses more than 10% of filters x width, add one divisor",
         lambda *case: _round(*case, ten_percent=False)),
        ("misses the 10% rule and the floor of one divisor",
         lambda *case: _round(*case, ten_percent=False, floor=False)),
        ("rounds half to even with round(): int(value + divisor / 2) rounds half up",
         lambda *case: _round(*case, rounding=lambda v, d: round(v / d) * d)),
        ("rounds halves down: int(value + divisor / 2) rounds half up",
         lambda *case: _round(*case, rounding=lambda v, d: math.ceil(v / d - 0.5) * d)),
        ("adds half the divisor with //, which rounds it down for an odd divisor: int(value + divisor / 2)",
         lambda *case: _round(*case, rounding=lambda v, d: int(v + d // 2) // d * d)),
        ("adds a divisor at exactly 90% too: the 10% rule adds one only when the rounded value is below 90%",
         lambda f, w, d: (lambda new: new + d if new <= 0.9 * f * w else new)(_round(f, w, d, ten_percent=False))),
        ("measures the 10% against the rounded value: add a divisor when the rounded value is below 90% of filters "
         "x width", lambda f, w, d: (lambda new: new + d if f * w - new > 0.1 * new else new)(
             _round(f, w, d, ten_percent=False))),
        *(("rounds filters x width to an integer first: round the product itself to the nearest multiple",
           lambda f, w, d, whole=whole: _round(whole(f * w), 1.0, d)) for whole in (round, int)),
        ("always rounds up: round to the nearest multiple",
         lambda *case: _round(*case, rounding=lambda v, d: math.ceil(v / d) * d)),
        ("always rounds down: round to the nearest multiple, int(value + divisor / 2)",
         lambda *case: _round(*case, rounding=lambda v, d: int(v) // d * d)),
        ("ignores the divisor argument", lambda f, w, d: _round(f, w, 8)),
        ("ignores the width coefficient: round filters x width", lambda f, w, d: _round(f, 1.0, d)),
        ("compares with 90% of filters; the 10% rule compares with 90% of filters x width",
         lambda f, w, d: (lambda new: new + d if new < 0.9 * f else new)(_round(f, w, d, ten_percent=False))),
    ],
    advise=lambda case, got: "does not round: return a multiple of the divisor" if got % case[2] else "",
    success="right on the lecture's cases, the 10% rule and the floor of one divisor included, and on fresh ones"))
