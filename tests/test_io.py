"""Output files (seisclass.core.io) and job logs (seisclass.core.runlog)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from seisclass.core.io import atomic_path, write_json

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("umask", "group_write"), [(0o002, True), (0o022, False)])
def test_written_files_honour_the_umask(tmp_path, umask, group_write):
    old = os.umask(umask)
    try:
        write_json({"a": 1}, tmp_path / "out.json")
        with atomic_path(tmp_path / "raw.bin") as tmp:
            tmp.write_bytes(b"x")
    finally:
        os.umask(old)
    for name in ("out.json", "raw.bin"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o666 & ~umask, oct(mode)
        assert bool(mode & stat.S_IRGRP) and bool(mode & stat.S_IWGRP) is group_write


def test_atomic_path_leaves_nothing_on_failure(tmp_path):
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "x.txt") as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []


def test_uncaught_exception_goes_to_the_job_log_with_traceback(tmp_path):
    log = tmp_path / "job.log"
    code = ("from seisclass.core.runlog import log_to\n"
            f"log = log_to({str(log)!r})\n"
            "log.info('step 1 done')\n"
            "def fail():\n"
            "    raise ValueError('features.parquet: column Z_rms is NaN')\n"
            "fail()\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 1
    text = log.read_text()
    assert "step 1 done" in text and "CRITICAL" in text
    assert "Traceback" in text and "in fail" in text and "ValueError: features.parquet: column Z_rms is NaN" in text
    assert "ValueError" in result.stderr  # still shown on stderr


def test_reproducible_zip_gives_the_same_bytes_for_the_same_content(tmp_path):
    import io
    import time
    import zipfile

    from seisclass.core.io import reproducible_zip

    def archive():
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr("a.txt", "alpha")
            z.writestr("b/c.bin", bytes(range(50)))
        return buffer.getvalue()

    first = archive()
    time.sleep(2.1)  # zip times have a 2-s resolution
    second = archive()
    assert first != second and reproducible_zip(first) == reproducible_zip(second)
    with zipfile.ZipFile(io.BytesIO(reproducible_zip(first))) as z:
        assert z.read("a.txt") == b"alpha" and z.namelist() == ["a.txt", "b/c.bin"]
