"""The `init-lint` command line, end to end: exit codes, options, output formats, fixing, stdin, rules, cache.

Most tests run `init_lint.cli.main([...])` in this process (fast); the ones about the real
program (`python -m init_lint`, stdin, processes) run it in a subprocess.  Every test works on
copies in a temporary folder, so the checkout is never written to.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"

# INI001 on fc (weight and bias) and on out (bias only); INI002 on out's weight (unsafe fix)
MODEL = textwrap.dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)
            self.out = nn.Linear(4, 2)
            nn.init.ones_(self.out.weight)

        def forward(self, x):
            return self.out(self.fc(x))
    """)
FC_LINE, OUT_LINE, ONES_LINE = 7, 8, 9

CLEAN = textwrap.dedent("""\
    import math
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(3, 4)
            nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))
            nn.init.zeros_(self.fc.bias)
    """)


def cli(*args: str, cwd: Path, stdin: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """The real program, as users run it."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run([sys.executable, "-m", "init_lint", *args], cwd=cwd, input=stdin, capture_output=True,
                          timeout=timeout, env=env)


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def codes_in(out: str) -> list[str]:
    """The codes of text-format finding lines (`path:line:col: CODE ...`)."""
    found = []
    for line in out.splitlines():
        parts = line.split(": ", 1)
        if len(parts) == 2 and parts[0].count(":") >= 2:
            found.append(parts[1].split()[0])
    return found


def finding_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if codes_in(line)]


# ------------------------------------------------------------------ exit codes


def test_clean_file_exits_0(run, tmp_path):
    write(tmp_path, "clean.py", CLEAN)
    code, out, _ = run("check", "clean.py", "--no-cache")
    assert code == 0, out
    assert codes_in(out) == []
    assert "All checks passed" in out


def test_findings_exit_1(run, tmp_path):
    write(tmp_path, "m.py", MODEL)
    code, out, _ = run("check", "m.py", "--no-cache")
    assert code == 1
    assert sorted(codes_in(out)) == ["INI001", "INI001", "INI002"]
    assert f"m.py:{FC_LINE}:" in out and f"m.py:{ONES_LINE}:" in out


BAD_FILES = {
    "syntax.py": b"import torch\nx = (\n",
    "undecodable.py": b"import torch\nname = '\xff\xfe\xfa'\n",
    "undecodable_no_torch.py": b"x = '\xff\xfe'\n",
    "bad_cookie.py": b"# -*- coding: no-such-codec -*-\nimport torch\n",
    "nul.py": b"import torch\x00\n",
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_bad_file_is_ini900_exit_2_and_others_still_checked(run, tmp_path, name):
    write(tmp_path, name, BAD_FILES[name])
    write(tmp_path, "a_good.py", MODEL)
    write(tmp_path, "z_good.py", MODEL)
    code, out, err = run("check", "a_good.py", name, "z_good.py", "--no-cache")
    assert code == 2, (out, err)
    bad_lines = [line for line in finding_lines(out) if line.startswith(name + ":")]
    assert len(bad_lines) == 1 and " INI900 " in bad_lines[0], out
    # the files around the bad one are still fully checked
    for good in ("a_good.py", "z_good.py"):
        assert sum(line.startswith(good + ":") for line in finding_lines(out)) == 3, out


def test_folder_named_like_a_python_file(run, tmp_path):
    (tmp_path / "pkg.py").mkdir()
    write(tmp_path, "good.py", MODEL)
    code, out, _ = run("check", "pkg.py", "good.py", "--no-cache")
    assert code == 2
    line = next(line for line in finding_lines(out) if line.startswith("pkg.py:"))
    assert "INI900" in line and "folder" in line
    assert sum(line.startswith("good.py:") for line in finding_lines(out)) == 3


def test_folder_named_like_a_python_file_inside_a_folder_is_recursed_or_reported(run, tmp_path):
    """A folder `x.py` found while recursing must not crash the run."""
    write(tmp_path, "src/weird.py/inner.py", MODEL)
    write(tmp_path, "src/good.py", MODEL)
    code, out, err = run("check", "src", "--no-cache", "--jobs", "1")
    assert code in (1, 2), (out, err)
    assert sum(line.startswith(os.path.join("src", "good.py") + ":") for line in finding_lines(out)) == 3


def test_missing_path_exits_2(run, tmp_path):
    write(tmp_path, "good.py", MODEL)
    code, out, err = run("check", "nope.py", "good.py", "--no-cache")
    assert code == 2
    # an error line on stderr (issue 14), not a finding counted with the others
    assert "init-lint: error: nope.py: no such file or folder" in err
    assert not any(line.startswith("nope.py") for line in finding_lines(out))
    assert sum(line.startswith("good.py:") for line in finding_lines(out)) == 3


@pytest.mark.parametrize("option", ["--select", "--ignore", "--extend-select"])
@pytest.mark.parametrize("value", ["INI999", "XYZ", "INI001,E501"])
def test_bad_rule_code_exits_2(run, tmp_path, option, value):
    write(tmp_path, "m.py", MODEL)
    code, out, err = run("check", "m.py", option, value, "--no-cache")
    assert code == 2
    bad = [v for v in value.split(",") if v not in ("INI001",)][0]
    assert bad in err
    assert codes_in(out) == []


def test_unknown_config_key_exits_2(run, tmp_path):
    write(tmp_path, "pyproject.toml", '[tool.init-lint]\nselect = ["INI001"]\nfrobnicate = true\n')
    write(tmp_path, "m.py", MODEL)
    code, out, err = run("check", "m.py", "--no-cache")
    assert code == 2
    assert "frobnicate" in err


def test_bad_option_exits_2(run, tmp_path):
    write(tmp_path, "m.py", MODEL)
    assert run("check", "m.py", "--no-such-option")[0] == 2
    assert run("check", "m.py", "--output-format", "xml")[0] == 2
    assert run("check", "m.py", "--fix-style", "magic")[0] == 2


def test_stdin_mixed_with_paths_exits_2(run, tmp_path):
    write(tmp_path, "m.py", MODEL)
    code, _, err = run("check", "m.py", "-")
    assert code == 2 and "stdin" in err


def test_version_and_help(tmp_path):
    result = cli("--version", cwd=tmp_path)
    assert result.returncode == 0 and b"init-lint" in result.stdout
    result = cli("check", "--help", cwd=tmp_path)
    assert result.returncode == 0 and b"--fix" in result.stdout


# ------------------------------------------------------------------ the default command


def test_plain_path_is_check(tmp_path):
    write(tmp_path, "m.py", MODEL)
    write(tmp_path, "bad.py", b"import torch\ndef (\n")
    plain = cli("m.py", "bad.py", "--no-cache", cwd=tmp_path)
    check = cli("check", "m.py", "bad.py", "--no-cache", cwd=tmp_path)
    assert plain.returncode == check.returncode == 2
    assert plain.stdout == check.stdout and plain.stdout
    assert plain.stderr == check.stderr
    only_good = cli("m.py", "--no-cache", "--output-format", "json", cwd=tmp_path)
    assert only_good.returncode == 1
    assert len(json.loads(only_good.stdout)) == 3


def test_no_path_checks_current_folder(run, tmp_path):
    write(tmp_path, "pkg/m.py", MODEL)
    code, out, _ = run("--no-cache", "--jobs", "1")
    assert code == 1
    assert len(finding_lines(out)) == 3


# ------------------------------------------------------------------ rule selection


@pytest.mark.parametrize("argv, expected", [
    ((), ["INI001", "INI001", "INI002"]),
    (("--select", "INI002"), ["INI002"]),
    (("--select", "INI001"), ["INI001", "INI001"]),
    (("--ignore", "INI001"), ["INI002"]),
    (("--ignore", "INI002"), ["INI001", "INI001"]),
    (("--select", "INI002", "--extend-select", "INI001"), ["INI001", "INI001", "INI002"]),
    (("--select", "INI00"), ["INI001", "INI001", "INI002"]),
    (("--select", "INI"), ["INI001", "INI001", "INI002"]),
    (("--select", "ALL"), ["INI001", "INI001", "INI002"]),
    (("--select", "INI00", "--ignore", "INI001"), ["INI002"]),
    (("--select", "ini002"), ["INI002"]),
    (("--select", "INI003,INI004"), []),
    # like ruff: the more specific of a matching select and ignore wins
    (("--select", "INI001,INI002", "--ignore", "INI00"), ["INI001", "INI001", "INI002"]),
    (("--select", "INI", "--ignore", "INI00"), []),
])
def test_select_ignore_extend_select(run, tmp_path, argv, expected):
    write(tmp_path, "m.py", MODEL)
    code, out, _ = run("check", "m.py", "--no-cache", *argv)
    assert sorted(codes_in(out)) == expected
    assert code == (1 if expected else 0)


def test_ignore_never_hides_ini900(run, tmp_path):
    write(tmp_path, "bad.py", b"import torch\nx = (\n")
    code, out, _ = run("check", "bad.py", "--no-cache", "--select", "INI001")
    assert code == 2 and codes_in(out) == ["INI900"]


# ------------------------------------------------------------------ noqa


NOQA_MODEL = textwrap.dedent("""\
    import torch.nn as nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(3, 4)  # noqa
            self.b = nn.Linear(3, 4)  # noqa: INI001
            self.c = nn.Linear(3, 4)  # noqa: INI002
            self.d = nn.Linear(3, 4)  # NOQA:INI001,INI002
            self.e = nn.Linear(3, 4)  # noqa: INI00
            self.f = nn.Linear(3, 4)  # some comment noqa: INI005
            self.g = nn.Linear(3, 4)
    """)


def test_noqa(run, tmp_path):
    write(tmp_path, "m.py", NOQA_MODEL)
    code, out, _ = run("check", "m.py", "--no-cache")
    assert code == 1
    reported_lines = sorted(int(line.split(":")[1]) for line in finding_lines(out))
    # a (bare noqa), b (its code), d (list with its code), e (prefix) are silenced;
    # c (another code), f (another code) and g (no noqa) are not
    assert reported_lines == [9, 12, 13], out


def test_noqa_other_code_does_not_silence(run, tmp_path):
    source = MODEL.replace("self.fc = nn.Linear(3, 4)", "self.fc = nn.Linear(3, 4)  # noqa: INI002")
    write(tmp_path, "m.py", source)
    code, out, _ = run("check", "m.py", "--no-cache", "--select", "INI001")
    assert f"m.py:{FC_LINE}:" in out and code == 1
    source = MODEL.replace("self.fc = nn.Linear(3, 4)", "self.fc = nn.Linear(3, 4)  # noqa: INI001")
    write(tmp_path, "m.py", source)
    code, out, _ = run("check", "m.py", "--no-cache", "--select", "INI001")
    assert f"m.py:{FC_LINE}:" not in out and f"m.py:{OUT_LINE}:" in out


def test_noqa_finding_is_not_fixed(run, tmp_path):
    source = MODEL.replace("self.fc = nn.Linear(3, 4)", "self.fc = nn.Linear(3, 4)  # noqa")
    path = write(tmp_path, "m.py", source)
    run("check", "m.py", "--fix", "--no-cache")
    assert "self.fc.weight" not in path.read_text()
    assert "self.out.bias" in path.read_text()


# ------------------------------------------------------------------ exit-zero, statistics


def test_exit_zero(run, tmp_path):
    write(tmp_path, "m.py", MODEL)
    code, out, _ = run("check", "m.py", "--no-cache", "--exit-zero")
    assert code == 0
    assert len(finding_lines(out)) == 3


def test_exit_zero_still_exits_2_on_error(run, tmp_path):
    write(tmp_path, "bad.py", b"import torch\nx = (\n")
    code, _, _ = run("check", "bad.py", "--no-cache", "--exit-zero")
    assert code == 2


def test_statistics(run, tmp_path):
    write(tmp_path, "m.py", MODEL)
    write(tmp_path, "n.py", MODEL)
    code, out, _ = run("check", "m.py", "n.py", "--no-cache", "--statistics")
    assert code == 1
    rows = [line.split() for line in out.splitlines() if line.strip()]
    table = {row[1]: int(row[0]) for row in rows if len(row) >= 2 and row[1].startswith("INI")}
    assert table == {"INI001": 4, "INI002": 2}, out
    assert not finding_lines(out)  # counts instead of findings
    ini001 = next(line for line in out.splitlines() if "INI001" in line)
    assert "implicit-default-init" in ini001 and "[*]" in ini001


# ------------------------------------------------------------------ output formats


def test_json_output(run, tmp_path):
    write(tmp_path, "m.py", MODEL)
    code, out, _ = run("check", "m.py", "--no-cache", "--output-format", "json")
    assert code == 1
    data = json.loads(out)  # nothing but JSON on stdout
    assert [d["code"] for d in data] == ["INI001", "INI001", "INI002"]
    for item in data:
        assert item["filename"] == "m.py"
        assert isinstance(item["message"], str) and item["message"]
        for key in ("location", "end_location"):
            assert set(item[key]) >= {"row", "column"}
            assert isinstance(item[key]["row"], int) and isinstance(item[key]["column"], int)
            assert item[key]["row"] >= 1 and item[key]["column"] >= 1
        assert (item["end_location"]["row"], item["end_location"]["column"]) >= \
               (item["location"]["row"], item["location"]["column"])
        assert item["fixable"] is True
    first, second, third = data
    assert first["location"]["row"] == FC_LINE
    # the column is 1-based and points at the constructor call `nn.Linear(3, 4)`
    fc_line = MODEL.splitlines()[FC_LINE - 1]
    assert first["location"]["column"] == fc_line.index("nn.Linear") + 1
    assert first["end_location"] == {"row": FC_LINE, "column": len(fc_line) + 1}
    assert first["fix"]["applicability"] == "safe"
    assert third["code"] == "INI002" and third["location"]["row"] == ONES_LINE
    assert third["fix"]["applicability"] == "unsafe"
    assert "weight and bias" in first["message"] and "bias" in second["message"]


def test_json_output_empty(run, tmp_path):
    write(tmp_path, "clean.py", CLEAN)
    code, out, _ = run("check", "clean.py", "--no-cache", "--output-format", "json")
    assert code == 0 and json.loads(out) == []


def test_json_output_lazy_layer_not_fixable(run, tmp_path):
    write(tmp_path, "lazy.py", textwrap.dedent("""\
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.LazyLinear(4)
        """))
    code, out, _ = run("check", "lazy.py", "--no-cache", "--output-format", "json")
    data = json.loads(out)
    assert code == 1 and [d["code"] for d in data] == ["INI001"]
    assert data[0]["fixable"] is False and data[0]["fix"] is None


def test_github_output(run, tmp_path):
    write(tmp_path, "m.py", MODEL)
    write(tmp_path, "bad.py", b"import torch\nx = (\n")
    code, out, _ = run("check", "m.py", "bad.py", "--no-cache", "--output-format", "github")
    assert code == 2
    lines = out.splitlines()
    warnings = [line for line in lines if line.startswith("::warning ")]
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(warnings) == 3 and len(errors) == 1, out
    assert warnings[0].startswith(f"::warning file=m.py,line={FC_LINE},")
    assert "::INI001 " in warnings[0]
    assert errors[0].startswith("::error file=bad.py,line=")
    for line in warnings + errors:
        head, _, message = line[2:].partition("::")
        props = dict(item.split("=", 1) for item in head.split(" ", 1)[1].split(","))
        assert {"file", "line", "col"} <= set(props)
        assert int(props["line"]) >= 1 and message


def test_sarif_output(run, tmp_path):
    write(tmp_path, "m.py", MODEL)
    code, out, _ = run("check", "m.py", "--no-cache", "--output-format", "sarif")
    assert code == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    assert "sarif" in log.get("$schema", "")
    assert isinstance(log["runs"], list) and len(log["runs"]) == 1
    run_ = log["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "init-lint"
    rules = driver["rules"]
    ids = [rule["id"] for rule in rules]
    assert {"INI001", "INI002", "INI003", "INI004", "INI005", "INI900"} <= set(ids)
    assert len(ids) == len(set(ids))
    for rule in rules:
        assert rule["shortDescription"]["text"]
    results = run_["results"]
    assert [r["ruleId"] for r in results] == ["INI001", "INI001", "INI002"]
    for result in results:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("none", "note", "warning", "error")
        assert result["message"]["text"]
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "m.py"
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])
    assert results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == FC_LINE


def test_sarif_uri_is_relative_and_forward_slashed(run, tmp_path):
    write(tmp_path, "pkg/sub/m.py", MODEL)
    code, out, _ = run("check", str(tmp_path / "pkg"), "--no-cache", "--output-format", "sarif", "--jobs", "1")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(out)["runs"][0]["results"]}
    assert uris == {"pkg/sub/m.py"}


# ------------------------------------------------------------------ diff and fix


def test_diff_prints_unified_diff_writes_nothing(run, tmp_path):
    path = write(tmp_path, "m.py", MODEL)
    before = path.read_bytes()
    stat_before = path.stat()
    code, out, err = run("check", "m.py", "--diff", "--no-cache")
    assert code == 1
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stat_before.st_mtime_ns
    lines = out.splitlines()
    assert lines[0].startswith("--- ") and lines[1].startswith("+++ ") and lines[2].startswith("@@ ")
    added = [line[1:] for line in lines[2:] if line.startswith("+")]
    removed = [line for line in lines[2:] if line.startswith("-")]
    assert removed == []
    assert any("kaiming_uniform_(self.fc.weight, a=math.sqrt(5))" in line for line in added)
    assert "import math" in added
    assert not finding_lines(out)  # only the diff on stdout
    assert not list(tmp_path.glob(".init-lint-*"))


def test_diff_on_clean_file_exits_0(run, tmp_path):
    write(tmp_path, "clean.py", CLEAN)
    code, out, _ = run("check", "clean.py", "--diff", "--no-cache")
    assert code == 0 and out == ""


def test_diff_applies_to_give_the_fixed_file(run, tmp_path):
    """The diff is exactly what `--fix` writes."""
    path = write(tmp_path, "m.py", MODEL)
    _, diff, _ = run("check", "m.py", "--diff", "--no-cache", "--unsafe-fixes")
    run("check", "m.py", "--fix", "--no-cache", "--unsafe-fixes")
    fixed = path.read_text()
    # rebuild the new file from the diff: context and added lines, in order
    rebuilt = _apply_unified_diff(MODEL, diff)
    assert rebuilt == fixed


def _apply_unified_diff(old: str, diff: str) -> str:
    old_lines = old.splitlines(keepends=True)
    new: list[str] = []
    position = 0
    lines = diff.splitlines(keepends=True)[2:]
    i = 0
    while i < len(lines):
        header = lines[i]
        assert header.startswith("@@ ")
        start = int(header.split()[1].split(",")[0][1:]) - 1
        new.extend(old_lines[position:max(start, 0)])
        position = max(start, 0)
        i += 1
        while i < len(lines) and not lines[i].startswith("@@ "):
            line = lines[i]
            if line.startswith("\\"):
                i += 1
                continue
            if line[0] in " -":
                assert old_lines[position] == line[1:]
                position += 1
            if line[0] in " +":
                new.append(line[1:])
            i += 1
    new.extend(old_lines[position:])
    return "".join(new)


def test_fix_then_recheck(run, tmp_path):
    path = write(tmp_path, "m.py", MODEL)
    code, out, _ = run("check", "m.py", "--fix", "--no-cache")
    assert code == 1  # INI002 (unsafe) remains
    assert "2 fixed, 1 remaining (1 fixable with --unsafe-fixes)." in out
    first = path.read_bytes()
    ast.parse(first)
    code, out, _ = run("check", "m.py", "--no-cache", "--output-format", "json")
    remaining = json.loads(out)
    assert [d["code"] for d in remaining] == ["INI002"]
    assert not [d for d in remaining if d["fix"] and d["fix"]["applicability"] == "safe"]
    code, out, _ = run("check", "m.py", "--fix", "--no-cache")
    assert path.read_bytes() == first
    assert "fixed" not in out.lower()


def test_fix_unsafe(run, tmp_path):
    path = write(tmp_path, "m.py", MODEL)
    code, out, _ = run("check", "m.py", "--fix", "--unsafe-fixes", "--no-cache")
    assert code == 0, out
    text = path.read_text()
    ast.parse(text)
    assert "ones_" not in text
    assert "nn.init.kaiming_uniform_(self.out.weight, a=math.sqrt(5))" in text
    code, out, _ = run("check", "m.py", "--no-cache")
    assert code == 0 and codes_in(out) == []
    run("check", "m.py", "--fix", "--unsafe-fixes", "--no-cache")
    assert path.read_text() == text


def test_fix_skip_init_style(run, tmp_path):
    path = write(tmp_path, "m.py", MODEL)
    run("check", "m.py", "--fix", "--fix-style", "skip-init", "--no-cache")
    text = path.read_text()
    ast.parse(text)
    assert "skip_init(nn.Linear, 3, 4)" in text
    code, out, _ = run("check", "m.py", "--no-cache", "--select", "INI001")
    assert code == 0, out
    run("check", "m.py", "--fix", "--fix-style", "skip-init", "--no-cache")
    assert path.read_text() == text


def test_fix_exit_non_zero_on_fix(run, tmp_path):
    write(tmp_path, "m.py", MODEL)
    code, _, _ = run("check", "m.py", "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix", "--no-cache")
    assert code == 1
    code, _, _ = run("check", "m.py", "--fix", "--unsafe-fixes", "--exit-non-zero-on-fix", "--no-cache")
    assert code == 0


def test_fix_leaves_unparsable_file_alone(run, tmp_path):
    path = write(tmp_path, "bad.py", b"import torch.nn as nn\nclass A(nn.Module):\n  def __init__(self):\n    self.fc = nn.Linear(3, 4\n")
    before = path.read_bytes()
    code, out, _ = run("check", "bad.py", "--fix", "--no-cache")
    assert code == 2 and path.read_bytes() == before and codes_in(out) == ["INI900"]


def test_fix_reports_remaining_positions_in_the_fixed_file(run, tmp_path):
    path = write(tmp_path, "m.py", MODEL)
    code, out, _ = run("check", "m.py", "--fix", "--no-cache")
    (line,) = finding_lines(out)
    reported = int(line.split(":")[1])
    fixed_lines = path.read_text().splitlines()
    assert "ones_" in fixed_lines[reported - 1], (line, fixed_lines)


# ------------------------------------------------------------------ stdin


def test_stdin_check_uses_stdin_filename(tmp_path):
    result = cli("check", "-", "--stdin-filename", "m.py", "--no-cache", cwd=tmp_path, stdin=MODEL.encode())
    assert result.returncode == 1, result.stderr
    out = result.stdout.decode()
    lines = finding_lines(out)
    assert len(lines) == 3 and all(line.startswith("m.py:") for line in lines)
    assert not list(tmp_path.iterdir())  # stdin mode writes nothing


def test_stdin_json(tmp_path):
    result = cli("check", "-", "--stdin-filename", "pkg/m.py", "--output-format", "json", cwd=tmp_path,
                 stdin=MODEL.encode())
    data = json.loads(result.stdout)
    assert {d["filename"] for d in data} == {"pkg/m.py"} and result.returncode == 1


def test_stdin_clean_and_syntax_error(tmp_path):
    assert cli("check", "-", "--stdin-filename", "c.py", cwd=tmp_path, stdin=CLEAN.encode()).returncode == 0
    result = cli("check", "-", "--stdin-filename", "b.py", cwd=tmp_path, stdin=b"import torch\nx = (\n")
    assert result.returncode == 2 and b"INI900" in result.stdout


def test_stdin_fix_prints_fixed_source(tmp_path):
    result = cli("check", "--fix", "--stdin-filename", "m.py", "-", cwd=tmp_path, stdin=MODEL.encode())
    fixed = result.stdout.decode()
    ast.parse(fixed)
    assert fixed.startswith("import math\n\nimport torch.nn as nn")  # where isort puts it
    assert "nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))" in fixed
    assert "INI001" not in fixed
    err = result.stderr.decode()
    remaining = finding_lines(err)
    assert len(remaining) == 1 and remaining[0].startswith("m.py:") and "INI002" in remaining[0]
    assert result.returncode == 1
    assert not list(tmp_path.iterdir())
    # the same bytes as fixing the file in place
    path = write(tmp_path, "m.py", MODEL)
    cli("check", "--fix", "--no-cache", "m.py", cwd=tmp_path)
    assert path.read_bytes() == result.stdout


def test_stdin_fix_unsafe_clean_exit_0(tmp_path):
    result = cli("check", "--fix", "--unsafe-fixes", "--stdin-filename", "m.py", "-", cwd=tmp_path,
                 stdin=MODEL.encode())
    assert result.returncode == 0
    assert b"ones_" not in result.stdout and finding_lines(result.stderr.decode()) == []


def test_stdin_fix_unparsable_echoes_input(tmp_path):
    source = b"import torch\nx = (\n"
    result = cli("check", "--fix", "--stdin-filename", "m.py", "-", cwd=tmp_path, stdin=source)
    assert result.returncode == 2
    assert result.stdout == source  # an editor that replaces the buffer loses nothing


def test_stdin_diff(tmp_path):
    result = cli("check", "--diff", "--stdin-filename", "m.py", "-", cwd=tmp_path, stdin=MODEL.encode())
    assert result.returncode == 1
    assert result.stdout.startswith(b"--- ") and b"+++ " in result.stdout


@pytest.mark.parametrize("flags", [(), ("--fix",), ("--diff",), ("--fix", "--unsafe-fixes"), ("--fix", "--exit-zero"),
                                   ("--fix", "--exit-non-zero-on-fix", "--unsafe-fixes"), ("--exit-zero",)])
def test_stdin_exits_as_the_same_file_would(run, tmp_path, monkeypatch, flags):
    """stdin mode runs the files' check -> fix -> re-check and exit codes; only where the result goes differs."""
    import io

    write(tmp_path, "m.py", MODEL)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(MODEL.encode())))
    from_stdin, fixed_source, _ = run("check", "--isolated", *flags, "--stdin-filename", "m.py", "-")
    from_file, _, _ = run("check", "--isolated", "--no-cache", *flags, "m.py")
    assert from_stdin == from_file
    if "--fix" in flags and "--diff" not in flags:
        assert (tmp_path / "m.py").read_text() == fixed_source


