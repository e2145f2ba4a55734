"""The language server, started as `python -m init_lint lsp` and driven over its pipes by pygls's client."""

from __future__ import annotations

import asyncio
import difflib
import os
import re
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the language server tests need pygls (pip install 'init-lint[lsp]')")

from lsprotocol import types  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

from init_lint.output import RULE_DOCS  # noqa: E402

FIX_ALL = "source.fixAll.init-lint"
TIMEOUT = 20

MODEL = textwrap.dedent("""\
    import torch
    from torch import nn


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.hid = nn.Linear(3, 4)
            s, self.emb = "😀", nn.Linear(4, 4)
            self.out = nn.Linear(4, 2)
            self.seq = nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2))
            self.gate = nn.Linear(4, 1)
            nn.init.constant_(self.gate.weight, 0.5)

        def forward(self, x):
            return self.out(torch.relu(self.hid(x)))
""")


def cli_fix(text: str, cwd: Path) -> str:
    """What `init-lint check --fix` makes of the text, read from stdin as an editor's on-save command would."""
    return subprocess.run([sys.executable, "-m", "init_lint", "check", "--fix", "--stdin-filename", "m.py", "-"],
                          input=text.encode(), capture_output=True, cwd=cwd, timeout=60).stdout.decode()


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def offset(text: str, position: types.Position) -> int:
    """A UTF-16 LSP position as an index into the text (what an editor does with it)."""
    lines = _LINE.findall(text)
    if position.line >= len(lines):
        return len(text)
    line, units, index = lines[position.line], 0, 0
    while index < len(line) and units < position.character:
        units += 2 if ord(line[index]) > 0xFFFF else 1
        index += 1
    return sum(map(len, lines[:position.line])) + index


def apply_edit(text: str, edit: types.WorkspaceEdit, uri: str) -> str:
    if edit.document_changes:
        edits = [e for change in edit.document_changes if change.text_document.uri == uri for e in change.edits]
    else:
        edits = list(edit.changes[uri])
    spans = sorted(((offset(text, e.range.start), offset(text, e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new_text in spans:  # all positions refer to the original text; apply from the end
        text = text[:start] + new_text + text[end:]
    return text


class Editor:
    """A client session with one server process: open documents, wait for diagnostics, ask for actions."""

    def __init__(self, folder: Path, resolves: bool = False, server: tuple = ("-m", "init_lint", "lsp")) -> None:
        self.folder = folder
        self.resolves = resolves
        self.server = server
        self.client = LanguageClient("init-lint-tests", "1")
        self.published: asyncio.Queue = asyncio.Queue()
        self.versions: dict = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:  # pygls passes no client here
            self.published.put_nowait(params)

    async def __aenter__(self) -> "Editor":
        await self.client.start_io(sys.executable, *self.server, cwd=str(self.folder))
        capabilities = types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(
                workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)),
            general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
            text_document=types.TextDocumentClientCapabilities(code_action=types.CodeActionClientCapabilities(
                resolve_support=types.ClientCodeActionResolveOptions(properties=["edit"]))) if self.resolves else None,
        )
        result = await asyncio.wait_for(self.client.initialize_async(types.InitializeParams(
            capabilities=capabilities, root_uri=self.folder.as_uri(), process_id=None)), TIMEOUT)
        self.capabilities = result.capabilities
        self.client.initialized(types.InitializedParams())
        return self

    async def __aexit__(self, *exc) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
            self.client.exit(None)
            await asyncio.wait_for(self.client.stop(), TIMEOUT)
        finally:
            self.kill()

    def kill(self) -> None:
        """A server that did not exit is killed (it would outlive the test, maybe spinning)."""
        process = self.client._server  # (pygls's client keeps its process there)
        if process is not None and process.returncode is None:
            process.kill()

    def uri(self, name: str) -> str:
        return (self.folder / name).as_uri()

    async def diagnostics(self, uri: str) -> list:
        while True:
            params = await asyncio.wait_for(self.published.get(), TIMEOUT)
            if params.uri == uri:
                return list(params.diagnostics)

    async def open(self, name: str, text: str) -> list:
        uri = self.uri(name)
        self.versions[uri] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        return await self.diagnostics(uri)

    async def replace(self, name: str, text: str) -> list:
        uri = self.uri(name)
        self.versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            [types.TextDocumentContentChangeWholeDocument(text=text)]))
        return await self.diagnostics(uri)

    def change(self, name: str, text: str) -> int:
        """Send a new version without waiting for its diagnostics; the version sent."""
        uri = self.uri(name)
        self.versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            [types.TextDocumentContentChangeWholeDocument(text=text)]))
        return self.versions[uri]

    async def publications(self, uri: str, version: int) -> list:
        """Every publication for `uri` (version, diagnostics) up to the first of `version`."""
        seen = []
        while True:
            params = await asyncio.wait_for(self.published.get(), TIMEOUT)
            if params.uri == uri:
                seen.append((params.version, list(params.diagnostics)))
                if params.version == version:
                    return seen

    async def stats(self, name: str) -> dict:
        """How often the server ran each costly step for the document (its `init-lint/stats` request)."""
        result = await asyncio.wait_for(self.client.protocol.send_request_async("init-lint/stats", None), TIMEOUT)
        return {step: count for uri, step, count in result if uri == self.uri(name)}

    async def hover(self, name: str, line: int, character: int):
        params = types.HoverParams(text_document=types.TextDocumentIdentifier(uri=self.uri(name)),
                                   position=types.Position(line, character))
        return await asyncio.wait_for(self.client.text_document_hover_async(params), TIMEOUT)

    async def resolve(self, action: types.CodeAction) -> types.CodeAction:
        return await asyncio.wait_for(self.client.code_action_resolve_async(action), TIMEOUT)

    async def actions(self, name: str, where: types.Range, only: list, diagnostics: list = ()) -> list:
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=self.uri(name)), range=where,
            context=types.CodeActionContext(diagnostics=list(diagnostics), only=only))
        return await asyncio.wait_for(self.client.text_document_code_action_async(params), TIMEOUT) or []


