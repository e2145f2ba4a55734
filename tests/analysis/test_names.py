"""names.py: what the names of a file refer to."""

import libcst as cst

from init_lint.analysis.names import LOCAL, ImportTable, dotted_name


def test_imports_and_local_definitions():
    module = cst.parse_module("import torch as T\nfrom torch.nn import Linear as L\nfrom .layers import Mlp\n"
                              "def f():\n    import math\nclass Net: pass\nWIDTH = 3\n")
    table = ImportTable.from_module(module)
    assert table.qualify(cst.parse_expression("T.nn.Conv2d")) == "torch.nn.Conv2d"
    assert table.qualify(cst.parse_expression("L")) == "torch.nn.Linear"
    assert table.bindings["Mlp"] == ".layers.Mlp"
    assert table.bindings["math"] == "math"
    assert table.bindings["Net"] == f"{LOCAL}.Net" and table.bindings["WIDTH"] == f"{LOCAL}.WIDTH"
    assert table.qualify(cst.parse_expression("unknown.x")) is None


def test_dotted_name():
    assert dotted_name(cst.parse_expression("a.b.c")) == "a.b.c"
    assert dotted_name(cst.parse_expression("a().b")) is None


def test_relative_and_star_imports_keep_their_dots():
    table = ImportTable.from_module(cst.parse_module(
        "from ..models import vit\nfrom . import layers as L\nfrom .blocks import *\n"))
    assert table.bindings["vit"] == "..models.vit"
    assert table.bindings["L"] == ".layers"
    assert [v for k, v in table.bindings.items() if k.startswith("*")] == [".blocks"]  # a name no code can use


def test_the_file_s_own_definitions_win_over_imports_of_the_same_name():
    table = ImportTable.from_module(cst.parse_module(
        "from torch.nn import Linear\nclass Linear: pass\n"
        "try:\n    import apex\nexcept ImportError:\n    apex = None\n"
        "if TYPE_CHECKING:\n    def helper(): pass\n"))
    assert table.qualify(cst.parse_expression("Linear")) == f"{LOCAL}.Linear"  # never torch's
    assert table.qualify(cst.parse_expression("apex.normalization")) == "apex.normalization"  # imports in try count
    assert table.bindings["helper"] == f"{LOCAL}.helper"  # a definition under `if` still defines it
