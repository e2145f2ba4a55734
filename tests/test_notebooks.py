"""Jupyter notebooks: read, masked, checked as one module, reported per cell, fixed in place of the cells only.

The fixtures under fixtures/notebooks/ carry `# expect: INI00x` comments inside their cells, read
the way tests/test_fixtures.py reads them in Python files, with lines counted in each cell.
"""

from __future__ import annotations

import ast
import io
import json
import re
import shutil
import subprocess
import sys
import textwrap
import tokenize
from collections import Counter
from pathlib import Path

import pytest

from expectations import _EXPECT
from init_lint.cli import main
from init_lint.config import Settings, load_settings
from init_lint.files import discover
from init_lint.notebooks.document import NotebookError, read_notebook
from init_lint.notebooks.engine import check_notebook, fix_notebook
from init_lint.notebooks.mask import mask_cell
from init_lint.notebooks.module import build_module

nbformat = pytest.importorskip("nbformat", reason="the notebook tests validate with nbformat (init-lint[test])")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "fixtures" / "notebooks"
FIXTURES = sorted(NOTEBOOKS.glob("*.ipynb"))


# ---------------------------------------------------------------- helpers


def expected_in_cells(path: Path, strict: bool = False) -> Counter:
    """(cell, line, code) -> count, from the `# expect:` comments of each code cell."""
    notebook = read_notebook(path.read_bytes())
    expected: Counter = Counter()
    for cell in notebook.code_cells():
        text = mask_cell(cell.source, "t").text  # tokenizable: IPython syntax masked
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type != tokenize.COMMENT:
                continue
            for match in _EXPECT.finditer(token.string):
                if match.group("strict") and not strict:
                    continue
                for code in re.split(r"[\s,]+", match.group("codes").strip()):
                    expected[(cell.index + 1, token.start[0], code)] += 1
    return expected


def outside_sources(data: bytes, cells: set) -> list:
    """The file's text cut at the source values of `cells`: everything a fix of those cells must keep."""
    notebook = read_notebook(data)
    pieces, position = [], 0
    for cell in notebook.cells:
        if cell.index in cells:
            pieces.append(notebook.text[position:cell.span[0]])
            position = cell.span[1]
    pieces.append(notebook.text[position:])
    return pieces


def make_notebook(*sources: str, kernel: str = "python", **write_options) -> bytes:
    cells = []
    for number, source in enumerate(sources):
        if source.startswith("md:"):
            cells.append(nbformat.v4.new_markdown_cell(source[3:]))
        else:
            cells.append(nbformat.v4.new_code_cell(source))
        cells[-1]["id"] = f"c{number}"
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"name": kernel, "display_name": kernel, "language": kernel}, "language_info": {"name": kernel}})
    if write_options:
        return (json.dumps(notebook, **write_options) + "\n").encode()
    return nbformat.writes(notebook).encode()


MODEL_CELLS = (
    "md:# A model",
    "import torch\nfrom torch import nn",
    "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(3, 4)",
    "net = Net()",
)
INIT_CELL = ("def init_weights(m):\n    if isinstance(m, nn.Linear):\n        nn.init.xavier_uniform_(m.weight)\n"
             "        nn.init.zeros_(m.bias)\n")


# ---------------------------------------------------------------- fixtures: findings as their authors expect


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fixture_findings_are_what_their_cells_expect(path: Path, strict: bool) -> None:
    findings, _ = check_notebook(path.read_bytes(), str(path), Settings(strict=strict))
    assert not [f for f in findings if f.code == "INI900"], findings
    reported = Counter((f.cell, f.line, f.code) for f in findings)
    expected = expected_in_cells(path, strict)
    assert expected, "a fixture without expectations tests nothing"
    assert reported == expected


