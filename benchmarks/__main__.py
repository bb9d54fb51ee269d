"""``python -m benchmarks``: run the benchmarks (see :mod:`benchmarks.harness`)."""

import sys

from .harness import main

sys.exit(main())
