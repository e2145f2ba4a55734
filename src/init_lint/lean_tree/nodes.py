"""libcst nodes made without their constructors: `object.__new__`, then only the fields given (a
lean tree's node has no whitespace or punctuation fields, and libcst's constructor would check them)."""

from __future__ import annotations

import libcst as cst

_new = object.__new__
_set = object.__setattr__


def make_one(cls: type, name: str, value: object) -> cst.CSTNode:
    """A node of one field (`make` without its keyword dictionary, for the commonest ones)."""
    node = _new(cls)
    _set(node, name, value)
    return node


def make(cls: type, **fields) -> cst.CSTNode:
    node = _new(cls)
    for name, value in fields.items():
        _set(node, name, value)
    return node