def test_every_issue_fixture_is_there() -> None:
    names = {p.name for p in FIXTURES}
    assert {"tanh_3_4_5_2.ipynb", "randn_linear_stack.ipynb", "attention_rand_weights.ipynb",
            "magics_and_shell.ipynb", "outputs_and_image.ipynb"} <= names
    for path in FIXTURES:
        nbformat.validate(nbformat.reads(path.read_text(encoding="utf-8"), as_version=4))
    image = json.loads((NOTEBOOKS / "outputs_and_image.ipynb").read_text())["cells"][2]["outputs"][0]
    assert image["data"]["image/png"].startswith("iVBORw0KGgo")  # a real PNG
    assert "import torch as T" in (NOTEBOOKS / "tanh_3_4_5_2.ipynb").read_text()
    assert "nn.Parameter(torch.rand(d_in, d_out))" in (NOTEBOOKS / "attention_rand_weights.ipynb").read_text()


def test_cells_are_one_program() -> None:
    """The init in a later cell covers the class of an earlier one; checked alone, the class cell would be flagged."""
    cells = MODEL_CELLS + (INIT_CELL, "net.apply(init_weights)")
    findings, _ = check_notebook(make_notebook(*cells), "nb.ipynb", Settings())
    assert findings == []
    findings, _ = check_notebook(make_notebook(*MODEL_CELLS), "nb.ipynb", Settings())
    assert [(f.code, f.cell, f.line, f.column) for f in findings] == [("INI001", 3, 4, 18)]


# ---------------------------------------------------------------- fixing: only the fixed cells' sources change


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.name)
def test_fix_changes_only_the_fixed_cells_sources(path: Path, tmp_path: Path) -> None:
    target = tmp_path / path.name
    shutil.copy(path, target)
    before = target.read_bytes()
    assert main(["check", "--fix", "--no-cache", "--isolated", "--exit-zero", "-q", str(target)]) == 0
    after = target.read_bytes()
    assert after != before
    old, new = json.loads(before), json.loads(after)
    changed = {i for i, (a, b) in enumerate(zip(old["cells"], new["cells"])) if a != b}
    assert changed and all(old["cells"][i]["cell_type"] == "code" for i in changed)
    # byte for byte: everything outside the changed cells' source values
    assert outside_sources(before, changed) == outside_sources(after, changed)
    for i in changed:
        assert {k for k in old["cells"][i] if old["cells"][i][k] != new["cells"][i][k]} == {"source"}
        assert type(old["cells"][i]["source"]) is type(new["cells"][i]["source"])
    nbformat.validate(nbformat.reads(after.decode(), as_version=4))
    # what the fix left: nothing it could fix; and fixing again changes nothing
    findings, _ = check_notebook(after, str(target), Settings())
    assert not [f for f in findings if f.fix == "safe"]
    main(["check", "--fix", "--no-cache", "--isolated", "--exit-zero", "-q", str(target)])
    assert target.read_bytes() == after


def test_outputs_and_image_survive_the_fix(tmp_path: Path) -> None:
    source = NOTEBOOKS / "outputs_and_image.ipynb"
    result = fix_notebook(source.read_bytes(), str(source), Settings())
    assert sorted(result.changed) == [0, 1]  # the import cell and the class cell
    old, new = json.loads(source.read_bytes()), json.loads(result.data)
    for key in ("metadata", "nbformat", "nbformat_minor"):
        assert old[key] == new[key]
    for a, b in zip(old["cells"][2:], new["cells"][2:]):
        assert a == b  # outputs (the PNG), attachments, execution counts, ids, error tracebacks
    assert new["cells"][1]["metadata"] == {"scrolled": True} and new["cells"][1]["execution_count"] == 2
    assert result.data.endswith(b"}\n") and source.read_bytes().endswith(b"}\n")
    assert "—" in result.data.decode() and "\\u2014" not in result.data.decode()  # ensure_ascii as it was
    fixed_source = "".join(new["cells"][1]["source"])
    assert "nn.init.kaiming_uniform_(self.fc1.weight, a=math.sqrt(5))" in fixed_source
    assert not fixed_source.endswith("\n")  # nbformat's last line has no line end; kept so


