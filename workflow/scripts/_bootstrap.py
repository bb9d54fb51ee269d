"""Job set-up shared by every rule script: this checkout's library first, quiet threads, no display.

Snakemake puts this directory on ``sys.path`` for script jobs; importing this
module puts the repository's ``src/`` *first* on ``sys.path``, so a job runs
this checkout's code even when another copy of seisclass is installed (in
the project venv, in ``--use-conda`` environments and on cluster nodes
alike). It also chooses the matplotlib backend (files, no display) and
makes idle OpenMP threads sleep instead of spinning on shared cores; both
must happen before matplotlib or torch are imported, which is why the
library itself never does it.

The Snakefile imports it too: rules hand typed values (config sections, station-days)
to their scripts, and :func:`reduce_dataclass` pickles them so that :func:`restore`
rebuilds them in the job from this checkout's library.
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


def restore(module: str, name: str, fields: dict):
    """Rebuild a seisclass dataclass (a config section, a station-day, ...) from its fields.

    Unpickling a rule's params calls this (see ``reduce_dataclass``): importing this
    module first has put this checkout's ``src/`` first, so the class comes from it.
    """
    import importlib

    return getattr(importlib.import_module(module), name)(**fields)


def reduce_dataclass(obj):
    """Pickle reducer (registered by the Snakefile): a dataclass as ``restore(module, class, fields)``."""
    import dataclasses

    kind = type(obj)
    return restore, (kind.__module__, kind.__qualname__,
                     {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.init})


def dataclass_types(values) -> set:
    """The dataclass types of ``values`` and of every dataclass nested in them (fields, tuples)."""
    import dataclasses

    found, todo = set(), list(values)
    while todo:
        value = todo.pop()
        if isinstance(value, list | tuple):
            todo += value
        elif dataclasses.is_dataclass(value) and not isinstance(value, type) and type(value) not in found:
            found.add(type(value))
            todo += [getattr(value, f.name) for f in dataclasses.fields(value)]
    return found
