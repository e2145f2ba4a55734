#!/usr/bin/env python3
"""Every torch-mentioning file that takes init-lint's `ast`-only path, analyzed the full way too.

    python benchmarks/fast_path_exports.py FOLDER... [--limit N]

For each `.py` file under the folders that mentions torch and that `fastscan.quick_exports`
accepts, runs the full analysis and checks that it finds nothing and exports exactly what the fast
path exports.  Prints the share taken and every file where the two differ (exit 1 when any does).
Stdlib and init-lint only; slow (a full analysis of every file taken).
"""

from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench import collect  # noqa: E402  (a sibling script, not a package)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--limit", type=int, default=30, help="differences printed (default 30)")
    args = parser.parse_args(argv)

    from init_lint.checker import check_source_with_analysis
    from init_lint.config import Settings
    from init_lint.fastscan import quick_exports
    from init_lint.project import file_exports, import_only_exports

    settings = Settings()
    torch = taken = size = 0
    differ = []
    for path in collect(args.folders):
        with open(path, "rb") as handle:
            data = handle.read()
        if b"torch" not in data:
            continue
        torch += 1
        quick = quick_exports(data, settings)
        if quick is None:
            continue
        taken += 1
        size += len(data)
        findings, analysis = check_source_with_analysis(data, path, settings)
        full = file_exports(analysis) if analysis is not None else import_only_exports(data)
        if findings or full != quick:
            differ.append((path, [f.code for f in findings], {k: v for k, v in full.items() if v != quick.get(k)}))
    print(f"{taken} of {torch} torch-mentioning files take the ast-only path ({size / 1e6:.2f} MB); "
          f"the full analysis differs on {len(differ)}")
    for item in differ[:args.limit]:
        print(*item)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
