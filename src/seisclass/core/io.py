"""Atomic file output: write to a temporary sibling, then rename.

An interrupted job never leaves a half-written file under the final name,
so Snakemake (and users) never mistake a partial output for a finished one.
The final file gets the permissions of a plainly created file (``0o666`` less
the umask), so outputs can be shared like any other file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    The temporary file keeps the suffix of ``path`` so writers that infer the
    format from the extension (matplotlib, ObsPy, pandas) still work.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~current_umask())  # mkstemp creates 0o600
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process umask (read by setting and restoring it, under a lock)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def write_json(obj, path: str | os.PathLike) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(obj, indent=2, sort_keys=True) + "\n")


def read_parquets(paths: list, what: str = "tables", every: int = 10) -> list:
    """Read Parquet files in order, logging progress about ``every`` times (long reads stay visible)."""
    import pandas as pd

    log = logging.getLogger(__name__)
    paths = list(paths)
    step = max(1, len(paths) // max(1, every))
    tables = []
    for i, path in enumerate(paths, start=1):
        tables.append(pd.read_parquet(path))
        if i % step == 0 or i == len(paths):
            log.info("read %d of %d %s", i, len(paths), what)
    return tables


def write_parquet(frame, path: str | os.PathLike) -> None:
    """Write a DataFrame to Parquet atomically (index dropped)."""
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)


def write_csv(frame, path: str | os.PathLike, **kwargs) -> None:
    """Write a DataFrame to CSV atomically (index dropped)."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, **kwargs)


def save_figure(fig, path: str | os.PathLike, dpi: int = 120) -> None:
    """Save a matplotlib figure atomically and close it."""
    import matplotlib.pyplot as plt

    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, bbox_inches="tight")
    plt.close(fig)


ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can hold


def reproducible_zip(data: bytes) -> bytes:
    """A zip archive (skops models, npz arrays, bundles) rewritten with fixed entry times.

    Zip writers stamp every entry with the current time, so the same content
    written twice gives different bytes; here every entry keeps its name,
    order, content and compression, and gets :data:`ZIP_EPOCH`.
    """
    import io as _io
    import zipfile

    out = _io.BytesIO()
    with zipfile.ZipFile(_io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_EPOCH)
            entry.compress_type, entry.external_attr = info.compress_type, info.external_attr
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
