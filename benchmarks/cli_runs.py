"""``seisclass classify`` as a user runs it: one station-day, many short files, start-up; wall and peak RSS.

Every figure is one command in a fresh process (``python -m seisclass ...``), timed from outside
(wall clock) with the CPU time (user + system) and peak RSS of the child (``RUSAGE_CHILDREN`` of a
fresh wrapper process, so one run per figure). On a loaded machine the wall times are upper bounds;
the CPU times are what the command costs. Inputs are written here:

* the station-day: :func:`seisclass.acquire.demo.demo_station_day` (HHZ/N/E at 100 Hz, 24 h, the demo
  study's station and parameters) as one miniSEED file;
* short files: the first ``n_short`` 2-min pieces of that day, one file each (or, with ``real_dev``,
  the first ``n_short`` files of a real-dev ``waveforms`` folder);
* a tiny file (the first 2-min piece) for the start-up.

Models: the shipped forest (``resources/models/real_dev.skops``), and models of the demo recipe made
here: a forest and histogram gradient boosting fitted on a workflow dataset (``template``), and a CNN
with its initial (untrained) weights (its inference costs what a trained one costs). Commands run with
``--jobs 1`` and one BLAS/OpenMP thread; the per-file cost is ``(wall of n files - start-up) / n``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "resources" / "models" / "real_dev.skops"
GOALS = {"station_day_s": 3.0, "station_day_cnn_s": 6.0, "station_day_rss_mb": 700.0, "per_file_s": 0.020,
         "startup_s": 1.5}
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def timed(command: list[str], timeout: int = 1800) -> dict:
    """Wall time (s), peak RSS of the command (MB) and its exit status; one fresh wrapper process per call."""
    wrapper = ("import resource, subprocess, sys, time, json; t = time.perf_counter(); "
               "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True); "
               "w = time.perf_counter() - t; "
               "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
               "print(json.dumps({'wall_s': w, 'cpu_s': u.ru_utime + u.ru_stime, 'peak_rss_mb': u.ru_maxrss / 1024, "
               "'rc': r.returncode, 'stderr': r.stderr[-1500:]}))")
    env = {**os.environ, **ONE_THREAD,
           "PYTHONPATH": os.pathsep.join([str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", wrapper, *command], capture_output=True, text=True, env=env,
                         timeout=timeout)
    import json

    result = json.loads(out.stdout.strip().splitlines()[-1])
    result = {"wall_s": round(result["wall_s"], 3), "cpu_s": round(result["cpu_s"], 3),
              "peak_rss_mb": round(result["peak_rss_mb"], 1),
              "rc": result["rc"], **({"stderr": result["stderr"]} if result["rc"] else {})}
    return result


def seisclass(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "seisclass", "--quiet", *arguments]


def demo_settings():
    from .rule_memory import settings

    return settings()


def write_inputs(root: Path, n_short: int, real_dev: Path | None = None) -> dict:
    """The station-day file, the short files (folder) and the tiny file; returns their paths and sizes."""
    from obspy import Stream, UTCDateTime

    from seisclass.acquire.demo import demo_station_day
    from seisclass.core.records import StationDay

    s = demo_settings()
    t0 = UTCDateTime("2024-06-01T00:00:00")
    day = StationDay("XX", "BENCH", "", "HH?", "2024-06-01", t0.timestamp, t0.timestamp + 86400, "demo")
    stream, _, _ = demo_station_day(day, 46.5, 8.0, s["demo"], s["study"].seed, (46.5, 8.0))
    root.mkdir(parents=True, exist_ok=True)
    station_day = root / "station_day.mseed"
    stream.write(str(station_day), format="MSEED")
    short = root / "short"
    short.mkdir(exist_ok=True)
    if real_dev is not None:
        files = sorted(p for p in Path(real_dev).iterdir() if p.is_file())[:n_short]
        for f in files:
            (short / f.name).symlink_to(f.resolve())
        tiny = files[0]
    else:
        for i in range(n_short):
            piece = Stream([tr.slice(t0 + 120 * i, t0 + 120 * (i + 1), nearest_sample=False) for tr in stream])
            piece.write(str(short / f"piece_{i:04d}.mseed"), format="MSEED")
        tiny = short / "piece_0000.mseed"
    return {"station_day": station_day, "short": short, "tiny": tiny,
            "samples": int(sum(tr.stats.npts for tr in stream)), "short_files": n_short,
            "short_source": str(real_dev) if real_dev else "2-min pieces of the demo station-day"}


def make_models(root: Path, template: Path | None) -> dict[str, Path]:
    """The shipped forest, plus (with a ``template`` dataset) a demo forest, boosting and an untrained CNN."""
    models = {"forest (shipped real_dev)": SHIPPED}
    s = demo_settings()
    classes, seed = list(s["study"].classes), s["study"].seed
    from seisclass.signal.recipe import Recipe

    recipe = Recipe.from_settings(s)
    if template is not None and Path(template).exists():
        import pandas as pd

        from seisclass.learn.forest import ForestParameters, fit_forest

        table = pd.read_parquet(template)
        for name in ("forest", "hgb"):
            p = ForestParameters.from_config({**s["random_forest"].to_config(), "estimator": name})
            path = root / f"demo_{name}.skops"
            fit_forest(table, classes, p, seed, recipe, 2).save(path)
            models[f"{name} (demo, {len(table)} windows)"] = path
    import pandas as pd
    import torch

    from seisclass.learn.deep.inputs import input_spec
    from seisclass.learn.deep.networks import DeepClassifier, architecture, build_model, deep_model_card

    p = s["deep"]
    spec = input_spec(recipe.components, recipe.preprocess.sampling_rate, recipe.windows.length_s, p.decimate,
                      p.normalization, p.context_s)
    torch.manual_seed(seed)
    arch = architecture("cnn", p)
    model = build_model("cnn", spec, len(classes), arch)
    rows = pd.DataFrame({"network": ["XX"], "station": ["BENCH"], "location": [""], "channel": ["HH?"],
                         "start": [pd.Timestamp("2024-06-01", tz="UTC")],
                         "end": [pd.Timestamp("2024-06-01 00:00:10", tz="UTC")], "label": [classes[0]]})
    card = deep_model_card("cnn", classes, spec, arch, recipe, rows, {"untrained": True}, seed=seed,
                           background_classes=[c for c in classes if c in s["events"].background_classes],
                           parameters=p.to_config())
    path = root / "demo_cnn.pt"
    DeepClassifier(model, card).save(path)
    models["cnn (demo recipe, untrained weights)"] = path
    return models


def cli_benchmark(root: Path, template: Path | None = None, n_short: int = 200, real_dev: Path | None = None,
                  log=print) -> dict:
    """Station-day wall and peak RSS per model, per short file and start-up (shipped forest), ``seisclass info``."""
    started = time.perf_counter()
    inputs = write_inputs(root / "inputs", n_short, real_dev)
    models = make_models(root / "models", template)
    log(f"  cli: inputs and models ready in {time.perf_counter() - started:.0f} s")
    result: dict = {"station_day_samples": inputs["samples"], "short_files": n_short,
                    "short_source": inputs["short_source"], "goals": GOALS, "models": {},
                    "load_avg_1min_before": round(os.getloadavg()[0], 2)}
    result["info_shipped"] = timed(seisclass("info", str(SHIPPED)))
    for name, path in models.items():
        run = timed(seisclass("classify", str(inputs["station_day"]), "--model", str(path), "--out",
                              str(root / "out" / path.stem / "day"), "--jobs", "1"))
        result["models"][name] = {"file": path.name, "station_day": run}
        log(f"  cli: {name}: station-day {run['wall_s']:.1f} s, {run['peak_rss_mb']:.0f} MB, rc {run['rc']}")
    # short files: the shipped forest, and on the demo pieces the demo boosting (the real-dev files hold one
    # vertical trace, which a three-component demo model cannot use)
    short_models = [n for n in models if "shipped" in n or (n.startswith("hgb") and real_dev is None)]
    for name in short_models:
        path = models[name]
        tiny = timed(seisclass("classify", str(inputs["tiny"]), "--model", str(path), "--out",
                               str(root / "out" / path.stem / "tiny"), "--jobs", "1"))
        many = timed(seisclass("classify", str(inputs["short"]), "--model", str(path), "--out",
                               str(root / "out" / path.stem / "short"), "--jobs", "1", "--keep-going"))
        per_file = (many["wall_s"] - tiny["wall_s"]) / max(1, n_short - 1)
        per_file_cpu = (many["cpu_s"] - tiny["cpu_s"]) / max(1, n_short - 1)
        result["models"][name].update(startup=tiny, short_files=many, per_file_s=per_file,
                                      per_file_cpu_s=per_file_cpu)
        log(f"  cli: {name}: start-up {tiny['wall_s']:.2f} s, {n_short} short files {many['wall_s']:.1f} s "
            f"({1000 * per_file:.0f} ms each)")
    result["load_avg_1min_after"] = round(os.getloadavg()[0], 2)
    return result


def table_rows(result: dict) -> list[tuple[str, float, float, str]]:
    """(figure, measured, goal, unit) rows of the CLI benchmark (wall, and CPU where the goal is a time)."""
    rows = []
    g = result["goals"]
    info = result["info_shipped"]
    rows.append(("seisclass info, shipped forest: wall", info["wall_s"], g["startup_s"], "s"))
    rows.append(("seisclass info, shipped forest: CPU", info["cpu_s"], g["startup_s"], "s"))
    for name, m in result["models"].items():
        goal = g["station_day_cnn_s"] if name.startswith("cnn") else g["station_day_s"]
        day = m["station_day"]
        rows.append((f"station-day, {name}: wall", day["wall_s"], goal, "s"))
        rows.append((f"station-day, {name}: CPU", day["cpu_s"], goal, "s"))
        rows.append((f"station-day, {name}: peak RSS", day["peak_rss_mb"], g["station_day_rss_mb"], "MB"))
        if "startup" in m:
            rows.append((f"start-up (1 tiny file), {name}: wall", m["startup"]["wall_s"], g["startup_s"], "s"))
            rows.append((f"start-up (1 tiny file), {name}: CPU", m["startup"]["cpu_s"], g["startup_s"], "s"))
            rows.append((f"per short file, {name}: wall", m["per_file_s"], g["per_file_s"], "s"))
            rows.append((f"per short file, {name}: CPU", m["per_file_cpu_s"], g["per_file_s"], "s"))
    return rows
