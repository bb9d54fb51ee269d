"""Benchmarks (``make bench``): the whole story of issue 21 in one run, one JSON per part and a table.

Parts (``--parts``), each written as JSON under ``results/bench/``:

* ``features`` (:func:`feature_benchmark`) -- throughput of :func:`seisclass.signal.features.compute_features`
  on one core (BLAS/FFT thread pools limited to one thread) beside the float32 spectral floor
  (:func:`spectral_floor_seconds`: one rfft plus one complex ifft per window) and against
  :func:`reference_features`, a deliberately plain per-window implementation of the same definitions
  (scipy.signal.hilbert, scipy.stats moments, one window and one component at a time, float64). The two
  outputs must agree to float32 precision.
* ``cli`` (:mod:`benchmarks.cli_runs`) -- ``seisclass classify`` on a demo station-day per model, on many
  short files and on one tiny file (start-up), and ``seisclass info``: wall, CPU and peak RSS.
* ``workflow`` (:mod:`benchmarks.workflow_runs`) -- Snakemake scaling over station-days and cores.
* ``memory`` (:mod:`benchmarks.rule_memory`) -- peak RSS per rule whose memory grows with the data, on
  synthetic studies up to a station-month, the growth law fitted and read at a station-year.
* ``explore`` (:func:`explore_scaling`) and ``real_dev`` (:mod:`benchmarks.real_dev`, the real-data study).

``bench.json`` and the printed table (:mod:`benchmarks.summary`) put every figure beside its goal.
"""

from __future__ import annotations

import json
import shutil
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

WINDOWS_PER_YEAR_10S = 365 * 86400 // 5  # 6.3 million 10-s windows every 5 s (the default grid)


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
        floor_s = spectral_floor_seconds(windows, repeats)
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
        "floor_seconds": floor_s,
        "floor_samples_per_s": windows.size / floor_s,
        "fraction_of_floor": samples_per_s / (windows.size / floor_s),
        "goal_fraction_of_floor": 0.5,
        "goal_samples_per_s": 3.3e6,
        "goal_speedup": 20.0,
    }
    result.update(compare(fast_subset, reference, names, rtol=1e-3))
    result["meets_goals"] = bool(
        result["agree"] and samples_per_s >= 3.3e6 and result["speedup"] >= 20.0
    )
    return result


