"""Shared fixtures: the repository paths and one tiny end-to-end workflow run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # figures go to files; no display in tests

REPO = Path(__file__).resolve().parents[1]
E2E_CONFIG = REPO / "tests" / "e2e" / "config"
REAL_DATA = REPO / "tests" / "data" / "real"  # copied from the project data; see tests/data/README.md


def snakemake(workdir: Path, *args: str, check: bool = True, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run the repository's Snakefile in ``workdir`` (which holds config/) with this Python."""
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"),
               "--directory", str(workdir), *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}")
    return result


def make_workdir(root: Path, config_dir: Path = E2E_CONFIG) -> Path:
    """A fresh working directory holding a copy of ``config_dir`` as config/."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(config_dir, root / "config")
    return root


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory) -> Path:
    """The tiny demo workflow (one station, one hour), run once per test session to completion."""
    workdir = make_workdir(tmp_path_factory.mktemp("tiny") / "run")
    snakemake(workdir, "--cores", "2")
    return workdir
