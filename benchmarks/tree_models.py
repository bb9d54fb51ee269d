"""Tree models compared on a workflow dataset: random forest against histogram gradient boosting.

``python -m benchmarks.tree_models --dataset results/features/features.parquet`` reads the
dataset the rule ``dataset`` writes, leaves the test split out, and runs for each estimator
(``random_forest.estimator``) the project's event-grouped cross-validation
(:func:`seisclass.learn.crossval.cross_validate`) with the folds, block size, seed and
calibration of the configuration (default: ``config/config.yaml`` updated by
``config/examples/mseed_dir.yaml``, the real-data study's). Reported per estimator:

* balanced accuracy and recall per class, per window and per labelled interval, uncalibrated and
  calibrated on the other folds, and the top-label ECE of both;
* with ``--preprocessed DIR --annotations CSV``: event-level precision, recall and F1 per class
  (network and station), computed from the calibrated out-of-fold probabilities as the rule
  ``cross_validate_events`` does (the envelopes read from the preprocessed chunk files);
* training time per fold (``--jobs`` threads), prediction time per window on one thread (all
  held-out windows of every fold, unlabelled ones included), and the size of the skops file
  of a model fitted on every non-test window.

Wall times are upper bounds on a shared machine. Writes ``--out`` (JSON) and prints a table.
"""

from __future__ import annotations

import argparse
import copy
import logging
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from seisclass.core.io import write_json

REPO = Path(__file__).resolve().parents[1]
CONFIGS = (REPO / "config/config.yaml", REPO / "config/examples/mseed_dir.yaml")
ESTIMATORS = ("forest", "hgb")
log = logging.getLogger("benchmarks.tree_models")


def merged_config(paths=CONFIGS) -> dict:
    """The configuration files merged in order (nested mappings updated, as Snakemake's ``--configfile``)."""

    def update(base: dict, new: dict) -> None:
        for key, value in new.items():
            if isinstance(value, dict) and isinstance(base.get(key), dict):
                update(base[key], value)
            else:
                base[key] = copy.deepcopy(value)

    config: dict = {}
    for path in paths:
        update(config, yaml.safe_load(Path(path).read_text()) or {})
    config["mseed_dir"] = config.get("mseed_dir") or "."  # the study's directory is not read here
    return config


def timed_fit(p, seed: int, n_jobs: int, classes: list[str], record: dict):
    """``cross_validate``'s ``fit``: trains with ``n_jobs``, predicts on one thread, records both times."""
    from seisclass.learn.forest import predict_proba, train_random_forest

    def fit(features: np.ndarray, labels: np.ndarray):
        started = time.perf_counter()
        model = train_random_forest(features, labels, p, seed, n_jobs, progress_steps=1)
        record["train_s"].append(time.perf_counter() - started)
        if "n_jobs" in model.get_params():
            model.set_params(n_jobs=1)

        def predict(x: np.ndarray) -> np.ndarray:
            started = time.perf_counter()
            out = predict_proba(model, x, classes, threads=1)
            record["predict_s"].append(time.perf_counter() - started)
            record["predicted_windows"].append(len(x))
            return out

        return predict

    return fit


def skill(summary: dict, classes: list[str]) -> dict:
    """Balanced accuracy and recall per class of a cross-validation summary, per window and per interval."""
    def part(m: dict) -> dict:
        return {"balanced_accuracy": m["balanced_accuracy"],
                "recall": {c: m["per_class"][c]["recall"] for c in classes}}

    return {"window": part(summary), "interval": part(summary["per_interval"]),
            "top_label_ece": summary["calibration_error"]["top_label"]}


