"""INI009 unscaled-random-weight: what it reports, what it leaves, and its fix proven under torch.

The static half needs no torch.  The proof builds the fixtures' classes before and after
`--fix --unsafe-fixes` and measures the std of the output of a unit-variance input: about
sqrt(fan_in) (the message's figure) before, about 1 after.
"""

from __future__ import annotations

import math
import re
import textwrap
import types
from pathlib import Path

import pytest

from init_lint.api import check_source, fix_source
from init_lint.config import Settings
from init_lint.rules.unscaled_random_weight import RULE

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
ONLY = Settings(select=("INI009",))


def findings(body: str, forward: str, header: str = "") -> list:
    source = ("import math\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n" + header +
              "\n\nclass M(nn.Module):\n    def __init__(self, d=64):\n        super().__init__()\n" +
              textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 8) +
              "\n\n    def forward(self, x):\n" + textwrap.indent(textwrap.dedent(forward).strip("\n"), " " * 8) + "\n")
    return [f for f in check_source(source, "m.py", ONLY) if f.code == "INI009"]


def _text(source) -> str:
    return source.decode() if isinstance(source, bytes) else source


def fixed_line(body: str, forward: str) -> str:
    source = ("import math\nimport torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n\n\n"
              "class M(nn.Module):\n    def __init__(self, d=64):\n        super().__init__()\n        " + body +
              "\n\n    def forward(self, x):\n        " + forward + "\n")
    result = fix_source(source, "m.py", ONLY, unsafe=True)
    return _text(result.source).splitlines()[9].strip()


# ---------------------------------------------------------------- what it reports


@pytest.mark.parametrize("use, fan_in", [
    ("return x @ self.w", "64"),                    # x @ W sums over W's dim 0
    ("return torch.matmul(x, self.w)", "64"),
    ("return x.mm(self.w)", "64"),
    ("return F.linear(x, self.w)", "32"),           # F.linear(x, W) sums over dim 1
    ("return self.w @ x", "32"),                    # W @ x sums over dim 1
    ("return x @ self.w.t()", "32"),
    ("return x @ self.w.T", "32"),
    ("w = self.w\nreturn x @ w", "64"),
    ('return torch.einsum("bi,ij->bj", x, self.w)', "64"),
    ('return torch.einsum("bj,ij->bi", x, self.w)', "32"),
])
def test_contracted_dimension_decides_the_fan_in(use, fan_in):
    found = findings("self.w = nn.Parameter(torch.randn(64, 32))", use)
    assert len(found) == 1
    assert f"~{math.sqrt(int(fan_in)):.1f}x the input's std" in found[0].message
    assert len(found[0].message) <= 100
    assert fixed_line("self.w = nn.Parameter(torch.randn(64, 32))", use.replace("\n", "; ")) == \
        f"self.w = nn.Parameter(torch.randn(64, 32) / math.sqrt({fan_in}))"


@pytest.mark.parametrize("use", ["return x @ self.w.view(32, 64)", "return x @ self.w.permute(1, 0)",
                                 'return torch.einsum("...i,ij->...j", x, self.w)'])
def test_unknown_contraction_is_reported_without_a_fix(use):
    found = findings("self.w = nn.Parameter(torch.randn(64, 32))", use)
    assert len(found) == 1 and found[0].fix is None
    assert "sqrt(fan_in)" in found[0].message


def test_ones_times_random_and_literal_factors():
    assert findings("self.w = nn.Parameter(torch.ones(64, 64) * torch.randn(64, 64))", "return x @ self.w")
    assert findings("self.w = nn.Parameter(2.0 * torch.randn(64, 64))", "return x @ self.w")[0].message.endswith(
        "~16.0x the input's std")
    assert findings("self.w = nn.Parameter(torch.randn(64, 64) * 1)", "return x @ self.w")


def test_rand_reports_its_second_moment_and_fixes_to_zero_mean():
    found = findings("self.w = nn.Parameter(torch.rand(48, 8))", "return x @ self.w")
    assert "~4.0x" in found[0].message  # sqrt(48 / 3)
    assert fixed_line("self.w = nn.Parameter(torch.rand(48, 8))", "return x @ self.w") == \
        "self.w = nn.Parameter((torch.rand(48, 8) * 2 - 1) * math.sqrt(3 / 48))"


@pytest.mark.parametrize("init", ["nn.init.normal_(self.fc.weight)", "nn.init.normal_(self.fc.weight, 0.0)",
                                  "nn.init.uniform_(self.fc.weight)", "self.fc.weight.data.normal_()"])
