"""The `init-lint` command: check, fix, explain rules, verify, serve editors.

Exit codes: 0 nothing left to report, 1 findings remain (or `--diff` has changes, or
`--exit-non-zero-on-fix` fixed something), 2 an error (a file that cannot be checked, a bad
option or configuration).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Optional, Sequence

from init_lint import __version__
from init_lint.config import FIX_STYLES, ConfigError, Settings, find_pyproject, load_settings, validate_code_prefix
from init_lint.diagnostics import Finding
from init_lint.output import FORMATS, render, statistics, summary, text_line

SUBCOMMANDS = ("check", "rule", "verify", "health", "lsp")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv = ["check"] + argv
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_ERROR if exit_.code not in (0, None) else EXIT_CLEAN
    try:
        return args.handler(args)
    except ConfigError as error:
        print(f"init-lint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_CLEAN


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="init-lint",
        description="Find and fix implicit, constant and mis-scaled layer initialization in PyTorch code.",
    )
    parser.add_argument("--version", action="version", version=f"init-lint {__version__}")
    commands = parser.add_subparsers(dest="command")

    check = commands.add_parser("check", help="check files and folders (the default command)")
    check.add_argument("paths", nargs="*", metavar="PATH", help="files or folders ('-' reads stdin); default: .")
    check.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    check.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe fixes (they change values)")
    check.add_argument("--diff", action="store_true", help="print the fixes as a unified diff, write nothing")
    check.add_argument("--fix-style", choices=FIX_STYLES, help="explicit (default) or skip-init")
    check.add_argument("--exit-non-zero-on-fix", action="store_true", help="exit 1 when a file was fixed")
    check.add_argument("--select", type=_codes, help="comma-separated codes or prefixes to report")
    check.add_argument("--ignore", type=_codes, help="comma-separated codes or prefixes not to report")
    check.add_argument("--extend-select", type=_codes, help="codes to report in addition to the selection")
    check.add_argument("--strict", action="store_true", default=None,
                       help="also report what cannot be verified (init out of sight) and every zero fill")
    check.add_argument("--output-format", choices=FORMATS, default="text")
    check.add_argument("--stdin-filename", help="the name of the file read from stdin (for config and messages)")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings remain")
    check.add_argument("--statistics", action="store_true", help="print counts per rule instead of findings")
    check.add_argument("--config", type=Path, help="a pyproject.toml to read [tool.init-lint] from")
    check.add_argument("--isolated", action="store_true", help="ignore configuration files")
    check.add_argument("--no-cache", action="store_true", help="do not read or write .init_lint_cache/")
    check.add_argument("--jobs", "-j", type=int, default=0, help="processes to use (default: one per core)")
    check.add_argument("--per-file", action="store_true",
                       help="judge each file alone, even inside a project folder (as flake8 does)")
    check.add_argument("--project", action="store_true",
                       help="judge the files named with the whole project around them (the folder of the "
                            "pyproject.toml, or the working folder): what pre-commit hooks use")
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    check.set_defaults(handler=run_check)

    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", nargs="?", help="INI001 or implicit-default-init")
    rule.add_argument("--all", action="store_true", help="print every rule")
    rule.set_defaults(handler=run_rule)

    verify = commands.add_parser("verify", help="run models before and after the fix and compare every parameter")
    try:
        from init_lint.verify.command import add_verify_arguments, run_verify_command
    except ImportError:  # pragma: no cover - the verifier ships with the package
        add_verify_arguments = run_verify_command = None
    if add_verify_arguments is not None:
        add_verify_arguments(verify)
        verify.set_defaults(handler=run_verify_command)

    health = commands.add_parser("health", help="run one batch through each model, flag exploding or dead layers")
    from init_lint.health.command import add_health_arguments, run_health_command

    add_health_arguments(health)
    health.set_defaults(handler=run_health_command)

    lsp = commands.add_parser("lsp", help="start the language server on stdio (needs init-lint[lsp])")
    lsp.set_defaults(handler=run_lsp)
    return parser


def _codes(text: str) -> tuple:
    codes = tuple(c.strip().upper() for c in text.split(",") if c.strip())
    for code in codes:
        try:
            validate_code_prefix(code, "--select/--ignore")
        except ConfigError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
    return tuple("INI" if c == "ALL" else c for c in codes)


def settings_for(args: argparse.Namespace, anchor: Path) -> Settings:
    if args.isolated:
        settings = Settings(root=str(Path.cwd()))
    else:
        config = args.config or find_pyproject(anchor)
        settings = load_settings(config) if config is not None else Settings(root=str(Path.cwd()))
    overrides = {
        "select": args.select, "ignore": (settings.ignore + args.ignore) if args.ignore else None,
        "extend_select": args.extend_select, "strict": args.strict, "fix_style": args.fix_style,
    }
    return settings.with_overrides(**overrides)


def run_check(args: argparse.Namespace) -> int:
    paths = args.paths or ["."]
    if paths == ["-"]:
        return _run_stdin(args)
    if "-" in paths:
        print("init-lint: error: '-' (stdin) cannot be mixed with paths", file=sys.stderr)
        return EXIT_ERROR
    settings = settings_for(args, Path(paths[0]))
    from init_lint.engine import Mode, run
    from init_lint.files import discover

    files = list(discover(paths, settings))
    mode = Mode(fix=args.fix, diff=args.diff, unsafe=args.unsafe_fixes, style=args.fix_style)
    cache_root = None if args.no_cache else (settings.root or os.getcwd())
    project = not args.per_file and (args.project or any(os.path.isdir(p) for p in paths))
    if project:
        context = files
        if args.project:
            around = settings.root or os.getcwd()
            named = {os.path.abspath(f) for f in files}
            context = files + [f for f in discover([around], settings) if os.path.abspath(f) not in named]
        outcomes = _project_outcomes(context, settings, mode, args, cache_root, len(files))
    else:
        outcomes = run(files, settings, mode, args.jobs, None if (args.fix or args.diff) else cache_root)
    remaining: list[Finding] = []
    fixed = 0
    errors = 0
    stdout = sys.stdout
    for outcome in outcomes:
        if outcome.error:
            print(f"init-lint: error: {outcome.error}", file=sys.stderr)
            errors += 1
        if outcome.diff:
            stdout.write(outcome.diff)
        fixed += outcome.fixed
        if args.diff:
            continue
        remaining.extend(outcome.findings)
        if args.output_format == "text" and not args.statistics:
            for finding in outcome.findings:
                stdout.write(text_line(finding) + "\n")
    if args.statistics:
        stdout.write(statistics(remaining))
    elif args.output_format != "text":
        stdout.write(render(remaining, args.output_format))
    if args.output_format == "text" and not args.quiet and not args.diff:
        print(summary(remaining, fixed, unsafe_hidden=not args.unsafe_fixes),
              file=sys.stdout if not args.statistics else sys.stderr)
    if args.diff and fixed and not args.quiet:
        print(f"Would fix {fixed} finding{'s' if fixed != 1 else ''}.", file=sys.stderr)
    if errors or any(f.code == "INI900" for f in remaining):
        return EXIT_ERROR
    if args.diff:
        return EXIT_FINDINGS if fixed else EXIT_CLEAN
    if args.exit_non_zero_on_fix and fixed:
        return EXIT_FINDINGS
    if remaining and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _project_outcomes(files: list, settings: Settings, mode, args: argparse.Namespace, cache_root: Optional[str],
                      reported: int) -> list:
    """Project mode: check every file (exports included), judge INI001 across files, then fix.

    Only the first `reported` files are reported and fixed; the others are context.
    """
    from init_lint.engine import Mode, run
    from init_lint.project import ProjectIndex

    checked = list(run(files, settings, Mode(exports=True), args.jobs, cache_root))
    index = ProjectIndex()
    for outcome in checked:
        index.add(outcome.path, outcome.exports)
    index.link()
    checked = checked[:reported]
    for outcome in checked:
        judged = (index.judge(f, outcome.path, settings.strict) for f in outcome.findings)
        outcome.findings = [f for f in judged if f is not None]
        outcome.exports = None
    if not (mode.fix or mode.diff):
        return checked
    to_fix = {o.path: frozenset((f.line, f.column, f.code) for f in o.findings) for o in checked
              if any(f.fix is not None for f in o.findings)}
    fixed = {o.path: o for o in run(list(to_fix), settings, mode, args.jobs, None, keep=to_fix)}
    return [fixed.get(o.path, o) for o in checked]


def _run_stdin(args: argparse.Namespace) -> int:
    """Editors: source on stdin; with --fix the fixed source on stdout and what remains on stderr."""
    name = args.stdin_filename or "<stdin>"
    settings = settings_for(args, Path(args.stdin_filename or ".").resolve())
    data = sys.stdin.buffer.read()
    from init_lint.checker import check_source
    from init_lint.engine import unified_diff

    if args.fix or args.diff:
        from init_lint.fixes.apply import FixError, fix_source

        try:
            result = fix_source(data, name, settings, unsafe=args.unsafe_fixes, style=args.fix_style)
        except FixError as error:
            sys.stdout.buffer.write(data)
            print(f"init-lint: error: {error}", file=sys.stderr)
            return EXIT_ERROR
        if args.diff:
            sys.stdout.write(unified_diff(name, data, result.source))
        else:
            sys.stdout.buffer.write(result.source)
        remaining = result.remaining
        for finding in remaining:
            print(text_line(finding), file=sys.stderr)
        if any(f.code == "INI900" for f in remaining):
            return EXIT_ERROR
        if args.diff:
            return EXIT_FINDINGS if result.fixed else EXIT_CLEAN
        return EXIT_FINDINGS if remaining and not args.exit_zero else EXIT_CLEAN
    findings = check_source(data, name, settings)
    if args.statistics:
        sys.stdout.write(statistics(findings))
    else:
        sys.stdout.write(render(findings, args.output_format))
        if args.output_format == "text" and not args.quiet:
            print(summary(findings))
    if any(f.code == "INI900" for f in findings):
        return EXIT_ERROR
    return EXIT_FINDINGS if findings and not args.exit_zero else EXIT_CLEAN


def run_rule(args: argparse.Namespace) -> int:
    from init_lint.rules import ALL_RULES, find_rule

    if args.all:
        print("\n".join(rule.page() for rule in ALL_RULES.values()))
        return EXIT_CLEAN
    if not args.code:
        for rule in ALL_RULES.values():
            print(f"{rule.code}  {rule.name:24s} {rule.summary}")
        return EXIT_CLEAN
    rule = find_rule(args.code)
    if rule is None:
        print(f"init-lint: error: unknown rule {args.code!r} (known: {', '.join(ALL_RULES)})", file=sys.stderr)
        return EXIT_ERROR
    print(rule.page())
    return EXIT_CLEAN


def run_lsp(args: argparse.Namespace) -> int:
    try:
        from init_lint.frontends.lsp import serve
    except ImportError as error:
        print(f"init-lint: error: the language server needs pygls: pip install 'init-lint[lsp]' ({error})",
              file=sys.stderr)
        return EXIT_ERROR
    serve()
    return EXIT_CLEAN
