"""Issue 16, "a 'safe' fix that changes values or breaks the model": each repro, fixed in both styles
and BUILT under torch (skip-init bitwise equal to the original, explicit builds).  Each case failed
before the fixer took fan_in only from literal arguments, checked its names in every scope, read
layer paths off the statement, guarded bias draws and kept trailing comments."""

from __future__ import annotations

import textwrap

import pytest

from fixcheck import assert_builds, fixed_sources
from init_lint.api import check_source, fix_source

HEAD = "import torch\nimport torch.nn as nn\n"


def case(body: str, head: str = HEAD) -> str:
    return head + textwrap.dedent(body)


def net(module):
    return module.Net()


# ------------------------------------------------------------------ fan_in from a same-named binding

FAN_IN = {
    "parameter_default": """
        H = 4
        class Net(nn.Module):
            def __init__(self, H=16):
                super().__init__()
                self.fc = nn.Linear(H, 2)
        """,
    "local": """
        H = 4
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                H = 8
                self.fc = nn.Linear(H, 2)
        """,
    "loop_variable": """
        H = 4
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fcs = nn.ModuleList()
                for H in (2, 5):
                    self.fcs.append(nn.Linear(H, 2))
        """,
    "comprehension_variable": """
        H = 4
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fcs = nn.ModuleList([nn.Linear(H, 2) for H in (2, 5)])
        """,
    "lambda_parameter": """
        H = 4
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                make = lambda H: nn.Linear(H, 2)
                self.fc = make(6)
                self.g = nn.Linear(H, 3)
        """,
    "augmented": """
        H = 4
        class Net(nn.Module):
            def __init__(self, H=3):
                super().__init__()
                H *= 2
                self.fc = nn.Linear(H, 2)
        """,
    "conditional": """
        H = 4
        class Net(nn.Module):
            def __init__(self, flag=True):
                super().__init__()
                if flag:
                    H = 7
                else:
                    H = 4
                self.fc = nn.Linear(H, 2)
        """,
    "global": """
        H = 4
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                global H
                H = 6
                self.fc = nn.Linear(H, 2)
        """,
    "conv_groups": """
        class Net(nn.Module):
            def __init__(self, g=2):
                super().__init__()
                self.c = nn.Conv2d(4, 8, 3, groups=g)
        """,
    "conv_transpose_groups_positional": """
        class Net(nn.Module):
            def __init__(self, g=2):
                super().__init__()
                self.c = nn.ConvTranspose2d(4, 8, 3, 1, 0, 0, g)
        """,
    "conv_kernel": """
        K = 3
        class Net(nn.Module):
            def __init__(self, K=5):
                super().__init__()
                self.c = nn.Conv2d(2, 4, K)
        """,
}


@pytest.mark.parametrize("body", list(FAN_IN.values()), ids=list(FAN_IN))
def test_fan_in_is_a_literal_only_when_the_argument_is_one(body):
    source = case(body)
    fixed = fixed_sources(source, unsafe=True)
    for text in fixed.values():
        assert "sqrt(4)" not in text and "sqrt(6)" not in text, text
        # INI004 never flags the fixer's own output
        assert "INI004" not in [f.code for f in check_source(text, "case.py")], text
    pytest.importorskip("torch")
    assert_builds(source, fixed, net)