def test_layouts_are_kept(tmp_path: Path) -> None:
    """String sources stay strings; indentation, key order, escaping and a missing final newline are kept."""
    layouts = ({"indent": 2}, {"indent": 4, "ensure_ascii": True}, {"indent": None}, {"indent": 1, "sort_keys": True})
    for options in layouts:
        data = make_notebook(*MODEL_CELLS[:3], "s = 'é'", **options)
        for trailing in (True, False):
            raw = data if trailing else data.rstrip(b"\n")
            result = fix_notebook(raw, "nb.ipynb", Settings())
            assert sorted(result.changed) == [1, 2]
            assert outside_sources(raw, {1, 2}) == outside_sources(result.data, {1, 2})
            assert result.data.endswith(b"\n") == trailing
            if options.get("ensure_ascii"):
                assert result.data.isascii()
            nbformat.validate(nbformat.reads(result.data.decode(), as_version=4))
    # a Colab-style notebook: sources as single strings, keys in insertion order
    colab = NOTEBOOKS / "attention_rand_weights.ipynb"
    result = fix_notebook(colab.read_bytes(), str(colab), Settings())
    new = json.loads(result.data)
    assert all(isinstance(new["cells"][i]["source"], str) for i in result.changed)
    assert list(new) == list(json.loads(colab.read_bytes()))


def test_list_sources_keep_their_lines_and_layout() -> None:
    data = make_notebook(*MODEL_CELLS)
    result = fix_notebook(data, "nb.ipynb", Settings())
    text = result.data.decode()
    # nbformat's layout: one line per element, indented one more than "source"
    assert '   "source": [\n    "class Net(nn.Module):\\n",\n    "    def __init__(self):\\n",' in text
    assert '    "        self.fc = nn.Linear(3, 4)\\n",\n    "        nn.init.kaiming_uniform_(' in text


def test_line_ends_inside_a_cell_are_kept() -> None:
    cells = list(MODEL_CELLS)
    cells[2] = cells[2].replace("\n", "\r\n")
    result = fix_notebook(make_notebook(*cells), "nb.ipynb", Settings())
    source = "".join(json.loads(result.data)["cells"][2]["source"])
    assert "\n" not in source.replace("\r\n", "")
    assert "nn.init.kaiming_uniform_" in source


def test_diff_shows_each_changed_cell(tmp_path: Path, capsys) -> None:
    target = tmp_path / "nb.ipynb"
    target.write_bytes(make_notebook(*MODEL_CELLS))
    before = target.read_bytes()
    assert main(["check", "--diff", "--no-cache", "--isolated", str(target)]) == 1
    out = capsys.readouterr().out
    assert target.read_bytes() == before
    headers = [line for line in out.splitlines() if line.startswith(("---", "+++"))]
    assert headers == [f"--- {target}:cell 2", f"+++ {target}:cell 2", f"--- {target}:cell 3", f"+++ {target}:cell 3"]
    assert "+import math" in out and "+        nn.init.kaiming_uniform_(self.fc.weight, a=math.sqrt(5))" in out


def test_project_mode_fixes_notebooks(tmp_path: Path) -> None:
    """What the pre-commit fix hook runs: --project --fix on a named notebook."""
    (tmp_path / "pyproject.toml").write_text("[tool.init-lint]\n")
    target = tmp_path / "nb.ipynb"
    target.write_bytes(make_notebook(*MODEL_CELLS, "net2 = Net()"))
    assert main(["check", "--project", "--fix", "--exit-non-zero-on-fix", "--no-cache", "-q", str(target)]) == 1
    assert "nn.init.kaiming_uniform_" in "".join(json.loads(target.read_bytes())["cells"][2]["source"])
    assert main(["check", "--project", "--fix", "--exit-non-zero-on-fix", "--no-cache", "-q", str(target)]) == 0


# ---------------------------------------------------------------- masking IPython syntax


