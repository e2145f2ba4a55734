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
from init_lint.output import FORMATS, default_format, full, render, show_fixes, statistics, summary, text_line

# Only what every command needs is imported here: libcst, the rules and the verifier are imported by the
# commands that use them, so `--version`, `rule` and a run over files without torch start fast
# (benchmarks/startup.py measures it).

SUBCOMMANDS = ("check", "rule", "verify", "health", "explain", "lsp")
EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        return _main(argv)
    except KeyboardInterrupt:  # also while the parser and its imports are being set up
        print("init-lint: interrupted", file=sys.stderr)
        return 130


def _main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv = ["check"] + argv
    if argv[0] == "verify":
        import warnings

        # torch without NumPy warns on import; the verifier never needs NumPy, so the warning is noise
        warnings.filterwarnings("ignore", message="Failed to initialize NumPy", category=UserWarning)
    parser = build_parser(with_verify=argv[0] == "verify", with_health=argv[0] == "health")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_ERROR if exit_.code not in (0, None) else EXIT_CLEAN
    try:
        return args.handler(args)
    except ConfigError as error:
        print(f"init-lint: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return EXIT_CLEAN


def build_parser(with_verify: bool = True, with_health: bool = True) -> argparse.ArgumentParser:
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
    check.add_argument("--output-format", choices=FORMATS, default=None,
                       help="full (a code frame and a help line; the default at a terminal), concise (one line; "
                            "the default otherwise; `text` is its old name), json, json-lines, github, gitlab, "
                            "rdjson, sarif, junit")
    check.add_argument("--show-fixes", action="store_true", help="with --fix: list what was fixed, per file and code")
    check.add_argument("--add-noqa", action="store_true",
                       help="add `# noqa: CODE` to every line with a finding (to adopt init-lint on existing code)")
    check.add_argument("--baseline", metavar="FILE",
                       help="report only findings not in FILE; a missing FILE is written with today's findings")
    check.add_argument("--write-baseline", action="store_true",
                       help="with --baseline: rewrite FILE with today's findings")
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
                            "pyproject.toml, or the working folder): what pre-commit hooks use; with '-', the "
                            "text on stdin stands for the file --stdin-filename names")
    check.add_argument("--quiet", "-q", action="store_true", help="print findings only, no summary")
    check.set_defaults(handler=run_check)

    rule = commands.add_parser("rule", help="print a rule's documentation")
    rule.add_argument("code", nargs="?", help="INI001 or implicit-default-init")
    rule.add_argument("--all", action="store_true", help="print every rule")
    rule.set_defaults(handler=run_rule)

    explain = commands.add_parser("explain", help="show why each layer of a file keeps the default or is initialized")
    explain.add_argument("target", metavar="PATH[:LINE]", help="a file, or a file and the line of one layer")
    explain.add_argument("--output-format", choices=("text", "json"), default="text")
    explain.add_argument("--per-file", action="store_true",
                         help="judge the file alone (as flake8 and `check --per-file` do); by default it is "
                              "judged with its project around it (the folder of its pyproject.toml, else the "
                              "import root of its package), as `check` judges a folder, and the "
                              "project's reason is shown where its verdict differs")
    explain.add_argument("--isolated", action="store_true", help="ignore configuration files")
    explain.add_argument("--no-cache", action="store_true", help="do not read or write .init_lint_cache/")
    explain.add_argument("--jobs", "-j", type=int, default=0, help="processes to use (default: one per core)")
    explain.set_defaults(handler=run_explain)

    verify = commands.add_parser("verify", help="run models before and after the fix and compare every parameter")
    if with_verify:  # its options cost an import of the verifier: only when the command is verify
        from init_lint.verify.command import add_verify_arguments, run_verify_command

        add_verify_arguments(verify)
        verify.set_defaults(handler=run_verify_command)

    health = commands.add_parser("health", help="run one batch through each model, flag exploding or dead layers")
    if with_health:  # like verify's: its options import the health runner, only when the command is health
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
    if paths == ["-"] and (args.add_noqa or args.baseline):
        print("init-lint: error: --add-noqa and --baseline work on files, not on stdin", file=sys.stderr)
        return EXIT_ERROR
    if paths == ["-"]:
        return _run_stdin(args)
    if "-" in paths:
        print("init-lint: error: '-' (stdin) cannot be mixed with paths", file=sys.stderr)
        return EXIT_ERROR
    settings = settings_for(args, Path(paths[0]))
    if args.write_baseline and not args.baseline:
        raise ConfigError("--write-baseline needs --baseline FILE")
    baseline = _Baseline(args) if args.baseline else None
    from init_lint.engine import Mode, run
    from init_lint.files import discover

    files = list(discover(paths, settings))
    if not files:
        print("warning: no Python files found under the given paths", file=sys.stderr)
        return EXIT_CLEAN
    mode = Mode(fix=args.fix, diff=args.diff, unsafe=args.unsafe_fixes, style=args.fix_style, roots=tuple(paths))
    cache_root = None if args.no_cache else (settings.root or os.getcwd())
    project = not args.per_file and (args.project or any(os.path.isdir(p) for p in paths))
    if project:
        from init_lint.project_run import check_project

        # --project: the files named are judged with the whole project around them
        context = discover([settings.root or os.getcwd()], settings) if args.project else ()
        outcomes = check_project(files, settings, mode, context=context, jobs=args.jobs, index_root=cache_root)
    else:
        outcomes = run(files, settings, mode, args.jobs, None if (args.fix or args.diff) else cache_root)
    fmt = args.output_format or settings.output_format or default_format(sys.stdout)
    human = fmt in ("full", "concise", "text")
    remaining: list[Finding] = []
    fixes: list[tuple[str, list[Finding]]] = []
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
        fixes.append((outcome.path, outcome.fixes))
        if args.diff:
            unparsable = [f for f in outcome.findings if f.code == "INI900"]
            remaining.extend(unparsable)
            for finding in unparsable:
                print(text_line(finding), file=sys.stderr)
            continue
        findings = baseline.filter(outcome.findings) if baseline is not None else outcome.findings
        remaining.extend(findings)
        if human and not args.statistics and not args.add_noqa and not (baseline and baseline.writing):
            for finding in findings:
                stdout.write(full(finding) if fmt == "full" else text_line(finding) + "\n")
    if args.add_noqa:
        return _add_noqa(remaining, args)
    if baseline is not None and baseline.writing:
        return baseline.write(remaining)
    if args.statistics:
        stdout.write(statistics(remaining))
    elif not human:
        suggestions = None
        if fmt == "rdjson":
            from init_lint.reports import fix_suggestions

            suggestions = fix_suggestions(remaining, settings, args.fix_style)
        from init_lint.reports import render as render_report

        stdout.write(render_report(remaining, fmt, suggestions))
    if args.show_fixes and (args.fix or args.diff):
        # with --diff, stdout is the patch: the list goes to stderr, as any other format's does
        listing = show_fixes(fixes, "Fixed" if args.fix else "Would fix")
        (stdout if human and not args.diff else sys.stderr).write(listing)
    if human and not args.quiet and not args.diff:
        print(summary(remaining, fixed, unsafe_enabled=args.unsafe_fixes, fixing=args.fix),
              file=sys.stdout if not args.statistics else sys.stderr)
    if args.diff and fixed and not args.quiet:
        print(f"Would fix {fixed} finding{'s' if fixed != 1 else ''}.", file=sys.stderr)
    return exit_status(remaining, args, fixed=fixed, errors=errors)


