"""`init-lint explain`: the ways each layer is built and the evidence for each parameter's verdict."""

import json
from pathlib import Path

import pytest

from init_lint.cli import main
from init_lint.explain import explain_source, render_text, split_target

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "layer_default_init.py"
REALWORLD = sorted((ROOT / "tests" / "realworld").glob("*.py"))


def test_demo_shows_the_three_ways_and_which_keep_the_default():
    records = explain_source(DEMO.read_text(), "demo.py")
    assert [r["layer"].split(" =")[0] for r in records] == ["self.hid1", "self.hid2", "self.oupt"]
    for record in records:
        assert record["call_sites"] == ["Net('custom') at line 48"]
        for param in ("weight", "bias"):
            entry = record["params"][param]
            assert entry["level"] == "NO"
            assert entry["way"] == "for Net('custom') at line 48"
            # The three ways of the if/elif chain, in source order, and the call site on the third.
            assert [(b["when"], b["level"]) for b in entry["branches"]] == [
                ("when init_type == 'default' (no call site seen takes it)", "NO"),
                ("when init_type == 'explicit' (no call site seen takes it)", "YES"),
                ("when init_type != 'default' and init_type != 'explicit' (Net('custom') at line 48)", "NO"),
            ]
            assert any(e.startswith("demo.py:") and "only on some way" in e for e in entry["evidence"])
    text = render_text(records)
    assert "when init_type == 'explicit' (no call site seen takes it): initialized" in text
    assert "when init_type != 'default' and init_type != 'explicit' (Net('custom') at line 48): keeps the default" in text


def test_nested_conditions_describe_whole_ways():
    source = (
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self, a, b):\n"
        "        super().__init__()\n        self.fc = nn.Linear(3, 4)\n"
        "        if a:\n            if b:\n                nn.init.zeros_(self.fc.weight)\n"
        "        else:\n            nn.init.ones_(self.fc.weight)\n"
    )
    (record,) = explain_source(source, "net.py")
    ways = [(b["when"], b["level"]) for b in record["params"]["weight"]["branches"]]
    assert ways == [("when a and b", "YES"), ("when a and not b", "NO"), ("when not a", "YES")]


def test_a_line_selects_one_layer_and_json_comes_out(capsys):
    assert main(["explain", f"{DEMO}:16", "--output-format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["line"] for r in records] == [16]


def test_an_initialized_layer_names_the_init_call():
    source = (
        "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(3, 4)\n        nn.init.zeros_(self.fc.bias)\n"
        "        nn.init.xavier_uniform_(self.fc.weight)\n"
    )
    (record,) = explain_source(source, "net.py")
    assert record["params"]["weight"]["level"] == "YES"
    assert record["params"]["weight"]["evidence"] == ["net.py:9 xavier_uniform_"]
    assert record["params"]["bias"]["evidence"] == ["net.py:8 zeros_"]


def test_an_unverified_layer_names_the_reason_for_silence():
    source = (
        "import torch.nn as nn\nfrom elsewhere import init_all\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.fc = nn.Linear(3, 4)\n        init_all(self.fc)\n"
    )
    (record,) = explain_source(source, "net.py")
    entry = record["params"]["weight"]
    assert entry["level"] == "MAYBE" and any("out of sight" in e for e in entry["evidence"])


def test_split_target():
    assert split_target("a/b.py:47") == ("a/b.py", 47)
    assert split_target("a/b.py") == ("a/b.py", None)


def test_a_missing_file_is_an_error(tmp_path, capsys):
    assert main(["explain", str(tmp_path / "none.py")]) == 2


@pytest.mark.parametrize("path", REALWORLD, ids=lambda p: p.name)
def test_explain_runs_on_every_realworld_case(path):
    records = explain_source(path.read_text(), path.name)
    assert render_text(records)
    json.dumps(records)
    for record in records:
        for entry in record["params"].values():
            assert entry["verdict"]


def _messages(source):
    from init_lint.checker import check_source
    from init_lint.config import Settings

    return [f.message for f in check_source(source.encode(), "m.py", Settings()) if f.code == "INI001"]


def test_the_message_names_the_way_of_the_parameters_it_reports():
    demo = _messages(DEMO.read_text())
    assert demo and all(m.endswith("default weight and bias for Net('custom') at line 48") for m in demo)
    assert all(len(m) <= 110 for m in demo)
    tied = _messages(
        "import torch.nn as nn\n\n\nclass LM(nn.Module):\n    def __init__(self, tie_weights):\n"
        "        super().__init__()\n        self.embed = nn.Embedding(10, 4)\n        self.decoder = nn.Linear(4, 10)\n"
        "        if tie_weights:\n            self.decoder.weight = self.embed.weight\n"
    )
    # the bias keeps the default on every way: the weight's way ("when not tie_weights") is not its reason
    assert tied == ["self.decoder = nn.Linear(4, 10) in LM: implicit default bias"]