MAGIC_CELLS = [
    "%matplotlib inline\nimport torch",
    "!pip install torch \\\n    torchvision\nx = 1",
    "files = !ls\nout = %pwd\na, b = !echo 1 2",
    "nn.Linear?\n??nn.Conv2d\ntorch.nn.init??\n?torch",
    "for i in range(3):\n    %time f(i)\n    !echo $i\nelse:\n    %pwd",
    "if True:\n    !echo only statement",
    "/print 1\n,print a b\n;print c",
    "%%time\nx = 1\ny = x + 1",
    "%%bash\nfor f in *; do\n  echo $f\ndone",
    "%%writefile model.py\nclass Broken(:\n    pass",
    "\n\n%%html\n<b>not python</b>",
    "%%capture out\n!ls\nprint(1)",
]


@pytest.mark.parametrize("source", MAGIC_CELLS)
def test_masked_cells_parse_and_unmask_to_the_original(source: str) -> None:
    masked = mask_cell(source, "1")
    ast.parse(masked.text)
    assert len(masked.text.splitlines()) == len(source.splitlines())
    assert masked.unmask(masked.text) == source + "\n"
    assert masked.intact(masked.text)


def test_python_is_never_masked() -> None:
    python = textwrap.dedent('''\
        x = (1
             % 2)
        doc = """
        %not a magic
        !nor a shell line
        """
        y = 3 \\
            % 2
        z = "what?"  # really?
        w = x != y
        ''')
    assert mask_cell(python, "1").text == python
    assert not mask_cell(python, "1").masked


def test_cell_magics_mask_by_language() -> None:
    assert not mask_cell("%%bash\nls", "1").python
    assert mask_cell("%%time\nx = 1", "1").python
    assert mask_cell("%%time\nx = 1", "1").text.endswith("x = 1\n")
    assert "self.l" not in mask_cell("%%writefile m.py\nself.l = nn.Linear(1, 1)", "1").text


def test_magics_notebook_keeps_its_ipython_lines_through_a_fix() -> None:
    path = NOTEBOOKS / "magics_and_shell.ipynb"
    result = fix_notebook(path.read_bytes(), str(path), Settings())
    old, new = json.loads(path.read_bytes()), json.loads(result.data)
    for index in result.changed:
        old_lines = "".join(old["cells"][index]["source"]).splitlines()
        new_lines = "".join(new["cells"][index]["source"]).splitlines()
        magic = [line for line in old_lines if line.lstrip().startswith(("%", "!", "?")) or line.endswith("?")
                 or "= !" in line]
        assert magic and all(line in new_lines for line in magic)
    assert "%%time" == "".join(new["cells"][3]["source"]).splitlines()[0]


def test_findings_are_placed_in_their_cells() -> None:
    notebook = read_notebook(make_notebook(*MODEL_CELLS))
    module = build_module(notebook)
    line = module.module_line(3, 4)
    assert module.source.splitlines()[line - 1] == "        self.fc = nn.Linear(3, 4)"
    assert module.locate(line) == (3, 4)


# ---------------------------------------------------------------- output formats


def test_text_json_and_sarif_name_the_cell(tmp_path: Path, capsys) -> None:
    target = tmp_path / "nb.ipynb"
    target.write_bytes(make_notebook(*MODEL_CELLS))
    main(["check", "--no-cache", "--isolated", "-q", str(target)])
    assert capsys.readouterr().out.startswith(f"{target}:cell 3:4:19: INI001 [*] self.fc = nn.Linear(3, 4)")
    main(["check", "--no-cache", "--isolated", "--output-format", "json", str(target)])
    [finding] = json.loads(capsys.readouterr().out)
    assert (finding["filename"], finding["cell"], finding["location"]) == (str(target), 3, {"row": 4, "column": 19})
    main(["check", "--no-cache", "--isolated", "--output-format", "sarif", str(target)])
    [result] = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    location = result["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"].endswith("nb.ipynb")
    assert location["physicalLocation"]["region"]["startLine"] == 4
    assert result["properties"] == {"cell": 3} and location["logicalLocations"][0]["name"] == "cell 3"
    main(["check", "--no-cache", "--isolated", "--output-format", "github", str(target)])
    assert "::cell 3: INI001" in capsys.readouterr().out