def test_fan_in_from_a_literal_argument_is_a_literal():
    fixed = fixed_sources(case("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(16, 2)
                self.c = nn.Conv2d(2, 4, (3, 5))
        """))
    assert "bound = 1 / math.sqrt(16)" in fixed["explicit"] and "bound = 1 / math.sqrt(30)" in fixed["explicit"]


# ------------------------------------------------------------------ names the fix reads are not captured

CAPTURE = {
    "init_parameter": ("""
        from torch.nn import init
        class Net(nn.Module):
            def __init__(self, init=True):
                super().__init__()
                self.fc = nn.Linear(3, 2)
        """, HEAD),
    "init_parameter_no_nn": ("""
        from torch.nn import init
        class Net(torch.nn.Module):
            def __init__(self, init=True):
                super().__init__()
                self.fc = torch.nn.Linear(3, 2)
        """, "import torch\n"),
    "math_only_in_another_function": ("""
        def area(r):
            import math
            return math.pi * r * r
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 2)
        """, HEAD),
    "nn_imported_in_another_class": ("""
        class A(torch.nn.Module):
            def __init__(self):
                from torch import nn
                super().__init__()
                self.act = nn.ReLU()
        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = torch.nn.Linear(3, 2)
        """, "import torch\n"),
    "math_parameter": ("""
        import math
        class Net(nn.Module):
            def __init__(self, math=True):
                super().__init__()
                self.fc = nn.Linear(3, 2)
        """, HEAD),
    "math_local_variable": ("""
        import math
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Conv2d(3, 2, 3)
                math = 1
        """, HEAD),
    "torch_parameter": ("""
        class Net(torch.nn.Module):
            def __init__(self, torch=None):
                super().__init__()
                self.fc = nn.Linear(3, 2)
        """, HEAD),
}


@pytest.mark.parametrize("body, head", list(CAPTURE.values()), ids=list(CAPTURE))
def test_names_the_fix_reads_resolve_where_it_stands(body, head):
    source = case(body, head)
    fixed = fixed_sources(source)
    assert all(text != source for text in fixed.values())
    pytest.importorskip("torch")
    assert_builds(source, fixed, net)


# ------------------------------------------------------------------ containers that hold non-layers

CONTAINERS = {
    "relu_after": "self.net = nn.Sequential(*[nn.Linear(8, 8) for _ in range(3)], nn.ReLU())",
    "relu_first": "self.net = nn.Sequential(nn.ReLU(), *[nn.Linear(8, 8) for _ in range(3)])",
    "generator_then_tanh": "self.net = nn.Sequential(*(nn.Linear(8, 8) for _ in range(3)), nn.Tanh())",
    "both_sides": "self.net = nn.Sequential(nn.ReLU(), *[nn.Linear(8, 8) for _ in range(2)], nn.Tanh(), "
                  "nn.Linear(8, 1))",
    "list_display_unpacked": "self.net = nn.Sequential(*[nn.ReLU(), nn.Linear(8, 8)], nn.Linear(8, 2))",
    "after_unknown_length": "self.net = nn.Sequential(*[nn.ReLU() for _ in range(2)], nn.Linear(8, 2))",
}


@pytest.mark.parametrize("line", list(CONTAINERS.values()), ids=list(CONTAINERS))
def test_loop_fix_addresses_exactly_the_layers(line):
    source = case(f"""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                {line}
        """)
    fixed = fixed_sources(source)
    # both_sides: two comprehension-like sites the analysis addresses alike get no fix (a correct fix or none)
    assert (fixed["explicit"] != source) == ("both_sides" not in line and "Tanh(), nn.Linear(8, 1)" not in line)
    pytest.importorskip("torch")
    assert_builds(source, fixed, net)


# ------------------------------------------------------------------ star arguments: a guarded bias draw

STAR = {
    "linear": ("self.fc = nn.Linear(*args)", [(3, 4, False), (3, 4, True), (3, 4)]),
    "conv": ("self.c = nn.Conv2d(3, 8, *args)", [(3, 1, 0, 1, 1, False), (3,), (1, 1, 0, 1, 1, True)]),
}


@pytest.mark.parametrize("line, calls", list(STAR.values()), ids=list(STAR))
def test_star_arguments_guard_the_bias_draw(line, calls):
    source = case(f"""
        class Net(nn.Module):
            def __init__(self, *args):
                super().__init__()
                {line}
        """)
    fixed = fixed_sources(source)
    assert "bias is not None" in fixed["explicit"]
    pytest.importorskip("torch")
    for args in calls:
        assert_builds(source, fixed, lambda module, args=args: module.Net(*args))


# ------------------------------------------------------------------ targets and conversions

SHAPES = {
    "starred_target": "self.e, *self.rest = nn.Linear(5, 5), nn.Linear(6, 6), nn.Linear(7, 7)",
    "double": "self.fc = nn.Linear(2, 2).double()",
    "to_dtype": "self.fc = nn.Linear(2, 3).to(torch.float64)",
    "reversed": "self.ml = nn.ModuleList(list(reversed([nn.Linear(2, 2), nn.Linear(3, 3)])))",
    "augmented_list": "self.ml = nn.ModuleList()\nself.ml += [nn.Linear(2, 2), nn.Linear(3, 3)]",
    "augmented_extend": "layers = [nn.Linear(2, 2)]\nlayers += [nn.Linear(2, 3)]\nself.net = nn.Sequential(*layers)",
    "rebound_later_on_the_line": "self.fc = nn.Linear(2, 2); self.fc = nn.Linear(3, 3)",
    "eval_mode": "self.fc = nn.Linear(2, 4).eval()",
}


@pytest.mark.parametrize("body", list(SHAPES.values()), ids=list(SHAPES))
def test_a_correct_fix_or_none(body):
    source = case("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
        """) + textwrap.indent(body, " " * 8) + "\n"
    fixed = fixed_sources(source)
    pytest.importorskip("torch")
    assert_builds(source, fixed, net)