def spectral_floor_seconds(windows: np.ndarray, repeats: int = 3) -> float:
    """Seconds of the float32 spectral floor of ``windows``: one batched rfft plus one complex ifft per window.

    The least any spectral feature set costs (a spectrum, and an analytic signal for the envelope),
    on the caller's thread limits: ``scipy.fft`` in single precision, inputs and outputs allocated
    outside the timing.
    """
    import scipy.fft

    x = np.ascontiguousarray(windows, np.float32)
    spectrum = np.zeros(x.shape, np.complex64)
    spectrum[..., : x.shape[-1] // 2 + 1] = scipy.fft.rfft(x[:1], axis=-1)
    return _best_time(lambda: scipy.fft.rfft(x, axis=-1), repeats) + \
        _best_time(lambda: scipy.fft.ifft(spectrum, axis=-1), repeats)


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
        interval = template["interval"].to_numpy(dtype=object)[rows] if "interval" in template else ""
        label["interval"] = np.where(interval == "", "", interval + f"/day{d}")  # one event per day and row
        if "health" in template:
            label["health"] = template["health"].to_numpy(dtype=object)[rows]
        labels.append(label.astype({c: "string" for c in label.columns if c in ("label", "interval", "health")}))
    return features, labels


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


def extrapolate(points: list[dict], key: str, target_windows: float) -> dict:
    """Least-squares line ``key = a + b * windows`` through ``points``, read at ``target_windows``."""
    x = np.array([pt["windows"] for pt in points], float)
    y = np.array([pt[key] for pt in points], float)
    b, a = np.polyfit(x, y, 1)
    return {"intercept": float(a), "per_million_windows": float(b * 1e6), "at_windows": float(target_windows),
            "extrapolated": float(a + b * target_windows)}


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
    """``python -m benchmarks``: run the parts, write one JSON per part and ``bench.json``, print the table."""
    import argparse
    import tempfile

    from seisclass.core.io import write_json

    from . import summary as story
    from . import workflow_runs as wf

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="results/bench", help="output folder of the JSON files")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke test, minutes)")
    parser.add_argument("--parts", default="features,cli,workflow,memory,explore,real_dev",
                        help="comma-separated subset of features,cli,workflow,memory,explore,real_dev (cli, memory "
                             "and explore need a workflow dataset: --template, or workflow's, or a quick run's)")
    parser.add_argument("--template", help="an assembled workflow dataset (results/features/features.parquet of "
                                           "the demo) for the memory, explore and cli parts")
    parser.add_argument("--real-dev", help="the real-dev data set (default ../shared/data/real-dev): its first "
                                           "short files for the cli part, its study for the real_dev part")
    parser.add_argument("--short-files", type=int, help="short files of the cli part (default 200, quick 20)")
    parser.add_argument("--memory-sizes", help="windows per memory point, comma-separated "
                                               "(default 1 week, 2 weeks and a station-month of the default grid: "
                                               "120960,241920,518400)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    quick = args.quick
    parts = set(args.parts.split(","))
    from .real_dev import DATA as REAL_DEV

    real_dev = Path(args.real_dev) if args.real_dev else REAL_DEV
    results: dict = {"machine_before": story.machine(), "command": " ".join(sys.argv), "quick": quick}
    started = time.perf_counter()

    if "features" in parts:
        features = feature_benchmark(hours=1.0 if quick else 4.0, reference_windows=100 if quick else 300)
        write_json(features, out / "features.json")
        _print_features(features)
        results["features"] = features

    with tempfile.TemporaryDirectory(prefix="seisclass-bench-") as tmp:
        root = Path(tmp)
        template = root / "template.parquet"
        if args.template:
            shutil.copyfile(args.template, template)
        if "workflow" in parts:
            sizes = [1, 2] if quick else [1, 2, 4, 8]
            workflow = {"scaling": wf.scaling(root, sizes, [1, 2], hours=1.0),
                        "full_workflow": wf.full_workflow(root, 2, 2, hours=1.0),
                        "station_day": wf.station_day_memory(root, hours=2.0 if quick else 24.0)}
            write_json(workflow, out / "workflow.json")
            _print_workflow(workflow)
            results["workflow"] = workflow
        if parts & {"memory", "explore", "cli"} and not template.exists():
            wf.scaling(root, [1], [2], hours=1.0)
        if "cli" in parts:
            from .cli_runs import cli_benchmark

            short = real_dev / "waveforms" if (real_dev / "waveforms").is_dir() else None
            cli = cli_benchmark(root / "cli", template, args.short_files or (20 if quick else 200), short)
            write_json(cli, out / "cli.json")
            results["cli"] = cli
        if "explore" in parts:
            exploration = explore_scaling(str(template), 20_000 if quick else 200_000)
            write_json(exploration, out / "explore.json")
            print(f"explore: {exploration['windows']} windows in {exploration['wall_s']:.0f} s")
            results["explore"] = exploration
        if "real_dev" in parts:
            from .real_dev import real_dev_benchmark

            real = real_dev_benchmark(root, data=real_dev, keep=out / "real_dev")
            if real:
                write_json(real, out / "real_dev.json")
                print(f"real-dev ({real['files']} files): data path {real['data_path']['wall_s']:.0f} s "
                      f"({real['data_path']['jobs']} jobs), whole workflow + report {real['whole_workflow_s']:.0f} s "
                      f"on {real['cores']} cores")
                results["real_dev"] = real
            else:
                print(f"real-dev: skipped (no {real_dev})")
        if "memory" in parts:
            from . import rule_memory

            default = "5000,10000,20000" if quick else "120960,241920,518400"
            sizes = [int(n) for n in (args.memory_sizes or default).split(",")]
            steps = ("dataset", "forest", "hgb", "deep_inputs") if quick else rule_memory.STEPS
            points = rule_memory.measure(str(template), sizes, str(root / "memory"), 2_000 if quick else 50_000,
                                         steps=steps)
            memory = rule_memory.summarise(points)
            write_json(memory, out / "rule_memory.json")
            print("\n".join(rule_memory.table_lines(memory)))
            results["rule_memory"] = memory
    results["wall_s"] = round(time.perf_counter() - started, 1)
    results["machine_after"] = story.machine()
    results["table"] = story.goal_rows(results)
    write_json({k: v for k, v in results.items() if k in ("command", "quick", "wall_s", "machine_before",
                                                          "machine_after", "table")}, out / "bench.json")
    m0, m1 = results["machine_before"], results["machine_after"]
    print(f"\n{len(results['table'])} figures against their goals; {m0['cpus']} CPUs, load average (1/5/15 min) "
          f"{m0['load_avg_1_5_15min']} before and {m1['load_avg_1_5_15min']} after, nice {m0['nice']}: on a shared "
          "machine the times are upper bounds (the CPU rows are what each command costs)")
    if results["table"]:
        print(story.table(results["table"]))
    return 0


def _print_features(r: dict) -> None:
    print(f"features: {r['samples_per_s'] / 1e6:.2f} M samples/s on 1 core (goal 3.3), float32 spectral floor "
          f"{r['floor_samples_per_s'] / 1e6:.1f} M samples/s (fraction {r['fraction_of_floor']:.2f}, goal 0.5), "
          "reference "
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


if __name__ == "__main__":
    sys.exit(main())