def test_cached_findings_keep_their_cell(tmp_path: Path, capsys) -> None:
    target = tmp_path / "nb.ipynb"
    target.write_bytes(make_notebook(*MODEL_CELLS))
    (tmp_path / "pyproject.toml").write_text("[tool.init-lint]\n")
    first = main(["check", "-q", str(target)]), capsys.readouterr().out
    assert (tmp_path / ".init_lint_cache").is_dir()
    assert (main(["check", "-q", str(target)]), capsys.readouterr().out) == first
    assert ":cell 3:4:19:" in first[1]


# ---------------------------------------------------------------- files and configuration


def test_folders_include_notebooks_unless_configured_off(tmp_path: Path) -> None:
    (tmp_path / "nb.ipynb").write_bytes(make_notebook(*MODEL_CELLS))
    (tmp_path / "m.py").write_text("x = 1\n")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "nb-checkpoint.ipynb").write_bytes(make_notebook(*MODEL_CELLS))
    names = lambda settings: sorted(Path(p).name for p in discover([str(tmp_path)], settings))  # noqa: E731
    assert names(Settings(root=str(tmp_path))) == ["m.py", "nb.ipynb"]  # checkpoints excluded by default
    config = tmp_path / "pyproject.toml"
    config.write_text('[tool.init-lint]\ninclude = ["*.py"]\n')
    assert names(load_settings(config)) == ["m.py"]
    config.write_text('[tool.init-lint]\nextend-exclude = ["*.ipynb"]\n')
    assert names(load_settings(config)) == ["m.py"]
    config.write_text('[tool.init-lint]\ninclude = ["*.py"]\nextend-include = ["nb.ipynb"]\n')
    assert names(load_settings(config)) == ["m.py", "nb.ipynb"]
    assert main(["check", "--no-cache", "-q", str(tmp_path)]) == 1
    config.write_text('[tool.init-lint]\ninclude = ["*.py"]\n')
    assert main(["check", "--no-cache", "-q", str(tmp_path)]) == 0


def test_broken_and_foreign_notebooks(tmp_path: Path, capsys) -> None:
    (tmp_path / "broken.ipynb").write_text('{"cells": [')
    (tmp_path / "v3.ipynb").write_text('{"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "cells": []}')
    (tmp_path / "r.ipynb").write_bytes(make_notebook("library(torch)\nnn_linear(3, 4)", kernel="R"))
    (tmp_path / "syntax.ipynb").write_bytes(make_notebook("import torch", "def broken(:\n    pass"))
    (tmp_path / "good.ipynb").write_bytes(make_notebook(*MODEL_CELLS))
    assert main(["check", "--no-cache", "--isolated", "-q", str(tmp_path)]) == 2
    out = capsys.readouterr().out
    assert "broken.ipynb:1:1: INI900 cannot check this file: not valid notebook JSON" in out
    assert "v3.ipynb:1:1: INI900 cannot check this file: not valid notebook JSON (nbformat 3" in out
    assert re.search(r"syntax\.ipynb:cell 2:\d+:\d+: INI900 cannot check this file: syntax error", out)
    assert "error at" not in out  # the parser's position counts in the joined module: not shown
    assert "good.ipynb:cell 3:4:19: INI001" in out
    assert "r.ipynb" not in out
    with pytest.raises(NotebookError):
        read_notebook(b"\xff\xfe")
    # --fix never writes a notebook it cannot read
    before = (tmp_path / "broken.ipynb").read_bytes()
    main(["check", "--fix", "--no-cache", "--isolated", "-q", str(tmp_path)])
    assert (tmp_path / "broken.ipynb").read_bytes() == before


def test_checking_a_notebook_never_imports_torch(tmp_path: Path) -> None:
    shutil.copy(NOTEBOOKS / "tanh_3_4_5_2.ipynb", tmp_path / "nb.ipynb")
    script = ("import sys; from init_lint.cli import main; main(['check', '--fix', '--no-cache', 'nb.ipynb']); "
              "assert 'torch' not in sys.modules and 'nbformat' not in sys.modules, 'imported'")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


# ---------------------------------------------------------------- pre-commit


