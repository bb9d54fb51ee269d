"""Make the seisclass package importable in any job environment.

Snakemake puts this directory on ``sys.path`` for script jobs; importing this
module adds the repository's ``src/`` too, so jobs work in the project venv,
in ``--use-conda`` environments and on cluster nodes alike.
"""

import sys
from pathlib import Path

SRC = str(Path(__file__).resolve().parents[2] / "src")
if SRC not in sys.path:
    sys.path.insert(0, SRC)