def test_stdin_config_found_from_stdin_filename(tmp_path):
    write(tmp_path, "proj/pyproject.toml", '[tool.init-lint]\nignore = ["INI002"]\n')
    result = cli("check", "-", "--stdin-filename", "proj/pkg/m.py", cwd=tmp_path, stdin=MODEL.encode())
    assert sorted(codes_in(result.stdout.decode())) == ["INI001", "INI001"]


# ------------------------------------------------------------------ rule pages


@pytest.mark.parametrize("code", ["INI001", "INI002", "INI003", "INI004", "INI005"])
def test_rule_page(run, code):
    exit_code, out, _ = run("rule", code)
    assert exit_code == 0
    for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety"):
        assert heading in out, (code, heading)
    assert code in out
    assert out.index("What it does") < out.index("Why is this bad?") < out.index("Example") < \
        out.index("Use instead") < out.index("Fix safety")
    assert "```python" in out


def test_rule_page_by_name_and_lowercase(run):
    by_code = run("rule", "INI003")[1]
    assert run("rule", "zero-weight-fill")[1] == by_code
    assert run("rule", "ini003")[1] == by_code


def test_rule_lists_all(run):
    from init_lint.rules import ALL_RULES

    code, out, _ = run("rule")
    assert code == 0
    for rule in ALL_RULES.values():
        assert rule.code in out and rule.name in out
    code, out, _ = run("rule", "--all")
    assert code == 0 and out.count("## What it does") == len(ALL_RULES)


