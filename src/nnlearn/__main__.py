"""``python -m nnlearn``: the command-line interface."""

from nnlearn.cli import main

raise SystemExit(main())
