"""What every rule is: a code, a name, its documentation page, examples, and a check."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Optional

import libcst as cst

if TYPE_CHECKING:
    from init_lint.analysis import FileAnalysis


@dataclass
class RawFinding:
    """A finding before it has a position: the node to report, the message, and the fix plan."""

    node: cst.CSTNode
    message: str
    fix: Optional[str] = None
    plan: object = None
    strict: bool = False
    #: project mode: how the verdict depends on the models of this file (see ModuleTree.verdict)
    depends: tuple = ()
    #: the concrete remedy, printed on its own `help:` line
    help: str = ""


@dataclass
class CheckContext:
    """What a rule's check reads: the file's analysis and the settings that change verdicts."""

    analysis: "FileAnalysis"
    strict: bool = False

    def code(self, node: cst.CSTNode) -> str:
        """The source text of a node."""
        return self.analysis.module.code_for_node(node).strip()


@dataclass
class Rule:
    """A rule: its code, name, documentation, examples, and a check that yields findings."""

    code: str
    name: str
    summary: str
    what: str
    why: str
    example: str
    use_instead: str
    fix_safety: str
    #: code that must not trigger the rule, and code that must (each a whole file)
    valid: list = field(default_factory=list)
    invalid: list = field(default_factory=list)

    def check(self, context: CheckContext) -> Iterator[RawFinding]:
        """The rule's findings in one analyzed file."""
        raise NotImplementedError

    def page(self) -> str:
        """The rule's documentation, in the shape of ruff's rule pages."""
        return "\n".join([
            f"# {self.name} ({self.code})",
            "",
            self.summary,
            "",
            "## What it does",
            textwrap.dedent(self.what).strip(),
            "",
            "## Why is this bad?",
            textwrap.dedent(self.why).strip(),
            "",
            "## Example",
            "```python",
            textwrap.dedent(self.example).strip("\n"),
            "```",
            "",
            "Use instead:",
            "```python",
            textwrap.dedent(self.use_instead).strip("\n"),
            "```",
            "",
            "## Fix safety",
            textwrap.dedent(self.fix_safety).strip(),
            "",
        ])