def test_unknown_rule_exits_2(run):
    code, out, err = run("rule", "INI777")
    assert code == 2 and "INI777" in err and out == ""


# ------------------------------------------------------------------ parallel runs


@pytest.fixture
def fixtures_copy(tmp_path):
    """A dozen fixtures (enough for the process pool, quick to check), every rule among them."""
    target = tmp_path / "fixtures"
    target.mkdir()
    names = sorted(p.name for p in FIXTURES.glob("*.py"))
    chosen = names[:7] + [n for n in names if n.startswith("ini00")]
    for name in chosen:
        shutil.copy(FIXTURES / name, target / name)
    return target


def test_jobs_2_same_output_as_jobs_1(fixtures_copy, tmp_path, run):
    assert len(list(fixtures_copy.glob("*.py"))) >= 8  # enough files for the process pool
    one = run("check", "fixtures", "--jobs", "1", "--no-cache")
    two = run("check", "fixtures", "--jobs", "2", "--no-cache")
    assert one == two
    assert one[1].count("INI001") > 10
    one = run("check", "fixtures", "--jobs", "1", "--no-cache", "--output-format", "sarif")
    two = run("check", "fixtures", "--jobs", "2", "--no-cache", "--output-format", "sarif")
    assert one == two


def test_jobs_2_real_program(fixtures_copy, tmp_path):
    one = cli("check", "fixtures", "--jobs", "1", "--no-cache", "--output-format", "json", cwd=tmp_path)
    two = cli("check", "fixtures", "--jobs", "2", "--no-cache", "--output-format", "json", cwd=tmp_path)
    assert one.returncode == two.returncode == 1
    assert one.stdout == two.stdout and one.stderr == two.stderr