def session(folder: Path, body, resolves: bool = False) -> None:
    async def main():
        async with Editor(folder, resolves) as editor:
            await body(editor)

    asyncio.run(main())


def everything(text: str) -> types.Range:
    return types.Range(types.Position(0, 0), types.Position(len(_LINE.findall(text)), 0))


def test_diagnostics_and_fix_all_equal_the_cli(tmp_path):
    expected = cli_fix(MODEL, tmp_path)
    assert expected != MODEL

    async def body(editor: Editor) -> None:
        assert FIX_ALL in editor.capabilities.code_action_provider.code_action_kinds
        diagnostics = await editor.open("model.py", MODEL)
        assert [(d.code, d.range.start.line, d.range.start.character) for d in diagnostics] == [
            ("INI001", 7, 19), ("INI001", 8, 28), ("INI001", 9, 19), ("INI001", 10, 33), ("INI001", 10, 50),
            ("INI001", 11, 20)]
        emb = diagnostics[1]
        # `s, self.emb = "😀", ` : the emoji is one code point but two UTF-16 units
        assert MODEL.splitlines()[8][27:27 + len("nn.Linear(4, 4)")] == "nn.Linear(4, 4)"
        assert (emb.range.start.character, emb.range.end.character) == (28, 28 + len("nn.Linear(4, 4)"))
        assert {(d.source, d.severity) for d in diagnostics} == {("init-lint", types.DiagnosticSeverity.Warning)}
        assert diagnostics[0].code_description.href == \
            RULE_DOCS.format(code="ini001")  # this checkout's docs/rules.md: the project is published nowhere yet
        assert "self.hid" in diagnostics[0].message

        actions = await editor.actions("model.py", everything(MODEL), [FIX_ALL])
        assert [(a.title, a.kind) for a in actions] == [("Fix all init-lint findings", FIX_ALL)]
        assert apply_edit(MODEL, actions[0].edit, editor.uri("model.py")) == expected

    session(tmp_path, body)


