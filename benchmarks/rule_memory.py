"""Peak memory per rule against the windows of a study, and its extrapolation to a station-year.

Each point runs, in a fresh Python process (peak RSS = ``VmHWM``), the library calls of one
rule's adapter (``workflow/scripts/*.py``) on a synthetic study of one station:

* ``dataset``: per-day feature and label Parquet files read, assembled, split, written (rule ``dataset``);
* ``forest`` / ``hgb``: :func:`seisclass.learn.forest.fit_forest_file` on the dataset's train split (keys
  read, the sample's features read by row group), the model saved (rules ``train_random_forest``,
  ``final_random_forest``), with ``estimator: forest`` or ``hgb``; each at two bounds,
  ``max_training_windows`` unbounded and a small bound, so the law separates what grows with the
  table from what grows with the fitted windows;
* ``cv``: the grouped cross-validation of the forest on the non-test windows, predictions written
  (rule ``cross_validate_random_forest``), at the small bound;
* ``explore``: :func:`seisclass.explain.exploration.explore` with the configured settings (rule ``explore``);
* ``deep_inputs``: the dataset read (the columns the rule reads) and
  :func:`seisclass.learn.deep.inputs.select_windows` (rule ``deep_inputs``; cutting the waveforms into the
  memory-mapped arrays writes them window batch by window batch, and ``train_deep`` reads them memory-mapped,
  its training windows capped by ``deep.max_train_per_class``).

The synthetic study resamples the rows of a workflow dataset (a demo station-day) onto a
5-s grid of consecutive days (:func:`benchmarks.harness.synthetic_feature_tables`). The law fitted
per rule is ``peak MB = a + b * windows + c * fitted windows`` (``c`` only for the tree rules,
fitted windows = ``min(train windows, bound)``), by least squares over at least three sizes;
the forests are measured with few trees, and the trees of the configured count are added from
the nodes per tree (linear in the fitted windows) at 88 bytes per node.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
WINDOWS_PER_DAY = 17280  # the default grid: 10-s windows every 5 s
GOAL_MB = 4000.0
NODE_BYTES = 88  # scikit-learn's 64-byte node record plus 3 class values of 8 bytes
TREE_STEPS = ("forest", "hgb")
STEPS = ("dataset", "forest", "hgb", "cv", "explore", "deep_inputs")
EXTRA_STEPS = ("dataset_in_memory",)  # the in-memory assembly, for comparison (--steps)


def windows_per_year() -> int:
    """Windows of one station-year on the default grid (``windows.length_s`` every ``windows.step_s``)."""
    import yaml

    schema = yaml.safe_load((REPO / "src/seisclass/core/config.schema.yaml").read_text())
    windows = schema["properties"]["windows"]["properties"]
    length, step = windows["length_s"]["default"], windows["step_s"]["default"]
    return int(365 * ((86400 - length) // step + 1))


def settings():
    """The demo study's settings (``config/config.yaml`` over the schema defaults)."""
    from seisclass.settings import load_settings

    from .tree_models import merged_config

    return load_settings(merged_config((REPO / "config" / "config.yaml",)))


