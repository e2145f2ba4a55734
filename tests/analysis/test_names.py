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
