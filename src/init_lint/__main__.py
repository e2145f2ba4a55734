import os
import sys

try:
    from init_lint.cli import main
except KeyboardInterrupt:  # Ctrl-C while the command is still being imported
    print("init-lint: interrupted", file=sys.stderr)
    code = 130
else:
    code = main()
if code == 130:
    # A KeyboardInterrupt that went through `exec` of a string (dataclasses do that while modules load)
    # makes CPython end by killing itself with SIGINT even after it was handled: exit with 130 ourselves.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)
raise SystemExit(code)