def _peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024.0
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rule_point(step: str, workdir: str, n_estimators: int, bound: int | None) -> dict:
    """One measurement (run it in a fresh process, :func:`measure`): peak RSS (MB), wall s and sizes."""
    from seisclass.core.io import read_parquets, write_csv, write_parquet
    from seisclass.core.vocabulary import KEY_COLUMNS, epoch_seconds
    from seisclass.data.dataset import assemble, assemble_file, class_counts, feature_columns
    from seisclass.data.split import assign_split
    from seisclass.learn.forest import ForestParameters
    from seisclass.signal.recipe import Recipe

    s = settings()
    classes, seed = list(s["study"].classes), s["study"].seed
    work = Path(workdir)
    dataset = work / "dataset.parquet"
    baseline = _peak_rss_mb()
    started = time.perf_counter()
    extra: dict = {}
    if step in ("dataset", "dataset_in_memory"):
        files = sorted(work.glob("day_*.parquet"))
        split = s["split"]

        def split_of(keys):
            return assign_split(epoch_seconds(keys["start"]), epoch_seconds(keys["end"]),
                                keys["label"].to_numpy(dtype=object), classes, split.fractions.to_config(),
                                split.block_s, seed, split.min_blocks_per_class)

        if step == "dataset":  # as the rule: out of core
            table = assemble_file(files, [f.with_name(f.name.replace("day_", "labels_")) for f in files], dataset,
                                  split_of)
        else:  # the in-memory assembly the rule used before (for comparison)
            table = assemble(read_parquets(files, "feature tables"),
                             read_parquets([f.with_name(f.name.replace("day_", "labels_")) for f in files]))
            table.insert(table.columns.get_loc("snr") + 1, "split", split_of(table))
            table["split"] = table["split"].astype("string")
            write_parquet(table, dataset)
        write_csv(class_counts(table, classes), work / "class_counts.tsv", sep="\t")
        extra["input_mb"] = sum(f.stat().st_size + f.with_name(f.name.replace("day_", "labels_")).stat().st_size
                                for f in files) / 2**20
        windows = len(table)
        extra["dataset_mb"] = dataset.stat().st_size / 2**20
    elif step in TREE_STEPS:
        import pyarrow.parquet as pq

        from seisclass.learn.forest import fit_forest_file

        p = ForestParameters.from_config({**s["random_forest"].to_config(), "estimator": step,
                                          "n_estimators": n_estimators, "max_training_windows": bound})
        windows = pq.ParquetFile(dataset).metadata.num_rows
        model = fit_forest_file(dataset, classes, p, seed, Recipe.from_settings(s), 1)  # as train_random_forest
        model.save(work / f"{step}.skops")
        fitted = model.metadata["training_data"]["fitted"]["n_windows"]
        extra.update(fitted_windows=fitted, train_windows=model.metadata["training_data"]["n_windows"])
        if step == "forest":
            extra.update(n_estimators=n_estimators,
                         nodes_per_tree=float(np.mean([e.tree_.node_count for e in model.estimator.estimators_])))
    elif step == "cv":
        from seisclass.learn.crossval import cross_validate
        from seisclass.learn.forest import predict_proba, train_random_forest

        p = ForestParameters.from_config({**s["random_forest"].to_config(), "n_estimators": n_estimators,
                                          "max_training_windows": bound})
        import pyarrow.parquet as pq

        windows = pq.ParquetFile(dataset).metadata.num_rows
        table = pd.read_parquet(dataset, filters=[("split", "!=", "test")])  # as the rule

        def fit(features, labels):
            forest = train_random_forest(features, labels, p, seed, 1, progress_steps=1)
            return lambda x: predict_proba(forest, x, classes)

        folds = s["evaluation"].cv_folds
        _, predictions = cross_validate(table, feature_columns(table), classes, fit, s["split"].block_s, folds,
                                        seed, p.calibration, p.max_training_windows)
        write_parquet(predictions, work / "cv.parquet")
        fold_train = int(len(table) * (folds - 1) / folds)
        extra.update(fitted_windows=min(fold_train, bound) if bound else fold_train)
    elif step == "explore":
        from seisclass.explain.exploration import ExploreParameters, explore
        from seisclass.signal.features import FeatureParameters, feature_table

        table = pd.read_parquet(dataset)
        windows = len(table)
        names = feature_columns(table)
        components = sorted({n.split("_", 1)[0] for n in names if n[1:2] == "_"}, key="ZNE".index)
        units = dict(feature_table(components, FeatureParameters()).set_index("name")["unit"])
        groups = pd.DataFrame({"group": range(len(names)), "feature": names})
        explore(table, names, KEY_COLUMNS, classes, groups, units,
                ExploreParameters.from_config(s["explore"].to_config()), seed)
    elif step == "deep_inputs":
        from seisclass.learn.deep.inputs import read_index_columns, select_windows

        table = read_index_columns(dataset)
        windows = len(table)
        index = select_windows(table, classes, s["deep"].max_train_per_class, seed)
        write_parquet(index, work / "deep_index.parquet")
    else:
        raise ValueError(f"unknown step {step!r}")
    return {"step": step, "windows": int(windows), "bound": bound, **extra,
            "seconds": round(time.perf_counter() - started, 2), "baseline_rss_mb": round(baseline, 1),
            "peak_rss_mb": round(_peak_rss_mb(), 1)}


