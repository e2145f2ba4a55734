#!/usr/bin/env python3
"""What a file costs at each stage: ast.parse, libcst parse, libcst metadata.

Run with the python that has libcst (the init-lint venv):

    .venv/bin/python benchmarks/parse_costs.py /tmp/init-lint-corpus/timm --files 200

All stages run on the same files, alternating file by file (so load on a noisy machine
hits them alike); each stage is timed on its own, from the file's text already in memory.
Prints mean and median milliseconds per file (CPU time by default); the last column adds the parse.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import statistics
import sys
import time

import libcst
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider, ScopeProvider


class _Nop(libcst.CSTVisitor):
    pass


def collect(folders: list[str]) -> list[str]:
    files = []
    for folder in folders:
        for root, dirs, names in os.walk(folder):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
            files.extend(os.path.join(root, n) for n in sorted(names) if n.endswith(".py"))
    return files


def spread(files: list[str], n: int) -> list[str]:
    if n <= 0 or len(files) <= n:
        return files
    step = len(files) / n
    return [files[int(i * step)] for i in range(n)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", default=["/tmp/init-lint-corpus/timm"])
    ap.add_argument("--files", type=int, default=200, help="files, spread evenly over the set (default 200)")
    ap.add_argument("--reps", type=int, default=1, help="passes over the files; per file the minimum is kept")
    ap.add_argument("--clock", choices=("cpu", "wall"), default="cpu",
                    help="cpu: this process's CPU time (steady on a busy machine; default); wall: perf_counter")
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()

    files = spread(collect(args.folders), args.files)
    texts = []
    for f in files:
        with open(f, "rb") as fh:
            texts.append(fh.read())

    stages = {
        "ast.parse": [],
        "libcst.parse_module": [],
        "no-op CSTVisitor walk (after parse)": [],
        "MetadataWrapper(copy)+PositionProvider (after parse)": [],
        "MetadataWrapper(unsafe_skip_copy)+PositionProvider (after parse)": [],
        "MetadataWrapper(copy)+Scope+QualifiedName (after parse)": [],
    }
    per_file = {k: [float("inf")] * len(files) for k in stages}
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    for _ in range(max(1, args.reps)):
        for i, data in enumerate(texts):
            t = clock()
            ast.parse(data)
            per_file["ast.parse"][i] = min(per_file["ast.parse"][i], clock() - t)

            t = clock()
            mod = libcst.parse_module(data)
            per_file["libcst.parse_module"][i] = min(per_file["libcst.parse_module"][i], clock() - t)

            t = clock()
            mod.visit(_Nop())
            k = "no-op CSTVisitor walk (after parse)"
            per_file[k][i] = min(per_file[k][i], clock() - t)

            t = clock()
            MetadataWrapper(mod).resolve(PositionProvider)
            k = "MetadataWrapper(copy)+PositionProvider (after parse)"
            per_file[k][i] = min(per_file[k][i], clock() - t)

            mod2 = libcst.parse_module(data)
            t = clock()
            MetadataWrapper(mod2, unsafe_skip_copy=True).resolve(PositionProvider)
            k = "MetadataWrapper(unsafe_skip_copy)+PositionProvider (after parse)"
            per_file[k][i] = min(per_file[k][i], clock() - t)

            t = clock()
            w = MetadataWrapper(mod)
            w.resolve(ScopeProvider)
            w.resolve(QualifiedNameProvider)
            k = "MetadataWrapper(copy)+Scope+QualifiedName (after parse)"
            per_file[k][i] = min(per_file[k][i], clock() - t)

    parse = per_file["libcst.parse_module"]
    nbytes = sum(len(t) for t in texts)
    lines = sum(t.count(b"\n") for t in texts)
    try:
        from importlib.metadata import version

        cst_version = version("libcst")
    except Exception:  # noqa: BLE001
        cst_version = "?"
    print(f"{len(files)} files, {nbytes / 1e6:.2f} MB, {lines} lines; "
          f"python {sys.version.split()[0]}, libcst {cst_version}; clock: {args.clock}")
    print(f"{'stage':<66} {'mean ms':>8} {'median':>7} {'total s':>8} {'mean ms incl. parse':>20}")
    out = {}
    for k, vals in per_file.items():
        total = sum(vals)
        incl = None
        if "(after parse)" in k:
            incl = 1000 * (total + sum(parse)) / len(vals)
        print(f"{k:<66} {1000 * total / len(vals):8.2f} {1000 * statistics.median(vals):7.2f} {total:8.2f} "
              f"{'' if incl is None else format(incl, '20.2f')}")
        out[k] = {"mean_ms": 1000 * total / len(vals), "median_ms": 1000 * statistics.median(vals),
                  "total_s": total, "mean_ms_incl_parse": incl}
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"files": len(files), "bytes": nbytes, "stages": out}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
