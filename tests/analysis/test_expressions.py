"""expressions.py: literals, names, arithmetic, the symbolic `1 / sqrt(n)`."""

import libcst as cst

from init_lint.analysis.expressions import binary
from init_lint.analysis.values import UNKNOWN, InvSqrt, Negated, Product, Reciprocal, Sqrt, Symbol

from helpers import analyzed, site


def test_binary_on_numbers_and_symbols():
    assert binary(cst.Add(), 2, 3) == 5
    assert binary(cst.Divide(), 1, 0) is UNKNOWN
    assert binary(cst.Power(), 2, 100) is UNKNOWN
    assert isinstance(binary(cst.Divide(), 1, Sqrt(8)), InvSqrt)
    assert isinstance(binary(cst.Divide(), -1, Sqrt(8)), Negated)
    assert isinstance(binary(cst.Divide(), 1, Symbol("fan_in")), Reciprocal)
    assert binary(cst.Power(), 4, -0.5) == 0.5
    assert isinstance(binary(cst.Power(), Symbol("n"), -0.5), InvSqrt)
    assert isinstance(binary(cst.Multiply(), Symbol("k"), 3), Product)


def test_constructor_arguments_from_constants_and_arithmetic():
    analysis = analyzed("""
        import torch.nn as nn
        WIDTH = 8

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                hidden = WIDTH * 2 + 1
                self.fc = nn.Linear(hidden, WIDTH // 2, bias=not True)
        """)
    fc = site(analysis, "self.fc")
    assert fc.args["in_features"] == 17 and fc.args["out_features"] == 4
    assert int(fc.bias) == 0


def test_a_long_sum_is_evaluated_without_recursion():
    terms = " + ".join("1" for _ in range(3000))
    analysis = analyzed(f"""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear({terms}, 2)
        """)
    assert analysis.facts.sites[0].args["in_features"] == 3000


def test_conditional_expression_and_fstring():
    analysis = analyzed("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                name = f"fc{1}"
                self.add_module(name, nn.Linear(2, 2) if name == "fc1" else nn.Conv2d(1, 1, 1))
        """)
    assert site(analysis, "self.fc1").spec.name == "Linear"
