"""The real-data study on ``shared/data/real-dev``: wall time and job count of the contract command.

Runs, in a fresh working directory, the documented training command of
README's "Real-data study" (the miniSEED-directory contract, three classes)
twice: first the data path (directory index to the random forest's metrics),
then the whole workflow (deep models, explanations, exploration) and the
report. Goals (issue 10): data path <= 3 min, whole workflow <= 10 min on two
cores, and a job count that grows with stations and chunks, not files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("REAL_DEV", REPO.parent / "shared" / "data" / "real-dev"))  # override: REAL_DEV=DIR
DATA_PATH_TARGETS = ["results/metrics/rf.json"]


def study_arguments(data: Path = DATA) -> list[str]:
    """The contract command's arguments (README, "Real-data study")."""
    return ["--configfile", "config/examples/mseed_dir.yaml", "--config", f"mseed_dir={data / 'waveforms'}",
            f"annotations={data / 'labels.csv'}", "classes=[silence,surface,earthquake]"]


def _run(workdir: Path, cores: int, arguments: list[str], timeout: int = 3600) -> dict:
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(workdir),
               "--cores", str(cores), *arguments]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - start
    steps = re.findall(r"(\d+) of (\d+) steps", result.stderr)
    return {"wall_s": round(wall, 1), "complete": result.returncode == 0,
            "jobs": int(steps[-1][1]) if steps else 0, "load_avg_5min": round(os.getloadavg()[1], 2),
            "error_tail": "" if result.returncode == 0 else result.stderr[-2000:]}


FINAL_MODEL = "results/models/rf_all_splits.skops"  # the model to ship (make real-dev)
KEPT = ["results/metrics", "results/benchmarks", FINAL_MODEL, "results/report.html"]


def real_dev_benchmark(root: Path, cores: int = 2, data: Path = DATA, keep: Path | None = None) -> dict:
    """Data path, whole workflow and report of the real-data study; ``{}`` without the data set.

    ``keep``: a folder that receives the study's metrics, final model and report.
    """
    if not (data / "labels.csv").exists():
        return {}
    workdir = root / "real_dev"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    shutil.copytree(REPO / "config", workdir / "config")
    files = sum(1 for p in (data / "waveforms").iterdir() if p.is_file())
    arguments = study_arguments(data)
    data_path = _run(workdir, cores, [*arguments, "--", *DATA_PATH_TARGETS])
    whole = _run(workdir, cores, [*arguments, "--", "all", FINAL_MODEL])
    report = _run(workdir, cores, [*arguments, "--report", "results/report.html"])
    result = {"files": files, "cores": cores, "data_path": data_path, "rest_of_workflow": whole,
              "report": report,
              "whole_workflow_s": round(data_path["wall_s"] + whole["wall_s"] + report["wall_s"], 1),
              "goal_data_path_s": 180, "goal_whole_workflow_s": 600}
    for name in KEPT if keep else []:
        source, target = workdir / name, keep / Path(name).name
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        elif source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    shutil.rmtree(workdir, ignore_errors=True)
    return result
