#!/usr/bin/env python3
"""How fast Ctrl-C stops `init-lint check` (the goal: within 0.5 s, "interrupted" on stderr, exit 130).

Builds a synthetic project (files of many default-init layers), starts `init-lint check` (and
`check --fix`) on it with one and with two processes, sends SIGINT after a given delay, and prints
the time from the signal to the exit: median and worst over the repetitions, with a check that
every file is either untouched or completely fixed and that no temporary file is left.

    python benchmarks/interrupt.py                     # 5 repetitions per case
    python benchmarks/interrupt.py --reps 10 --files 300 --layers 80
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def make_project(folder: str, files: int, layers: int) -> str:
    body = "".join(f"        self.fc{i} = nn.Linear({i + 1}, {i + 2})\n" for i in range(layers))
    header = "import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    source = header + body
    for i in range(files):
        with open(os.path.join(folder, f"m{i:04d}.py"), "w") as handle:
            handle.write(source)
    return source


def one_run(args: argparse.Namespace, fix: bool, jobs: int, delay: float) -> tuple[float, str]:
    folder = tempfile.mkdtemp(prefix="init-lint-interrupt-")
    try:
        original = make_project(folder, args.files, args.layers)
        command = [sys.executable, "-m", "init_lint", "check", ".", "--no-cache", "--jobs", str(jobs), "--quiet"]
        if fix:
            command.append("--fix")
        env = dict(os.environ, PYTHONPATH=os.path.join(REPO, "src"), PYTHONDONTWRITEBYTECODE="1")
        # SIGINT back to its default (a shell running this in the background may have it ignored)
        process = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                                   preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        time.sleep(delay)
        if process.poll() is not None:
            return float("nan"), "finished before the signal (use more --files)"
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
        took = time.monotonic() - sent
        problems = []
        if process.returncode != 130:
            problems.append(f"exit {process.returncode}")
        if b"interrupted" not in err:
            problems.append("no 'interrupted' on stderr")
        if b"Traceback" in err:
            problems.append("a traceback on stderr")
        for name in os.listdir(folder):
            path = os.path.join(folder, name)
            if name.startswith(".init-lint-"):
                problems.append(f"left {name}")
                continue
            if not name.endswith(".py"):
                continue
            with open(path) as handle:
                text = handle.read()
            if text != original and text.count("kaiming_uniform_") != args.layers:
                problems.append(f"{name} half-written")
        return took, "; ".join(problems)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--layers", type=int, default=60)
    parser.add_argument("--delays", default="0.3,1.0,1.8,2.5",
                        help="seconds between the start and SIGINT, one run each per repetition (comma-separated)")
    parser.add_argument("--reps", type=int, default=5)
    args = parser.parse_args()
    delays = [float(d) for d in args.delays.split(",")]
    print(f"{args.files} files of {args.layers} layers, SIGINT {args.delays} s after the start, "
          f"{args.reps * len(delays)} runs each")
    print(f"{'case':24s} {'median s':>9s} {'worst s':>9s}  problems")
    failed = False
    for fix in (False, True):
        for jobs in (1, 2):
            times, problems = [], []
            for _, delay in ((r, d) for r in range(args.reps) for d in delays):
                took, problem = one_run(args, fix, jobs, delay)
                times.append(took)
                if problem:
                    problems.append(problem)
            label = f"check{' --fix' if fix else ''} --jobs {jobs}"
            print(f"{label:24s} {statistics.median(times):9.3f} {max(times):9.3f}  {'; '.join(problems) or 'none'}")
            failed = failed or bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
