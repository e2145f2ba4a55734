"""A rule's invalid example with the code its fix must give (Fixit's `Invalid(code, expected_replacement)`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Invalid:
    """Code the rule reports, and the whole file after `check --fix --unsafe-fixes` with only this rule
    selected (explicit style); None when the rule offers no fix for it."""

    code: str
    expected: Optional[str] = None
