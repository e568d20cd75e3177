"""Wrong-answer catalogue of notebook 08's graders: compound scaling and the rounding of channel counts."""

import math
from decimal import Decimal
from fractions import Fraction

import keras
import numpy as np
from catalogue import ANSWER_KEY, BROKEN_MESSAGE, LazyNumber, catalogue, raises_a_broken_message, stub

from cnn_course import costs
from cnn_course.grading.efficientnet import check_compound_scaling, check_round_filters
from cnn_course.models import efficientnet, mobilenet


def by_loop(phi):
    depth = width = resolution = 1.0
    for _ in range(phi):
        depth, width, resolution = depth * 1.2, width * 1.1, resolution * 1.15
    return depth, width, resolution


# A learner who typed the grader's fixed cases into a table (by hand, as numbers).
TABLE = {phi: tuple(float(f"{c ** phi:.12g}") for c in (1.2, 1.1, 1.15)) for phi in (0, 1, 2, 3, 4, 5, 6, 7, 0.5, 2.5)}

WRONG_SCALING = {
    "not implemented": stub,
    "(width, depth, resolution)": (lambda phi: (1.1 ** phi, 1.2 ** phi, 1.15 ** phi), "(depth, width, resolution)"),
    "(resolution, width, depth)": lambda phi: (1.15 ** phi, 1.1 ** phi, 1.2 ** phi),
    "beta and gamma swapped": lambda phi: (1.2 ** phi, 1.15 ** phi, 1.1 ** phi),
    "alpha * phi": (lambda phi: (1.2 * phi, 1.1 * phi, 1.15 * phi), "alpha ** phi"),
    "phi ** alpha (complex for a negative phi)": (lambda phi: (phi ** 1.2, phi ** 1.1, phi ** 1.15),
                                                  "the coefficient is the base"),
    "linear growth": lambda phi: (1 + 1.2 * phi, 1 + 1.1 * phi, 1 + 1.15 * phi),
    "ignores phi": lambda phi: (1.2, 1.1, 1.15),
    "squared width and resolution": lambda phi: (1.2 ** phi, 1.21 ** phi, 1.3225 ** phi),
    "rounded": (lambda phi: tuple(round(c ** phi, 2) for c in (1.2, 1.1, 1.15)), "unrounded"),
    "rounded to 5 decimals": (lambda phi: tuple(round(c ** phi, 5) for c in (1.2, 1.1, 1.15)), "unrounded"),
    "the FLOPS factor": lambda phi: 2 ** phi,
    "two multipliers": lambda phi: (1.2 ** phi, 1.1 ** phi),
    "a loop (integer phi only)": by_loop,
    "an enormous depth": (lambda phi: (10 ** 400, 1.1 ** phi, 1.15 ** phi), "about 400 digits"),
    "an enormous Fraction": (lambda phi: (Fraction(10 ** 400), 1.1 ** phi, 1.15 ** phi), "returned a Fraction"),
    "the growth, alpha ** phi - 1 (not multiplied by phi)": (
        lambda phi: tuple(c ** phi - 1 for c in (1.2, 1.1, 1.15)), "the depth is 0, expected 1"),
    "alpha ** (phi + 1) (not ignoring phi)": (lambda phi: tuple(c ** (phi + 1) for c in (1.2, 1.1, 1.15)),
                                              "the depth is 1.2, expected 1"),
    "answer key: the course's costs.compound_scaling": lambda phi: costs.compound_scaling(phi),
    "a table of the grader's fixed cases": lambda phi: TABLE.get(phi, (1.0, 1.0, 1.0)),
    "phi rounded to two decimals": lambda phi: tuple(c ** round(phi, 2) for c in (1.2, 1.1, 1.15)),
    "abs(phi): a negative phi scales up": (lambda phi: tuple(c ** abs(phi) for c in (1.2, 1.1, 1.15)),
                                           "smaller than B0"),
    "phi capped at 8": lambda phi: tuple(c ** min(phi, 8) for c in (1.2, 1.1, 1.15)),
    "phi capped at 10 (wrong only above the fixed cases but one)": lambda phi: tuple(
        c ** min(phi, 10) for c in (1.2, 1.1, 1.15)),
    ANSWER_KEY + "costs.compound_scaling, called when the grader reads the numbers": lambda phi: tuple(
        LazyNumber(lambda i=i: costs.compound_scaling(phi)[i]) for i in range(3)),
    # notebook 08 computes with them, round(224 * resolution): a TensorFlow tensor has no such rounding
    "0-d Keras tensors": (lambda phi: tuple(keras.ops.power(keras.ops.convert_to_tensor(c, "float64"), phi)
                                            for c in (1.2, 1.1, 1.15)), "returned a tensor"),
    "a 1-D Keras tensor": (lambda phi: keras.ops.power(keras.ops.convert_to_tensor([1.2, 1.1, 1.15], "float64"), phi),
                           "returned a tensor"),
    "a 2-D NumPy array": lambda phi: np.array([[1.2, 1.1, 1.15]]) ** phi,
    "raises an error whose message raises": (raises_a_broken_message, BROKEN_MESSAGE),
}
RIGHT_SCALING = {
    "0-d NumPy arrays": lambda phi: tuple(np.asarray(c ** phi) for c in (1.2, 1.1, 1.15)),
    "powers": lambda phi: (1.2 ** phi, 1.1 ** phi, 1.15 ** phi),
    "math.pow": lambda phi: (math.pow(1.2, phi), math.pow(1.1, phi), math.pow(1.15, phi)),
    "exp and log": lambda phi: tuple(math.exp(phi * math.log(c)) for c in (1.2, 1.1, 1.15)),
    "numpy floats": lambda phi: tuple(np.power(np.array([1.2, 1.1, 1.15]), phi)),
    # the text asks for a tuple; notebook 08 unpacks the answer, which a list or an array serves as well
    "a list": lambda phi: [1.2 ** phi, 1.1 ** phi, 1.15 ** phi],
    "a NumPy array": lambda phi: np.array([1.2, 1.1, 1.15]) ** phi,
    "decimal.Decimal powers (a number, though not registered as a Real)": lambda phi: tuple(
        Decimal(c) ** Decimal(repr(float(phi))) for c in ("1.2", "1.1", "1.15")),
}

