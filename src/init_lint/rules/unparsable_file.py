"""INI900 unparsable-file: a file that cannot be read or parsed."""

from __future__ import annotations

from typing import Iterator

from init_lint.rules.base import CheckContext, RawFinding, Rule


class UnparsableFile(Rule):
    """INI900: files the checker could not read or parse (the checker itself reports them)."""

    def check(self, context: CheckContext) -> Iterator[RawFinding]:
        # Reported by the checker itself, before any analysis can run.
        """Nothing: INI900 findings come from the checker, never from an analysis."""
        return iter(())


RULE = UnparsableFile(
    code="INI900",
    name="unparsable-file",
    summary="A file that cannot be read, decoded or parsed.",
    what="""
        Reports a file init-lint cannot check: a syntax error, bytes that do not decode in the file's
        declared encoding, a file over the size limit, a path that is not a regular file. The run goes
        on with the other files and exits with code 2.
    """,
    why="""
        A file that is not checked can hide every other finding. The error says why, so you can fix the
        file or exclude it.
    """,
    example="""
        class Net(nn.Module:
            ...
    """,
    use_instead="""
        class Net(nn.Module):
            ...
    """,
    fix_safety="""
        No fix.
    """,
)
