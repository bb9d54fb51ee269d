"""The feature oracle of the tests (``tests/oracles/features.py``), for the speed comparison."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from oracles.features import compare, reference_features  # noqa: E402

__all__ = ["compare", "reference_features"]
