"""Where a cold check's CPU goes, per top-level folder of a tree: reading, files without torch, the
fast scan, the parse (the lean tree, as `check` builds it), the analysis, the rules and the exports.

    PYTHONPATH=src python benchmarks/phases.py /tmp/scale/after/tree

Each phase is timed with `time.process_time` around the same calls the engine makes for a file
(`engine._check`), one file after another in this process.
"""

from __future__ import annotations

import collections
import gc
import pathlib
import sys
import time

from init_lint.analysis import analyze
from init_lint.checker import check_without_torch, mentions_torch, parse, run_rules, with_deep_stack
from init_lint.config import Settings
from init_lint.fastscan import quick_scan
from init_lint.project import file_exports, import_only_exports

PHASES = ("read", "no torch", "fast scan", "parse", "analysis", "rules", "exports")


def main(root: pathlib.Path) -> None:
    settings = Settings()
    clock = time.process_time
    spent: dict = collections.defaultdict(lambda: collections.defaultdict(float))
    gc.freeze()
    for path in sorted(root.rglob("*.py")):
        folder = path.relative_to(root).parts[0] if len(path.relative_to(root).parts) > 1 else "."
        row = spent[folder]
        start = clock()
        data = path.read_bytes()
        row["read"] += clock() - start
        if not mentions_torch(data, settings):
            start = clock()
            tree = check_without_torch(data, str(path), settings)[1]
            import_only_exports(data, tree)
            row["no torch"] += clock() - start
            continue
        start = clock()
        quick, tree = quick_scan(data, settings)
        row["fast scan"] += clock() - start
        if quick is not None:
            continue
        start = clock()
        parsed = parse(data, str(path), settings, lean=True, tree=tree)
        row["parse"] += clock() - start
        if parsed.error is not None:
            continue

        def rest() -> None:
            begin = clock()
            analysis = analyze(parsed.module, settings.extra_layer_map(), parsed.text)
            row["analysis"] += clock() - begin
            begin = clock()
            run_rules(analysis, str(path), settings, parsed.text)
            row["rules"] += clock() - begin
            begin = clock()
            file_exports(analysis)
            row["exports"] += clock() - begin

        with_deep_stack(rest)
    print("folder".ljust(30), *(name.rjust(10) for name in PHASES))
    total: dict = collections.defaultdict(float)
    for folder, row in sorted(spent.items()):
        print(folder.ljust(30), *(f"{row[name]:10.2f}" for name in PHASES))
        for name in PHASES:
            total[name] += row[name]
    print("total".ljust(30), *(f"{total[name]:10.2f}" for name in PHASES), f"   sum {sum(total.values()):.1f} CPU s")


if __name__ == "__main__":
    main(pathlib.Path(sys.argv[1]))
