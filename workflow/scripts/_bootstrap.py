"""Job set-up shared by every rule script: this checkout's library first, quiet threads, no display.

Snakemake puts this directory on ``sys.path`` for script jobs; importing this
module puts the repository's ``src/`` *first* on ``sys.path``, so a job runs
this checkout's code even when another copy of seisclass is installed (in
the project venv, in ``--use-conda`` environments and on cluster nodes
alike). It also chooses the matplotlib backend (files, no display) and
makes idle OpenMP threads sleep instead of spinning on shared cores; both
must happen before matplotlib or torch are imported, which is why the
library itself never does it.
"""

import os
import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")
if SRC in sys.path:
    sys.path.remove(SRC)
sys.path.insert(0, SRC)
os.environ["MPLBACKEND"] = "Agg"
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
