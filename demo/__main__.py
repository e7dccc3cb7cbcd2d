"""``python -m demo``: see :mod:`demo.run`."""

from demo.run import main

raise SystemExit(main())