def exit_status(remaining: list[Finding], args: argparse.Namespace, *, fixed: int = 0, errors: int = 0) -> int:
    """The exit code of `check`, for files and stdin alike (the module's docstring lists them)."""
    if errors or any(f.code == "INI900" for f in remaining):
        return EXIT_ERROR
    if args.diff:
        return EXIT_FINDINGS if fixed else EXIT_CLEAN
    if args.exit_non_zero_on_fix and fixed:
        return EXIT_FINDINGS
    if remaining and not args.exit_zero:
        return EXIT_FINDINGS
    return EXIT_CLEAN


class _Baseline:
    """`--baseline FILE`: filter against FILE, or (missing FILE, --write-baseline) record the findings."""

    def __init__(self, args: argparse.Namespace) -> None:
        from init_lint import baseline

        self.module, self.path = baseline, args.baseline
        self.writing = args.write_baseline or not os.path.exists(self.path)
        if args.fix or args.diff or args.add_noqa:
            if self.writing:
                raise ConfigError(f"--baseline {self.path}: no such file to compare with "
                                  f"(record it first, without --fix)")
        self.known = None
        if not self.writing:
            try:
                self.known = baseline.load(self.path)
            except (OSError, ValueError) as error:
                raise ConfigError(str(error)) from None

    def filter(self, findings: list[Finding]) -> list[Finding]:
        if self.writing:
            return findings
        return self.module.new_findings(self.path, self.known, findings)

    def write(self, findings: list[Finding]) -> int:
        try:
            self.module.write(self.path, findings)
        except OSError as error:
            print(f"init-lint: error: cannot write {self.path}: {error.strerror or error}", file=sys.stderr)
            return EXIT_ERROR
        recorded = sum(1 for f in findings if f.code != "INI900")
        print(f"Recorded {recorded} finding{'s' if recorded != 1 else ''} in {self.path}; "
              f"later runs with --baseline report only new ones.", file=sys.stderr)
        return EXIT_ERROR if any(f.code == "INI900" for f in findings) else EXIT_CLEAN