def test_jobs_2_fix_same_result_as_jobs_1(fixtures_copy, tmp_path, run, monkeypatch):
    other = tmp_path / "other"
    shutil.copytree(fixtures_copy, other / "fixtures")
    one = run("check", "fixtures", "--fix", "--jobs", "1")
    monkeypatch.chdir(other)
    two = run("check", "fixtures", "--fix", "--jobs", "2")
    assert one == two
    for path in sorted(fixtures_copy.glob("*.py")):
        assert path.read_bytes() == (other / "fixtures" / path.name).read_bytes(), path.name


# ------------------------------------------------------------------ cache


def test_cache_created_and_second_run_identical(fixtures_copy, tmp_path, run):
    first = run("check", "fixtures", "--jobs", "1")
    cache = tmp_path / ".init_lint_cache"
    assert cache.is_dir()
    gitignore = cache / ".gitignore"
    assert gitignore.is_file() and "*" in gitignore.read_text().split()
    entries = [p for p in cache.rglob("*") if p.is_file() and p.name != ".gitignore"]
    assert entries
    assert run("check", "fixtures", "--jobs", "1") == first
    assert run("check", "fixtures", "--jobs", "2") == first
    uncached = run("check", "fixtures", "--no-cache", "--output-format", "json", "--jobs", "1")
    assert run("check", "fixtures", "--output-format", "json", "--jobs", "1") == uncached


