#!/usr/bin/env python3
"""Repository-scale timings: cold, warm and the pre-commit case on one big tree, in one run.

Builds a tree of >= 5,000 files by copying the corpora of ../shared/corpus/ (fetched to
/tmp/init-lint-corpus) and torch's own source into a temporary folder (init-lint writes its cache
there, never into the corpus), then measures, each as its own subprocess:

- floor:       a bare libcst parse of every torch-mentioning file (what any libcst checker pays);
- cold:        `init-lint check TREE` with no cache;
- warm:        the same again, nothing changed;
- precommit:   one file edited, then `init-lint check --project FILE` (the pre-commit hook's case);
- ruff:        `ruff check --select ALL` on the same tree, when ruff is installed;
- rss-300:     peak memory of a cold check of 300 files (a spread subset), against the whole tree;
- fast path:   the share of torch-mentioning files that take the `ast`-only path (no libcst parse).

Prints a table and the ratios issue 17 sets goals for, on wall time and on CPU time (on a machine
shared with other jobs the CPU ratios are the ones to read). Stdlib only.

    python benchmarks/repo_scale.py                     # the whole corpus + torch
    python benchmarks/repo_scale.py --json out.json --keep /tmp/tree
    python benchmarks/repo_scale.py --keep /tmp/tree --reuse   # warm and pre-commit again on a kept tree
    python benchmarks/repo_scale.py --keep /tmp/tree --reuse --cold --skip floor,ruff   # cold again, same tree
    python benchmarks/repo_scale.py --keep /tmp/tree --reuse --compare OLD/src --reps 3
        # warm and pre-commit, alternating between OLD/src and this init-lint (both indexes kept warm
        # in the tree: their fingerprints differ), CPU seconds and the load average of each run
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from bench import (  # noqa: E402  (a sibling script, not a package)
    DEFAULT_CORPUS, FLOOR_SCRIPT, WRAP_SCRIPT, collect, init_lint_env, mentions_torch, run_measured, subset,
    torch_dir_via,
)

TIMEOUT_S = 3600.0

# The share of torch-mentioning files that take init-lint's ast-only path (argv: FILELIST).
FAST_SHARE = r"""
import sys
from init_lint.config import Settings
from init_lint.fastscan import quick_exports
settings = Settings()
files = [line.rstrip("\n") for line in open(sys.argv[1]) if line.strip()]
torch = fast = 0
for path in files:
    with open(path, "rb") as handle:
        data = handle.read()
    if b"torch" not in data:
        continue
    torch += 1
    fast += quick_exports(data, settings) is not None
print(f"{fast} of {torch} torch-mentioning files ({fast / max(torch, 1):.1%}) take the ast-only path")
"""


def build_tree(dest: str, python: str) -> list[str]:
    """Copy every corpus library and torch's source under dest; return the .py files of the copy."""
    sources = [os.path.join(DEFAULT_CORPUS, name) for name in sorted(os.listdir(DEFAULT_CORPUS))
               if name != "wheels" and os.path.isdir(os.path.join(DEFAULT_CORPUS, name))] \
        if os.path.isdir(DEFAULT_CORPUS) else []
    torch_dir = torch_dir_via(python)
    if torch_dir:
        sources.append(torch_dir)
    for source in sources:
        shutil.copytree(source, os.path.join(dest, os.path.basename(source.rstrip("/"))),
                        ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyc", "*.h", "*.cuh", "*.a"),
                        symlinks=True)
    return collect([dest])


def measure(name: str, cmd: list[str], cwd: str, env: dict, wrap: str) -> dict:
    load = os.getloadavg()[0]
    result = run_measured(cmd, cwd, env, TIMEOUT_S, 0.2, wrap)
    row = {"name": name, "wall_s": round(result.wall, 3), "cpu_s": round(result.cpu, 3),
           "peak_rss_mb": round(max(result.maxrss_kb, result.tree_kb) / 1024, 1),
           "max_process_mb": round(result.maxrss_kb / 1024, 1), "rc": result.rc,
           "load": round((load + os.getloadavg()[0]) / 2, 2)}
    print(f"{name:<12} {row['wall_s']:>9.2f} s wall {row['cpu_s']:>9.2f} s cpu {row['peak_rss_mb']:>8.1f} MB"
          f" (largest process {row['max_process_mb']:.1f} MB)  load {row['load']:.1f}  rc={result.rc}", flush=True)
    if result.rc not in (0, 1):
        print(f"  (failed: {result.err.strip().splitlines()[-1:] if result.err.strip() else ''})", flush=True)
    return row


