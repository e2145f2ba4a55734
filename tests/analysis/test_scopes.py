"""analysis/scopes.py: the one scope model. Here, the module constants the analysis reads (the
fixer's questions are in tests/test_fix_scopes.py)."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from init_lint.analysis.scopes import FileScopes, ModuleConstants
from init_lint.checker import check_source


def constant(source: str, name: str = "N"):
    value = FileScopes(cst.parse_module(textwrap.dedent(source))).module_constant(name)
    return None if value is None else cst.Module([]).code_for_node(value)


@pytest.mark.parametrize("source, expected", [
    ("N = 16\n", "16"),
    ("N: int = 16\n", "16"),
    ("N = 16\nclass A:\n    N = 8\n", "16"),  # a class attribute is the class's own
    ("N = 16\nsizes = [N for N in range(3)]\n", "16"),  # a comprehension's variable does not leak
    ("N = 16\ndef f():\n    N = 8\n", "16"),  # a function's local
    ("N = 16\nN += 16\n", None),  # rebound: its value depends on where it is read
    ("N = 16\nN = 32\n", None),
    ("N = 16\ntry:\n    import fancy\nexcept ImportError:\n    N = 8\n", None),
    ("if FAST:\n    N = 8\n", None),  # bound in a branch only
    ("N = 16\ndef configure(n):\n    global N\n    N = n\n", None),
    ("N = 16\nfor N in range(3):\n    pass\n", None),
    ("N = 16\nimport N\n", None),
    ("a = N = 16\n", None),  # a chained assignment is not read as a constant (as before)
    ("N: int\n", None),
])
def test_module_constant_follows_python_s_bindings(source, expected):
    assert constant(source) == expected
    text = textwrap.dedent(source)
    found = ModuleConstants(cst.parse_module(text), text).get("N")  # the module scope's pass when it can
    assert (None if found is None else cst.Module([]).code_for_node(found)) == expected


def test_the_module_scope_s_pass_alone_decides_the_constants_of_files_without_global():
    """In a file that never says `global`, skipping the bodies of functions and classes changes no
    constant; with `global`, the whole pass runs."""
    import glob
    import os

    here = os.path.dirname(os.path.abspath(__file__))
    checked = 0
    paths = [p for folder in ("fixtures", "tests") for p in glob.glob(os.path.join(here, "..", "..", folder, "**", "*.py"),
                                                                   recursive=True)]
    for path in sorted(paths):
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        try:
            module = cst.parse_module(text)
        except (cst.ParserSyntaxError, RecursionError):
            continue
        constants = ModuleConstants(module, text)
        whole = FileScopes(module)
        for name in constants._candidates:
            assert constants.get(name) is whole.module_constant(name), (path, name)
            checked += 1
        if constants._candidates:  # the analysis hands only a whole pass on to the fixer
            assert (constants.built_scopes is None) is constants._module_level_only
    assert checked > 50
    for source in ("N = 16\ndef configure(n):\n    global N\n    N = n\n", "N = 16\ndef f(n): global N; N = n\n",
                   "N = 16\ndef f(n): x = 1;global N; N = n\n", "N = 16\ndef f(n):\n\tglobal  N\n\tN = n\n"):
        assert not ModuleConstants(cst.parse_module(source), source)._module_level_only
        assert ModuleConstants(cst.parse_module(source), source).get("N") is None
    assert ModuleConstants(cst.parse_module("global_pool = 1\n"), "global_pool = 1\n")._module_level_only


def test_module_constants_build_the_scopes_only_when_a_candidate_is_read():
    module = cst.parse_module("import torch\nN = 16\nM = 1\nM += 1\n")
    constants = ModuleConstants(module)
    assert "torch" not in constants and constants.built_scopes is None  # no top-level assignment of it
    assert "N" in constants and "M" not in constants and constants.built_scopes is not None
    assert list(constants) == ["N"] and len(constants) == 1


LAYER = """
import math
import torch.nn as nn

{module}

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(8, 4)
        bound = 1 / math.sqrt(N)
        nn.init.uniform_(self.fc.bias, -bound, bound)
"""


@pytest.mark.parametrize("module, reported", [
    ("N = 16", True),
    ("N = 16\nclass Other:\n    N = 8", True),
    # The interpreter's own lookup took the last top-level `N = value` for N's value, so these three
    # were reported: N is 8 when the layer is built, or may be.
    ("N = 4\nN += 4", False),
    ("N = 16\ntry:\n    import fancy\nexcept ImportError:\n    N = 8", False),
    ("N = 16\ndef configure(n):\n    global N\n    N = n", False),
])
def test_ini004_reads_module_constants_by_python_s_scoping(module, reported):
    findings = check_source(LAYER.format(module=module), "m.py")
    assert any(f.code == "INI004" for f in findings) is reported
