"""Hostile but valid inputs that once made the analysis blow up (issue 16, "Hangs and blow-ups").

    python benchmarks/bounds.py [--scale F] [--only NAME[,NAME]] [--timeout S] [--src DIR]

Each case is a small generated file.  The script checks each one in a child process (so that a
hang or a crash of one case does not stop the others) and prints the wall time, the number of
findings and whether the file was rejected (INI900 / INI901).  The bounds themselves live in the
analysis (memoized summaries, iterative walks); `tests/analysis/test_bounds.py` asserts that
each case completes with the right findings.  `--scale` multiplies each case's size (0.1 for
a quick look).

Figures, 2026-11-30, the shared 2-core machine under load (load average ~10), one run each,
`python benchmarks/bounds.py --timeout 200` (`--src` the sources of main at 0f011e2 for "before"):

| case                                  | before (main, 0f011e2)      | after                         |
| ------------------------------------- | --------------------------- | ----------------------------- |
| doubling_builds, 24 classes           | over 200 s                  | 0.09 s, 1 finding             |
| recursive_apply_helpers, 100 methods  | 54 s with 2 calls a helper; | 6.8 s: budget spent, the      |
|                                       | with 3 (the case), 3**12    | weight unverified (strict)    |
|                                       | calls a layer type: ~130x   |                               |
|                                       | that, not run               |                               |
| many_layers, 10,000 layers            | over 200 s                  | 32 s, linear (mostly parse    |
|                                       |                             | and positions)                |
| self_containing_container             | INI900 (recursion)          | 0.11 s, 2 findings            |
| long_sum, 600 terms                   | INI900 "too deeply nested"  | 0.32 s, 1 finding             |
| long_elif, 500 branches               | INI900 "too deeply nested"  | 1.7 s, 501 findings           |
| inheritance_chain, 1,000 classes      | INI900 after 6 s            | 3.1 s, 1 finding              |
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HEADER = "import torch.nn as nn\n\n"


def doubling_builds(classes: int = 24) -> str:
    """Each class builds the previous one twice: 2**classes ways down to the first class's layer."""
    parts = [HEADER, "class C0(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                     "        self.fc = nn.Linear(2, 2)\n"]
    for i in range(1, classes):
        parts.append(f"\n\nclass C{i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                     f"        self.a = C{i - 1}()\n        self.b = C{i - 1}()\n")
    return "".join(parts)


def recursive_apply_helpers(methods: int = 100) -> str:
    """An apply function whose helpers call each other (each calls the next three)."""
    lines = [HEADER, "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                     "        self.fc = nn.Linear(2, 2)\n        self.apply(self.h0)\n"]
    for i in range(methods):
        lines.append(f"\n    def h{i}(self, m):\n        if isinstance(m, nn.Linear):\n"
                     f"            nn.init.zeros_(m.bias)\n"
                     f"        self.h{(i + 1) % methods}(m)\n        self.h{(i + 2) % methods}(m)\n"
                     f"        self.h{(i + 3) % methods}(m)\n")
    return "".join(lines)


def many_layers(layers: int = 10_000) -> str:
    """One class with thousands of default-initialized layers (one finding each)."""
    body = "".join(f"        self.l{i} = nn.Linear({2 + i % 7}, 3)\n" for i in range(layers))
    return HEADER + "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n" + body


def layers_in_one_statement(layers: int = 2_000) -> str:
    """One `nn.Sequential(...)` holding thousands of layers: linear in the layers of one statement
    (compare `--scale 0.25` with `--scale 1`: about 4x is linear, 16x quadratic)."""
    items = ", ".join("nn.Linear(4, 4)" for _ in range(layers))
    return HEADER + ("class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                     f"        self.net = nn.Sequential({items})\n")


def self_containing_container(levels: int = 13) -> str:
    """A container that abstractly holds itself, beside a valid structure nested `levels` deep."""
    nested = "nn.Linear(4, 4)"
    for _ in range(levels):
        nested = f"nn.Sequential({nested}, nn.ReLU())"
    return (HEADER + "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        layers = [nn.Linear(4, 4)]\n        layers.append(layers)\n        self.layers = layers\n"
            "        table = {}\n        table['self'] = table\n        self.table = table\n"
            f"        self.deep = {nested}\n")


def long_sum(terms: int = 600) -> str:
    """A `+` chain of hundreds of terms (CPython compiles it)."""
    chain = " + ".join(f"x{i % 10}" for i in range(terms))
    return (HEADER + "class Net(nn.Module):\n    def __init__(self, " + ", ".join(f"x{i}=1" for i in range(10))
            + "):\n        super().__init__()\n        width = " + chain + "\n        self.fc = nn.Linear(width, 2)\n")


def long_elif(branches: int = 500) -> str:
    """An `if` / `elif` chain of hundreds of branches, each building a layer."""
    lines = [HEADER, "class Net(nn.Module):\n    def __init__(self, kind):\n        super().__init__()\n"]
    for i in range(branches):
        keyword = "if" if i == 0 else "elif"
        lines.append(f"        {keyword} kind == {i}:\n            self.fc = nn.Linear({i + 1}, 2)\n")
    lines.append("        else:\n            self.fc = nn.Linear(1, 2)\n")
    return "".join(lines)


def inheritance_chain(classes: int = 1000) -> str:
    """A chain of classes, each the subclass of the previous one."""
    parts = [HEADER, "class B0(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                     "        self.fc = nn.Linear(2, 2)\n"]
    for i in range(1, classes):
        parts.append(f"\n\nclass B{i}(B{i - 1}):\n    pass\n")
    return "".join(parts)


CASES = {
    "doubling_builds": (doubling_builds, 24),
    "recursive_apply_helpers": (recursive_apply_helpers, 100),
    "many_layers": (many_layers, 10_000),
    "layers_in_one_statement": (layers_in_one_statement, 2_000),
    "self_containing_container": (self_containing_container, 13),
    "long_sum": (long_sum, 600),
    "long_elif": (long_elif, 500),
    "inheritance_chain": (inheritance_chain, 1000),
}


def run_case(source: str, timeout: float, src: str = "") -> dict:
    """Check one generated file in a child process; wall time, findings by code, and the outcome."""
    child = ("import json, sys, time\nfrom init_lint.checker import check_source\n"
             "source = sys.stdin.read()\nstart = time.perf_counter()\nfindings = check_source(source, 'case.py')\n"
             "codes = {}\nfor f in findings:\n    codes[f.code] = codes.get(f.code, 0) + 1\n"
             "print(json.dumps({'seconds': time.perf_counter() - start, 'codes': codes}))\n")
    env = dict(os.environ)
    src = src or str(Path(__file__).resolve().parent.parent / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    try:
        done = subprocess.run([sys.executable, "-c", child], input=source, capture_output=True, text=True,
                              timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return {"outcome": f"over {timeout:.0f} s"}
    if done.returncode != 0:
        return {"outcome": f"crashed (exit {done.returncode}): {done.stderr.strip().splitlines()[-1:]}"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    rejected = [code for code in ("INI900", "INI901") if code in result["codes"]]
    result["outcome"] = f"rejected ({', '.join(rejected)})" if rejected else "ok"
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--only", default="")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--src", default="", help="the init_lint sources to time (default: this checkout's src/)")
    args = parser.parse_args(argv)
    wanted = [name for name in args.only.split(",") if name] or list(CASES)
    print(f"{'case':28} {'size':>7} {'seconds':>8}  findings / outcome")
    for name in wanted:
        make, size = CASES[name]
        size = max(1, int(size * args.scale))
        result = run_case(make(size), args.timeout, args.src)
        seconds = f"{result['seconds']:.2f}" if "seconds" in result else "-"
        print(f"{name:28} {size:>7} {seconds:>8}  {result.get('codes', {})} {result['outcome']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
