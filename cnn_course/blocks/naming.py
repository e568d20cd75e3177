"""Layer names inside a block: ``{block name}_{part}``, or Keras's own names for an unnamed block."""

from __future__ import annotations


def named(name: str | None, suffix: str) -> str | None:
    """``f"{name}_{suffix}"``, or None (Keras names the layer) when the block has no name."""
    return f"{name}_{suffix}" if name else None
