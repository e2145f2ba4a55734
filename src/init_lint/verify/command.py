"""`init-lint verify`: the command line of the verifier (hooked into cli.py by `add_verify_arguments`)."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys

from init_lint.config import FIX_STYLES
from init_lint.verify.runner import DEFAULT_TIMEOUT

INSTALL_HINT = "init-lint verify runs your models and needs PyTorch: pip install 'init-lint[verify]'"


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or folders whose models to verify")
    parser.add_argument(
        "--recipes",
        action="store_true",
        help="check init-lint's default-init recipes against the installed torch instead of verifying files",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed both builds use (default 0)")
    parser.add_argument(
        "--fix-style",
        choices=FIX_STYLES,
        default="explicit",
        help="the fix to verify (default explicit; built with the fixed layers' constructor draws skipped)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds each file may take to import and build (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("--jobs", type=int, default=None, help="files verified at once (default: half the CPUs)")
    parser.add_argument("--output-format", choices=("text", "json"), default="text")


def run_verify_command(args: argparse.Namespace) -> int:
    """0: every class that ran is identical (and one did); 1: a class differs; 2: errors, or no torch."""
    if not torch_installed():
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    if args.recipes:
        return _run_recipes(args)
    if not args.paths:
        print("init-lint verify: give the files or folders to verify, or --recipes", file=sys.stderr)
        return 2
    if args.timeout <= 0:
        print("init-lint verify: --timeout must be positive", file=sys.stderr)
        return 2

    from init_lint.verify.results import exit_code, format_text, to_json
    from init_lint.verify.runner import verify_paths

    files = verify_paths(args.paths, style=args.fix_style, seed=args.seed, timeout=args.timeout, jobs=args.jobs)
    if args.output_format == "json":
        print(json.dumps(to_json(files, style=args.fix_style, seed=args.seed), indent=2))
    else:
        print(format_text(files, style=args.fix_style, seed=args.seed))
    return exit_code(files)


def torch_installed() -> bool:
    try:
        return importlib.util.find_spec("torch") is not None
    except (ImportError, ValueError):  # a broken or blocked installation counts as missing
        return False


def _run_recipes(args: argparse.Namespace) -> int:
    from init_lint.verify.recipes import run_recipe_selftest

    report = run_recipe_selftest(seed=args.seed)
    if args.output_format == "json":
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(report.format_text())
    return 0 if report.ok else 1


def main(argv=None) -> int:
    """`python -m init_lint.verify.command`, until cli.py dispatches `init-lint verify` here."""
    parser = argparse.ArgumentParser(prog="init-lint verify", description=__doc__)
    add_verify_arguments(parser)
    return run_verify_command(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
