"""Shared fixtures: the repository paths and one tiny end-to-end workflow run.

Every test is one of two kinds (markers registered in pyproject.toml):

- ``workflow``: runs Snakemake (``snakemake()`` below) or needs the tiny end-to-end run
  (``tiny_run``). Modules made only of such tests set ``pytestmark = pytest.mark.workflow``;
  in mixed modules each such test carries ``@pytest.mark.workflow``.
- ``unit``: everything else (``make test-fast`` runs ``-m unit``). Modules set
  ``pytestmark = pytest.mark.unit``; an unmarked test in a mixed module is a unit test.

Enforced here: a test using ``tiny_run`` is a workflow test even if unmarked (a module marked
``unit`` holding one, or a test marked both, stops the collection), and a unit test that calls
``snakemake()`` fails. With ``CI=true`` a skipped test is a failure (CI installs every system
package the tests use, so a skip there means something is missing).
tests/slurm/ is collected only with ``SEISCLASS_SLURM=1`` (``make test-slurm``).
"""

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
KINDS = ("unit", "workflow")
STRICT_SKIPS = os.environ.get("CI") == "true"
collect_ignore = [] if os.environ.get("SEISCLASS_SLURM") == "1" else ["slurm"]  # opt-in: make test-slurm
_running_kind: str | None = None  # kind of the test being set up or run; None outside pytest


def kinds_of(item: pytest.Item) -> set[str]:
    """The kind markers of ``item`` (its own, its class's and its module's)."""
    return {mark.name for mark in item.iter_markers() if mark.name in KINDS}


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects on the markers
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problems = []
    for item in items:
        kinds = kinds_of(item)
        if "tiny_run" in getattr(item, "fixturenames", ()) and "workflow" not in kinds:
            if kinds:
                problems.append(f"{item.nodeid}: uses tiny_run but is marked unit")
            item.add_marker(pytest.mark.workflow)
        elif len(kinds) == 2:
            problems.append(f"{item.nodeid}: marked both unit and workflow")
        elif not kinds:
            item.add_marker(pytest.mark.unit)
    if problems:
        raise pytest.UsageError("test kinds (see tests/conftest.py):\n  " + "\n  ".join(problems))


@pytest.hookimpl(tryfirst=True)  # before the fixtures (tiny_run) are set up
def pytest_runtest_setup(item: pytest.Item) -> None:
    global _running_kind
    _running_kind = "workflow" if "workflow" in kinds_of(item) else "unit"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    if STRICT_SKIPS and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, where nothing may be missing: {reason}"


def snakemake_command(workdir: Path, *args: str) -> list[str]:
    """The command line that runs the repository's Snakefile in ``workdir`` with this Python."""
    return [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(workdir), *args]


def snakemake(workdir: Path, *args: str, check: bool = True, timeout: int = 900) -> subprocess.CompletedProcess:
    """Run the repository's Snakefile in ``workdir`` (which holds config/) with this Python."""
    if _running_kind == "unit":
        raise AssertionError("a unit test runs Snakemake: mark it @pytest.mark.workflow (tests/conftest.py)")
    command = snakemake_command(workdir, *args)
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