def test_precommit_hooks_take_notebooks() -> None:
    yaml = pytest.importorskip("yaml")
    identify = pytest.importorskip("identify.identify")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert [hook["types_or"] for hook in hooks] == [["python", "jupyter"]] * 2
    assert all("types" not in hook for hook in hooks)
    assert "jupyter" in identify.tags_from_filename("lesson.ipynb")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_precommit_fix_hook_fixes_a_notebook(tmp_path: Path) -> None:
    """The real `pre-commit try-repo` (it builds a virtualenv and installs init-lint: most of a minute)."""
    pytest.importorskip("pre_commit")
    import os

    from test_precommit import git, snapshot_of_this_checkout

    hooks_repo = snapshot_of_this_checkout(tmp_path / "init-lint")
    project = tmp_path / "project"
    project.mkdir()
    original = make_notebook(*MODEL_CELLS)
    (project / "lesson.ipynb").write_bytes(original)
    git("init", "-q", cwd=project)
    git("add", "lesson.ipynb", cwd=project)
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"), PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_INPUT="1")
    env.pop("VIRTUAL_ENV", None)
    run = subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(hooks_repo), "init-lint-fix",
                          "--all-files"], cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1 and "files were modified by this hook" in run.stdout, run.stdout + run.stderr
    assert (project / "lesson.ipynb").read_bytes() == fix_notebook(original, "lesson.ipynb", Settings()).data


# ---------------------------------------------------------------- verify


def test_verify_runs_the_cells_up_to_the_classes(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from init_lint.notebooks.runnable import runnable_source
    from init_lint.verify.runner import verify_file

    target = tmp_path / "lesson.ipynb"
    target.write_bytes(make_notebook(
        "!pip install torch\nimport torch\nfrom torch import nn",
        "# init-lint: skip-cell\nraise SystemExit('downloads a data set')",
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(3, 4)",
        "while True:\n    pass  # a training loop: never run",
    ))
    source = runnable_source(target.read_bytes())
    assert "class Net" in source and "SystemExit" not in source and "while True" not in source
    verification = verify_file(target, timeout=60)
    assert verification.error is None, verification.error
    assert [(c.name, c.status) for c in verification.classes] == [("Net", "identical")]


# ---------------------------------------------------------------- language server


def test_language_server_publishes_diagnostics_per_cell(tmp_path: Path) -> None:
    pytest.importorskip("pygls")
    import asyncio

    from lsprotocol import types
    from test_lsp import TIMEOUT, Editor

    notebook_uri = (tmp_path / "nb.ipynb").as_uri()
    cell_uris = [f"vscode-notebook-cell:{tmp_path}/nb.ipynb#c{i}" for i in range(4)]
    sources = list(MODEL_CELLS)

    def cell_item(i: int, version: int = 1) -> types.TextDocumentItem:
        return types.TextDocumentItem(uri=cell_uris[i], language_id="python" if i else "markdown", version=version,
                                      text=sources[i][3:] if i == 0 else sources[i])

    async def published(editor: Editor, count: int) -> dict:
        found = {}
        while len(found) < count:
            params = await asyncio.wait_for(editor.published.get(), TIMEOUT)
            found[params.uri] = [(d.code, d.range.start.line, d.range.start.character) for d in params.diagnostics]
        return found

    class NotebookEditor(Editor):
        """A client that says it supports notebook documents (Editor's client does not)."""

        async def __aenter__(self) -> "NotebookEditor":
            await self.client.start_io(sys.executable, "-m", "init_lint", "lsp", cwd=str(self.folder))
            capabilities = types.ClientCapabilities(
                notebook_document=types.NotebookDocumentClientCapabilities(
                    synchronization=types.NotebookDocumentSyncClientCapabilities()),
                general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]))
            result = await asyncio.wait_for(self.client.initialize_async(types.InitializeParams(
                capabilities=capabilities, root_uri=self.folder.as_uri(), process_id=None)), TIMEOUT)
            self.capabilities = result.capabilities
            self.client.initialized(types.InitializedParams())
            return self

    async def body() -> None:
        async with Editor(tmp_path) as plain:
            assert plain.capabilities.notebook_document_sync is None  # only for clients that support notebooks
        async with NotebookEditor(tmp_path) as editor:
            selector = editor.capabilities.notebook_document_sync.notebook_selector[0]
            assert [c.language for c in selector.cells] == ["python"]
            cells = [types.NotebookCell(kind=types.NotebookCellKind.Markup if i == 0 else types.NotebookCellKind.Code,
                                        document=cell_uris[i]) for i in range(4)]
            editor.client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
                notebook_document=types.NotebookDocument(uri=notebook_uri, notebook_type="jupyter-notebook",
                                                         version=1, cells=cells),
                cell_text_documents=[cell_item(i) for i in range(4)]))
            assert await published(editor, 3) == {cell_uris[1]: [], cell_uris[2]: [("INI001", 3, 18)],
                                                  cell_uris[3]: []}
            # the class's init moves into the last cell: the class cell clears
            editor.client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
                notebook_document=types.VersionedNotebookDocumentIdentifier(version=2, uri=notebook_uri),
                change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(
                    text_content=[types.NotebookDocumentCellContentChanges(
                        document=types.VersionedTextDocumentIdentifier(uri=cell_uris[3], version=2),
                        changes=[types.TextDocumentContentChangeWholeDocument(
                            text=INIT_CELL + "\nnet = Net()\nnet.apply(init_weights)")])]))))
            assert (await published(editor, 3))[cell_uris[2]] == []
            editor.client.notebook_document_did_close(types.DidCloseNotebookDocumentParams(
                notebook_document=types.NotebookDocumentIdentifier(uri=notebook_uri),
                cell_text_documents=[types.TextDocumentIdentifier(uri=u) for u in cell_uris]))
            assert await published(editor, 3) == {cell_uris[1]: [], cell_uris[2]: [], cell_uris[3]: []}

    asyncio.run(body())


