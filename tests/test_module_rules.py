"""INI006-INI008 end to end: coverage patterns, selection, messages, the CLI's skip-init fix on the
fixtures, and the models it builds against the originals'."""

from __future__ import annotations

import importlib.util
import shutil
import sys
import textwrap
from pathlib import Path

import pytest

from init_lint.api import check_source
from init_lint.config import Settings

ROOT = Path(__file__).resolve().parent.parent
MODULE_FIXTURES = ["ini006_gpt_decoder.py", "ini007_char_lstm.py", "ini008_seq2seq_transformer.py",
                   "modules_initialized.py", "modules_traps.py", "mixed_rng_users.py"]
NEW_CODES = {"INI006", "INI007", "INI008"}


def findings(code: str, select: tuple = ("INI",)):
    source = textwrap.dedent(code).encode()
    return [f for f in check_source(source, "m.py", Settings(select=select)) if f.code in NEW_CODES]


def messages(code: str) -> list[str]:
    return [f"{f.code} {f.message}" for f in findings(code)]


HEAD = "import torch\nimport torch.nn as nn\n"


def test_named_parameters_dispatch_covers_exactly_the_matching_names():
    found = findings(HEAD + """
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 8, num_layers=2, bidirectional=True)
        for name, p in self.lstm.named_parameters():
            if "weight_hh" in name:
                nn.init.orthogonal_(p)
            elif "bias_ih" in name:
                nn.init.zeros_(p)
""")
    assert len(found) == 1
    assert found[0].message == ("self.lstm = nn.LSTM(4, 8, num_layers=2, bidirectional=True) in M: "
                                "8 parameters keep the default")
    assert found[0].help.startswith("weight_ih_l0, bias_hh_l0, weight_ih_l0_reverse, bias_hh_l0_reverse, "
                                    "weight_ih_l1, bias_hh_l1, weight_ih_l1_reverse, bias_hh_l1_reverse: ")


def test_a_layer_of_a_stack_of_unknown_size_covers_no_other_layer():
    found = messages(HEAD + """
class M(nn.Module):
    def __init__(self, n):
        super().__init__()
        self.gru = nn.GRU(4, 8, num_layers=n)
        nn.init.orthogonal_(self.gru.weight_hh_l0)
        nn.init.xavier_uniform_(self.gru.weight_ih_l0)
""")
    # the biases are reported; a write to layer 0 leaves the other layers' weights only in doubt (--strict)
    assert len(found) == 1 and "bias_ih_l<k> and bias_hh_l<k> keep" in found[0] and "weight" not in found[0]


def test_isinstance_on_rnnbase_and_embedding_covers_them():
    assert messages(HEAD + """
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        self.rnn = nn.LSTM(4, 4)
        self.apply(self._init)

    def _init(self, m):
        if isinstance(m, nn.RNNBase):
            for p in m.parameters():
                nn.init.uniform_(p, -0.1, 0.1)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)
""") == []


def test_dispatch_on_linear_reaches_the_children_of_attention_modules():
    code = HEAD + """
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.attn = nn.MultiheadAttention(8, 2)
        self.layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.xavier_uniform_(m.weight)
                COVER_BIAS
"""
    assert messages(code.replace("COVER_BIAS", "nn.init.zeros_(m.bias)")) == []
    # the layer's feed-forward biases keep the default; out_proj's bias is zeroed by MultiheadAttention itself
    assert messages(code.replace("COVER_BIAS", "pass")) == [
        "INI008 self.layer = nn.TransformerEncoderLayer(8, 2, ...) in M: linear1.bias and linear2.bias keep "
        "the Linear default"]


def test_zeroing_the_padding_row_alone_does_not_initialize_the_weight():
    code = HEAD + """
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4, padding_idx=0)
        WRITE
"""
    for write in ("self.emb.weight.data[0].zero_()", "self.emb.weight.data[0] = 0",
                  "nn.init.zeros_(self.emb.weight[0])"):
        assert messages(code.replace("WRITE", write)) == [
            "INI006 self.emb = nn.Embedding(10, 4, padding_idx=0) in M: weight keeps N(0, 1)"], write


@pytest.mark.parametrize("load", [
    "self.emb = nn.Embedding.from_pretrained(vectors)",
    "self.emb = nn.Embedding(10, 4); self.emb.weight.data.copy_(vectors)",
    "self.emb = nn.Embedding(10, 4); self.emb.weight = nn.Parameter(vectors)",
    "self.emb = nn.Embedding(10, 4, _weight=vectors)",
    "self.emb = nn.Embedding(10, 4); self.emb.load_state_dict(state); self.emb.weight.requires_grad = False",
])
def test_embeddings_given_their_values_are_not_reported(load):
    assert messages(HEAD + f"""
class M(nn.Module):
    def __init__(self, vectors, state):
        super().__init__()
        {load}
""") == []


