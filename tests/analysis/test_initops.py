"""initops.py: which calls initialize a tensor, and with what constant."""

import pytest

from init_lint.analysis.initops import fill_value, init_function_name, is_fan_based, method_fill_value


@pytest.mark.parametrize("qualified, dotted, expected", [
    ("torch.nn.init.normal_", "nn.init.normal_", "normal_"),
    ("torch.nn.init.normal", "init.normal", "normal"),  # torch's deprecated spelling, from torch's init module
    ("mypkg.init.xavier_uniform", "init.xavier_uniform", "xavier_uniform"),  # some package's `init` module
    ("timm.layers.trunc_normal_", "trunc_normal_", "trunc_normal_"),  # the in-place naming convention
    (None, "my_fill_", "my_fill_"),
    ("torch.nn.init.calculate_gain", "init.calculate_gain", None),
    ("mypkg.helpers.normal", "normal", None),
    (None, "__init__", None),
    (None, "_private_", None),
    (None, None, None),
])
def test_init_function_name(qualified, dotted, expected):
    assert init_function_name(qualified, dotted) == expected


def test_fan_based_functions():
    assert is_fan_based("kaiming_uniform_") and is_fan_based("xavier_normal_")
    assert not is_fan_based("normal_") and not is_fan_based("trunc_normal_")


def test_fill_values():
    assert fill_value("zeros_", [], {}) == 0
    assert fill_value("ones_", [], {}) == 1
    assert fill_value("constant_", [0.5], {}) == 0.5
    assert fill_value("constant_", [], {"val": 2}) == 2
    assert fill_value("normal_", [0, 1], {}) is None
    assert method_fill_value("zero_", []) == 0
    assert method_fill_value("fill_", [3]) == 3
    assert method_fill_value("fill_", []) is None
    assert method_fill_value("mul_", [2]) is None  # arithmetic in place rescales, it does not initialize
