"""Start-up time of the `init-lint` command, before and after, measured in one run.

    python benchmarks/startup.py [--before SRC] [--repeat N]

Times each command (the minimum of N runs, alternating the two sources so that a busy machine
slows both alike) with this checkout's `src` as "after" and `--before SRC` (default: the src/ of
/work/main, the last merged state) as "before", via PYTHONPATH.  Also prints, from
`python -X importtime`, the import time and whether libcst was imported at all.

Commands: `--version`, `rule INI004`, `check` of a small file that never mentions torch, and
`check` of the 3-(4-5)-2 demo model (which needs libcst: a floor, not a target).
Goal (issue 14): `--version` and `rule X` in at most 0.15 s; no libcst for a file without torch.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAIN = "import os\n\n\ndef add(a, b):\n    return a + b\n"


def commands(plain: str) -> dict:
    return {
        "--version": ["--version"],
        "rule INI004": ["rule", "INI004"],
        "check no-torch file": ["check", "--no-cache", plain],
        "check demo model": ["check", "--no-cache", str(ROOT / "fixtures" / "tanh_3_4_5_2_default.py")],
    }


def run_once(src: str, argv: list, importtime: bool = False) -> tuple[float, str]:
    env = dict(os.environ, PYTHONPATH=src, PYTHONDONTWRITEBYTECODE="")
    flags = ["-X", "importtime"] if importtime else []
    start = time.perf_counter()
    result = subprocess.run([sys.executable, *flags, "-m", "init_lint", *argv], env=env, capture_output=True,
                            text=True, cwd=tempfile.gettempdir())
    return time.perf_counter() - start, result.stderr


def import_profile(src: str, argv: list) -> tuple[float, bool]:
    """(seconds spent importing init_lint and what it pulled in, whether libcst was imported)."""
    _, stderr = run_once(src, argv, importtime=True)
    total = 0
    libcst = False
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        parts = line.split("|")
        name = parts[2].rstrip()
        if name.strip() == "libcst" or name.strip().startswith("libcst."):
            libcst = True
        if len(name) - len(name.lstrip()) == 1:  # top-level imports only: their cumulative time
            try:
                total += int(parts[1])
            except ValueError:
                pass
    return total / 1e6, libcst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default="/work/main/src", help="the src/ folder to compare with")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    after = str(ROOT / "src")
    with tempfile.TemporaryDirectory() as folder:
        plain = os.path.join(folder, "plain.py")
        Path(plain).write_text(PLAIN)
        table = commands(plain)
        for argv in table.values():  # warm the byte-code caches of both sources
            run_once(args.before, argv)
            run_once(after, argv)
        print(f"python {sys.version.split()[0]}; minimum of {args.repeat} runs; before = {args.before}")
        print(f"{'command':22s} {'before s':>9s} {'after s':>8s} {'ratio':>6s}   "
              f"imports before/after (s)   libcst before/after")
        for label, argv in table.items():
            times = {args.before: [], after: []}
            for _ in range(args.repeat):
                for src in (args.before, after):
                    times[src].append(run_once(src, argv)[0])
            old, new = min(times[args.before]), min(times[after])
            old_imports, old_cst = import_profile(args.before, argv)
            new_imports, new_cst = import_profile(after, argv)
            print(f"{label:22s} {old:9.3f} {new:8.3f} {old / new:5.1f}x   {old_imports:10.3f} / {new_imports:.3f}"
                  f"          {'yes' if old_cst else 'no':>3s} / {'yes' if new_cst else 'no'}")
        floor = min(_bare_python() for _ in range(args.repeat))
        print(f"{'bare python -c pass':22s} {floor:9.3f}")
    return 0


def _bare_python() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], capture_output=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    raise SystemExit(main())