def added_lines(before: str, after: str) -> Counter:
    return Counter(line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line.startswith("+ "))


def test_quick_fixes_fix_one_finding_each(tmp_path):
    async def body(editor: Editor) -> None:
        text = MODEL
        diagnostics = await editor.open("model.py", text)
        offered = {}
        for d in diagnostics:
            actions = await editor.actions("model.py", d.range, [types.CodeActionKind.QuickFix], [d])
            offered[d.range.start.line, d.range.start.character] = actions
        # every finding has its own fix, seq[0] and seq[1] too (they share one statement)
        assert [key for key, actions in offered.items() if actions] == [(7, 19), (8, 28), (9, 19), (10, 33),
                                                                        (10, 50), (11, 20)]
        action = offered[7, 19][0]
        assert action.kind == types.CodeActionKind.QuickFix and action.diagnostics[0].code == "INI001"
        assert action.edit.document_changes[0].text_document.version == 1
        only_hid = apply_edit(text, action.edit, editor.uri("model.py"))
        added = added_lines(text, only_hid)
        assert not added - added_lines(text, cli_fix(text, tmp_path))  # lines of the CLI's own fix, no others
        assert any("self.hid" in line for line in added)
        assert not any(name in line for line in added for name in ("emb", "out", "seq", "gate"))

        # Apply the quick fixes one by one, each on the text the previous one left.
        while True:
            fixable = []
            for d in diagnostics:
                fixable.extend(await editor.actions("model.py", d.range, [types.CodeActionKind.QuickFix], [d]))
            if not fixable:
                break
            fixed = apply_edit(text, fixable[0].edit, editor.uri("model.py"))
            after = await editor.replace("model.py", fixed)
            assert sorted(d.message for d in after) == sorted(
                d.message for d in diagnostics if d.message != fixable[0].diagnostics[0].message)
            text, diagnostics = fixed, after
        assert diagnostics == []
        # one at a time, the same lines as the CLI's fix (the two layers of one statement in either order)
        assert added_lines(MODEL, text) == added_lines(MODEL, cli_fix(MODEL, tmp_path))

    session(tmp_path, body)


def test_change_save_close_and_syntax_errors(tmp_path):
    path = tmp_path / "model.py"
    clean = MODEL.split("        self.hid")[0] + "        pass\n"

    async def body(editor: Editor) -> None:
        assert await editor.open("model.py", clean) == []
        assert await editor.actions("model.py", everything(clean), []) == []
        diagnostics = await editor.replace("model.py", MODEL)
        assert len(diagnostics) == 6
        broken = MODEL + "    def broken(:\n"
        diagnostics = await editor.replace("model.py", broken)
        assert [(d.code, d.severity, d.range.start.line) for d in diagnostics] == [
            ("INI900", types.DiagnosticSeverity.Error, 16)]
        path.write_text(MODEL)
        await editor.replace("model.py", MODEL)
        editor.client.text_document_did_save(types.DidSaveTextDocumentParams(
            types.TextDocumentIdentifier(uri=editor.uri("model.py"))))
        assert len(await editor.diagnostics(editor.uri("model.py"))) == 6
        editor.client.text_document_did_close(types.DidCloseTextDocumentParams(
            types.TextDocumentIdentifier(uri=editor.uri("model.py"))))
        assert await editor.diagnostics(editor.uri("model.py")) == []

    session(tmp_path, body)


def test_project_configuration_is_honored(tmp_path):
    project = tmp_path / "project"
    (project / "pkg").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.init-lint]\nper-file-ignores = { "pkg/legacy.py" = ["INI001"] }\n'
                                            'fix-style = "skip-init"\n')

    async def body(editor: Editor) -> None:
        assert await editor.open("project/pkg/legacy.py", MODEL) == []
        diagnostics = await editor.open("project/pkg/model.py", MODEL)
        assert len(diagnostics) == 6
        actions = await editor.actions("project/pkg/model.py", everything(MODEL), [FIX_ALL])
        fixed = apply_edit(MODEL, actions[0].edit, editor.uri("project/pkg/model.py"))
        assert "nn.utils.skip_init(nn.Linear, 3, 4)" in fixed

        (project / "pyproject.toml").write_text('[tool.init-lint]\nselect = ["INI7"]\n')
        diagnostics = await editor.replace("project/pkg/model.py", MODEL + "\n")
        assert [(d.code, d.severity) for d in diagnostics] == [("INI900", types.DiagnosticSeverity.Error)]
        assert "selects no rule" in diagnostics[0].message

    session(tmp_path, body)


