"""What people and CI read: output formats, markers, summaries, --show-fixes, --statistics, messages and
help lines, --add-noqa, --baseline, lazy imports, and the verifier's wording."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from init_lint.checker import check_source
from init_lint.rule_pages import RULES
from init_lint.rules import ALL_RULES

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"
DEMO = REPO / "fixtures" / "tanh_3_4_5_2_default.py"

# fc: INI001 (safe fix); out: INI001 on its bias (safe) and INI002 on its weight (unsafe fix);
# hid: INI004 with its numbers (unsafe fix)
MODEL = textwrap.dedent("""\
    import math
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)
            self.out = nn.Linear(4, 2)
            nn.init.ones_(self.out.weight)
            self.hid1 = nn.Linear(3, 4)
            nn.init.kaiming_uniform_(self.hid1.weight, a=math.sqrt(5))
            bound = 1 / math.sqrt(4)
            nn.init.uniform_(self.hid1.bias, -bound, bound)
    """)


@pytest.fixture
def model(tmp_path) -> Path:
    path = tmp_path / "m.py"
    path.write_text(MODEL, encoding="utf-8")
    return path


def findings_of(text: str):
    return check_source(text, "m.py")


# ------------------------------------------------------------------ messages and help


def test_messages_are_short_with_numbers_and_a_separate_help():
    found = {f.code + ":" + f.message.split(" ")[0]: f for f in findings_of(MODEL)}
    ini004 = next(f for f in findings_of(MODEL) if f.code == "INI004")
    assert ini004.message == "bias bound 1/sqrt(4) but self.hid1 = nn.Linear(3, 4) has fan_in 3"
    assert ini004.help == "use 1/sqrt(3)"
    for finding in found.values():
        assert len(finding.message) <= 100, finding.message
        assert finding.help, finding
        assert "can change between releases" not in finding.message + finding.help


def test_every_fixture_message_stays_near_100_characters():
    lengths = sorted((len(f.message), f.message) for path in sorted((REPO / "fixtures").glob("*.py"))
                     for f in check_source(path.read_bytes(), path.name) if f.code != "INI900")
    assert lengths[-1][0] <= 120, lengths[-1]  # a long class name and constructor can pass 100 a little
    assert sum(1 for n, _ in lengths if n <= 100) >= 0.9 * len(lengths), lengths[-5:]


def test_multi_line_constructor_is_rendered_compactly():
    source = textwrap.dedent("""\
        import torch


        class LSTMCell(torch.nn.Module):
            def __init__(self, input_dim, hidden_dim):
                super().__init__()
                layers = [torch.nn.Linear(
                    input_dim,
                    4 * hidden_dim,  # the four gates
                )]
                self.gates = torch.nn.ModuleList(layers)
        """)
    messages = [f.message for f in check_source(source, "m.py") if f.code == "INI001"]
    assert messages and all("torch.nn.Linear(input_dim, 4 * hidden_dim)" in m for m in messages), messages
    assert all("( " not in m and "the layer built in" not in m for m in messages), messages


def test_help_survives_the_json_round_trip():
    from init_lint.diagnostics import Finding

    for finding in findings_of(MODEL):
        assert Finding.from_dict(json.loads(json.dumps(finding.to_dict()))).help == finding.help


# ------------------------------------------------------------------ human formats, markers, summaries


def test_concise_is_the_default_when_not_a_terminal(run, model):
    code, out, _ = run("check", "--no-cache", "m.py")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("m.py:8:19: INI001 [*] self.fc = nn.Linear(3, 4) in Net: ")
    assert any(" INI002 [-] " in line for line in lines)
    assert any(" INI004 [-] " in line for line in lines)
    assert "help:" not in out and " | " not in out


def test_full_format_has_a_code_frame_a_caret_and_help(run, model):
    code, out, _ = run("check", "--no-cache", "--output-format", "full", "m.py")
    assert code == 1
    block = out.split("\n\n")[0].splitlines()
    assert block[0].startswith("m.py:8:19: INI001 [*] self.fc = nn.Linear(3, 4)")
    assert block[2] == "8 |         self.fc = nn.Linear(3, 4)"
    assert block[3] == "  |                   " + "^" * len("nn.Linear(3, 4)") + " INI001"
    assert block[5].startswith("  = help: initialize explicitly; `--fix` writes PyTorch's default recipe")
    assert "= help: use 1/sqrt(3)" in out


def test_full_format_caret_lines_up_under_tabs_and_wide_characters():
    from init_lint.diagnostics import Finding
    from init_lint.output import full

    text = "x = 1\n\ts, self.emb = '\u5b57', nn.Linear(4, 4)\n"
    start = text.splitlines()[1].index("nn.")
    frame = full(Finding("INI001", "m", "m.py", 2, start, 2, start + 15, help="h"), lambda _: text).splitlines()
    assert frame[2] == "2 | \ts, self.emb = '\u5b57', nn.Linear(4, 4)"
    assert frame[3] == "  | \t" + " " * (start - 1 + 1) + "^" * 15 + " INI001"  # the wide character takes 2 cells
    assert frame[5] == "  = help: h"


def test_full_format_is_the_default_at_a_terminal(monkeypatch):
    from init_lint.output import default_format

    class Terminal:
        def isatty(self):
            return True

    assert default_format(Terminal()) == "full"
    assert default_format(open(os.devnull, "w")) == "concise"


def test_summary_counts_and_hints(run, model):
    _, out, _ = run("check", "--no-cache", "m.py")
    assert out.splitlines()[-3:] == [
        "Found 4 findings.",
        "[*] 2 fixable with `--fix`.",
        "[-] 2 fixable with `--fix --unsafe-fixes` (the fix changes initial values).",
    ]
    # --unsafe-fixes without --fix fixes nothing: the hint stays
    _, again, _ = run("check", "--no-cache", "--unsafe-fixes", "m.py")
    assert again.splitlines()[-1] == out.splitlines()[-1]


def test_fix_summary_and_show_fixes(run, model):
    code, out, _ = run("check", "--no-cache", "--fix", "--show-fixes", "m.py")
    assert code == 1
    assert "Fixed 2 findings:\n- m.py:\n    2 × INI001 (implicit-default-init)\n" in out
    assert out.splitlines()[-1] == "2 fixed, 2 remaining (2 fixable with --unsafe-fixes)."
    code, out, _ = run("check", "--no-cache", "--fix", "--unsafe-fixes", "--show-fixes", "m.py")
    assert code == 0
    assert "- m.py:\n    1 × INI002 (constant-weight-fill)\n    1 × INI004 (bias-fan-in-mismatch)\n" in out
    assert out.splitlines()[-1] == "2 fixed, 0 remaining."


def test_show_fixes_with_diff_keeps_the_patch_clean(run, model):
    code, out, err = run("check", "--no-cache", "--diff", "--show-fixes", "m.py")
    assert code == 1 and out.startswith("--- m.py\n+++ m.py\n")
    assert "Would fix 2 findings:\n- m.py:\n    2 × INI001 (implicit-default-init)\n" in err
    assert model.read_text() == MODEL


def test_fix_with_nothing_fixable_says_what_is_left(run, tmp_path):
    (tmp_path / "m.py").write_text(MODEL.replace("self.fc = nn.Linear(3, 4)", "pass").replace(
        "self.out = nn.Linear(4, 2)", "self.out = nn.Linear(4, 2)  # noqa: INI001"))
    code, out, _ = run("check", "--no-cache", "--fix", "m.py")
    assert code == 1 and "fixed" not in out and "[-] 2 fixable with `--fix --unsafe-fixes`" in out


def test_statistics_marks_fixable_and_unfixable(run, tmp_path, model):
    (tmp_path / "b.py").write_text(textwrap.dedent("""\
        import torch.nn as nn


        class B(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                nn.init.kaiming_uniform_(self.fc.weight)
                nn.init.kaiming_uniform_(self.fc.bias)
        """))
    _, out, _ = run("check", "--no-cache", "--statistics", "m.py", "b.py")
    rows = {line.split("\t")[1]: line.split("\t")[2] for line in out.splitlines()}
    assert rows["INI001"] == "[*] implicit-default-init"
    assert rows["INI002"] == "[-] constant-weight-fill"
    assert rows["INI005"] == "[-] fan-init-on-1d", rows


def test_statistics_counts_the_fixable_part_of_a_mixed_code():
    from init_lint.diagnostics import SAFE, Finding
    from init_lint.output import statistics

    found = [Finding("INI001", "m", "a.py", 1, 0, 1, 1, SAFE), Finding("INI001", "m", "a.py", 2, 0, 2, 1)]
    assert statistics(found) == "    2\tINI001\t[*] implicit-default-init (1 fixable)\n"


def test_statistics_shows_an_unfixable_rule(run, tmp_path):
    (tmp_path / "bad.py").write_text("import torch\nx = (\n")
    _, out, _ = run("check", "--no-cache", "--statistics", "bad.py")
    assert out.split("\t")[1:] == ["INI900", "[ ] unparsable-file\n"]


# ------------------------------------------------------------------ machine formats


def test_json_lines(run, model):
    _, out, _ = run("check", "--no-cache", "--output-format", "json-lines", "m.py")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["code"] for r in rows] == ["INI001", "INI001", "INI002", "INI004"]
    assert {r["help"] for r in rows if r["code"] == "INI004"} == {"use 1/sqrt(3)"}


def test_gitlab_code_quality(run, model):
    _, out, _ = run("check", "--no-cache", "--output-format", "gitlab", "m.py")
    report = json.loads(out)
    assert len(report) == 4
    for item in report:
        assert item["check_name"].startswith("INI") and item["severity"] == "major"
        assert item["location"]["path"] == "m.py" and item["location"]["lines"]["begin"] >= 1
        assert len(item["fingerprint"]) == 32
    assert len({item["fingerprint"] for item in report}) == 4


def test_gitlab_fingerprint_survives_lines_added_above(run, tmp_path, model):
    _, before, _ = run("check", "--no-cache", "--output-format", "gitlab", "m.py")
    model.write_text("# a comment\n\n" + MODEL)
    _, after, _ = run("check", "--no-cache", "--output-format", "gitlab", "m.py")
    assert [i["fingerprint"] for i in json.loads(before)] == [i["fingerprint"] for i in json.loads(after)]
    assert [i["location"]["lines"]["begin"] + 2 for i in json.loads(before)] == \
        [i["location"]["lines"]["begin"] for i in json.loads(after)]


def test_rdjson_carries_each_fix_as_a_suggestion(run, model):
    _, out, _ = run("check", "--no-cache", "--output-format", "rdjson", "m.py")
    report = json.loads(out)
    assert report["source"]["name"] == "init-lint"
    diagnostics = report["diagnostics"]
    assert len(diagnostics) == 4
    for item in diagnostics:
        lines = MODEL.splitlines(keepends=True)
        for suggestion in reversed(item["suggestions"]):  # bottom up, so line numbers stay valid
            start, end = suggestion["range"]["start"]["line"], suggestion["range"]["end"]["line"]
            assert start < end  # never an empty range: reviewdog posts whole replaced lines
            lines[start - 1:end - 1] = [suggestion["text"]]
        compile("".join(lines), "m.py", "exec")
        assert "".join(lines) != MODEL
    ini004 = next(item for item in diagnostics if item["code"]["value"] == "INI004")
    assert ini004["suggestions"] == [{"range": {"start": {"line": 13, "column": 1}, "end": {"line": 14, "column": 1}},
                                      "text": "        bound = 1 / math.sqrt(3)\n"}] or \
        "math.sqrt(3)" in "".join(s["text"] for s in ini004["suggestions"])  # however the fixer words it
    assert ini004["message"].endswith("\nhelp: use 1/sqrt(3)")


def test_line_hunks_never_give_an_empty_range():
    from init_lint.reports import line_hunks

    before = ["a\n", "b\n", "c\n"]
    assert line_hunks(before, ["a\n", "x\n", "b\n", "c\n"]) == [(1, 2, "a\nx\n")]
    assert line_hunks(before, ["x\n", "a\n", "b\n", "c\n"]) == [(1, 2, "x\na\n")]
    assert line_hunks(before, ["a\n", "B\n", "c\n", "d\n"]) == [(2, 3, "B\n"), (3, 4, "c\nd\n")]


def test_junit_xml(run, model):
    _, out, _ = run("check", "--no-cache", "--output-format", "junit", "m.py")
    root = ET.fromstring(out)
    assert root.tag == "testsuites" and root.get("failures") == "4"
    suite = root.find("testsuite")
    assert suite.get("name") == "m.py"
    cases = suite.findall("testcase")
    assert len(cases) == 4 and all(case.find("failure") is not None for case in cases)
    assert cases[0].get("name") == "INI001 at 8:19"


@pytest.mark.parametrize("fmt", ["json", "github", "sarif", "text", "concise"])
def test_older_formats_still_work(run, model, fmt):
    code, out, _ = run("check", "--no-cache", "--output-format", fmt, "m.py")
    assert code == 1 and out


def test_sarif_and_json_point_at_no_made_up_repository(run, model):
    _, out, _ = run("check", "--no-cache", "--output-format", "sarif", "m.py")
    assert "github.com/init-lint" not in out
    _, out, _ = run("check", "--no-cache", "--output-format", "json", "m.py")
    assert "github.com/init-lint" not in out


# ------------------------------------------------------------------ --add-noqa and --baseline


def test_add_noqa_silences_every_finding_and_merges(run, tmp_path):
    source = MODEL.replace("self.out = nn.Linear(4, 2)", "self.out = nn.Linear(4, 2)  # noqa: E501") + \
        '        self.doc = nn.Linear(2, 2); x = """\n  text\n"""\n'
    path = tmp_path / "m.py"
    path.write_bytes(source.replace("\n", "\r\n").encode())
    mode = path.stat().st_mode
    code, _, err = run("check", "--no-cache", "--add-noqa", "m.py")
    assert code == 0 and "Added" in err
    text = path.read_bytes().decode()
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert "self.out = nn.Linear(4, 2)  # noqa: E501, INI001\r\n" in text
    assert "self.fc = nn.Linear(3, 4)  # noqa: INI001\r\n" in text
    assert "nn.init.ones_(self.out.weight)  # noqa: INI002\r\n" in text
    assert '"""\r\n  text\r\n"""' in text  # the string is untouched
    compile(text, "m.py", "exec")
    assert path.stat().st_mode == mode
    # the layer on the line that opens a multi-line string cannot take a comment: said, not broken
    assert "m.py:15: no noqa comment added for INI001: the line ends inside a string" in err
    code, out, _ = run("check", "--no-cache", "m.py")
    assert code == 1 and [line.split(":")[1] for line in out.splitlines() if line.startswith("m.py")] == ["15"]
    code, _, err = run("check", "--no-cache", "--add-noqa", "m.py")
    assert "Added 0 noqa directives." in err


def test_add_noqa_keeps_a_declared_encoding(run, tmp_path):
    source = "# -*- coding: latin-1 -*-\n# caf\u00e9\n" + MODEL
    path = tmp_path / "m.py"
    path.write_bytes(source.encode("latin-1"))
    code, _, _ = run("check", "--no-cache", "--add-noqa", "m.py")
    assert code == 0
    data = path.read_bytes()
    assert b"# caf\xe9\n" in data and b"self.fc = nn.Linear(3, 4)  # noqa: INI001\n" in data


def test_add_noqa_on_a_string_first_line_uses_the_last_line(tmp_path):
    from init_lint.diagnostics import Finding
    from init_lint.noqa import add_noqa_to_text

    text = 'x = f("""a\nb""",\n      3)\n'
    finding = Finding("INI001", "m", "m.py", 1, 4, 3, 8)
    new, changed, unreachable = add_noqa_to_text(text, [finding])
    assert unreachable == []
    assert changed == 1 and new == 'x = f("""a\nb""",\n      3)  # noqa: INI001\n'


def test_baseline_records_then_reports_only_new(run, tmp_path, model):
    code, out, err = run("check", "--no-cache", "--baseline", "base.json", "m.py")
    assert code == 0 and "Recorded 4 findings in base.json" in err
    recorded = json.loads((tmp_path / "base.json").read_text())
    assert all("line" not in entry and "row" not in entry for entry in recorded["findings"])
    code, out, _ = run("check", "--no-cache", "--baseline", "base.json", "m.py")
    assert code == 0 and "All checks passed!" in out
    # lines moved and a new layer added: only the new layer is reported
    model.write_text("# moved\n" + MODEL + "        self.new = nn.Linear(5, 6)\n")
    code, out, _ = run("check", "--no-cache", "--baseline", "base.json", "m.py")
    assert code == 1
    assert [line.split(": ")[1].split()[0] for line in out.splitlines() if line.startswith("m.py:")] == ["INI001"]
    assert "self.new = nn.Linear(5, 6)" in out


def test_a_bad_baseline_is_an_error(run, tmp_path, model):
    (tmp_path / "base.json").write_text("[1, 2]")
    code, _, err = run("check", "--no-cache", "--baseline", "base.json", "m.py")
    assert code == 2 and "not an init-lint baseline" in err


# ------------------------------------------------------------------ start-up: what is imported


def _modules_after(*argv: str, cwd: Path) -> set:
    code = ("import sys\nfrom init_lint.cli import main\ntry:\n    main(%r)\nexcept SystemExit:\n    pass\n"
            "sys.stdout.flush()\nprint('MODULES', ' '.join(sorted(sys.modules)))\n" % (list(argv),))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd,
                            env=dict(os.environ, PYTHONPATH=str(SRC)), timeout=120)
    line = [line for line in result.stdout.splitlines() if line.startswith("MODULES ")][-1]
    return set(line.split()[1:])


@pytest.mark.parametrize("argv", [["--version"], ["rule", "INI004"], ["rule"], ["check", "--help"]])
def test_fast_commands_import_no_libcst_no_rules(tmp_path, argv):
    modules = _modules_after(*argv, cwd=tmp_path)
    assert "libcst" not in modules and "init_lint.rules" not in modules and "init_lint.verify" not in modules


def test_a_file_without_torch_costs_no_libcst(tmp_path):
    (tmp_path / "plain.py").write_text("import os\n\n\ndef f():\n    return os.sep\n")
    (tmp_path / "bad.py").write_text("def f(:\n")
    modules = _modules_after("check", "--no-cache", "plain.py", "bad.py", cwd=tmp_path)
    assert "libcst" not in modules and "torch" not in modules
    modules = _modules_after("check", "--no-cache", ".", cwd=tmp_path)  # project mode too
    assert "libcst" not in modules


def test_a_torch_file_still_loads_the_analysis(tmp_path):
    (tmp_path / "m.py").write_text(MODEL)
    assert "libcst" in _modules_after("check", "--no-cache", "m.py", cwd=tmp_path)


def test_rule_pages_are_the_rules_own_pages():
    assert list(RULES) == list(ALL_RULES)
    for code, rule in ALL_RULES.items():
        assert RULES[code] == {"name": rule.name, "summary": rule.summary, "what": rule.what, "page": rule.page()}, (
            "src/init_lint/rule_pages.py is stale: python docs/generate.py")


# ------------------------------------------------------------------ verify wording


def test_verify_summary_says_what_each_style_proves():
    from init_lint.verify.results import IDENTICAL, ClassVerification, FileVerification, summary

    files = [FileVerification("m.py", [ClassVerification("Net", IDENTICAL, "4 tensors")])]
    assert summary(files, style="explicit", seed=0).endswith("; recipe matches (constructor draws suppressed)")
    assert summary(files, style="skip-init", seed=0).endswith("; initial values preserved")


def test_verify_says_a_model_raised_while_being_built(tmp_path, capsys):
    pytest.importorskip("torch")
    (tmp_path / "m.py").write_text(textwrap.dedent("""\
        import torch.nn as nn


        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 4)
                raise RuntimeError("no data folder")
        """))
    result = subprocess.run([sys.executable, "-m", "init_lint", "verify", "m.py"], capture_output=True, text=True,
                            cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(SRC)), timeout=300)
    assert "m.py::Net: skipped: raised while being built: RuntimeError: no data folder" in result.stdout
    assert "without arguments" not in result.stdout
    assert "NumPy" not in result.stdout + result.stderr
