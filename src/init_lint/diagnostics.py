"""What a check reports: findings with a code, a position, a message, a help line and whether a fix exists."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

SAFE = "safe"
UNSAFE = "unsafe"


@dataclass(frozen=True)
class Edit:
    """Replace the text between two positions by `content` (equal positions: an insertion).

    Positions are as in `Finding`: 1-based lines, 0-based columns counted in characters.
    """

    line: int
    column: int
    end_line: int
    end_column: int
    content: str

    @property
    def is_insertion(self) -> bool:
        return (self.line, self.column) == (self.end_line, self.end_column)

    def to_dict(self) -> dict:
        return {"content": self.content, "location": {"row": self.line, "column": self.column + 1},
                "end_location": {"row": self.end_line, "column": self.end_column + 1}}


@dataclass(frozen=True)
class Fix:
    """One finding's fix, as ruff has it: edits of the checked text, and whether they are safe.

    Insertions of several fixes at one point keep the fixes' `rank` order (the layers' draw order).
    """

    applicability: str
    edits: tuple
    message: str = ""
    rank: tuple = ()

    def to_dict(self) -> dict:
        return {"applicability": self.applicability, "message": self.message,
                "edits": [edit.to_dict() for edit in self.edits]}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    path: str
    #: 1-based line and 0-based column of the reported node's start, and of its end
    line: int
    column: int
    end_line: int
    end_column: int
    #: None when no fix exists, else SAFE or UNSAFE
    fix: Optional[str] = None
    #: reported only because strict mode is on (init delegated to code out of sight, or zero fills)
    strict: bool = False
    #: what the fixer needs; not part of the finding's identity or of its serialized form
    plan: object = field(default=None, compare=False, hash=False, repr=False)
    #: INI001 in project mode: (layer type, ((param, ((model, way, model's own coverage), ...)), ...))
    depends: tuple = field(default=(), compare=False, hash=False, repr=False)
    #: the concrete remedy, shown on its own `help:` line ("use 1/sqrt(3)"); "" when there is none
    help: str = ""
    #: in a notebook: the cell (1-based, among all its cells) that `line` and `end_line` count in
    cell: Optional[int] = None
    #: the fix's edits, once built for a fix style (`fixes.build`); None in a plain check
    fix_edits: Optional[Fix] = field(default=None, compare=False, hash=False, repr=False)

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.line, self.column, self.code)

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "message": self.message,
            "filename": self.path,
            "location": {"row": self.line, "column": self.column + 1},
            "end_location": {"row": self.end_line, "column": self.end_column + 1},
            "fix": None if self.fix is None else (
                self.fix_edits.to_dict() if self.fix_edits is not None else {"applicability": self.fix}),
            "strict": self.strict,
            "help": self.help or None,
            **({"cell": self.cell} if self.cell is not None else {}),
        }

    def to_cache(self) -> dict:
        data = self.to_dict()
        data["depends"] = self.depends
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "Finding":
        fix = data.get("fix")
        return cls(
            data["code"], data["message"], data["filename"], data["location"]["row"], data["location"]["column"] - 1,
            data["end_location"]["row"], data["end_location"]["column"] - 1,
            None if fix is None else fix["applicability"], data.get("strict", False),
            depends=_freeze(data.get("depends", ())), help=data.get("help") or "", cell=data.get("cell"),
        )


def _freeze(value: object) -> object:
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value