def test_each_rule_is_selectable_on_its_own():
    code = HEAD + """
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        self.rnn = nn.GRUCell(4, 4)
        self.attn = nn.MultiheadAttention(4, 2)
"""
    for code_selected in sorted(NEW_CODES):
        assert [f.code for f in findings(code, (code_selected,))] == [code_selected]


def test_project_mode_sees_a_model_in_another_file_initialize_the_embedding(tmp_path, run):
    (tmp_path / "parts.py").write_text(HEAD + """
class Tokens(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)
""")
    (tmp_path / "model.py").write_text(HEAD + """from parts import Tokens


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.tokens = Tokens()
        for m in self.modules():
            if isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, std=0.02)
""")
    code, out, _ = run("check", ".", "--no-cache", "--select", "INI006", "--per-file")
    assert "INI006" in out  # file by file, parts.py cannot know who builds Tokens
    code, out, _ = run("check", ".", "--no-cache", "--select", "INI006", "--project")
    assert code == 0 and "INI006" not in out, out


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def test_cli_skip_init_fix_of_the_fixtures_keeps_every_value(tmp_path, run):
    torch = pytest.importorskip("torch")
    for name in MODULE_FIXTURES:
        shutil.copy(ROOT / "fixtures" / name, tmp_path / name)
    code, out, err = run("check", *MODULE_FIXTURES, "--no-cache", "--fix", "--fix-style", "skip-init")
    assert code == 0, out + err  # every finding fixed
    code, out, _ = run("check", *MODULE_FIXTURES, "--no-cache")
    assert code == 0 and "All checks passed" in out, out  # nothing left, and a second --fix has nothing to do
    compared = 0
    for name in MODULE_FIXTURES:
        original = _load(ROOT / "fixtures" / name, f"_original_{name[:-3]}")
        fixed = _load(tmp_path / name, f"_fixed_{name[:-3]}")
        for cls_name, cls in vars(original).items():
            if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module) and cls.__module__ == original.__name__):
                continue
            torch.manual_seed(7)
            before = dict(cls().named_parameters())
            torch.manual_seed(7)
            after = dict(getattr(fixed, cls_name)().named_parameters())
            assert before.keys() == after.keys(), cls_name
            for key, value in before.items():
                assert value.dtype == after[key].dtype and torch.equal(value, after[key]), (name, cls_name, key)
            compared += 1
    assert compared >= 12


def test_one_call_that_builds_one_of_two_classes_is_one_finding():
    found = findings(HEAD + """
class M(nn.Module):
    def __init__(self, typ):
        super().__init__()
        layer = nn.LSTM if typ == "lstm" else nn.GRU
        self.rnn = layer(4, 8)
""")
    assert len(found) == 1 and found[0].fix is None and "chosen when the code runs" in found[0].help


def test_project_mode_a_class_built_through_a_factory_another_file_imports_is_unverified(tmp_path, run):
    # espnet's rnn/decoders.py: `decoder_for(...)` builds Decoder, whose LSTM cells the model that calls
    # the factory initializes with a helper of a third file
    (tmp_path / "decoders.py").write_text(HEAD + """
class Decoder(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.embed = nn.Embedding(10, d)
        self.cell = nn.LSTMCell(d, d)


def decoder_for(d):
    return Decoder(d)
""")
    (tmp_path / "model.py").write_text(HEAD + """from decoders import decoder_for
from helpers import lecun_init


class E2E(nn.Module):
    def __init__(self):
        super().__init__()
        self.dec = decoder_for(4)
        lecun_init(self)
""")
    code, out, _ = run("check", ".", "--no-cache", "--select", "INI006,INI007", "--per-file")
    assert "INI006" in out and "INI007" in out
    code, out, _ = run("check", ".", "--no-cache", "--select", "INI006,INI007", "--project")
    assert code == 0, out
    code, out, _ = run("check", ".", "--no-cache", "--select", "INI006,INI007", "--project", "--strict")
    assert "INI007" in out and "unverified" in out, out


def test_no_fix_reason_names_the_argument_that_is_not_a_literal():
    """A literal layer count with a computed `bidirectional` leaves the parameters unnamed too: the help line
    says which argument is to blame (it said "the number of layers" for both)."""
    found = findings(HEAD + """
class M(nn.Module):
    def __init__(self, two=False):
        super().__init__()
        self.rnn = nn.GRU(4, 8, num_layers=2, bidirectional=two)
        nn.init.orthogonal_(self.rnn.weight_hh_l0)
""")
    assert len(found) == 1 and found[0].fix is None
    assert "no autofix: `bidirectional` is not a literal: the parameters cannot be named" in found[0].help
    found = findings(HEAD + """
class M(nn.Module):
    def __init__(self, n=2):
        super().__init__()
        self.rnn = nn.GRU(4, 8, num_layers=n)
        nn.init.orthogonal_(self.rnn.weight_hh_l0)
""")
    assert len(found) == 1 and "no autofix: the number of layers is not a literal" in found[0].help