def _point(step: str, workdir: str, n_estimators: int, bound: int | None) -> dict:
    code = ("import json; from benchmarks.rule_memory import rule_point; "
            f"print(json.dumps(rule_point({step!r}, {workdir!r}, {n_estimators}, {bound!r})))")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONPATH": os.pathsep.join([str(REPO / "src"), str(REPO), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO)
    if out.returncode:
        return {"step": step, "bound": bound, "error": out.stderr[-1500:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(template: str, sizes: list[int], workdir: str, small_bound: int, n_estimators: int = 2,
            steps: tuple[str, ...] = STEPS, log=None) -> list[dict]:
    """Every step at every size (one fresh process each); tree steps unbounded and at ``small_bound``."""
    from .harness import prepare_memory_tables

    log = log or (lambda line: print(line, flush=True))
    points = []
    for n in sizes:
        prepare_memory_tables(template, n, workdir)
        runs = [("dataset", None)]
        for step in steps:
            if step in EXTRA_STEPS:
                runs.insert(0, (step, None))
            elif step in TREE_STEPS:
                runs += [(step, None), (step, small_bound)]
            elif step == "cv":
                runs.append((step, small_bound))
            elif step != "dataset":
                runs.append((step, None))
        for step, bound in runs:
            if step not in steps and step != "dataset":
                continue
            point = _point(step, workdir, n_estimators, bound)
            point.setdefault("windows", n)
            points.append(point)
            log(f"  memory {step:12s} {n:9d} windows bound {bound!s:>8s}: "
                + (f"{point['peak_rss_mb']:8.1f} MB {point['seconds']:7.1f} s" if "error" not in point
                   else "FAILED " + point["error"].splitlines()[-1]))
    return points


def fit_law(points: list[dict], with_fitted: bool) -> dict:
    """Least squares ``peak = a + b * windows (+ c * fitted windows)``; the largest relative residual."""
    x = np.array([[1.0, pt["windows"], *([pt["fitted_windows"]] if with_fitted else [])] for pt in points])
    y = np.array([pt["peak_rss_mb"] for pt in points])
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    residual = np.abs(x @ coef - y) / y
    law = {"intercept_mb": float(coef[0]), "mb_per_million_windows": float(coef[1] * 1e6),
           "points": len(points), "max_residual_fraction": float(residual.max())}
    if with_fitted:
        law["mb_per_million_fitted_windows"] = float(coef[2] * 1e6)
    return law


def summarise(points: list[dict], year_windows: int | None = None, n_trees: int | None = None,
              bound: int | None = None) -> dict:
    """Per step: the law, and the peak at one station-year with the configured bound and trees, against 4 GB."""
    s = settings()
    year = year_windows or windows_per_year()
    n_trees = n_trees or s["random_forest"].n_estimators
    bound = bound if bound is not None else s["random_forest"].max_training_windows
    folds = s["evaluation"].cv_folds
    good = [pt for pt in points if "error" not in pt]
    out: dict = {"year_windows": year, "n_estimators": n_trees, "max_training_windows": bound, "goal_mb": GOAL_MB,
                 "points": points, "rules": {}}
    datasets = [pt for pt in good if pt["step"] == "dataset"]
    train_fraction = (np.mean([pt["train_windows"] / pt["windows"] for pt in good if pt["step"] == "forest"])
                      if any(pt["step"] == "forest" for pt in good) else 0.8)
    for step in (*STEPS, *EXTRA_STEPS):
        pts = [pt for pt in good if pt["step"] == step]
        if len({pt["windows"] for pt in pts}) < 2:
            continue
        tree = step in TREE_STEPS or step == "cv"
        with_fitted = step in TREE_STEPS and len({pt["fitted_windows"] for pt in pts}) > 2
        law = fit_law(pts, with_fitted)
        fitted_year = None
        if tree:
            at = year * train_fraction * ((folds - 1) / folds if step == "cv" else 1.0)
            fitted_year = min(at, bound) if bound else at
        c_mb = law.get("mb_per_million_fitted_windows")
        if step == "cv":  # measured at one bound: the forest's slope in fitted windows carries it to the year's
            forest = out["rules"].get("forest", {}).get("law", {})
            c_mb = forest.get("mb_per_million_fitted_windows", 0.0)
            law["fitted_windows_measured"] = pts[0]["fitted_windows"]
        peak = law["intercept_mb"] + law["mb_per_million_windows"] * year / 1e6
        if tree and c_mb is not None:
            measured_fit = pts[0]["fitted_windows"] if step == "cv" else 0.0
            peak += c_mb * (fitted_year - measured_fit) / 1e6
        entry = {"law": law, "fitted_windows_at_year": fitted_year, "peak_mb_at_year": peak}
        if step in ("forest", "cv"):
            forests = [pt for pt in good if pt["step"] == "forest"]
            per_tree = np.polyfit([pt["fitted_windows"] for pt in forests], [pt["nodes_per_tree"] for pt in forests], 1)
            trees_mb = float(np.polyval(per_tree, fitted_year)) * (n_trees - forests[0]["n_estimators"]) \
                * NODE_BYTES / 2**20
            entry.update(nodes_per_tree_at_year=float(np.polyval(per_tree, fitted_year)), trees_mb_added=trees_mb)
            entry["peak_mb_at_year"] = peak + trees_mb
        entry["ratio_to_goal"] = entry["peak_mb_at_year"] / GOAL_MB
        entry["meets_goal"] = bool(entry["peak_mb_at_year"] <= GOAL_MB)
        if datasets:  # the rule's input: the dataset file, whose size is linear in the windows
            entry["dataset_mb_at_year"] = float(np.polyval(np.polyfit(
                [pt["windows"] for pt in datasets], [pt["dataset_mb"] for pt in datasets], 1), year))
        out["rules"][step] = entry
    if datasets:
        out["dataset_mb_per_million_windows"] = float(np.polyfit(
            [pt["windows"] for pt in datasets], [pt["dataset_mb"] for pt in datasets], 1)[0] * 1e6)
    return out


def table_lines(summary: dict) -> list[str]:
    """One line per rule: law, peak at a station-year, goal and ratio."""
    lines = [f"station-year peak RSS per rule ({summary['year_windows']} windows, {summary['n_estimators']} trees, "
             f"max_training_windows {summary['max_training_windows']}), law: peak MB = a + b x windows (+ c x fitted):"]
    for step, e in summary["rules"].items():
        law = e["law"]
        fitted = (f" + {law['mb_per_million_fitted_windows']:.0f}/M fitted"
                  if "mb_per_million_fitted_windows" in law else "")
        lines.append(f"  {step:12s} {law['intercept_mb']:6.0f} + {law['mb_per_million_windows']:6.0f}/M windows"
                     f"{fitted:18s} -> {e['peak_mb_at_year']:7.0f} MB (goal {GOAL_MB:.0f}, ratio "
                     f"{e['ratio_to_goal']:.2f}) {'ok' if e['meets_goal'] else 'OVER'}")
    return lines


def main(argv: list[str] | None = None) -> int:
    import argparse

    from seisclass.core.io import write_json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", required=True, help="an assembled workflow dataset (results/features/...)")
    parser.add_argument("--sizes", default="120960,241920,518400",
                        help="windows per point (default: 1 week, 2 weeks, 30 days)")
    parser.add_argument("--bound", type=int, default=50_000, help="the small max_training_windows measured")
    parser.add_argument("--steps", default=",".join(STEPS))
    parser.add_argument("--work", default="results/bench/memory_work")
    parser.add_argument("--out", default="results/bench/rule_memory.json")
    args = parser.parse_args(argv)
    points = measure(args.template, [int(n) for n in args.sizes.split(",")], args.work, args.bound,
                     steps=tuple(args.steps.split(",")))
    summary = summarise(points)
    write_json(summary, args.out)
    print("\n".join(table_lines(summary)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