def _add_noqa(findings: list[Finding], args: argparse.Namespace) -> int:
    from init_lint.files import WriteError
    from init_lint.noqa import add_noqa

    if args.fix or args.diff:
        print("init-lint: error: --add-noqa cannot be combined with --fix or --diff", file=sys.stderr)
        return EXIT_ERROR
    by_path: dict = {}
    for finding in findings:
        if finding.code != "INI900":
            by_path.setdefault(finding.path, []).append(finding)
    added = 0
    failed = False
    for path, found in by_path.items():
        try:
            changed, unreachable = add_noqa(path, found)
            added += changed
            for finding in unreachable:
                print(f"init-lint: warning: {finding.path}:{finding.line}: no noqa comment added for {finding.code}: "
                      f"the line ends inside a string", file=sys.stderr)
        except (WriteError, OSError) as error:
            print(f"init-lint: error: {error}", file=sys.stderr)
            failed = True
    print(f"Added {added} noqa directive{'s' if added != 1 else ''}.", file=sys.stderr)
    return EXIT_ERROR if failed or any(f.code == "INI900" for f in findings) else EXIT_CLEAN


def _run_stdin(args: argparse.Namespace) -> int:
    """Editors: source on stdin; with --fix the fixed source on stdout and what remains on stderr.

    The same check -> fix -> re-check as a file's (`checker.fix_and_recheck`, notebooks included)
    and the same exit codes; only where the result goes differs: nothing is written.
    """
    name = args.stdin_filename or "<stdin>"
    settings = settings_for(args, Path(args.stdin_filename or ".").resolve())
    data = sys.stdin.buffer.read()
    from init_lint.checker import check_file_source, fix_and_recheck

    if args.fix or args.diff:
        result = fix_and_recheck(data, name, settings, unsafe=args.unsafe_fixes, style=args.fix_style, diff=args.diff)
        if result.error is not None:
            sys.stdout.buffer.write(data)  # an editor that replaces its buffer with stdout loses nothing
            print(f"init-lint: error: {result.error}", file=sys.stderr)
            return EXIT_ERROR
        if args.diff:
            sys.stdout.write(result.diff)
        else:
            sys.stdout.buffer.write(result.source)
        for finding in result.remaining:
            print(text_line(finding), file=sys.stderr)
        return exit_status(result.remaining, args, fixed=len(result.fixed))
    if args.project and args.stdin_filename and not name.endswith(".ipynb"):
        # The editor's text judged with the project around it (the file on disk stands aside).
        from init_lint.files import discover
        from init_lint.project_run import check_project

        around = settings.root or os.getcwd()
        cache_root = None if args.no_cache else around
        [outcome] = check_project([name], settings, context=discover([around], settings), jobs=args.jobs,
                                  index_root=cache_root, sources={name: data})
        findings = outcome.findings
    else:
        findings = check_file_source(data, name, settings)
    fmt = args.output_format or settings.output_format or default_format(sys.stdout)
    if args.statistics:
        sys.stdout.write(statistics(findings))
    else:
        text = data.decode("utf-8", "replace")
        sys.stdout.write(render(findings, fmt, lambda _: text))
        if fmt in ("full", "concise", "text") and not args.quiet:
            print(summary(findings))
    return exit_status(findings, args)


def run_explain(args: argparse.Namespace) -> int:
    from init_lint.explain import run, split_target

    config = None if args.isolated else find_pyproject(Path(split_target(args.target)[0]))
    settings = load_settings(config) if config is not None else Settings()
    return run(args.target, args.output_format, settings=settings, per_file=args.per_file,
               cache=not args.no_cache, jobs=args.jobs, config_found=config is not None)


def run_rule(args: argparse.Namespace) -> int:
    # The pages generated from the rules (docs/generate.py), so that this never imports libcst.
    from init_lint.rule_pages import RULES

    if args.all:
        print("\n".join(page["page"] for page in RULES.values()))
        return EXIT_CLEAN
    if not args.code:
        for code, page in RULES.items():
            print(f"{code}  {page['name']:24s} {page['summary']}")
        return EXIT_CLEAN
    wanted = args.code.strip()
    found = [page for code, page in RULES.items() if wanted.upper() == code or wanted.lower() == page["name"]]
    if not found:
        print(f"init-lint: error: unknown rule {args.code!r} (known: {', '.join(RULES)})", file=sys.stderr)
        return EXIT_ERROR
    print(found[0]["page"])
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
