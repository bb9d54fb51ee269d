"""Benchmarks (``make bench``): feature throughput, workflow scaling, memory growth.

Three measurements, each written as JSON under ``results/bench/``:

* :func:`feature_benchmark` -- throughput of :func:`seisclass.signal.features.compute_features`
  on one core (BLAS/FFT thread pools limited to one thread) against
  :func:`reference_features`, a deliberately plain per-window implementation
  of the same definitions (scipy.signal.hilbert, scipy.stats moments, one
  window and one component at a time, float64). The two outputs must agree
  to float32 precision.
* :func:`memory_point` -- peak resident memory of the dataset assembly
  (:func:`seisclass.data.dataset.assemble` + :func:`seisclass.data.split.assign_split` +
  Parquet round trip) and of random-forest training, on synthetic feature
  tables of growing size; :func:`extrapolate` fits ``a + b * windows`` and
  reads it at one station-year.
* workflow scaling lives in :mod:`benchmarks.workflow_runs` (it runs Snakemake).

Peak memory is the high-water mark (``VmHWM``) of a fresh Python process per measurement.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from seisclass.signal.features import (
    FeatureParameters,
    component_feature_specs,
    compute_features,
    feature_names,
)

from .oracles import compare, reference_features

WINDOWS_PER_YEAR_10S = 365 * 86400 // 10  # 3.15 million non-overlapping 10-s windows


# ------------------------------------------------------------- feature benchmark


def demo_windows(hours: float, seed: int = 3) -> tuple[np.ndarray, float]:
    """Preprocessed demo windows (n, 3, 1000) of a busy station, starting at noon UTC."""
    from obspy import UTCDateTime

    from seisclass.acquire.demo import DemoParameters, earthquake_catalogue, generate_station_day
    from seisclass.signal.preprocess import PreprocessParameters, preprocess_stream
    from seisclass.signal.windows import cut_station_day

    p = DemoParameters(earthquakes_per_day=700, magnitude_min=1.2, tourist_bursts_per_day=250)
    t0 = UTCDateTime("2024-06-01T12:00:00")
    t1 = t0 + hours * 3600
    catalogue = earthquake_catalogue("2024-06-01", p, seed, (46.5, 8.0))
    stream, _, _ = generate_station_day("XX", "BENCH", "", "HH?", 46.5, 8.0, t0, t1, catalogue, p, seed)
    stream, _ = preprocess_stream(stream, PreprocessParameters())
    _, windows = cut_station_day(stream, t0.timestamp, t1.timestamp, 10.0, 5.0, ["Z", "N", "E"], 100.0)
    return windows, 100.0


def _best_time(function, repeats: int) -> float:
    """Shortest wall time (s) of ``repeats`` calls."""
    best = np.inf
    for _ in range(repeats):
        t = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - t)
    return best


def feature_benchmark(hours: float = 4.0, reference_windows: int = 300, repeats: int = 3) -> dict:
    """Throughput of the batched features vs the per-window reference, on one thread.

    Runs on ``hours`` of busy demo data (3 components, 100 Hz, 10-s windows
    every 5 s); the slow reference runs on the first ``reference_windows``
    windows, and the outputs of both on that subset are compared.
    """
    from threadpoolctl import threadpool_limits

    windows, fs = demo_windows(hours)
    components, p = ["Z", "N", "E"], FeatureParameters()
    names = feature_names(components, p)
    subset = np.ascontiguousarray(windows[:reference_windows])
    with threadpool_limits(limits=1):
        compute_features(windows[:64], fs, components, p)  # warm-up (FFT plans, imports)
        fast_s = _best_time(lambda: compute_features(windows, fs, components, p), repeats)
        reference_s = _best_time(lambda: reference_features(subset, fs, components, p), 1)
        fast_subset, _ = compute_features(subset, fs, components, p)
        reference = reference_features(subset, fs, components, p)
    samples_per_s = windows.size / fast_s
    reference_samples_per_s = subset.size / reference_s
    result = {
        "windows": int(len(windows)),
        "samples": int(windows.size),
        "features_per_window": len(names),
        "per_component_features": len(component_feature_specs(p)),
        "seconds": fast_s,
        "samples_per_s": samples_per_s,
        "reference_windows": int(len(subset)),
        "reference_seconds": reference_s,
        "reference_samples_per_s": reference_samples_per_s,
        "speedup": samples_per_s / reference_samples_per_s,
        "threads": 1,
        "goal_samples_per_s": 3.3e6,
        "goal_speedup": 20.0,
    }
    result.update(compare(fast_subset, reference, names, rtol=1e-3))
    result["meets_goals"] = bool(
        result["agree"] and samples_per_s >= 3.3e6 and result["speedup"] >= 20.0
    )
    return result


# --------------------------------------------------------------- memory growth


def synthetic_feature_tables(
    template: pd.DataFrame, n_windows: int, days: int, seed: int = 0
) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Per-day feature and label tables of ``n_windows`` windows in all, drawn from ``template``.

    ``template`` is an assembled dataset (keys, label, snr, features); rows are
    resampled with replacement and every feature multiplied by lognormal noise
    (sigma 0.05), so the class structure is realistic but rows are distinct.
    Windows lie on a 5-s grid of consecutive days of one station.
    """
    from seisclass.core.vocabulary import KEY_COLUMNS
    from seisclass.data.dataset import feature_columns

    rng = np.random.default_rng(seed)
    names = feature_columns(template)
    per_day = int(np.ceil(n_windows / days))
    start0 = pd.Timestamp("2024-01-01", tz="UTC")
    features, labels = [], []
    for d in range(days):
        n = min(per_day, n_windows - d * per_day)
        rows = rng.integers(0, len(template), n)
        values = template[names].to_numpy(np.float32)[rows]
        values *= rng.lognormal(0.0, 0.05, values.shape).astype(np.float32)
        starts = start0 + pd.to_timedelta(d * 86400 + 5 * np.arange(n), unit="s")
        keys = pd.DataFrame({"network": "XX", "station": "SYN", "location": "", "channel": "HH?",
                             "start": starts, "end": starts + pd.Timedelta(10, "s")})
        features.append(pd.concat([keys, pd.DataFrame({"snr": template["snr"].to_numpy(np.float32)[rows]}),
                                   pd.DataFrame(values, columns=names)], axis=1))
        label = keys[KEY_COLUMNS].copy()
        label["label"] = template["label"].to_numpy(dtype=object)[rows]
        labels.append(label.astype({"label": "string"}))
    return features, labels


