"""What `init-lint verify` found, per class and per file, and how it is printed (text or JSON)."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Optional

IDENTICAL = "identical"
DIFFERS = "differs"
SKIPPED = "skipped"
ERROR = "error"


@dataclass(frozen=True)
class TensorDifference:
    """One parameter or buffer that is not the same in the fixed model."""

    name: str
    #: "values", "shape", "dtype", "missing from the fixed model", "only in the fixed model"
    problem: str
    max_abs_diff: Optional[float] = None
    original: str = ""
    fixed: str = ""

    def describe(self) -> str:
        if self.problem == "values":
            if self.max_abs_diff is None:
                return f"{self.name} (NaN on one side only: a parameter left undrawn)"
            return f"{self.name} (max abs diff {self.max_abs_diff:.6g})"
        if self.original or self.fixed:
            return f"{self.name} ({self.problem}: {self.original} vs {self.fixed})"
        return f"{self.name} ({self.problem})"


@dataclass(frozen=True)
class ClassVerification:
    name: str
    status: str
    detail: str = ""
    differences: tuple[TensorDifference, ...] = ()

    def describe(self) -> str:
        if self.status == DIFFERS:
            shown = ", ".join(d.describe() for d in self.differences[:8])
            more = f", and {len(self.differences) - 8} more" if len(self.differences) > 8 else ""
            return f"{DIFFERS}: {shown}{more}"
        return f"{self.status}: {self.detail}" if self.detail else self.status


@dataclass
class FileVerification:
    path: str
    classes: list[ClassVerification] = field(default_factory=list)
    #: the whole file could not be verified (import failure, timeout, crash, no fix computed)
    error: Optional[str] = None
    #: nothing in the file to verify (no nn.Module classes, not valid Python)
    skipped: Optional[str] = None

    def statuses(self) -> Counter:
        counts = Counter(c.status for c in self.classes)
        if self.error:
            counts[ERROR] += 1
        return counts


def exit_code(files: list[FileVerification]) -> int:
    """2 on any error or when no class ran, else 1 when any class differs, else 0."""
    counts = Counter()
    for verification in files:
        counts.update(verification.statuses())
    if counts[ERROR] or not (counts[IDENTICAL] + counts[DIFFERS]):
        return 2
    return 1 if counts[DIFFERS] else 0


def format_text(files: list[FileVerification], *, style: str, seed: int) -> str:
    lines = []
    for verification in files:
        if verification.error:
            lines.append(f"{verification.path}: {ERROR}: {verification.error}")
        if verification.skipped:
            lines.append(f"{verification.path}: {SKIPPED}: {verification.skipped}")
        lines += [f"{verification.path}::{c.name}: {c.describe()}" for c in verification.classes]
    lines.append(summary(files, style=style, seed=seed))
    return "\n".join(lines)


def summary(files: list[FileVerification], *, style: str, seed: int) -> str:
    counts = Counter()
    for verification in files:
        counts.update(verification.statuses())
    classes = sum(len(v.classes) for v in files)
    parts = f"{counts[IDENTICAL]} identical, {counts[DIFFERS]} differ, {counts[SKIPPED]} skipped, {counts[ERROR]} errors"
    ran = counts[IDENTICAL] + counts[DIFFERS]
    verdict = "no class could be built" if not ran else _verdict(style, exit_code(files) == 0)
    return f"verified {classes} classes in {len(files)} files (fix style {style}, seed {seed}): {parts}; {verdict}"


def _verdict(style: str, same: bool) -> str:
    """What was proven.  The skip-init fix keeps every initial value; the explicit fix, by design, draws
    its recipe after the constructor's own draws, so it is verified with those draws suppressed: what
    matches then is the recipe, not the values the unfixed model would get."""
    if style == "skip-init":
        return "initial values preserved" if same else "initial values NOT preserved"
    return "recipe matches (constructor draws suppressed)" if same else "recipe does NOT match (constructor draws suppressed)"


def to_json(files: list[FileVerification], *, style: str, seed: int) -> dict:
    counts = Counter()
    for verification in files:
        counts.update(verification.statuses())
    return {
        "fix_style": style,
        "seed": seed,
        "files": [asdict(v) for v in files],
        "summary": {status: counts[status] for status in (IDENTICAL, DIFFERS, SKIPPED, ERROR)},
        "exit_code": exit_code(files),
    }
