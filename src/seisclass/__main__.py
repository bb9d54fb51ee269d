"""``python -m seisclass``: the command line (:mod:`seisclass.cli`)."""

import sys

from seisclass.cli import main

sys.exit(main())
