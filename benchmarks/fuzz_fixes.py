"""The long fuzz run of the fixer: N generated models, each fixed in both styles (safe and unsafe),
checked and BUILT under torch, with every problem counted instead of stopping at the first.

    PYTHONPATH=src .venv/bin/python benchmarks/fuzz_fixes.py --models 10000 [--seed 0] [--out DIR]
        [--kinds all|classic|modules]

The models come from `tests/test_fuzz.py`'s generator (every import form, layer kind, container,
init form, and parameters that shadow what the fixer reads): the classic layers (Linear, Conv*,
Bilinear) and the modules of INI006-INI008 (`tests/fuzz_modules.py`: Embedding*, RNN/LSTM/GRU and
cells, MultiheadAttention, Transformer*), or only one of the two sets with --kinds.  For each one,
`tests/fixcheck.audit` reports: crash (check or fix raised), parse, idempotent (a second fix changes
the file), left (a fixable finding stayed without a reason), build (a fixed model does not build where
the original does), structure (a fixed model's parameter names, shapes, dtypes or devices differ),
bitwise (skip-init parameters or the random stream differ).  The sources of the first failures of
each kind are written to --out.  Prints the counts and the time per model.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402

from fixcheck import audit  # noqa: E402
from test_fuzz import KIND_SETS, build_classes, model_files  # noqa: E402

KINDS = ("crash", "parse", "idempotent", "left", "build", "structure", "bitwise")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("/tmp/init-lint-fuzz-fixes"))
    parser.add_argument("--keep", type=int, default=3, help="failing sources kept per kind")
    parser.add_argument("--progress", type=int, default=500, help="print the counts every N models")
    parser.add_argument("--kinds", choices=sorted(KIND_SETS), default="all", help="which modules the models build")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    counts: Counter = Counter()
    causes: Counter = Counter()
    started = time.perf_counter()

    @settings(max_examples=args.models, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False)
    @given(model_files(runnable=True, kinds=tuple(KIND_SETS[args.kinds])))
    def run(model) -> None:
        counts["models"] += 1
        problems = audit(model.source, build_classes(model.classes))
        counts["fixes applied"] += problems.pop("fixed", 0)
        for kind, detail in problems.items():
            counts[kind] += 1
            causes[f"{kind}: {cause(detail)}"] += 1
            if counts[kind] <= args.keep:
                (args.out / f"{kind}-{counts[kind]}.py").write_text(f"# {detail}\n" + model.source)
        if counts["models"] % args.progress == 0:
            report(counts, started)

    import random

    random.seed(args.seed)
    run()
    report(counts, started)
    for what, count in causes.most_common():
        print(f"{count:6d}  {what}")
    return 1 if any(counts[k] for k in KINDS) else 0


def cause(detail: str) -> str:
    """A problem's detail without what varies between models (style, parameter paths, sizes)."""
    text = re.sub(r"^(explicit|skip-init) unsafe=(True|False): ", "", str(detail))
    text = re.sub(r"\b[\w]+(\.[\w]+)+(?=:)", "<parameter>", text)
    return re.sub(r"\d+", "N", text)[:160]


def report(counts: Counter, started: float) -> None:
    elapsed = time.perf_counter() - started
    models = max(counts["models"], 1)
    line = ", ".join(f"{kind} {counts[kind]}" for kind in KINDS)
    print(f"{counts['models']} models, {counts['fixes applied']} fixes applied; problems: {line}; "
          f"{elapsed:.0f} s ({1000 * elapsed / models:.0f} ms a model)", flush=True)


if __name__ == "__main__":
    sys.exit(main())
