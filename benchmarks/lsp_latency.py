"""Language server latencies, before and after, measured in one run (issue 14).

    python benchmarks/lsp_latency.py [--before SRC] [--edits N] [--rounds N] [--classes N]

Starts `python -m init_lint lsp` over stdio (pygls's client, as tests/test_lsp.py does) once with
`--before SRC` on PYTHONPATH (default: /work/main/src, the last merged state) and once with this
checkout's src/, on a generated model file of about 2,000 lines with about 280 findings (INI001,
every one with a safe fix), and prints:

- **open**: the first diagnostics of the big file after didOpen (a cold check);
- **edit**: diagnostics after an edit on a warm server (didChange of one line in one class, to the
  publishDiagnostics of that version; median and best of N edits).  Goal: <= 0.3 s;
- **quick fix, new version**: the first `textDocument/codeAction` (quick fix at one finding) on
  a version, when the fix is computed; **quick fix, again**: the same request again (from
  cache); **quick fix, next finding**: another finding on the same version.  Goal: <= 0.1 s;
- **fix all**: the `source.fixAll.init-lint` action on that version;
- **quick fix / fix all right after an edit**: an edit, and at once (before its diagnostics) the
  code action: the time from the edit to the answer (the new version's check, then its fixes);
- **quick fix / fix all after a pause**: an edit, then a pause (`PAUSE` seconds: the user reads),
  then the code action: what a person sees when the server prepares fixes while they pause.  Goal:
  <= 0.1 s;
- **small file while big is checked**: the delay of a small document's diagnostics opened right
  after a second big document (whose first check is under way), and right after a code action
  on a new version of the big one (whose fix is being computed).  Ideally the small file's own
  check time.

Run it with the project's venv (pygls installed).  Figures depend on the machine's load: both
servers run in the same run, one after the other, `--rounds` times, alternating.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 300

SMALL = textwrap.dedent("""\
    from torch import nn


    class Head(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(8, 2)
""")


def big_model(classes: int) -> str:
    """~42 lines and 6 INI001 findings per class (plus a LayerNorm, a Dropout and plain code)."""
    parts = ["import math\n", "import torch\n", "from torch import nn\n", "import torch.nn.functional as F\n\n\n"]
    for i in range(classes):
        parts.append(textwrap.dedent(f"""\
            class Block{i}(nn.Module):
                \"\"\"Block {i}: a small residual MLP with a gate.

                Every layer keeps PyTorch's default init (6 INI001 findings).\"\"\"

                def __init__(self, dim={64 + i}, hidden={128 + i}):
                    super().__init__()
                    self.norm = nn.LayerNorm(dim)
                    self.fc1 = nn.Linear(dim, hidden)
                    self.fc2 = nn.Linear(hidden, dim)
                    self.gate = nn.Linear(dim, 1)
                    self.conv = nn.Conv1d(dim, dim, 3, padding=1)
                    self.proj = nn.Linear(dim, dim)
                    self.head = nn.Linear(dim, 10)
                    self.drop = nn.Dropout(0.1)
                    self.scale = {i + 1} * 0.5

                def forward(self, x):
                    h = self.norm(x)
                    h = F.gelu(self.fc1(h))
                    h = self.drop(self.fc2(h))
                    g = torch.sigmoid(self.gate(x))
                    c = self.conv(x.transpose(1, 2)).transpose(1, 2)
                    y = x + g * h + c
                    y = self.proj(y) * self.scale
                    z = self.head(y)
                    if z.shape[-1] > 5:
                        z = z + 1
                    else:
                        z = z - 1
                    return z.mean(dim=-1)

                def extra_repr(self):
                    parts = []
                    for name in ("fc1", "fc2", "gate"):
                        parts.append(name)
                    return ", ".join(parts)

                def scaled(self, x, factor=1.0):
                    # scales the output without touching any layer
                    return self.forward(x) * factor * math.sqrt(self.scale)


            """))
    return "".join(parts)


class Client:
    def __init__(self, src: str, folder: Path) -> None:
        self.src, self.folder = src, folder
        self.client = LanguageClient("lsp-latency", "1")
        self.arrived: dict = {}  # (uri, version) -> arrival time
        self.event = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.arrived.setdefault((params.uri, params.version), (time.perf_counter(), len(params.diagnostics)))
            self.event.set()

    async def __aenter__(self) -> "Client":
        env = dict(os.environ, PYTHONPATH=self.src)
        await self.client.start_io(sys.executable, "-m", "init_lint", "lsp", cwd=str(self.folder), env=env)
        capabilities = types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(
            workspace_edit=types.WorkspaceEditClientCapabilities(document_changes=True)))
        await self.client.initialize_async(types.InitializeParams(
            capabilities=capabilities, root_uri=self.folder.as_uri(), process_id=None))
        self.client.initialized(types.InitializedParams())
        return self

    async def __aexit__(self, *exc) -> None:
        await asyncio.wait_for(self.client.shutdown_async(None), TIMEOUT)
        self.client.exit(None)
        await asyncio.wait_for(self.client.stop(), TIMEOUT)

    def uri(self, name: str) -> str:
        return (self.folder / name).as_uri()

    async def wait(self, uri: str, version: int) -> tuple:
        deadline = time.perf_counter() + TIMEOUT
        while (uri, version) not in self.arrived:
            self.event.clear()
            await asyncio.wait_for(self.event.wait(), max(0.01, deadline - time.perf_counter()))
        return self.arrived[uri, version]

    def open(self, name: str, text: str) -> float:
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=self.uri(name), language_id="python", version=1, text=text)))
        return time.perf_counter()

    def change(self, name: str, version: int, text: str) -> float:
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=self.uri(name), version=version),
            [types.TextDocumentContentChangeWholeDocument(text=text)]))
        return time.perf_counter()

    async def actions(self, name: str, where: types.Range, kind: str) -> tuple:
        params = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=self.uri(name)), range=where,
            context=types.CodeActionContext(diagnostics=[], only=[kind]))
        start = time.perf_counter()
        result = await asyncio.wait_for(self.client.text_document_code_action_async(params), TIMEOUT)
        return time.perf_counter() - start, result or []


def line_range(line: int) -> types.Range:
    return types.Range(types.Position(line, 0), types.Position(line, 200))


async def measure(src: str, text: str, edits: int) -> dict:
    out: dict = {}
    lines = text.splitlines(keepends=True)
    fc1 = [n for n, line in enumerate(lines) if "self.fc1 = nn.Linear" in line]
    scale = [n for n, line in enumerate(lines) if "self.scale = " in line]
    with tempfile.TemporaryDirectory() as folder:
        async with Client(src, Path(folder)) as client:
            big = client.uri("big.py")
            sent = client.open("big.py", text)
            arrived, count = await client.wait(big, 1)
            out["open"] = [arrived - sent]
            out["findings"] = count
            version, current = 1, lines
            samples = []
            for i in range(edits):
                await asyncio.sleep(0.5)  # a pause in typing: the previous check is over
                version += 1
                current = list(current)
                n = scale[(i * 7) % len(scale)]
                current[n] = current[n].replace("* 0.5", f"* 0.{version}")
                sent = client.change("big.py", version, "".join(current))
                arrived, _ = await client.wait(big, version)
                samples.append(arrived - sent)
            out["edit"] = samples
            seconds, actions = await client.actions("big.py", line_range(fc1[3]), types.CodeActionKind.QuickFix)
            out["quick fix, new version"] = [seconds]
            out["quick fixes offered"] = len(actions)
            out["quick fix, again"] = [(await client.actions("big.py", line_range(fc1[3]),
                                                             types.CodeActionKind.QuickFix))[0]]
            out["quick fix, next finding"] = [(await client.actions("big.py", line_range(fc1[4]),
                                                                    types.CodeActionKind.QuickFix))[0]]
            out["fix all"] = [(await client.actions("big.py", line_range(0), "source.fixAll.init-lint"))[0]]

            # An edit, and at once (before its diagnostics) a quick fix, then "fix all": the time from
            # the edit to the answer, which must be the new version's.
            samples, fix_all = [], []
            for i in range(3):
                await asyncio.sleep(0.5)
                version += 1
                n = scale[(i * 5 + 3) % len(scale)]
                current[n] = current[n].replace("* 0.", "* 3.")
                sent = client.change("big.py", version, "".join(current))
                await client.actions("big.py", line_range(fc1[5 + i]), types.CodeActionKind.QuickFix)
                samples.append(time.perf_counter() - sent)
                await client.wait(big, version)
                await asyncio.sleep(0.5)
                version += 1
                current[n] = current[n].replace("* 3.", "* 4.")
                sent = client.change("big.py", version, "".join(current))
                await client.actions("big.py", line_range(0), "source.fixAll.init-lint")
                fix_all.append(time.perf_counter() - sent)
                await client.wait(big, version)
            out["quick fix right after an edit"] = samples
            out["fix all right after an edit"] = fix_all

            # An edit, a pause of a few seconds (reading, thinking), then the cursor on a finding.
            version += 1
            current[scale[1]] = current[scale[1]].replace("* 0.", "* 2.")
            client.change("big.py", version, "".join(current))
            await client.wait(big, version)
            await asyncio.sleep(PAUSE)
            out["quick fix after a pause"] = [(await client.actions("big.py", line_range(fc1[2]),
                                                                    types.CodeActionKind.QuickFix))[0]]
            out["fix all after a pause"] = [(await client.actions("big.py", line_range(0),
                                                                  "source.fixAll.init-lint"))[0]]

            # A second big document's first check under way, then a small document.
            client.open("big2.py", text)
            await asyncio.sleep(0.05)
            sent = client.open("small.py", SMALL)
            arrived, _ = await client.wait(client.uri("small.py"), 1)
            out["small file while big opens"] = [arrived - sent]
            await client.wait(client.uri("big2.py"), 1)

            # A code action on a new version of the big document (its fix computed), then a small change.
            version += 1
            current[scale[0]] = current[scale[0]].replace("* 0.", "* 1.")
            client.change("big.py", version, "".join(current))
            await client.wait(big, version)
            action = asyncio.ensure_future(client.actions("big.py", line_range(fc1[1]), types.CodeActionKind.QuickFix))
            await asyncio.sleep(0.05)
            sent = client.change("small.py", 2, SMALL + "\n")
            arrived, _ = await client.wait(client.uri("small.py"), 2)
            out["small file during a code action"] = [arrived - sent]
            await action
    return out


#: seconds between an edit's diagnostics and the next quick fix in "quick fix after a pause"
PAUSE = 8.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", default="/work/main/src", help="src/ of the 'before' state")
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--classes", type=int, default=47, help="classes in the generated file (6 findings each)")
    args = parser.parse_args()
    text = big_model(args.classes)
    print(f"generated file: {text.count(chr(10))} lines, {args.classes} classes; "
          f"before = {args.before}, after = {ROOT / 'src'}; load average {os.getloadavg()[0]:.1f} "
          f"on {os.cpu_count()} cores", flush=True)
    results: dict = {"before": {}, "after": {}}
    for round_ in range(args.rounds):
        for label, src in (("before", args.before), ("after", str(ROOT / "src"))):
            for key, value in asyncio.run(measure(src, text, args.edits)).items():
                if isinstance(value, list):
                    results[label].setdefault(key, []).extend(value)
                else:
                    results[label][key] = value
            print(f"round {round_ + 1}: {label} done", file=sys.stderr, flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")
    print(f"findings published: before {results['before'].get('findings')}, after {results['after'].get('findings')}; "
          f"quick fixes offered at one line: before {results['before'].get('quick fixes offered')}, "
          f"after {results['after'].get('quick fixes offered')}")
    print(f"| {'measure':<34} | {'before s (median / best)':>24} | {'after s (median / best)':>24} | ratio |")
    print(f"|{'-' * 36}|{'-' * 26}:|{'-' * 26}:|------:|")
    for key, before in results["before"].items():
        if not isinstance(before, list):
            continue
        after = results["after"][key]
        b, a = statistics.median(before), statistics.median(after)
        print(f"| {key:<34} | {b:>12.3f} / {min(before):>9.3f} | {a:>12.3f} / {min(after):>9.3f} | "
              f"{b / a if a else float('inf'):>5.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
