"""Front ends that put init-lint inside other tools: the flake8 plugin and the language server.

Each one is a thin adapter over `init_lint.api`; none is imported by the core package, so
neither flake8 nor pygls is needed to use the CLI.
"""
