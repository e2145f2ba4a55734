"""checker.parse_unvalidated: libcst's parse without per-node validation, in the parsing thread only."""

from __future__ import annotations

import glob
import os
import threading

import libcst as cst
import pytest

from init_lint.checker import _PARSING, parse_unvalidated

HERE = os.path.dirname(os.path.abspath(__file__))


def test_same_tree_as_libcst_s_parse():
    files = sorted(glob.glob(os.path.join(HERE, "..", "fixtures", "**", "*.py"), recursive=True))[:60]
    assert files
    for path in files:
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            expected = cst.parse_module(data)
        except cst.ParserSyntaxError:
            with pytest.raises(cst.ParserSyntaxError):
                parse_unvalidated(data)
            continue
        got = parse_unvalidated(data)
        assert got.deep_equals(expected) and got.code == expected.code


def test_nodes_built_outside_the_parse_are_still_validated():
    parse_unvalidated(b"x = 1\n")
    assert not getattr(_PARSING, "active", False)
    with pytest.raises(cst.CSTValidationError):
        cst.Name("1 not a name")


def test_another_thread_building_nodes_during_a_parse_is_validated():
    """The switch is per thread: a fixer building nodes while another thread parses keeps its checks."""
    parse_unvalidated(b"x = 1\n")  # the switch is installed by the first parse
    errors = []
    started, release = threading.Event(), threading.Event()

    def build() -> None:
        started.wait()
        try:
            cst.Name("1 not a name")
        except cst.CSTValidationError as error:
            errors.append(error)
        release.set()

    worker = threading.Thread(target=build)
    worker.start()
    _PARSING.active = True  # this thread "parses" while the other builds
    try:
        started.set()
        release.wait(10)
    finally:
        _PARSING.active = False
    worker.join()
    assert errors