def edit(path: str) -> None:
    """One edit of the pre-commit case's file (a comment appended: its findings stay the same)."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("\n# edited by the benchmark\n")


def compare(args, check: list, tree: str, env: dict, wrap: str, changed: str) -> int:
    """Warm and pre-commit, alternating between OLD_SRC and this init-lint, `--reps` rounds; medians."""
    old_env = dict(env, PYTHONPATH=os.path.abspath(args.compare))
    sides = (("old", old_env), ("new", env))
    project = check + ["--project", os.path.relpath(changed, tree)]
    print(f"precommit file: {os.path.relpath(changed, tree)}; old: {args.compare}", flush=True)
    for _, side_env in sides:  # both indexes warm for this very tree before anything is timed
        subprocess.run(check + ["."], cwd=tree, env=side_env, capture_output=True)
    rows = []
    # warm rounds first: a pre-commit run leaves the other side's index one edit behind (and its own
    # judged findings in an older project state), which a warm run after it would pay for
    for rep in range(args.reps):
        for side, side_env in sides:
            rows.append(dict(measure(f"warm-{side}", check + ["."], tree, side_env, wrap), rep=rep))
    for rep in range(args.reps):
        for side, side_env in sides:
            edit(changed)
            rows.append(dict(measure(f"precommit-{side}", project, tree, side_env, wrap), rep=rep))
    print()
    for case in ("warm", "precommit"):
        medians = {}
        for side, _ in sides:
            cpu = sorted(r["cpu_s"] for r in rows if r["name"] == f"{case}-{side}")
            medians[side] = cpu[len(cpu) // 2]
            print(f"{case:<10} {side}: CPU s {cpu} (median {medians[side]:.2f})")
        print(f"{case:<10} new/old: {medians['new'] / medians['old']:.2f}")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"compare": args.compare, "rows": rows}, handle, indent=2)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", default=sys.executable, help="the python that has init-lint installed")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", help="build the tree here and keep it (default: a temporary folder)")
    parser.add_argument("--json", help="also write the figures as JSON to this file")
    parser.add_argument("--no-ruff", action="store_true", help="skip ruff even when installed")
    parser.add_argument("--ruff", help="ruff's command (default: ruff on PATH or beside --python)")
    parser.add_argument("--reuse", action="store_true", help="with --keep: reuse the kept tree and its index, "
                        "measure only warm and pre-commit (after a change to init-lint's warm path)")
    parser.add_argument("--cold", action="store_true", help="with --reuse: the cold run (and the rest) too, "
                        "on the kept tree")
    parser.add_argument("--skip", default="", help="parts to leave out, comma-separated: floor, ruff, rss, fast")
    parser.add_argument("--compare", metavar="OLD_SRC", help="with --reuse: alternate warm and pre-commit runs "
                        "between init-lint from OLD_SRC (a `src` folder on PYTHONPATH) and this one")
    parser.add_argument("--reps", type=int, default=3, help="rounds of --compare (default 3)")
    args = parser.parse_args(argv)
    if args.reuse and not args.keep:
        parser.error("--reuse needs --keep DIR")
    if (args.compare or args.cold) and not args.reuse:
        parser.error("--compare and --cold need --reuse (a kept tree)")
    skip = {part.strip() for part in args.skip.split(",") if part.strip()}

    env, note = init_lint_env(args.python)
    if note:
        print(note)
    workdir = args.keep or tempfile.mkdtemp(prefix="init-lint-repo-")
    tree = os.path.join(workdir, "tree")
    if args.reuse:
        files = collect([tree])
    else:
        if os.path.exists(tree):
            shutil.rmtree(tree)
        os.makedirs(tree)
        files = build_tree(tree, args.python)
    torch_files = [f for f in files if mentions_torch(f)]
    print(f"tree: {tree}: {len(files)} .py files, {len(torch_files)} mention torch; jobs={args.jobs}")
    if len(files) < 5000:
        print("warning: fewer than 5,000 files: fetch the corpus with ../shared/corpus/fetch.sh first")

    wrap = os.path.join(workdir, "wrap.py")
    floor = os.path.join(workdir, "floor.py")
    listing = os.path.join(workdir, "files.txt")
    with open(wrap, "w") as handle:
        handle.write(WRAP_SCRIPT)
    with open(floor, "w") as handle:
        handle.write(FLOOR_SCRIPT)
    with open(listing, "w") as handle:
        handle.write("\n".join(files))

    check = [args.python, "-m", "init_lint", "check", "--exit-zero", "--output-format", "json",
             "--jobs", str(args.jobs)]
    changed = next(f for f in torch_files if "/timm/models/" in f) if any("/timm/models/" in f for f in torch_files) \
        else torch_files[len(torch_files) // 2]
    if args.compare:
        return compare(args, check, tree, env, wrap, changed)
    full = not args.reuse or args.cold
    rows = []
    if full:
        if "floor" not in skip:
            rows.append(measure("floor", [args.python, floor, listing, str(args.jobs)], tree, env, wrap))
        shutil.rmtree(os.path.join(tree, ".init_lint_cache"), ignore_errors=True)
        rows.append(measure("cold", check + ["."], tree, env, wrap))
    rows.append(measure("warm", check + ["."], tree, env, wrap))
    edit(changed)
    print(f"precommit file: {os.path.relpath(changed, tree)}", flush=True)
    rows.append(measure("precommit", check + ["--project", os.path.relpath(changed, tree)], tree, env, wrap))

    ruff = args.ruff or shutil.which("ruff") or shutil.which("ruff", path=os.path.dirname(args.python))
    if not full:
        if ruff and not args.no_ruff:
            rows.append(measure("ruff-ALL", [ruff, "check", "--select", "ALL", "--exit-zero", "--no-cache", "-q", "."],
                                tree, env, wrap))
        print(json.dumps(rows))
        return 0
    if "fast" not in skip:
        fast = subprocess.run([args.python, "-c", FAST_SHARE, listing], capture_output=True, text=True, env=env)
        print(f"fast path:   {fast.stdout.strip() or fast.stderr.strip()[-300:]}", flush=True)
    if "rss" not in skip:
        small = os.path.join(workdir, "small")
        if os.path.exists(small):
            shutil.rmtree(small)
        os.makedirs(small)
        for index, path in enumerate(subset(torch_files, 300)):
            shutil.copy(path, os.path.join(small, f"f{index:04d}_{os.path.basename(path)}"))
        rows.append(measure("rss-300", check + ["--no-cache", "."], small, env, wrap))

    if ruff and not args.no_ruff and "ruff" not in skip:
        rows.append(measure("ruff-ALL", [ruff, "check", "--select", "ALL", "--exit-zero", "--no-cache", "-q", "."],
                            tree, env, wrap))
    by = {row["name"]: row for row in rows}

    def ratio(a: str, b: str, what: str = "wall_s") -> str:
        if a in by and b in by and by[b][what] > 0:
            return f"{by[a][what] / by[b][what]:.3f}"
        return "-"

    print()
    for what in ("wall_s", "cpu_s") if "cold" in by else ():
        print(f"[{what[:-2]}] precommit: {by['precommit'][what]:.2f} s (goal <= 1 s); precommit/cold "
              f"{ratio('precommit', 'cold', what)} (goal <= 0.03); warm/cold {ratio('warm', 'cold', what)} "
              f"(goal <= 0.02); cold/floor {ratio('cold', 'floor', what)} (goal <= 1.0)"
              + (f"; cold/ruff --select ALL {ratio('cold', 'ruff-ALL', what)}" if "ruff-ALL" in by else ""))
    if "rss-300" in by:
        print(f"peak RSS: 300 files {by['rss-300']['peak_rss_mb']} MB, {len(files)} files "
              f"{by['cold']['peak_rss_mb']} MB (largest single process: {by['rss-300']['max_process_mb']} and "
              f"{by['cold']['max_process_mb']} MB)")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump({"files": len(files), "torch_files": len(torch_files), "jobs": args.jobs, "rows": rows}, handle,
                      indent=2)
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