def test_stdin_notebooks_for_editors(tmp_path: Path) -> None:
    data = make_notebook(*MODEL_CELLS)

    def stdin(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "init_lint", "check", "--isolated", "--stdin-filename", "nb.ipynb",
                               *args, "-"], input=data, capture_output=True, cwd=tmp_path, timeout=120)

    checked = stdin()
    assert checked.returncode == 1 and b"nb.ipynb:cell 3:4:19: INI001" in checked.stdout
    fixed = stdin("--fix")
    assert fixed.returncode == 0
    assert fixed.stdout == fix_notebook(data, "nb.ipynb", Settings()).data
    diff = stdin("--diff")
    assert diff.returncode == 1 and b"--- nb.ipynb:cell 3\n+++ nb.ipynb:cell 3\n" in diff.stdout


def test_show_fixes_lists_a_notebook_s_fixes(tmp_path: Path, monkeypatch, capsys) -> None:
    """A notebook goes through the same fix path as a .py file, so `--show-fixes` lists what it fixed."""
    from init_lint.cli import main

    (tmp_path / "nb.ipynb").write_bytes(make_notebook(*MODEL_CELLS))
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--isolated", "--no-cache", "--fix", "--show-fixes", "nb.ipynb"]) == 0
    assert "Fixed 1 finding:\n- nb.ipynb:\n    1 × INI001" in capsys.readouterr().out


def test_a_cell_that_is_not_python_alone_is_never_fixed() -> None:
    """An unclosed string in one cell would swallow the next cells in the joined module."""
    cells = ("import torch\nfrom torch import nn", 'doc = """never closed', MODEL_CELLS[2], 'end = """')
    with pytest.raises(Exception, match="cell 2 is not valid Python on its own"):
        fix_notebook(make_notebook(*cells), "nb.ipynb", Settings())


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings as hypothesis_settings, strategies as st  # noqa: E402