def test_without_pygls_the_command_says_what_to_install(tmp_path):
    # A real interpreter run in which pygls cannot be imported (a None entry in sys.modules makes
    # `import pygls` raise ImportError), as on an install without the [lsp] extra.
    script = "import sys; sys.modules['pygls'] = None; from init_lint.cli import main; raise SystemExit(main(['lsp']))"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "pip install 'init-lint[lsp]'" in result.stderr


def big_model(classes: int) -> str:
    """A model file big enough that its first check takes a while (6 findings a class)."""
    block = textwrap.dedent("""\
        class Block{i}(nn.Module):
            def __init__(self, dim={dim}):
                super().__init__()
                self.fc1 = nn.Linear(dim, dim)
                self.fc2 = nn.Linear(dim, dim)
                self.gate = nn.Linear(dim, 1)
                self.conv = nn.Conv1d(dim, dim, 3)
                self.proj = nn.Linear(dim, dim)
                self.head = nn.Linear(dim, 10)

            def forward(self, x):
                return self.head(self.proj(self.fc2(self.fc1(x)))) * self.gate(x)


    """)
    return "import torch\nfrom torch import nn\n\n\n" + "".join(block.format(i=i, dim=16 + i) for i in range(classes))


def test_a_superseded_version_is_never_published(tmp_path):
    big = big_model(40)

    async def body(editor: Editor) -> None:
        uri = editor.uri("big.py")
        editor.versions[uri] = 1
        editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=big)))
        # New versions while the first check runs: the last one has one layer fewer.
        last = big.replace("        self.head = nn.Linear(dim, 10)\n", "", 1)
        for text in (big + "\n", big + "\n\n", last):
            editor.change("big.py", text)
        seen = await editor.publications(uri, 4)
        assert [version for version, _ in seen] == [4]  # versions 1-3 were superseded: never shown
        assert len(seen[-1][1]) == 6 * 40 - 1
        stats = await editor.stats("big.py")
        # The versions in between were never checked: the first check stopped early, or ran on (it
        # asks `stale()` only between stages, so on a fast machine it may pass the last one before the
        # changes arrive) and the next check was of the last version.
        assert stats.get("cancelled", 0) >= 1 or stats.get("check", 0) <= 2, stats
        editor.change("big.py", big)
        assert len((await editor.publications(uri, 5))[-1][1]) == 6 * 40

    session(tmp_path, body)


def test_code_actions_come_from_the_cached_analysis(tmp_path):
    async def body(editor: Editor) -> None:
        diagnostics = await editor.open("model.py", MODEL)
        quick = [types.CodeActionKind.QuickFix]
        first = await editor.actions("model.py", diagnostics[0].range, quick, [diagnostics[0]])
        again = await editor.actions("model.py", diagnostics[0].range, quick, [diagnostics[0]])
        assert len(first) == 1 and again == first
        await editor.actions("model.py", diagnostics[2].range, [types.CodeActionKind.QuickFix], [diagnostics[2]])
        fix_all = await editor.actions("model.py", everything(MODEL), [FIX_ALL])
        assert await editor.actions("model.py", everything(MODEL), [FIX_ALL]) == fix_all
        stats = await editor.stats("model.py")
        # one check of version 1; each finding's own fix built at most once (ahead of time, or when
        # asked); "fix all" assembled once, from them: no whole-file fix, no second check
        assert (stats.get("check"), stats.get("fix-all"), stats.get("fix"), stats.get("edits")) == (1, 1, None, 2)
        assert stats.get("own-fix") <= 6
        await editor.replace("model.py", MODEL + "\n")
        await editor.actions("model.py", diagnostics[0].range, [types.CodeActionKind.QuickFix], [diagnostics[0]])
        stats = await editor.stats("model.py")
        # a new version: its own fixes built anew, from its own check
        assert (stats.get("check"), stats.get("fix"), stats.get("edits")) == (2, None, 3)
        assert 6 < stats.get("own-fix") <= 12

    session(tmp_path, body)


