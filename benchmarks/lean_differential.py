"""The check's lean tree (`lean_tree/`, built from Python's `ast`) against libcst's tree, on a corpus.

For every Python file under the given folders: the two trees are equal in what the analysis reads
(`tests/test_lean_tree.py::projection`), and for every torch-mentioning file the findings (default,
or `--strict`) and project exports of the two analyses are equal, with no fall-back to libcst.
Prints each difference and the totals, with the CPU time of each parse and each whole check.

    PYTHONPATH=src python benchmarks/lean_differential.py /tmp/init-lint-corpus/timm [--strict]
"""

from __future__ import annotations

import json
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests"))

from test_lean_tree import projection  # noqa: E402

from init_lint import checker  # noqa: E402
from init_lint.checker import check_source_with_analysis, parse_unvalidated  # noqa: E402
from init_lint.config import Settings  # noqa: E402
from init_lint.lean_tree import NotLean, lean_module  # noqa: E402
from init_lint.project import file_exports  # noqa: E402


def _key(f) -> tuple:
    return (f.code, f.message, f.line, f.column, f.end_line, f.end_column, f.fix, f.strict, f.help, f.depends)


def main(argv: list) -> int:
    settings = Settings(strict="--strict" in argv)
    files = []
    for root in (a for a in argv if not a.startswith("--")):
        path = pathlib.Path(root)
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    sys.setrecursionlimit(100_000)
    clock = time.process_time
    trees = same_trees = not_lean = checked = different = 0
    parse_libcst = parse_lean = check_libcst = check_lean = 0.0
    fell_back = len(checker.LEAN_FALLBACKS)
    for path in files:
        data = path.read_bytes()
        try:
            text = data.decode("utf-8").lstrip("\ufeff")
            start = clock()
            real = parse_unvalidated(data)
            parse_libcst += clock() - start
        except Exception:
            continue
        trees += 1
        try:
            start = clock()
            lean = lean_module(text)
            parse_lean += clock() - start
        except (NotLean, SyntaxError, ValueError):
            not_lean += 1
            continue
        if projection(lean) == projection(real):
            same_trees += 1
        else:
            print("TREE DIFFERS", path)
        if b"torch" not in data:
            continue
        start = clock()
        found_lean, analysis_lean = check_source_with_analysis(data, str(path), settings, lean=True)
        check_lean += clock() - start
        start = clock()
        found_libcst, analysis_libcst = check_source_with_analysis(data, str(path), settings)
        check_libcst += clock() - start
        checked += 1
        exports = [json.dumps(file_exports(a), sort_keys=True, default=repr) if a is not None else None
                   for a in (analysis_lean, analysis_libcst)]
        if [_key(f) for f in found_lean] != [_key(f) for f in found_libcst] or exports[0] != exports[1]:
            different += 1
            print("FINDINGS OR EXPORTS DIFFER", path)
    fallbacks = checker.LEAN_FALLBACKS[fell_back:]
    print(f"trees: {trees} parsed by libcst, {same_trees} lean trees equal, {not_lean} not built lean")
    print(f"checks: {checked} torch-mentioning files, {different} with other findings or exports, "
          f"{len(fallbacks)} fell back to libcst {fallbacks[:5]}")
    print(f"CPU s: parse libcst {parse_libcst:.2f}, lean {parse_lean:.2f} "
          f"(ratio {parse_lean / max(parse_libcst, 1e-9):.3f}); "
          f"check libcst {check_libcst:.2f}, lean {check_lean:.2f} (ratio {check_lean / max(check_libcst, 1e-9):.3f})")
    return 1 if different or fallbacks or same_trees + not_lean != trees else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
