"""`python -m rspp`: the same as the `rspp` console script."""

from rspp.cli.main import main

raise SystemExit(main())
