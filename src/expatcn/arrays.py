"""Known-zero arrays: an amount nobody has is a broadcast zero scalar that takes no memory, and
the engines skip the work for it. A real array of zeros is simply computed."""

from __future__ import annotations

import numpy as np


def zeros(shape: tuple[int, ...], dtype: type = np.int64) -> np.ndarray:
    """A read-only array of zeros that takes no memory (a broadcast scalar); see :func:`is_zero`."""
    return np.broadcast_to(np.zeros((), dtype=dtype), shape)


def is_zero(array: object) -> bool:
    """True for an array made by :func:`zeros` (or any broadcast zero or ``False`` scalar)."""
    return isinstance(array, np.ndarray) and array.size > 0 and not any(array.strides) and not array.flat[0]


def add_amounts(first: np.ndarray, *others: np.ndarray, sign: int = 1) -> np.ndarray:
    """first + (or −, with ``sign=-1``) each of ``others``, skipping known-zero arrays."""
    operation = np.add if sign > 0 else np.subtract
    total, owned = first, False
    for other in others:
        if is_zero(other):
            continue
        if owned:  # already a new array of our own: work in place
            operation(total, other, out=total)
        else:
            total, owned = operation(total, other), True
    return total