def test_default_normal_and_uniform_on_a_layer_weight(init):
    found = findings(f"self.fc = nn.Linear(300, 10, bias=False)\n{init}", "return self.fc(x)")
    assert len(found) == 1 and found[0].fix == "unsafe"
    expected = math.sqrt(300) if "normal" in init else math.sqrt(100)
    assert f"~{expected:.1f}x" in found[0].message


@pytest.mark.parametrize("init", ["nn.init.normal_(self.fc.weight, std=0.02)",
                                  "nn.init.normal_(self.fc.weight, 0, 0.1)",
                                  "nn.init.uniform_(self.fc.weight, -0.1, 0.1)", "nn.init.normal_(self.emb.weight)"])
def test_layer_inits_with_a_scale_or_on_embeddings_are_fine(init):
    body = f"self.fc = nn.Linear(300, 10, bias=False)\nself.emb = nn.Embedding(10, 300)\n{init}"
    assert findings(body, "return self.fc(self.emb(x))") == []


# ---------------------------------------------------------------- what it leaves


@pytest.mark.parametrize("body, use", [
    ("self.w = nn.Parameter(torch.randn(d, d) / math.sqrt(d))", "return x @ self.w"),
    ("self.w = nn.Parameter(torch.randn(d, d) * d ** -0.5)", "return x @ self.w"),
    ("self.w = nn.Parameter(torch.randn(d, d) * 0.01)", "return x @ self.w"),
    ("self.w = nn.Parameter(torch.randn(d, d) * self.scale)", "return x @ self.w"),
    ("self.w = nn.Parameter(torch.randn(d, d))", "return x @ self.w / math.sqrt(64)"),
    ("self.w = nn.Parameter(torch.randn(d, d))", "return (x @ self.w) * self.scale"),
    ("self.w = nn.Parameter(torch.randn(d, d))", "return x @ (self.w * self.scale)"),
    ("self.w = nn.Parameter(torch.randn(d, d))", "h = x @ self.w\nreturn h * self.scale"),
    ("self.w = nn.Parameter(torch.randn(d, d))", "h = x @ self.w\nh /= 8\nreturn h"),
    ("self.w = nn.Parameter(torch.randn(d, d))", "h = x @ self.w\nreturn self.norm(h)"),
    ("self.w = nn.Parameter(torch.randn(d, d))", "return F.layer_norm(x @ self.w, (64,))"),
    ("self.w = nn.Parameter(torch.randn(d, d))", "return x + self.w"),
    ("self.w = nn.Parameter(torch.randn(d, d))", "return torch.cat([x, self.w], 0)"),
    ("self.w = nn.Parameter(torch.randn(d, d))\nnn.init.orthogonal_(self.w)", "return x @ self.w"),
    ("self.w = nn.Parameter(torch.randn(d, d))\nself.w.data.mul_(0.02)", "return x @ self.w"),
    ("self.w = nn.Parameter(torch.randn(d, d))\ntrunc_normal_(self.w, std=0.02)", "return x @ self.w"),
    ("self.w = nn.Parameter(torch.randn(d, d))\nfor p in self.parameters():\n    nn.init.normal_(p, std=0.02)",
     "return x @ self.w"),
    ("self.w = torch.randn(d, d)", "return x @ self.w"),
    ("self.register_buffer('w', torch.randn(d, d))", "return x @ self.w"),
    ("self.w = nn.Parameter(torch.randn(d, d), requires_grad=False)", "return x @ self.w"),
    ("self.latents = nn.Parameter(torch.randn(d, d))", "return x @ self.latents"),
    ("self.query_embed = nn.Parameter(torch.randn(d, d))", "return x @ self.query_embed"),
    ("self.codebook = nn.Parameter(torch.randn(d, d))", "return x @ self.codebook.t()"),
    ("self.random_features = nn.Parameter(torch.randn(d, d))", "return torch.cos(x @ self.random_features)"),
    ("self.omega = nn.Parameter(torch.randn(d, d))  # RFF: orthogonal random features", "return x @ self.omega"),
    ("self.w = nn.Parameter(torch.randn(d))", "return x * self.w"),
])
def test_not_reported(body, use):
    assert findings(body, use, header="from timm.layers import trunc_normal_") == []


def test_a_later_method_rescaling_the_parameter_counts():
    source = textwrap.dedent("""
        import math
        import torch
        import torch.nn as nn

        class M(nn.Module):
            def __init__(self, d):
                super().__init__()
                self.w = nn.Parameter(torch.randn(d, d))

            def init_weights(self):
                self.w.data = self.w.data / math.sqrt(self.w.shape[0])

            def forward(self, x):
                return x @ self.w
    """)
    assert [f for f in check_source(source, "m.py", ONLY)] == []