def memory_point(template_path: str, n_windows: int, step: str, workdir: str, n_estimators: int) -> dict:
    """One memory measurement, meant to run in a fresh process (see :func:`measure_memory`).

    ``step`` is ``dataset`` (read per-day Parquet files, assemble, split,
    write) or ``train`` (read the assembled table, fit the forest on its
    train split). Returns peak RSS (MB) and wall time (s).
    """
    from seisclass.core.io import write_parquet
    from seisclass.core.vocabulary import epoch_seconds
    from seisclass.data.dataset import assemble, feature_columns
    from seisclass.data.split import assign_split
    from seisclass.learn.forest import ForestParameters, train_random_forest

    work = Path(workdir)
    days = max(1, int(np.ceil(n_windows / 17280)))
    t = time.perf_counter()
    baseline = _peak_rss_mb()
    if step == "dataset":
        files = sorted(work.glob("day_*.parquet"))
        table = assemble([pd.read_parquet(f) for f in files],
                         [pd.read_parquet(f.with_name(f.name.replace("day_", "labels_"))) for f in files])
        table["split"] = assign_split(epoch_seconds(table["start"]), epoch_seconds(table["end"]),
                                      table["label"].to_numpy(dtype=object), ["silence", "tourists", "earthquake"],
                                      {"train": 0.8, "validation": 0.1, "test": 0.1}, 1800, 0)
        table["split"] = table["split"].astype("string")
        write_parquet(table, work / "dataset.parquet")
        extra = {"windows": len(table), "days": days, "table_mb": table.memory_usage(deep=True).sum() / 2**20}
    else:
        table = pd.read_parquet(work / "dataset.parquet")
        train = table[table["split"] == "train"]
        names = feature_columns(table)
        model = train_random_forest(train[names].to_numpy(), train["label"].to_numpy(dtype=str),
                                    ForestParameters(n_estimators=n_estimators), seed=0, n_jobs=1)
        nodes = int(sum(e.tree_.node_count for e in model.estimators_))
        extra = {"windows": len(table), "train_windows": len(train), "n_estimators": n_estimators,
                 "nodes": nodes}
    return {"step": step, **extra, "seconds": time.perf_counter() - t,
            "baseline_rss_mb": baseline, "peak_rss_mb": _peak_rss_mb()}


