"""Named mistakes, one lookup for every grader: a table of ``(advice, compute)`` pairs, and the first mistake that
computes the wrong answer gives its advice ("it rounds up: use floor")."""

from __future__ import annotations

import numpy as np


def same_value(got, want, atol: float = 0.0) -> bool:
    """Equal numbers, tuples of numbers or arrays (within `atol`; complex ones too, as a negative number to a
    fractional power gives); never raises."""
    try:
        got, want = np.asarray(got, dtype="complex128"), np.asarray(want, dtype="complex128")
        return got.shape == want.shape and bool(np.allclose(got, want, rtol=0, atol=atol, equal_nan=False))
    except (TypeError, ValueError, OverflowError):
        return False


def named(got, table, *args, same=same_value) -> str:
    """The advice of the first mistake in `table` whose ``compute(*args)`` equals `got` by `same`, else ''."""
    for advice, compute in table:
        try:
            if same(got, compute(*args)):
                return advice
        except (ArithmeticError, TypeError, ValueError, IndexError):  # a mistake undefined for these arguments
            continue
    return ""


def named_everywhere(answers: dict, table, same=same_value) -> str:
    """The advice of the first mistake that computes the answer on every case of ``{case: answer}``."""
    for advice, compute in table:
        if all(named(got, [(advice, compute)], *case, same=same) for case, got in answers.items()):
            return advice
    return ""


def precision_lost(got: np.ndarray, want: np.ndarray, atol: float) -> str:
    """Advice when `got` is the expected result cast to a narrower float dtype (float16 for float32, say), else ''."""
    narrower = got.dtype != want.dtype and np.can_cast(got.dtype, want.dtype) and got.dtype.kind == want.dtype.kind \
        == "f"
    return f"it is the expected result in {got.dtype}, which loses precision: keep {want.dtype}" if narrower and \
        same_value(got, want.astype(got.dtype), atol) else ""