# ---------------------------------------------------------------- the fix, text and behaviour


@pytest.mark.parametrize("index", range(len(RULE.invalid)))
def test_invalid_examples_fix_to_the_expected_code(index):
    source = textwrap.dedent(RULE.invalid[index].code)
    result = fix_source(source, "example.py", ONLY, unsafe=True)
    assert _text(result.source).strip() == textwrap.dedent(RULE.invalid[index].expected).strip()
    assert fix_source(result.source, "example.py", ONLY, unsafe=True).source == result.source


def _load(source: bytes, name: str) -> types.ModuleType:
    module = types.ModuleType(name)
    exec(compile(source, name, "exec"), module.__dict__)  # a fixture of this repository: trusted code
    return module


def _before_after(fixture: str):
    path = FIXTURES / fixture
    original = path.read_bytes()
    fixed = fix_source(original, str(path), ONLY, unsafe=True).source
    assert fixed != original
    return _load(original, "before"), _load(fixed, "after"), check_source(original, str(path), ONLY)


def _ratio(message: str) -> float:
    return float(re.search(r"~([0-9.]+)x the input's std", message).group(1))


def test_fix_restores_unit_std_on_the_stack_and_the_first_layer():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    before, after, found = _before_after("ini009_randn_linear_stack.py")
    x = torch.randn(256, 784)
    # the first layer of issue 13: std ~28 before (the message's figure), ~1 after
    figure = _ratio([f for f in found if "randn(784, 50)" in f.message][0].message)
    y_before = torch.matmul(x, before.OneWeight().w)
    y_after = torch.matmul(x, after.OneWeight().w)
    assert abs(y_before.std().item() / figure - 1) < 0.1
    assert abs(y_after.std().item() - 1) < 0.1
    # the 100-layer stack: overflows (or grows by > 1e30) before, stays within a factor 3 of 1 after
    x = torch.randn(64, 512)
    with torch.no_grad():
        exploded = before.ExplodingStack()(x)
        held = after.ExplodingStack()(x)
    assert not torch.isfinite(exploded).all() or exploded.std().item() > 1e30
    assert 1 / 3 < held.std().item() < 3
    with torch.no_grad():
        one = after.ExplodingStack().weights[0]
        assert abs((x @ one).std().item() - 1) < 0.1


def test_fix_restores_unit_std_on_rand_einsum_and_conv():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    before, after, found = _before_after("ini009_attention_and_tables.py")
    x = torch.randn(512, 768)
    with torch.no_grad():
        keys_before = x @ before.SelfAttentionV1(768, 64).W_key
        keys_after = x @ after.SelfAttentionV1(768, 64).W_key
    assert abs(keys_before.std().item() / math.sqrt(768 / 3) - 1) < 0.1
    assert abs(keys_after.std().item() - 1) < 0.1
    assert abs(keys_after.mean().item()) < 0.2  # zero mean: the U(0, 1) offset is gone
    tokens = torch.randn(32, 10, 64)
    images = torch.randn(8, 16, 20, 20)
    with torch.no_grad():
        model = after.EinsumAndConv()
        heads = torch.einsum("bnd,hde->bhne", tokens, model.heads)
        conv = torch.nn.functional.conv2d(images, model.kernel)  # no padding: every output sums c_in * k * k
        heads_before = torch.einsum("bnd,hde->bhne", tokens, before.EinsumAndConv().heads)
    assert abs(heads.std().item() - 1) < 0.1
    assert abs(conv.std().item() - 1) < 0.1
    assert abs(heads_before.std().item() / 8 - 1) < 0.1  # sqrt(64)


def test_fix_of_a_default_normal_gives_pytorchs_default_scale():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    before, after, found = _before_after("ini009_attention_and_tables.py")
    figure = _ratio([f for f in found if "normal_ with std 1" in f.message][0].message)
    x = torch.randn(1024, 512)
    with torch.no_grad():
        y_before = before.LinearHeads().fc(x)
        y_after = after.LinearHeads().fc(x)
    assert abs(y_before.std().item() / figure - 1) < 0.1
    # kaiming_uniform_(a=sqrt(5)) is U(+-1/sqrt(fan_in)): std 1/sqrt(3) of the input's, whatever the fan_in
    assert abs(y_after.std().item() - 1 / math.sqrt(3)) < 0.06