test_compound_scaling_rejects, test_compound_scaling_accepts = catalogue(check_compound_scaling, WRONG_SCALING,
                                                                         RIGHT_SCALING)


def test_values_that_are_no_numbers_are_not_told_a_mistake_of_values():
    """Strings are told to be numbers, and no more: "it grows linearly", which gives (1, 1, 1) at phi = 0 as the
    right answer does, is named only for complex numbers (a negative phi to a fractional power)."""
    failure = check_compound_scaling(lambda phi: tuple(f"{c ** phi:.3f}" for c in (1.2, 1.1, 1.15))).first_failure
    assert failure.endswith("returned (str, str, str): return 3 numbers"), failure


def rounding(rule="half up", ten_percent=True, floor=True, against="value", fixed_divisor=None, cast=int,
             below=lambda new, limit: new < limit, lift=lambda new, divisor: new + divisor):
    """A learner's round_filters with one knob per plausible mistake (defaults: keras.applications' rule)."""

    def round_filters(filters, width_coefficient, divisor=8):
        divisor = fixed_divisor or divisor
        value = filters * width_coefficient
        nearest = {"half up": lambda: int(value + divisor / 2) // divisor * divisor,
                   "round": lambda: round(value / divisor) * divisor,
                   "ceil": lambda: math.ceil(value / divisor) * divisor,
                   "floor": lambda: int(value) // divisor * divisor,
                   "float": lambda: (value + divisor / 2) // divisor * divisor,
                   "halves down": lambda: math.ceil(value / divisor - 0.5) * divisor,
                   "half the divisor by //": lambda: int(value + divisor // 2) // divisor * divisor,
                   "no rounding": lambda: value}[rule]()
        new = max(divisor, nearest) if floor else nearest
        if ten_percent and below(new, 0.9 * (value if against == "value" else filters)):
            new = lift(new, divisor)
        return cast(new) if cast else new

    return round_filters


ROUNDED = {case: efficientnet.round_filters(*case) for case in check_round_filters.spec.cases}  # typed in by hand

def round_first(filters, width_coefficient, divisor=8, whole=round):
    """Rounds (or truncates) filters x width to an integer before rounding to the divisor."""
    value = whole(filters * width_coefficient)
    new = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return int(new + divisor if new < 0.9 * value else new)


def bit_mask(filters, width_coefficient, divisor=8):
    """Rounds with a bit mask, right only when the divisor is a power of two."""
    value = filters * width_coefficient
    new = max(divisor, int(value + divisor / 2) & ~(divisor - 1))
    return new + divisor if new < 0.9 * value else new


WRONG_ROUND = {
    "rounds filters x width first": (round_first, "to an integer first"),
    "truncates filters x width first": (lambda f, w, d=8: round_first(f, w, d, whole=int), "to an integer first"),
    "a bit mask (powers of two only)": bit_mask,
    "an enormous number": (lambda f, w, d=8: 10 ** 400, "expected"),
    "answer key: the course's round_filters": lambda f, w, d=8: efficientnet.round_filters(f, w, d),
    "answer key: the course's make_divisible": lambda f, w, d=8: mobilenet.make_divisible(f * w, d),
    "answer key: keras.applications' MobileNetV2 rounding": lambda f, w, d=8: __import__(
        "keras.src.applications.mobilenet_v2", fromlist=["_make_divisible"])._make_divisible(f * w, d),
    "answer key: keras.applications' MobileNetV3 rounding": lambda f, w, d=8: __import__(
        "keras.src.applications.mobilenet_v3", fromlist=["_depth"])._depth(f * w, d),
    "not implemented": stub,
    "no 10% rule": (rounding(ten_percent=False), "10% rule"),
    "no 10% rule and no floor": rounding(ten_percent=False, floor=False),
    "round() to the nearest multiple": rounding(rule="round"),
    "always rounds up": rounding(rule="ceil"),
    "always rounds down": rounding(rule="floor"),
    "divisor fixed at 8": (rounding(fixed_divisor=8), "divisor argument"),
    "ignores the width": lambda f, w, d=8: rounding()(f, 1.0, d),
    "10% of filters, not filters x width": (rounding(against="filters"), "90% of filters x width"),
    "returns a float": (rounding(rule="float", cast=None), "an int"),
    "no rounding": rounding(rule="no rounding", cast=None),
    "returns a string": rounding(cast=str),
    "returns a numpy float": rounding(cast=np.float64),
    "a table of the grader's fixed cases": lambda f, w, d=8: ROUNDED.get((f, w, d), d),
    "halves rounded down": (rounding(rule="halves down"), "rounds halves down"),
    "half the divisor added with //": (rounding(rule="half the divisor by //"), "odd divisor"),
    "the 10% measured against the rounded value": (rounding(
        below=lambda new, limit: limit / 0.9 - new > 0.1 * new), "against the rounded value"),
    "an enormous Fraction": (lambda f, w, d=8: Fraction(10 ** 400), "returned a Fraction"),
    "a divisor added at exactly 90% too": (rounding(below=lambda new, limit: new <= limit), "exactly 90%"),
    "the 10% rule doubles the rounded value": rounding(lift=lambda new, divisor: 2 * new),
    "the 10% rule gives two divisors": rounding(lift=lambda new, divisor: 2 * divisor),
    "a floor of half a filter, not one divisor": lambda f, w, d=8: int((lambda v, n: n + d if n < 0.9 * v else n)(
        f * w, max(0.5, int(f * w + d / 2) // d * d))),
    ANSWER_KEY + "the course's round_filters, called when the grader reads the int": lambda f, w, d=8: LazyNumber(
        lambda: efficientnet.round_filters(f, w, d)),
}
RIGHT_ROUND = {
    "keras.applications' rule": rounding(),
    "floor of (value + divisor / 2) / divisor": lambda f, w, d=8: (lambda v: (lambda n: n + d if n < 0.9 * v else n)(
        max(d, math.floor((v + d / 2) / d) * d)))(f * w),
    "a numpy int": rounding(cast=np.int64),
    "no floor (the 10% rule already lifts 0 to one divisor)": rounding(floor=False),
    "exact arithmetic with Fraction (halves exactly half)": lambda f, w, d=8: (lambda v: int(
        (lambda n: n + d if n < Fraction(9, 10) * v else n)(max(d, int((v + Fraction(d, 2)) // d) * d))))(
        Fraction(f) * Fraction(str(w))),
}

test_round_filters_rejects, test_round_filters_accepts = catalogue(check_round_filters, WRONG_ROUND, RIGHT_ROUND)