def event_skill(predictions: pd.DataFrame, classes: list[str], settings: dict, preprocessed: Path,
                annotations: list[str]) -> dict:
    """Event precision, recall and F1 per class from out-of-fold window probabilities (rule ``cross_validate_events``).

    Each preprocessed chunk file (``preprocessed/*/*.mseed``) gives the envelopes of the windows
    of its stations whose start lies in the station's time span there.
    """
    from seisclass.core.vocabulary import epoch_seconds, station_ids
    from seisclass.core.waveforms import read_checked
    from seisclass.data.labels import read_annotations
    from seisclass.events.catalogue import build_catalogue
    from seisclass.events.detect import chunk_events
    from seisclass.events.evaluate import covered_by, event_metrics, reference_events
    from seisclass.signal.recipe import Recipe

    p, recipe = settings["events"], Recipe.from_settings(settings)
    sid, start = station_ids(predictions).to_numpy(), epoch_seconds(predictions["start"])
    taken, parts = np.zeros(len(predictions), bool), []
    for path in sorted(preprocessed.glob("*/*.mseed")):
        stream = read_checked(str(path))
        spans = pd.DataFrame([(".".join(tr.id.split(".")[:3]).rstrip("."), tr.stats.starttime.timestamp,
                               tr.stats.endtime.timestamp) for tr in stream], columns=["sid", "t0", "t1"])
        mine = np.zeros(len(predictions), bool)
        for station, t0, t1 in spans.groupby("sid").agg({"t0": "min", "t1": "max"}).itertuples():
            mine |= (sid == station) & (start >= t0) & (start < t1)
        windows = predictions[mine & ~taken]
        taken |= mine
        if len(windows):
            parts.append(chunk_events(windows, stream, classes, p, recipe.windows.length_s, recipe.windows.step_s,
                                      recipe.preprocess.bandpass_hz))
    catalogue = build_catalogue(pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(), classes, p, {},
                                "cross-validated")
    reference, background = reference_events(read_annotations(annotations, classes), None, p.event_classes(classes),
                                             list(p.background_classes), p.min_snr_db)
    reference = covered_by(reference, predictions)
    out = {}
    for kind, column in (("network", "class"), ("station", "station_class")):
        m = event_metrics(catalogue.events, reference, p.event_classes(classes), background, class_column=column)
        out[kind] = {c: {k: v[k] for k in ("precision", "recall", "f1")} for c, v in m["classes"].items()}
    return out


def model_size(table: pd.DataFrame, classes: list[str], p, settings: dict, n_jobs: int) -> dict:
    """Fit on every train and validation window of ``table``, save as skops, load back: bytes and seconds."""
    from seisclass.learn.forest import fit_forest
    from seisclass.learn.loading import load_classifier
    from seisclass.signal.recipe import Recipe

    started = time.perf_counter()
    model = fit_forest(table, classes, p, settings["study"].seed, Recipe.from_settings(settings), n_jobs,
                       splits=("train", "validation"))
    fit_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory(prefix="seisclass-trees-") as tmp:
        path = Path(tmp) / "rf.skops"
        model.save(path)
        started = time.perf_counter()
        load_classifier(path)
        return {"fit_all_s": fit_s, "bytes": path.stat().st_size, "load_s": time.perf_counter() - started,
                "rounds": int(getattr(model.estimator, "n_iter_", 0)) or None}


def compare(dataset: Path, settings: dict, estimators=ESTIMATORS, n_jobs: int = 2, preprocessed: Path | None = None,
            annotations: list[str] | None = None) -> dict:
    """Every figure of the module doc for each estimator on the non-test windows of ``dataset``."""
    from seisclass.data.dataset import feature_columns
    from seisclass.learn.calibration import calibrate_out_of_fold
    from seisclass.learn.crossval import cross_validate
    from seisclass.learn.forest import ForestParameters

    classes = list(settings["study"].classes)
    seed, block_s, folds = settings["study"].seed, settings["split"].block_s, settings["evaluation"].cv_folds
    table = pd.read_parquet(dataset)
    table = table[table["split"] != "test"].reset_index(drop=True)
    names = feature_columns(table)
    result = {"dataset": str(dataset), "windows": len(table),
              "labelled_windows": int(table["label"].isin(classes).sum()),
              "features": len(names), "folds": folds, "block_s": block_s, "seed": seed, "n_jobs_training": n_jobs,
              "calibration": settings["random_forest"].calibration, "estimators": {}}
    for name in estimators:
        p = ForestParameters.from_config({**settings["random_forest"].to_config(), "estimator": name})
        record = {"train_s": [], "predict_s": [], "predicted_windows": []}
        started = time.perf_counter()
        summary, predictions = cross_validate(table, names, classes, timed_fit(p, seed, n_jobs, classes, record),
                                              block_s, folds, seed, p.calibration, p.max_training_windows)
        entry = {"cv_wall_s": time.perf_counter() - started, "uncalibrated": skill(summary, classes),
                 "train_s_per_fold": record["train_s"],
                 "predict_us_per_window_1_thread": 1e6 * sum(record["predict_s"]) / sum(record["predicted_windows"]),
                 "predicted_windows": sum(record["predicted_windows"])}
        if "calibrated" in summary:
            entry["calibrated"] = skill(summary["calibrated"], classes)
        if preprocessed is not None and annotations:
            calibrated, _ = calibrate_out_of_fold(predictions, classes, p.calibration) \
                if p.calibration != "none" else (predictions, None)
            entry["events"] = event_skill(calibrated, classes, settings, preprocessed, annotations)
        entry["model"] = model_size(table, classes, p, settings, n_jobs)
        result["estimators"][name] = entry
        log.info("%s: cross-validation %.0f s, %s", name, entry["cv_wall_s"], entry)
    return result


