"""Workflow benchmarks: end-to-end wall time against station-days and cores, memory per rule.

Each measurement runs the repository's Snakefile in a fresh working
directory holding the tiny end-to-end configuration (``tests/e2e/config``:
busy demo stations, small models) with ``n`` demo stations of one
``hours``-long station-day each, so ``n`` station-days. Per-job time and
peak memory come from the ``benchmark:`` files the rules write under
``results/benchmarks/`` (Snakemake measures ``s`` and ``max_rss`` in MB).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

REPO = Path(__file__).resolve().parents[1]
TINY_CONFIG = REPO / "tests" / "e2e" / "config"
STATION_COLUMNS = ["id", "network", "station", "location", "channels", "source", "latitude", "longitude",
                   "elevation", "options"]


def scaling_workdir(
    root: Path, n_stations: int, hours: float, start: str | None = None, config_dir: Path = TINY_CONFIG
) -> Path:
    """A working directory with ``n_stations`` demo stations and a span of ``hours`` from ``start``.

    ``start`` defaults to the tiny configuration's (noon UTC, when tourists are about).
    """
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(config_dir, root / "config")
    rows = [[f"XX.B{i:02d}", "XX", f"B{i:02d}", "", "HH?", "demo", f"{46.5 + 0.05 * i:.3f}",
             f"{8.0 + 0.07 * i:.3f}", "1200", ""] for i in range(n_stations)]
    pd.DataFrame(rows, columns=STATION_COLUMNS).to_csv(root / "config" / "stations.tsv", sep="\t", index=False)
    config_path = root / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text())
    config["start"] = start or config["start"]
    start = pd.Timestamp(config["start"])
    config["end"] = (start + pd.Timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%S")
    config_path.write_text(yaml.safe_dump(config, sort_keys=False))
    return root


def run_snakemake(workdir: Path, cores: int, targets: list[str] = (), timeout: int = 1800) -> dict:
    """Run the workflow with ``--keep-going``; return wall time (s), success and the error tail.

    A failing job (for instance of a rule under development) does not stop
    the others; the run is then reported with ``complete: false``.
    """
    command = [sys.executable, "-m", "snakemake", "-s", str(REPO / "Snakefile"), "--directory", str(workdir),
               "--cores", str(cores), "--quiet", "--keep-going", *(targets or ["all"])]
    t = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - t
    load = os.getloadavg()[1]  # 5-min load average: other work on the machine skews timings
    failed = sorted({line.split()[-1].rstrip(":") for line in result.stderr.splitlines()
                     if line.startswith("Error in rule")})
    return {"wall_s": round(wall, 2), "load_avg_5min": round(load, 2), "complete": result.returncode == 0,
            "failed_rules": failed,
            "error_tail": "" if result.returncode == 0 else result.stderr[-1500:]}


def rule_benchmarks(workdir: Path) -> pd.DataFrame:
    """One row per benchmarked job: rule, job (station/day or ''), wall s, CPU s, max_rss (MB)."""
    rows = []
    root = workdir / "results" / "benchmarks"
    for path in sorted(root.rglob("*.tsv")):
        parts = path.relative_to(root).with_suffix("").parts
        table = pd.read_csv(path, sep="\t")
        rows.append({"rule": parts[0], "job": "/".join(parts[1:]), "s": float(table["s"].max()),
                     "cpu_s": float(pd.to_numeric(table["cpu_time"], errors="coerce").max()),
                     "max_rss_mb": float(pd.to_numeric(table["max_rss"], errors="coerce").max())})
    return pd.DataFrame(rows, columns=["rule", "job", "s", "cpu_s", "max_rss_mb"])


def per_rule_summary(jobs: pd.DataFrame) -> dict:
    """Per rule: jobs, total and largest job time (s), largest peak memory (MB)."""
    grouped = jobs.groupby("rule")
    return {rule: {"jobs": int(len(g)), "total_s": round(float(g["s"].sum()), 2),
                   "cpu_s": round(float(g["cpu_s"].sum()), 2),
                   "max_job_s": round(float(g["s"].max()), 2), "max_rss_mb": round(float(g["max_rss_mb"].max()), 1)}
            for rule, g in grouped}


# The data path of the workflow: every per-station-day rule, the dataset and the random
# forest. Used for the scaling grid; the full workflow (all targets) is timed separately.
DATA_PATH_TARGETS = ["results/metrics/rf.json", "results/predictions/rf_test.parquet",
                     "results/plots/features_by_class.png"]


def scaling(root: Path, station_days: list[int], cores: list[int], hours: float,
            targets: list[str] = DATA_PATH_TARGETS) -> dict:
    """Wall time of ``targets`` for each (station-days, cores), with per-rule figures.

    The assembled dataset of the last run is kept as ``root/template.parquet``
    (the template of the synthetic tables of the memory benchmark).
    """
    runs = []
    for c in cores:
        for n in station_days:
            workdir = scaling_workdir(root / f"sd{n}_c{c}", n, hours)
            run = run_snakemake(workdir, c, targets)
            runs.append({"station_days": n, "cores": c, "hours_per_station_day": hours, "targets": targets,
                         **run, **_job_totals(workdir)})
            shutil.copyfile(workdir / "results" / "features" / "features.parquet", root / "template.parquet")
            shutil.rmtree(workdir, ignore_errors=True)
    return {"runs": runs, "fits": _fits(runs)}


def full_workflow(root: Path, station_days: int, cores: int, hours: float) -> dict:
    """Wall time of the whole workflow (rule ``all``) on ``station_days`` of ``hours`` each."""
    workdir = scaling_workdir(root / "full", station_days, hours)
    run = run_snakemake(workdir, cores)
    result = {"station_days": station_days, "cores": cores, "hours_per_station_day": hours, **run,
              **_job_totals(workdir)}
    shutil.rmtree(workdir, ignore_errors=True)
    return result


def _job_totals(workdir: Path) -> dict:
    """Summed job time of per-station-day and of global rules, and the per-rule figures."""
    jobs = rule_benchmarks(workdir)
    per_station_day = float(jobs[jobs["job"] != ""]["s"].sum())
    cpu_per_station_day = float(jobs[jobs["job"] != ""]["cpu_s"].sum())
    return {"job_s_per_station_day_rules": round(per_station_day, 2),
            "job_s_global_rules": round(float(jobs["s"].sum()) - per_station_day, 2),
            "cpu_s_per_station_day_rules": round(cpu_per_station_day, 2),
            "cpu_s_global_rules": round(float(jobs["cpu_s"].sum()) - cpu_per_station_day, 2),
            "rules": per_rule_summary(jobs)}


def _line(n: np.ndarray, y: np.ndarray) -> dict:
    slope, intercept = np.polyfit(n, y, 1)
    residual = y - (intercept + slope * n)
    return {"fixed_s": round(float(intercept), 2), "per_station_day_s": round(float(slope), 2),
            "max_residual_fraction": round(float(np.abs(residual / y).max()), 3)}


def _fits(runs: list[dict]) -> dict:
    """Per core count: least-squares lines ``y = fixed + per_station_day * n`` and the largest deviation.

    ``y`` is the wall time, and the CPU time of the per-station-day jobs
    (work done, insensitive to other load on the machine).
    """
    fits = {}
    for c in sorted({r["cores"] for r in runs}):
        sub = [r for r in runs if r["cores"] == c]
        if len(sub) < 2:
            continue
        n = np.array([r["station_days"] for r in sub], float)
        fits[str(c)] = _line(n, np.array([r["wall_s"] for r in sub], float))
        fits[f"{c}_cpu_per_station_day_rules"] = _line(
            n, np.array([r["cpu_s_per_station_day_rules"] for r in sub], float))
    one, two = fits.get("1"), fits.get("2")
    if one and two:
        fits["speedup_per_station_day_2_vs_1_cores"] = round(one["per_station_day_s"] / two["per_station_day_s"], 2)
    return fits


def station_day_memory(root: Path, hours: float = 24.0, cores: int = 2) -> dict:
    """Time and peak memory of each per-station-day rule for one station-day of ``hours``."""
    workdir = scaling_workdir(root / "station_day", 1, hours, start="2024-06-01T00:00:00")
    targets = ["results/labels/XX.B00/2024-06-01.parquet", "results/plots/timeline/XX.B00/2024-06-01.png"]
    run = run_snakemake(workdir, cores, targets)
    jobs = rule_benchmarks(workdir)
    shutil.rmtree(workdir, ignore_errors=True)
    return {"hours": hours, **run, "rules": per_rule_summary(jobs)}