def _peak_rss_mb() -> float:
    """Peak resident set size of this process (MB).

    ``VmHWM`` of /proc/self/status, which starts afresh at ``exec``; ``ru_maxrss``
    (the fallback off Linux) can carry the parent's size over a fork.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def prepare_memory_tables(template_path: str, n_windows: int, workdir: str) -> None:
    """Write synthetic per-day feature and label Parquet files for :func:`memory_point`."""
    work = Path(workdir)
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("*.parquet"):
        old.unlink()
    days = max(1, int(np.ceil(n_windows / 17280)))
    features, labels = synthetic_feature_tables(pd.read_parquet(template_path), n_windows, days)
    for d, (f, lab) in enumerate(zip(features, labels, strict=True)):
        f.to_parquet(work / f"day_{d:03d}.parquet", index=False)
        lab.to_parquet(work / f"labels_{d:03d}.parquet", index=False)


def measure_memory(template_path: str, sizes: list[int], workdir: str, n_estimators: int = 10) -> list[dict]:
    """Peak memory of dataset assembly and training at each size, one fresh process per point."""
    points = []
    for n in sizes:
        prepare_memory_tables(template_path, n, workdir)
        for step in ("dataset", "train"):
            code = (f"import json; from benchmarks.harness import memory_point; print(json.dumps(memory_point("
                    f"{template_path!r}, {n}, {step!r}, {workdir!r}, {n_estimators})))")
            env = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                                 env={**_environ(), **env})
            points.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return points


def _environ() -> dict:
    import os

    return dict(os.environ)


def extrapolate(points: list[dict], key: str, target_windows: float) -> dict:
    """Least-squares line ``key = a + b * windows`` through ``points``, read at ``target_windows``."""
    x = np.array([pt["windows"] for pt in points], float)
    y = np.array([pt[key] for pt in points], float)
    b, a = np.polyfit(x, y, 1)
    return {"intercept": float(a), "per_million_windows": float(b * 1e6), "at_windows": float(target_windows),
            "extrapolated": float(a + b * target_windows)}


def memory_summary(points: list[dict], n_estimators: int, year_windows: int = WINDOWS_PER_YEAR_10S) -> dict:
    """Measured points plus the linear extrapolation of each step to one station-year.

    For training, the forest measured has ``n_estimators`` trees; the
    configured 300 trees add ``nodes per tree x 300 x 88 bytes`` (sklearn's
    64-byte node record plus 3 class values of 8 bytes) to the peak.
    """
    summary: dict = {"points": points, "year_windows": year_windows}
    for step in ("dataset", "train"):
        pts = [pt for pt in points if pt["step"] == step]
        summary[step] = extrapolate(pts, "peak_rss_mb", year_windows)
        summary[step]["table_mb_at_year"] = year_windows * _bytes_per_window(points) / 2**20
    trains = [pt for pt in points if pt["step"] == "train"]
    per_tree = extrapolate([{**pt, "nodes_per_tree": pt["nodes"] / pt["n_estimators"]} for pt in trains],
                           "nodes_per_tree", year_windows)
    model_mb = per_tree["extrapolated"] * 300 * 88 / 2**20
    summary["train"]["nodes_per_tree_at_year"] = per_tree["extrapolated"]
    summary["train"]["model_mb_300_trees_at_year"] = model_mb
    summary["train"]["peak_mb_300_trees_at_year"] = summary["train"]["extrapolated"] + model_mb
    return summary


def _bytes_per_window(points: list[dict]) -> float:
    """In-memory size of one row of the assembled table (bytes), from the largest dataset point."""
    largest = max((pt for pt in points if pt["step"] == "dataset"), key=lambda pt: pt["windows"])
    return largest["table_mb"] * 2**20 / largest["windows"]


def explore_scaling(template: str, n_windows: int, seed: int = 0) -> dict:
    """Wall time of :func:`seisclass.explain.exploration.explore` on ``n_windows`` windows (default settings).

    The windows are rows of ``template`` (an assembled feature table) drawn
    with replacement, each feature scaled by log-normal noise (sigma 0.05) so
    no two rows are identical; the exploration settings are the ``explore``
    section of ``config/config.yaml`` (subsample fit, the rest transformed).
    """
    import yaml

    from seisclass.core.vocabulary import KEY_COLUMNS
    from seisclass.data.dataset import feature_columns
    from seisclass.explain.exploration import ExploreParameters, explore
    from seisclass.signal.features import FeatureParameters, feature_table

    table = pd.read_parquet(template)
    names = feature_columns(table)
    rng = np.random.default_rng(seed)
    big = table.sample(n_windows, replace=True, random_state=seed).reset_index(drop=True)
    big[names] = big[names] * rng.lognormal(0.0, 0.05, (n_windows, len(names))).astype(np.float32)
    big["start"] = big["start"] + pd.to_timedelta(np.arange(n_windows), unit="min")  # unique window keys
    config = yaml.safe_load((Path(__file__).resolve().parents[1] / "config" / "config.yaml").read_text())
    components = sorted({n.split("_", 1)[0] for n in names if n[1:2] == "_"}, key="ZNE".index)
    units = dict(feature_table(components, FeatureParameters()).set_index("name")["unit"])
    groups = pd.DataFrame({"group": range(len(names)), "feature": names})
    start = time.perf_counter()
    result = explore(big, names, KEY_COLUMNS, config["classes"], groups, units,
                     ExploreParameters.from_config(config["explore"]), config["seed"])
    return {"windows": n_windows, "wall_s": round(time.perf_counter() - start, 2),
            "ari_mean": result.stability["ari_mean"],
            "ari_min": result.stability["ari_min"], "method": result.stability["method"]}


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks``: run the benchmarks, write JSON, print the figures."""
    import argparse
    import tempfile

    from seisclass.core.io import write_json

    from . import workflow_runs as wf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results/bench", help="output folder of the JSON files")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke test, minutes)")
    parser.add_argument("--parts", default="features,workflow,memory,explore,real_dev",
                        help="comma-separated subset of features,workflow,memory,explore,real_dev (memory and explore "
                             "need workflow's template, made by a quick scaling run when workflow is not among "
                             "the parts)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    quick = args.quick
    parts = set(args.parts.split(","))

    if "features" in parts:
        features = feature_benchmark(hours=1.0 if quick else 4.0, reference_windows=100 if quick else 300)
        write_json(features, out / "features.json")
        _print_features(features)

    with tempfile.TemporaryDirectory(prefix="seisclass-bench-") as tmp:
        root = Path(tmp)
        if "workflow" in parts:
            sizes = [1, 2] if quick else [1, 2, 4, 8]
            workflow = {"scaling": wf.scaling(root, sizes, [1, 2], hours=1.0),
                        "full_workflow": wf.full_workflow(root, 2, 2, hours=1.0),
                        "station_day": wf.station_day_memory(root, hours=2.0 if quick else 24.0)}
            write_json(workflow, out / "workflow.json")
            _print_workflow(workflow)
        if ("memory" in parts or "explore" in parts) and not (root / "template.parquet").exists():
            wf.scaling(root, [1], [2], hours=1.0)
        if "explore" in parts:
            exploration = explore_scaling(str(root / "template.parquet"), 20_000 if quick else 200_000)
            write_json(exploration, out / "explore.json")
            print(f"explore: {exploration['windows']} windows in {exploration['wall_s']:.0f} s")
        if "real_dev" in parts:
            from .real_dev import real_dev_benchmark

            real = real_dev_benchmark(root, keep=out / "real_dev")
            if real:
                write_json(real, out / "real_dev.json")
                print(f"real-dev ({real['files']} files): data path {real['data_path']['wall_s']:.0f} s "
                      f"({real['data_path']['jobs']} jobs), whole workflow + report {real['whole_workflow_s']:.0f} s "
                      f"on {real['cores']} cores")
            else:
                print("real-dev: skipped (no ../shared/data/real-dev next to the repository)")
        if "memory" in parts:
            windows = [10_000, 20_000] if quick else [25_000, 50_000, 100_000, 200_000]
            n_estimators = 5
            memory = memory_summary(measure_memory(str(root / "template.parquet"), windows,
                                                   str(root / "memory"), n_estimators), n_estimators)
            write_json(memory, out / "memory.json")
            _print_memory(memory)
    return 0


def _print_features(r: dict) -> None:
    print(f"features: {r['samples_per_s'] / 1e6:.2f} M samples/s on 1 core (goal 3.3), reference "
          f"{r['reference_samples_per_s'] / 1e6:.3f} M samples/s, speedup {r['speedup']:.1f}x (goal 20); "
          f"max_abs_diff {r['max_abs_diff']:.3g}, max_rel_diff {r['max_rel_diff']:.2g} (rtol {r['rtol']:g}), "
          f"agree={r['agree']}, meets_goals={r['meets_goals']}")


def _print_workflow(w: dict) -> None:
    print("workflow wall time (s), station-days of 1 h each:")
    for run in w["scaling"]["runs"]:
        print(f"  station-days {run['station_days']:2d}  cores {run['cores']}  wall {run['wall_s']:7.1f}  "
              f"per-station-day jobs {run['job_s_per_station_day_rules']:7.1f}  global jobs "
              f"{run['job_s_global_rules']:6.1f}  CPU of per-station-day jobs {run['cpu_s_per_station_day_rules']:6.1f}"
              f"  load {run['load_avg_5min']:4.1f}"
              + ("" if run['complete'] else f"  INCOMPLETE, failed: {run['failed_rules']}"))
    print(f"  fits (wall = fixed + per_station_day x n): {json.dumps(w['scaling']['fits'])}")
    full = w["full_workflow"]
    print(f"whole workflow (all targets), {full['station_days']} station-days of {full['hours_per_station_day']:g} h, "
          f"{full['cores']} cores: {full['wall_s']:.1f} s" + ("" if full["complete"] else
                                                             f"  INCOMPLETE, failed: {full['failed_rules']}"))
    slowest = sorted(full["rules"].items(), key=lambda kv: -kv[1]["total_s"])[:5]
    print("  slowest rules (summed job s): " + ", ".join(f"{r} {v['total_s']:.1f}" for r, v in slowest))
    sd = w["station_day"]
    print(f"one station-day of {sd['hours']:g} h, per rule (s, peak MB):")
    for rule, v in sd["rules"].items():
        print(f"  {rule:20s} {v['max_job_s']:7.1f} s {v['max_rss_mb']:8.1f} MB")


def _print_memory(m: dict) -> None:
    print("memory (peak RSS, MB) against windows:")
    for pt in m["points"]:
        print(f"  {pt['step']:8s} {pt['windows']:9d} windows  {pt['peak_rss_mb']:8.1f} MB  {pt['seconds']:6.1f} s")
    print(f"  one station-year ({m['year_windows']} windows): dataset {m['dataset']['extrapolated']:.0f} MB, "
          f"training ({m['points'][-1]['n_estimators']} trees) {m['train']['extrapolated']:.0f} MB, "
          f"with 300 trees {m['train']['peak_mb_300_trees_at_year']:.0f} MB")


if __name__ == "__main__":
    sys.exit(main())
