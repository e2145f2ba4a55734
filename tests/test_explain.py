"""`init-lint explain`: the ways each layer is built and the evidence for each parameter's verdict."""

import json
import os
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
    assert main(["explain", f"{DEMO}:16", "--output-format", "json", "--per-file"]) == 0
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


def _project(root):
    """A small project: Block is built and initialized by another file's model, Lonely by nothing."""
    (root / "pkg").mkdir()
    (root / "pyproject.toml").write_text("[tool.init-lint]\n")
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "blocks.py").write_text(
        "import torch.nn as nn\n\n\nclass Block(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.fc = nn.Linear(4, 4)\n\n\nclass Lonely(nn.Module):\n    def __init__(self):\n"
        "        super().__init__()\n        self.fc = nn.Linear(4, 4)\n"
    )
    (root / "pkg" / "model.py").write_text(
        "import torch.nn as nn\n\nfrom pkg.blocks import Block, Lonely\n\n\nclass Model(nn.Module):\n"
        "    def __init__(self):\n        super().__init__()\n        self.block = Block()\n"
        "        self.apply(self._init)\n\n    def _init(self, m):\n        if isinstance(m, nn.Linear):\n"
        "            nn.init.xavier_uniform_(m.weight)\n            nn.init.zeros_(m.bias)\n\n\n"
        "class Other(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.lonely = Lonely()\n"
    )
    return root / "pkg" / "blocks.py"


def test_explain_judges_the_file_with_its_project_and_names_the_reason(tmp_path, capsys):
    blocks = _project(tmp_path)
    assert main(["explain", str(blocks), "--output-format", "json", "--no-cache"]) == 0
    block, lonely = json.loads(capsys.readouterr().out)
    for param in ("weight", "bias"):
        # silent in project mode (as `check DIR` is), for a named reason: the other file's model covers it
        covered = block["params"][param]
        assert covered["level"] == "NO" and covered["project"]["level"] == "YES" and covered["project"]["differs"]
        assert any(r.startswith(f"pkg{os.sep}model.py builds Block") and f"Linear.{param}" in r
                   for r in covered["project"]["reasons"])
        reported = lonely["params"][param]
        assert reported["project"]["level"] == "NO" and not reported["project"]["reasons"]
        assert reported["project"]["verdict"] == "reported: no code in the project could initialize it"
    assert main(["check", str(tmp_path), "--no-cache", "--output-format", "concise"]) == 1
    reported_lines = {int(line.split(":")[1]) for line in capsys.readouterr().out.splitlines() if "INI001" in line}
    assert reported_lines == {lonely["line"]} and block["line"] not in reported_lines
    assert main(["explain", f"{blocks}:7", "--no-cache"]) == 0
    text = capsys.readouterr().out
    assert "in the project: not reported: the project initializes it on every way it is built" in text
    assert f"pkg{os.sep}model.py builds Block" in text


def test_per_file_keeps_the_file_alone(tmp_path, capsys):
    blocks = _project(tmp_path)
    assert main(["explain", str(blocks), "--output-format", "json", "--per-file"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert all("project" not in entry for record in records for entry in record["params"].values())
    assert all(entry["level"] == "NO" for record in records for entry in record["params"].values())


# ---------------------------------------------------------------------------- explain agrees with every realworld case

_LAYER_CODES = {"INI001", "INI006", "INI007", "INI008"}  # the rules that report a layer explain shows


def _expected_layer_lines(path: Path) -> set:
    from expectations import expected_findings

    return {line for line, code in expected_findings(path, strict=False) if code in _LAYER_CODES}


def _reported(entry: dict) -> bool:
    project = entry.get("project")
    return project["verdict"].startswith("reported") if project else "(reported)" in entry["verdict"]


@pytest.mark.parametrize("path", REALWORLD, ids=lambda p: p.name)
def test_explain_reports_exactly_the_layers_the_case_expects(path):
    records = explain_source(path.read_text(), path.name)
    assert {r["line"] for r in records if any(map(_reported, r["params"].values()))} == _expected_layer_lines(path)


PROJECT_CASES = sorted(p for p in (ROOT / "tests" / "realworld" / "projects").iterdir() if p.is_dir())


@pytest.mark.parametrize("folder", PROJECT_CASES, ids=lambda p: p.name)
def test_explain_with_the_project_reports_exactly_what_the_project_case_expects(folder, tmp_path, capsys):
    import shutil

    project = tmp_path / folder.name
    shutil.copytree(folder, project)
    (project / "pyproject.toml").write_text("[tool.init-lint]\n")
    for path in sorted(project.rglob("*.py")):
        assert main(["explain", str(path), "--output-format", "json", "--no-cache", "--jobs", "1"]) == 0
        records = json.loads(capsys.readouterr().out)
        reported = {r["line"] for r in records if any(map(_reported, r["params"].values()))}
        assert reported == _expected_layer_lines(path), path.relative_to(project)
