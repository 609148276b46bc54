"""``python -m sim`` is the same as the ``sim`` console script."""

from sim.cli import main

raise SystemExit(main())