#: `init-lint lsp` whose check of `big2.py` waits, in its worker, until the server has published the
#: diagnostics of `small.py`'s second version: a small document's check that queued behind the slow one
#: (checks run one at a time) would never be published, and the test would time out instead of racing
SERVER_WHOSE_BIG2_CHECK_WAITS_FOR_SMALL = textwrap.dedent("""\
    import threading

    from init_lint.frontends import lsp

    small_published = threading.Event()
    analyze = lsp._analyze_or_fail


    def held(uri, *args):
        if uri.endswith("/big2.py"):
            small_published.wait(60)
        return analyze(uri, *args)


    def build_server():
        server = build()
        publish = server.publish

        def publishing(uri, state):
            publish(uri, state)
            if uri.endswith("/small.py") and state.version == 2:
                small_published.set()

        server.publish = publishing
        return server


    lsp._analyze_or_fail, build, lsp.build_server = held, lsp.build_server, build_server
    lsp.serve()
""")


def test_another_document_is_not_held_back_by_a_slow_one(tmp_path):
    big = big_model(40)
    small = MODEL.split("        s, self.emb")[0] + "\n"

    async def body(editor: Editor) -> None:
        big_uri, small_uri, big2_uri = editor.uri("big.py"), editor.uri("small.py"), editor.uri("big2.py")
        await editor.open("big.py", big)
        # A whole-file fix of the big document is asked for while the small one is opened: both are
        # awaited, in no particular order (which answer comes first is not asserted).
        fix_all = asyncio.ensure_future(editor.actions("big.py", everything(big), [FIX_ALL]))
        await asyncio.sleep(0.2)
        editor.versions[small_uri] = 1
        editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=small_uri, language_id="python", version=1, text=small)))
        diagnostics = await editor.diagnostics(small_uri)
        assert [d.code for d in diagnostics] == ["INI001"]
        assert len(await fix_all) == 1
        # A check of another big document under way (held in its worker until small.py's new version is
        # published): the small document's change must be checked beside it, in another worker.
        editor.versions[big2_uri] = 1
        editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=big2_uri, language_id="python", version=1, text=big)))
        editor.change("small.py", MODEL)
        order = []
        while len(order) < 2:
            params = await asyncio.wait_for(editor.published.get(), TIMEOUT)
            order.append((params.uri, params.version))
        assert order == [(small_uri, 2), (big2_uri, 1)]
        assert big_uri not in [uri for uri, _ in order]

    async def main():
        async with Editor(tmp_path, server=("-c", SERVER_WHOSE_BIG2_CHECK_WAITS_FOR_SMALL)) as editor:
            await body(editor)

    asyncio.run(main())