def test_double_gets_no_skip_init_fix_but_an_explicit_one():
    source = case("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2).double()
        """)
    result = fix_source(source, "case.py", style="skip-init")
    assert result.source == source and result.refused and "converted" in result.refused[0][1]
    assert "kaiming_uniform_(self.fc.weight" in fix_source(source, "case.py", style="explicit").source


def test_starred_target_is_refused_with_a_reason():
    source = case("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.e, *self.rest = nn.Linear(5, 5), nn.Linear(6, 6), nn.Linear(7, 7)
        """)
    result = fix_source(source, "case.py")
    assert result.source == source
    findings = check_source(source, "case.py")
    assert findings and all(f.fix is None for f in findings)  # no fix offered: no path to `rest` is sure


# ------------------------------------------------------------------ unsafe fixes keep trailing comments

@pytest.mark.parametrize("comment", ["# TODO: revisit", "# noqa: E501", "# type: ignore[arg-type]"])
def test_replaced_line_keeps_its_trailing_comment(comment):
    source = case(f"""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                nn.init.constant_(self.fc.weight, 0.5)  {comment}
                nn.init.zeros_(self.fc.bias)
        """)
    assert "INI002" in [f.code for f in check_source(source, "case.py")]
    fixed = fixed_sources(source, unsafe=True)
    for text in fixed.values():
        assert "constant_(self.fc.weight, 0.5)" not in text
        assert text.count(comment) == 1 and f"a=math.sqrt(5))  {comment}" in text, text


# ------------------------------------------------------------------ draw order within one statement

DRAW_ORDER = {
    # the inner layer draws inside the statement and has no path: the others must not move before it
    "layer_in_arguments": "self.fc = nn.Sequential(nn.Linear(3, 4), nn.Linear(nn.Linear(3, 4).out_features, 2))",
    # a later layer of the statement is `noqa`: it still draws there
    "noqa_later": "self.net = nn.Sequential(\n    nn.Linear(3, 4),\n    nn.Linear(4, 5),  # noqa: INI001\n)",
    "noqa_earlier": "self.net = nn.Sequential(\n    nn.Linear(3, 4),  # noqa: INI001\n    nn.Linear(4, 5),\n)",
    "converted_later": "self.a, self.b = nn.Linear(3, 4), nn.Linear(4, 5).double()",
}