LINES = st.sampled_from([
    "import torch", "from torch import nn", "%matplotlib inline", "!pip install torch", "x = !ls", "nn.Linear?",
    "%%time", "%%bash", "class Net(nn.Module):", "    def __init__(self):", "        super().__init__()",
    "        self.fc = nn.Linear(3, 4)", "        self.c = nn.Conv2d(1, 2, 3)", "    %time y = 1", "net = Net()",
    "def f(:", '"""', "x = (1", "     % 2)", "\t", "", "# init-lint: skip-cell", "é = 'ü'", "\\",
])


RANDOM_CELLS = st.lists(st.lists(LINES, max_size=8).map("\n".join), max_size=3)


@hypothesis_settings(max_examples=60, deadline=None)
@given(before=RANDOM_CELLS, between=RANDOM_CELLS, after=RANDOM_CELLS, indent=st.sampled_from([1, 2, None]))
def test_any_notebook_is_checked_and_fixed_without_harm(before, between, after, indent) -> None:
    """Random cells around a model that needs a fix: never a crash, never a byte changed outside the fixed cells."""
    cells = [*before, MODEL_CELLS[1], *between, MODEL_CELLS[2], *after]
    data = make_notebook(*cells, indent=indent)
    findings, _ = check_notebook(data, "nb.ipynb", Settings())
    assert not any("internal error" in f.message for f in findings)
    assert all(f.cell is not None for f in findings)
    try:
        result = fix_notebook(data, "nb.ipynb", Settings())
    except Exception as error:  # refusing is allowed; corrupting is not
        assert "not valid Python on its own" in str(error) or "cannot" in str(error), error
        return
    changed = set(result.changed)
    assert outside_sources(data, changed) == outside_sources(result.data, changed)
    nbformat.validate(nbformat.reads(result.data.decode(), as_version=4))
    assert fix_notebook(result.data, "nb.ipynb", Settings()).data == result.data


@pytest.mark.parametrize("text, why", [
    ('{"cells": [], "nbformat": 4} x', "extra data"),
    ('{"cells": {}, "nbformat": 4}', "'cells' is not a list"),
    ('{"cells": [1], "nbformat": 4}', "cell 1 is not an object"),
    ('{"nbformat": 4}', "no 'cells' list"),
    ('[]', "not a JSON object"),
    ('{"cells": [{"cell_type": "code", "source": 3}], "nbformat": 4}', "neither a string nor a list"),
])
def test_unreadable_notebooks_say_why(text: str, why: str) -> None:
    with pytest.raises(NotebookError, match=re.escape(why)):
        read_notebook(text.encode())


def test_a_byte_order_mark_is_kept() -> None:
    data = "\ufeff".encode() + make_notebook(*MODEL_CELLS)
    result = fix_notebook(data, "nb.ipynb", Settings())
    assert result.data.startswith("\ufeff".encode()) and result.changed


# ---------------------------------------------------------------- a fix never loses an edit saved meanwhile


def test_a_notebook_edited_while_it_is_fixed_is_not_overwritten(tmp_path, monkeypatch, capsys):
    from init_lint.notebooks import engine

    path, other = tmp_path / "nb.ipynb", tmp_path / "other.ipynb"
    path.write_bytes(make_notebook(*MODEL_CELLS))
    other.write_bytes(make_notebook(*MODEL_CELLS))
    edited = make_notebook(*MODEL_CELLS, "print('the user saved this cell')")
    real = engine.fix_notebook

    def fix_notebook(data, name, *args, **kwargs):
        if name.endswith("nb.ipynb") and not name.endswith("other.ipynb"):
            path.write_bytes(edited)  # the user saves while the fix is computed
        return real(data, name, *args, **kwargs)

    monkeypatch.setattr(engine, "fix_notebook", fix_notebook)
    monkeypatch.chdir(tmp_path)
    code = main(["check", "--fix", "--no-cache", "--jobs", "1", "nb.ipynb", "other.ipynb"])
    err = capsys.readouterr().err
    assert code == 2 and "nb.ipynb: changed on disk while init-lint ran; fix skipped" in err
    assert path.read_bytes() == edited
    assert b"kaiming_uniform_" in other.read_bytes()  # the other notebook is still fixed