def table_lines(result: dict) -> list[str]:
    """The comparison as aligned text lines, one row per figure, one column per estimator."""
    names = list(result["estimators"])
    rows: list[tuple[str, list[str]]] = []

    def add(label: str, get, fmt: str = "{:.3f}"):
        values = []
        for n in names:
            try:
                v = get(result["estimators"][n])
            except (KeyError, TypeError):
                v = None
            values.append("-" if v is None else fmt.format(v))
        rows.append((label, values))

    classes = list(result["estimators"][names[0]]["uncalibrated"]["window"]["recall"])
    for version in ("uncalibrated", "calibrated"):
        for unit in ("window", "interval"):
            add(f"{version} per {unit}: balanced accuracy", lambda e, v=version, u=unit: e[v][u]["balanced_accuracy"])
            for c in classes:
                add(f"{version} per {unit}: recall {c}", lambda e, v=version, u=unit, c=c: e[v][u]["recall"][c])
        add(f"{version}: top-label ECE", lambda e, v=version: e[v]["top_label_ece"], "{:.4f}")
    for kind in ("network", "station"):
        for c in result["estimators"][names[0]].get("events", {}).get(kind, {}):
            for k in ("precision", "recall", "f1"):
                add(f"events ({kind}) {c}: {k}", lambda e, kind=kind, c=c, k=k: e["events"][kind][c][k])
    add("training s per fold (mean)", lambda e: float(np.mean(e["train_s_per_fold"])), "{:.1f}")
    add("training s per fold (max)", lambda e: float(np.max(e["train_s_per_fold"])), "{:.1f}")
    add("prediction µs per window (1 thread)", lambda e: e["predict_us_per_window_1_thread"], "{:.1f}")
    add("fit on all non-test windows (s)", lambda e: e["model"]["fit_all_s"], "{:.1f}")
    add("boosting rounds", lambda e: e["model"]["rounds"], "{:d}")
    add("model file (bytes)", lambda e: e["model"]["bytes"], "{:,d}")
    add("model load (s)", lambda e: e["model"]["load_s"], "{:.2f}")
    width = max(len(label) for label, _ in rows)
    lines = [f"{'':{width}}  " + "  ".join(f"{n:>12}" for n in names)]
    lines += [f"{label:{width}}  " + "  ".join(f"{v:>12}" for v in values) for label, values in rows]
    return lines


def main(argv: list[str] | None = None) -> int:
    from seisclass.settings import load_settings

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", required=True, help="the workflow's dataset (results/features/features.parquet)")
    parser.add_argument("--config", nargs="+", default=[str(p) for p in CONFIGS],
                        help="configuration files, merged in order (default: config.yaml, examples/mseed_dir.yaml)")
    parser.add_argument("--estimators", nargs="+", default=list(ESTIMATORS), choices=ESTIMATORS)
    parser.add_argument("--jobs", type=int, default=2, help="training threads (prediction: 1)")
    parser.add_argument("--preprocessed", help="the workflow's results/preprocessed (event-level skill)")
    parser.add_argument("--annotations", nargs="*", default=[], help="the annotation CSVs (event-level skill)")
    parser.add_argument("--out", default="results/bench/tree_models.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    settings = load_settings(merged_config(args.config))
    result = compare(Path(args.dataset), settings, args.estimators, args.jobs,
                     Path(args.preprocessed) if args.preprocessed else None, args.annotations)
    result["command"] = "python -m benchmarks.tree_models " + " ".join(sys.argv[1:] if argv is None else argv)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    write_json(result, args.out)
    print(f"{result['windows']} non-test windows ({result['labelled_windows']} labelled), {result['features']} "
          f"features, {result['folds']} folds of {result['block_s']:g}-s blocks, seed {result['seed']}, "
          f"calibration {result['calibration']}, training on {result['n_jobs_training']} threads")
    print("\n".join(table_lines(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