def test_other_files_of_the_project_count(tmp_path):
    """A block whose model in another file initializes it is not reported, as `check --project` does."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    blocks = textwrap.dedent("""\
        from torch import nn


        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)


        class Loose(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(4, 4)
    """)
    model = textwrap.dedent("""\
        from torch import nn

        from pkg.blocks import Block


        class Model(nn.Module):
            def __init__(self):
                super().__init__()
                self.block = Block()
                self.apply(self._init)

            def _init(self, module):
                if isinstance(module, nn.Linear):
                    nn.init.xavier_uniform_(module.weight)
                    nn.init.zeros_(module.bias)
    """)
    (tmp_path / "pkg" / "blocks.py").write_text(blocks)
    (tmp_path / "pkg" / "model.py").write_text(model)

    def explain(target: str) -> str:
        return subprocess.run([sys.executable, "-m", "init_lint", "explain", target, "--no-cache"],
                              capture_output=True, text=True, cwd=tmp_path, timeout=60).stdout

    async def body(editor: Editor) -> None:
        diagnostics = await editor.open("pkg/blocks.py", blocks)
        assert [(d.code, d.range.start.line) for d in diagnostics] == [("INI001", 12)]  # Loose only
        # The hover says why Block's layer is silent, as `init-lint explain pkg/blocks.py:7` does.
        covered = (await editor.hover("pkg/blocks.py", 6, 20)).contents.value
        assert "in the project: not reported: the project initializes it on every way it is built" in covered
        assert f"pkg{os.sep}model.py builds Block" in covered
        assert explain("pkg/blocks.py:7") in covered
        assert explain("pkg/blocks.py:13") in (await editor.hover("pkg/blocks.py", 12, 20)).contents.value
        # The model stops initializing Linear layers, and is saved: Block's layer is reported again.
        uninitialized = model.replace("nn.init.xavier_uniform_(module.weight)", "pass").replace(
            "            nn.init.zeros_(module.bias)\n", "")
        (tmp_path / "pkg" / "model.py").write_text(uninitialized)
        await editor.open("pkg/model.py", uninitialized)
        editor.client.text_document_did_save(types.DidSaveTextDocumentParams(
            types.TextDocumentIdentifier(uri=editor.uri("pkg/model.py"))))
        uri = editor.uri("pkg/blocks.py")
        while True:
            diagnostics = await editor.diagnostics(uri)
            if len(diagnostics) == 2:
                break
        assert [d.range.start.line for d in diagnostics] == [6, 12]

    session(tmp_path, body)


def test_quick_fixes_and_fix_all_are_prepared_while_the_user_pauses(tmp_path):
    async def body(editor: Editor) -> None:
        diagnostics = await editor.open("model.py", MODEL)
        for _ in range(100):  # the server builds the findings' own fixes, then "fix all", once the user pauses
            if (await editor.stats("model.py")).get("fix-all"):
                break
            await asyncio.sleep(0.1)
        prepared = await editor.stats("model.py")
        assert (prepared.get("own-fix"), prepared.get("fix-all")) == (6, 1)
        actions = await editor.actions("model.py", diagnostics[0].range, [types.CodeActionKind.QuickFix, FIX_ALL],
                                       [diagnostics[0]])
        assert [a.kind for a in actions] == [types.CodeActionKind.QuickFix, FIX_ALL]
        assert apply_edit(MODEL, actions[1].edit, editor.uri("model.py")) == cli_fix(MODEL, editor.folder)
        stats = await editor.stats("model.py")
        # from what was prepared: nothing built again, no whole-file fix
        assert (stats.get("check"), stats.get("own-fix"), stats.get("fix-all"), stats.get("fix")) == (1, 6, 1, None)

    session(tmp_path, body)


def test_a_quick_fix_right_after_an_edit_is_made_for_the_new_version(tmp_path):
    """Asked before the new version's diagnostics, a quick fix is that version's: never the previous
    version's edits (prepared and cached, but for lines that have moved)."""
    uri_name = "model.py"
    shifted = "# two lines\n# above\n" + MODEL
    moved_again = "# and one more\n" + shifted

    def recipe_follows_hid(text: str) -> bool:
        lines = text.splitlines()
        at = lines.index("        self.hid = nn.Linear(3, 4)")
        return "self.hid" in lines[at + 1] and "init" in lines[at + 1]

    async def body(editor: Editor) -> None:
        uri = editor.uri(uri_name)
        await editor.open(uri_name, MODEL)
        for _ in range(100):  # version 1's fixes prepared: a cache that must not answer for version 2
            if (await editor.stats(uri_name)).get("fix-all"):
                break
            await asyncio.sleep(0.1)
        version = editor.change(uri_name, shifted)  # no wait for its diagnostics
        hid = types.Range(types.Position(9, 19), types.Position(9, 34))
        actions = await editor.actions(uri_name, hid, [types.CodeActionKind.QuickFix])
        assert len(actions) == 1
        assert actions[0].edit.document_changes[0].text_document.version == version
        fixed = apply_edit(shifted, actions[0].edit, uri)
        assert recipe_follows_hid(fixed)
        assert not added_lines(shifted, fixed) - added_lines(shifted, cli_fix(shifted, tmp_path))

        # A change arrives while the code action waits: the answer is for the newest version, or nothing.
        editor.change(uri_name, MODEL)
        pending = asyncio.ensure_future(editor.actions(uri_name, hid, [types.CodeActionKind.QuickFix, FIX_ALL]))
        await asyncio.sleep(0)
        newest = editor.change(uri_name, moved_again)
        actions = await pending
        for action in actions:
            assert action.edit.document_changes[0].text_document.version == newest
        if actions:
            assert apply_edit(moved_again, actions[-1].edit, uri) == cli_fix(moved_again, tmp_path)

    session(tmp_path, body)


def test_hover_explains_the_layers_of_the_line(tmp_path):
    (tmp_path / "model.py").write_text(MODEL)

    def explain(line: int) -> str:
        return subprocess.run([sys.executable, "-m", "init_lint", "explain", f"model.py:{line}", "--no-cache"], capture_output=True,
                              text=True, cwd=tmp_path, timeout=60).stdout

    async def body(editor: Editor) -> None:
        await editor.open("model.py", MODEL)
        hid = await editor.hover("model.py", 7, 25)
        assert hid.contents.kind == types.MarkupKind.Markdown
        assert "self.hid = nn.Linear(3, 4)" in hid.contents.value
        assert "keeps the default (reported)" in hid.contents.value
        assert explain(8) in hid.contents.value  # what `init-lint explain model.py:8` prints
        assert (hid.range.start.line, hid.range.start.character, hid.range.end.character) == (7, 19, 34)
        gate = await editor.hover("model.py", 11, 0)  # anywhere on the line
        assert "weight: initialized" in gate.contents.value and "model.py:13" in gate.contents.value
        assert explain(12) in gate.contents.value
        assert await editor.hover("model.py", 14, 8) is None  # `def forward`: no layer built there

    session(tmp_path, body)


def test_an_edit_while_a_code_action_is_answered_never_gets_the_older_versions_edits(tmp_path):
    """An edit that lands while the server builds a code action's fixes: the answer is either nothing
    or edits labelled with the version they were made for, right on that version's text."""
    big = big_model(40)
    texts = {2: "# v2\n" + big, 3: "# v3\n# two lines more\n# than v2\n" + big}
    statement = "        self.fc1 = nn.Linear(dim, dim)"

    def twentieth(text: str) -> int:
        return [n for n, line in enumerate(text.splitlines()) if line == statement][20]

    async def body(editor: Editor) -> None:
        uri = editor.uri("big.py")
        await editor.open("big.py", big)
        editor.change("big.py", texts[2])
        await editor.publications(uri, 2)
        line = twentieth(texts[2])
        where = types.Range(types.Position(line, 0), types.Position(line, len(statement)))
        pending = asyncio.ensure_future(editor.actions("big.py", where, [types.CodeActionKind.QuickFix, FIX_ALL]))
        await asyncio.sleep(0.2)
        editor.change("big.py", texts[3])
        for action in await pending:
            version = action.edit.document_changes[0].text_document.version
            fixed = apply_edit(texts[version], action.edit, uri)
            after = fixed.splitlines()[twentieth(fixed) + 1]  # (the fix may add `import math` above)
            assert "self.fc1" in after and "init" in after, (action.kind, version)

    session(tmp_path, body)


def test_fix_all_offered_on_a_cursor_move_is_resolved_for_its_own_version(tmp_path):
    """Asked for every kind (a cursor move) before "fix all" is built, the server offers it at once,
    and a client that resolves actions gets its edit then: for the version it was offered on only."""
    async def body(editor: Editor) -> None:
        uri = editor.uri("model.py")
        diagnostics = await editor.open("model.py", MODEL)
        actions = await editor.actions("model.py", diagnostics[0].range, None)
        assert [a.kind for a in actions] == [types.CodeActionKind.QuickFix, FIX_ALL]
        fix_all = actions[1] if actions[1].edit is not None else await editor.resolve(actions[1])
        assert apply_edit(MODEL, fix_all.edit, uri) == cli_fix(MODEL, tmp_path)
        offered = types.CodeAction(title=fix_all.title, kind=FIX_ALL, data={"uri": uri, "version": 1})
        assert (await editor.resolve(offered)).edit is not None
        await editor.replace("model.py", MODEL + "\n")
        assert (await editor.resolve(offered)).edit is None  # version 1's action, resolved on version 2

    session(tmp_path, body, resolves=True)


#: `init-lint lsp` whose first check of a document waits, in its worker, for the `exit` notification,
#: and hands its result to the event loop before pygls goes on to close stdout: the order in which a
#: check running at exit ends under load (the client, as pygls's own, never reads the server's stderr)
SERVER_WHOSE_CHECK_ENDS_AT_EXIT = textwrap.dedent("""\
    import threading

    from lsprotocol import types

    from init_lint.frontends import lsp

    started, released, handed_over = threading.Event(), threading.Event(), threading.Event()
    checks = []
    analyze = lsp._analyze_or_fail


    def held(*args):
        started.set()
        released.wait()
        return analyze(*args)


    def build_server():
        server = build()
        submit, shutdown = server.pool.submit, server.pool.shutdown

        def recorded(fn, *args, **kwargs):
            future = submit(fn, *args, **kwargs)
            if fn is held and not checks:
                checks.append(future)
            return future

        def shutdown_once_started(**kwargs):
            started.wait(60)  # the check is in a worker: the shutdown cannot cancel it
            shutdown(**kwargs)

        server.pool.submit, server.pool.shutdown = recorded, shutdown_once_started

        @server.feature(types.EXIT)
        def on_exit(ls, params):  # pygls closes stdout after this
            for future in checks:  # (called after the event loop's own callback: the check's result is on its way)
                future.add_done_callback(lambda f: handed_over.set())
            released.set()
            handed_over.wait(60)

        return server


    lsp._analyze_or_fail, build, lsp.build_server = held, lsp.build_server, build_server
    lsp.serve()
""")


def test_a_check_that_ends_after_exit_does_not_keep_the_server_from_exiting(tmp_path):
    """A check still running at shutdown ends after `exit` closed stdout; its result, handed to the
    event loop that asyncio.run runs once more as it closes, is not published to the closed stdout
    (whose failure pygls reported by writing to it again, without end, to a stderr nobody reads)."""
    async def body(editor: Editor) -> None:
        uri = editor.uri("model.py")
        editor.versions[uri] = 1
        editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=MODEL)))

    async def main():
        async with Editor(tmp_path, server=("-c", SERVER_WHOSE_CHECK_ENDS_AT_EXIT)) as editor:
            await body(editor)

    asyncio.run(main())


def test_an_answer_after_exit_without_shutdown_does_not_keep_the_server_from_exiting(tmp_path):
    """`exit` without `shutdown` while a code action waits for the document's check: the action is
    answered as asyncio.run closes the loop, after stdout was closed; the server still exits."""
    async def main():
        editor = Editor(tmp_path, server=("-c", SERVER_WHOSE_CHECK_ENDS_AT_EXIT))
        await editor.__aenter__()
        uri = editor.uri("model.py")
        editor.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=MODEL)))
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri), range=everything(MODEL),
            context=types.CodeActionContext(diagnostics=[], only=[FIX_ALL]))
        pending = editor.client.protocol.send_request_async(types.TEXT_DOCUMENT_CODE_ACTION, params)
        editor.client.exit(None)
        try:
            await asyncio.wait_for(editor.client.stop(), TIMEOUT)
        finally:
            editor.kill()
        await asyncio.gather(pending, return_exceptions=True)  # the answer never reaches the client

    asyncio.run(main())
