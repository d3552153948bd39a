"""`python -m grimoire` runs the same command line as `grimoire`."""

from grimoire.cli import main

raise SystemExit(main())
