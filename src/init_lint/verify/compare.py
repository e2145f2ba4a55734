"""Bitwise comparison of the tensors two child processes saved (parent side: loads tensors, never code)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from init_lint.verify.results import TensorDifference


def load_tensors(path: Path) -> dict[str, Any]:
    import torch

    # weights_only: the file came from a process that ran user code; load plain tensors, nothing else
    return torch.load(path, map_location="cpu", weights_only=True)


def compare_tensors(original: Mapping[str, Any], fixed: Mapping[str, Any]) -> list[TensorDifference]:
    """Every name, shape, dtype and value that differs, in the original's order.

    Values compare with `torch.equal`, except that NaN matches NaN in the same place: a parameter the
    original leaves uninitialized is NaN on both sides (the children fill uninitialized memory with NaN).
    """
    differences = []
    for name, before in original.items():
        if name not in fixed:
            differences.append(TensorDifference(name, "missing from the fixed model"))
            continue
        after = fixed[name]
        if before.dtype != after.dtype:
            differences.append(TensorDifference(name, "dtype", original=_dtype(before), fixed=_dtype(after)))
        elif before.shape != after.shape:
            differences.append(TensorDifference(name, "shape", original=str(tuple(before.shape)), fixed=str(tuple(after.shape))))
        elif not _same_values(before, after):
            differences.append(TensorDifference(name, "values", max_abs_diff=_max_abs_diff(before, after)))
    differences += [TensorDifference(name, "only in the fixed model") for name in fixed if name not in original]
    return differences


def _same_values(a: Any, b: Any) -> bool:
    import torch

    if torch.equal(a, b):
        return True
    if not (a.is_floating_point() or a.is_complex()):
        return False
    nan = a.isnan()
    return torch.equal(nan, b.isnan()) and torch.equal(a[~nan], b[~nan])


def _max_abs_diff(a: Any, b: Any):
    """The largest difference where both are numbers; None when they differ only in where NaN is."""
    import torch

    if a.dtype == torch.bool:
        a, b = a.int(), b.int()
    widest = torch.complex128 if a.is_complex() else torch.float64
    diff = (a.to(widest) - b.to(widest)).abs()
    diff = diff[~diff.isnan()]
    if diff.numel() == 0 or diff.max().item() == 0:
        return None
    return diff.max().item()


def _dtype(tensor: Any) -> str:
    return str(tensor.dtype).replace("torch.", "")
