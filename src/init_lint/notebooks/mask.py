"""Hide IPython syntax from the Python parser, line for line, and put it back after a fix.

What IPython accepts and Python does not: line magics (`%matplotlib inline`), shell lines
(`!pip install torch`), assignments from either (`files = !ls`), help (`model?`, `??nn.Linear`),
autocall escapes (`/print x`) and cell magics (`%%time`, `%%bash`).  Each such line becomes a
Python line of its own that says nothing (a comment; `pass` where a block needs a statement;
`x = None` for an assignment), so the module keeps one line per line of the cell and every
finding's line and column stay right.  A cell magic that makes the body something other than
Python (`%%bash`, `%%html`, `%%writefile`, ...) masks the whole cell; the ones that run their body
as Python in the kernel (`%%time`, `%%capture`, ...) mask only their own line.

Every masked line carries a marker unique in the notebook, so the fixed text can be unmasked by
an exact line match, and a fix that ever touched a masked line would be noticed, not written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: cell magics whose body runs as Python in the kernel's namespace
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
MARKER = "init-lint masked"

_ASSIGNED_MAGIC = re.compile(r"^(?P<target>[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*)\s*=\s*[%!]")
_AUTOCALL = re.compile(r"^[/,;][A-Za-z_]")
#: Python's line ends (str.splitlines also splits at form feeds, which Python does not)
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_CELL_MAGIC = re.compile(r"^%%(?P<name>[A-Za-z_][\w-]*)")


@dataclass
class MaskedCell:
    #: the cell's text as Python: as many lines as the source, each ending with a newline
    text: str
    #: masked line (without its line end) -> the original line it stands for
    masked: dict = field(default_factory=dict)
    #: False when a cell magic makes the body something other than Python
    python: bool = True
    #: how the cell's first line ends ("\n" when it has one line)
    line_end: str = "\n"

    def unmask(self, text: str) -> str:
        """The original lines back in place of the masked ones (line ends as they are in `text`)."""
        if not self.masked:
            return text
        out = []
        for line in _LINE.findall(text):
            body = line.rstrip("\r\n")
            out.append(self.masked[body] + line[len(body):] if body in self.masked else line)
        return "".join(out)

    def intact(self, text: str) -> bool:
        """Whether every masked line is still in `text`, each exactly once."""
        lines = [line.rstrip("\r\n") for line in _LINE.findall(text)]
        return all(lines.count(masked) == 1 for masked in self.masked)


def mask_cell(source: str, tag: str) -> MaskedCell:
    """The cell's source as Python; `tag` (the cell's number) makes the markers unique in the notebook."""
    with_ends = _LINE.findall(source)
    lines = [line.rstrip("\r\n") for line in with_ends]
    ends = [line[len(body):] or "\n" for line, body in zip(with_ends, lines)]
    cell = MaskedCell("", line_end=next((end for end in ends[:-1]), "\n"))
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    magic = _CELL_MAGIC.match(lines[first]) if first is not None else None
    out = list(lines)
    if magic is not None and magic.group("name") not in PYTHON_CELL_MAGICS:
        cell.python = False
        for number, line in enumerate(lines):
            if line.strip():
                out[number] = _masked(cell, line, f"# {MARKER} {tag}.{number + 1}")
        cell.text = "".join(line + end for line, end in zip(out, ends))
        return cell
    scanner = _Scanner()
    previous_code = ""  # the last line of Python seen, to know whether a block needs a body
    continued_magic = False
    for number, line in enumerate(lines):
        at_statement_start = scanner.at_statement_start()
        code = scanner.feed(line)
        stripped = line.lstrip()
        marker = f"# {MARKER} {tag}.{number + 1}"
        if continued_magic:
            out[number] = _masked(cell, line, marker)
            continued_magic = line.rstrip().endswith("\\")
            scanner.reset()
            continue
        if not at_statement_start or not stripped:
            if code.strip():
                previous_code = code
            continue
        if number == first and magic is not None:
            kind = "comment"
        elif stripped.startswith(("%", "!", "?")) or _AUTOCALL.match(stripped) or code.rstrip().endswith("?"):
            kind = "statement"
        elif _ASSIGNED_MAGIC.match(stripped):
            kind = "assignment"
        else:
            if code.strip():
                previous_code = code
            continue
        indent = line[:len(line) - len(stripped)]
        if kind == "assignment":
            target = _ASSIGNED_MAGIC.match(stripped).group("target")
            replacement = f"{indent}{target} = None  {marker}"
        elif indent and previous_code.rstrip().endswith(":"):
            replacement = f"{indent}pass  {marker}"
        else:
            replacement = f"{indent}{marker}"
        out[number] = _masked(cell, line, replacement)
        previous_code = replacement
        continued_magic = line.rstrip().endswith("\\")
        scanner.reset()
    cell.text = "".join(line + end for line, end in zip(out, ends))
    return cell


def _masked(cell: MaskedCell, original: str, replacement: str) -> str:
    cell.masked[replacement] = original
    return replacement


class _Scanner:
    """Just enough of Python's tokenizer to know whether a line starts a statement.

    Tracks open brackets, strings that go on to the next line and backslash continuations; a
    line inside any of them is never a magic (`a = (b\\n % c)` is Python).
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.depth = 0
        self.quote = ""
        self.backslash = False

    def at_statement_start(self) -> bool:
        return self.depth == 0 and not self.quote and not self.backslash

    def feed(self, line: str) -> str:
        """Advance over one line; return its code before any comment."""
        index, length, comment = 0, len(line), len(line)
        while index < length:
            char = line[index]
            if self.quote:
                if char == "\\":
                    index += 2
                    continue
                if line.startswith(self.quote, index):
                    index += len(self.quote)
                    self.quote = ""
                    continue
                index += 1
                continue
            if char == "#":
                comment = index
                break
            if char in "\"'":
                self.quote = char * 3 if line.startswith(char * 3, index) else char
                index += len(self.quote)
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            index += 1
        code = line[:comment]
        ends_with_backslash = code.rstrip("\r\n").endswith("\\")
        if len(self.quote) == 1 and not ends_with_backslash:
            self.quote = ""  # an unterminated one-line string: Python's error, not ours to carry on
        self.backslash = ends_with_backslash and not self.quote
        return code
