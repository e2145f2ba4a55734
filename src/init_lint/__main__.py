from init_lint.cli import main

raise SystemExit(main())