def test_cache_real_program(tmp_path):
    write(tmp_path, "m.py", MODEL)
    first = cli("check", "m.py", cwd=tmp_path)
    assert (tmp_path / ".init_lint_cache" / ".gitignore").is_file()
    second = cli("check", "m.py", cwd=tmp_path)
    assert (first.returncode, first.stdout, first.stderr) == (second.returncode, second.stdout, second.stderr)


def test_cache_not_in_checked_files(tmp_path, run):
    write(tmp_path, "m.py", MODEL)
    run("check", ".", "--jobs", "1")
    code, out, _ = run("check", ".", "--jobs", "1")
    assert ".init_lint_cache" not in out and len(finding_lines(out)) == 3


def test_no_cache_creates_nothing(fixtures_copy, tmp_path, run):
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    run("check", "fixtures", "--no-cache", "--jobs", "1")
    run("check", "fixtures", "--no-cache", "--jobs", "2")
    after = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert before == after
    assert not (tmp_path / ".init_lint_cache").exists()


def test_fix_and_diff_do_not_create_cache(tmp_path, run):
    write(tmp_path, "m.py", MODEL)
    run("check", "m.py", "--diff")
    run("check", "m.py", "--fix")
    assert not (tmp_path / ".init_lint_cache").exists()


def test_changing_file_invalidates_cache(run, tmp_path):
    path = write(tmp_path, "m.py", MODEL)
    code, out, _ = run("check", "m.py", "--jobs", "1")
    assert code == 1 and len(finding_lines(out)) == 3
    assert (tmp_path / ".init_lint_cache").is_dir()
    path.write_text(CLEAN)
    code, out, _ = run("check", "m.py", "--jobs", "1")
    assert code == 0 and finding_lines(out) == []
    path.write_text(MODEL.replace("nn.init.ones_(self.out.weight)", "pass"))
    code, out, _ = run("check", "m.py", "--jobs", "1")
    assert sorted(codes_in(out)) == ["INI001", "INI001"]


def test_cache_respects_settings(run, tmp_path):
    write(tmp_path, "m.py", MODEL)
    assert sorted(codes_in(run("check", "m.py")[1])) == ["INI001", "INI001", "INI002"]
    assert codes_in(run("check", "m.py", "--select", "INI002")[1]) == ["INI002"]
    assert sorted(codes_in(run("check", "m.py")[1])) == ["INI001", "INI001", "INI002"]


def test_damaged_cache_entry_is_a_miss(run, tmp_path):
    write(tmp_path, "m.py", MODEL)
    first = run("check", "m.py")
    for entry in (tmp_path / ".init_lint_cache").rglob("*"):
        if entry.is_file() and entry.name != ".gitignore":
            entry.write_text("{not json")
    assert run("check", "m.py") == first