@pytest.mark.parametrize("body", list(DRAW_ORDER.values()), ids=list(DRAW_ORDER))
def test_skip_init_keeps_the_statement_draw_order(body):
    source = case("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
        """) + textwrap.indent(body, " " * 8) + "\n"
    fixed = fixed_sources(source)
    pytest.importorskip("torch")
    assert_builds(source, fixed, net)


# ------------------------------------------------------------------ INI006-INI008: options whose value is not known
#
# A module built with `bias=b` or `proj_size=p` may lack the parameters the recipe names; the explicit fix
# guards each such write (a recurrent stack registers no attribute at all for a missing parameter, a cell
# or a Linear child registers None).  Each case raised AttributeError or TypeError in one of the calls.

MODULE_OPTIONS = {
    "lstm_proj_size": ("self.rnn = nn.LSTM(3, 4, proj_size=p)", [{"p": 0}, {"p": 2}]),
    "lstm_proj_size_two_layers": ("self.rnn = nn.LSTM(3, 4, 2, bidirectional=True, proj_size=p)",
                                  [{"p": 0}, {"p": 3}]),
    "gru_bias": ("self.rnn = nn.GRU(3, 4, num_layers=2, bias=b)", [{"b": False}, {"b": True}]),
    "rnn_bias_positional": ("self.rnn = nn.RNN(3, 4, 1, 'relu', b)", [{"b": False}, {"b": True}]),
    "lstm_cell_bias": ("self.cell = nn.LSTMCell(3, 4, bias=b)", [{"b": False}, {"b": True}]),
    "encoder_layer_bias": ("self.layer = nn.TransformerEncoderLayer(4, 2, 8, bias=b)", [{"b": False}, {"b": True}]),
    "transformer_bias": ("self.t = nn.Transformer(4, 2, 1, 2, 8, bias=b)", [{"b": False}, {"b": True}]),
    "partly_initialized": ("self.rnn = nn.LSTM(3, 4, proj_size=p, bias=b)\n"
                           "nn.init.orthogonal_(self.rnn.weight_hh_l0)", [{"p": 0, "b": False}, {"p": 1, "b": True}]),
}


@pytest.mark.parametrize("body, calls", list(MODULE_OPTIONS.values()), ids=list(MODULE_OPTIONS))
def test_module_options_not_known_guard_the_explicit_draws(body, calls):
    source = case("""
        class Net(nn.Module):
            def __init__(self, p=0, b=True):
                super().__init__()
        """) + textwrap.indent(body, " " * 8) + "\n"
    fixed = fixed_sources(source)
    assert all(text != source for text in fixed.values())
    pytest.importorskip("torch")
    for kwargs in calls:
        assert_builds(source, fixed, lambda module, kwargs=kwargs: module.Net(**kwargs))


# ------------------------------------------------------------------ skip-init and a `device=` that may be None
#
# torch's skip_init moves the module to `kwargs.pop("device", "cpu")`: a `device=None` (torch's own default,
# and what `factory_kwargs = {"device": device, ...}` holds) leaves every parameter on the meta device, and
# `cls(..., **kw, device="meta")` raises when `kw` holds a device.  Each case left meta parameters or did not
# build.

DEVICE = {
    "linear_none": "self.fc = nn.Linear(3, 4, device=None)",
    "linear_name": "self.fc = nn.Linear(3, 4, device=device)",
    "linear_attribute": "self.cfg = cfg\nself.fc = nn.Linear(3, 4, device=self.cfg.device)",
    "linear_kwargs": "self.fc = nn.Linear(3, 4, **factory_kwargs)",
    "conv_kwargs_in_sequential": "self.net = nn.Sequential(nn.Conv2d(3, 4, 3, **factory_kwargs), nn.ReLU())",
    "embedding_none": "self.emb = nn.Embedding(10, 4, device=None)",
    "embedding_name": "self.emb = nn.Embedding(10, 4, padding_idx=0, device=device)",
    "attention_kwargs": "self.attn = nn.MultiheadAttention(4, 2, **factory_kwargs)",
    "gru_none_in_comprehension": "self.rnns = nn.ModuleList([nn.GRU(3, 4, device=None) for _ in range(2)])",
    "lstm_name": "self.rnn = nn.LSTM(3, 4, device=device)",
    "lstm_kwargs": "self.rnn = nn.LSTM(3, 4, **factory_kwargs)",
}


@pytest.mark.parametrize("body", list(DEVICE.values()), ids=list(DEVICE))
def test_skip_init_never_leaves_a_module_on_the_meta_device(body):
    source = case("""
        import types


        class Net(nn.Module):
            def __init__(self, device=None, cfg=types.SimpleNamespace(device=None)):
                super().__init__()
                factory_kwargs = {"device": device, "dtype": None}
        """) + textwrap.indent(body, " " * 8) + "\n"
    fixed = fixed_sources(source)
    assert fixed["explicit"] != source
    pytest.importorskip("torch")
    for device in (None, "cpu"):
        assert_builds(source, fixed, lambda module, device=device: module.Net(
            device, module.types.SimpleNamespace(device=device)))


def test_a_guard_that_reads_getattr_is_refused_where_getattr_is_rebound():
    source = case("""
        class Net(nn.Module):
            def __init__(self, b=True, getattr=None):
                super().__init__()
                self.rnn = nn.GRU(3, 4, bias=b)
        """)
    result = fix_source(source, "case.py", style="explicit")
    assert result.source == source and len(result.refused) == 1
    assert "getattr" in fixed_sources(source.replace(", getattr=None", ""))["explicit"]
