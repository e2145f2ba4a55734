"""Compare two `init-lint check --output-format json` outputs: which findings were added or removed.

    python benchmarks/compare_findings.py OLD.json NEW.json [--with-fix] [--limit N]

A finding is keyed by (path, code, line, message); with `--with-fix` its fix applicability
(safe / unsafe / none) is part of the key too, so a finding whose fix appeared or vanished counts
as changed.  Prints the counts, then every removed (`-`) and added (`+`) finding, and exits 1
when the two differ, 0 when they are the same.  Used to show that a refactoring keeps behaviour:
run the old and the new code on the same sources and compare.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path


def load(path: Path, with_fix: bool) -> Counter:
    """The findings of one JSON output as a multiset of keys."""
    data = json.loads(path.read_text(encoding="utf-8") or "[]")
    keys: Counter = Counter()
    for finding in data:
        key = (finding["filename"], finding["code"], finding["location"]["row"], finding["message"])
        if with_fix:
            fix = finding.get("fix")
            key += ((fix or {}).get("applicability", "none"),)
        keys[key] += 1
    return keys


def compare(old: Counter, new: Counter) -> tuple[list, list]:
    """(removed, added): keys with their multiplicity difference, sorted by path and line."""
    removed = sorted((old - new).elements())
    added = sorted((new - old).elements())
    return removed, added


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--with-fix", action="store_true", help="count the fix applicability as part of a finding")
    parser.add_argument("--limit", type=int, default=200, help="print at most N lines of each kind (default 200)")
    args = parser.parse_args(argv)
    old, new = load(args.old, args.with_fix), load(args.new, args.with_fix)
    removed, added = compare(old, new)
    print(f"{args.old}: {sum(old.values())} findings; {args.new}: {sum(new.values())} findings; "
          f"removed {len(removed)}, added {len(added)}")
    for sign, keys in (("-", removed), ("+", added)):
        for key in keys[: args.limit]:
            path, code, line, message, *fix = key
            print(f"{sign} {path}:{line}: {code} {message}" + (f" [fix: {fix[0]}]" if fix else ""))
        if len(keys) > args.limit:
            print(f"{sign} ... and {len(keys) - args.limit} more")
    return 1 if removed or added else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # `| head`: the reader has seen enough; the verdict is a difference
        sys.exit(1)
