"""The domain check (seisclass.learn.domain) measured: stations flagged out of fold, and a foreign station.

``python -m benchmarks.domain_check --features results/features/features.parquet --model
results/models/rf_all_splits.skops``, run in a workflow's folder (the real-data study's):

* **out of fold**: the non-test windows of the dataset in the configuration's event-grouped
  folds (block size, folds, seed of ``config/config.yaml`` updated by
  ``config/examples/mseed_dir.yaml``); each fold's domain is described from the other folds'
  windows and scores the fold's windows; reported: stations flagged, windows outside;
* **a foreign station**: one synthetic demo station-day (``seisclass.acquire.demo``, the
  default demo settings) made into windows by the model's own recipe and scored against
  the model's domain; reported: share outside, flagged, the features that differ most, and
  the scoring time on one thread.

Writes ``--out`` (JSON) and prints the figures.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from seisclass.core.io import write_json

REPO = Path(__file__).resolve().parents[1]
CONFIGS = (REPO / "config/config.yaml", REPO / "config/examples/mseed_dir.yaml")


def settings_of(paths=CONFIGS):
    """Typed settings of the configuration files, later ones updating earlier ones."""
    from seisclass.settings import load_settings

    config: dict = {}
    for path in paths:
        for key, value in (yaml.safe_load(Path(path).read_text()) or {}).items():
            config[key] = {**config[key], **value} if isinstance(value, dict) and isinstance(config.get(key), dict) \
                else value
    config["mseed_dir"] = config.get("mseed_dir") or "."  # the example leaves it to the command line
    return load_settings(config)


def out_of_fold(table: pd.DataFrame, classes: list[str], block_s: float, folds: int, seed: int) -> dict:
    """Stations flagged when every fold is scored against the domain of the other folds."""
    from seisclass.core.vocabulary import epoch_seconds
    from seisclass.data.dataset import feature_columns
    from seisclass.learn.crossval import fold_of_windows
    from seisclass.learn.domain import describe_domain, domain_counts, station_domain

    names = feature_columns(table)
    fold = fold_of_windows(epoch_seconds(table["start"]), epoch_seconds(table["end"]),
                           table["label"].to_numpy(dtype=object), classes, block_s, folds, seed, unlabelled=True)
    counts, domain = [], None
    for k in range(folds):
        train, test = (fold >= 0) & (fold != k), fold == k
        domain = describe_domain(table.loc[train, names], seed)
        counts.append(domain_counts(table.loc[test], domain))
    stations = station_domain(counts, domain)
    return {"stations": int(len(stations)), "flagged": int(stations["flagged"].sum()),
            "windows_outside": float((stations["domain_score"] * stations["windows"]).sum()
                                     / stations["windows"].sum()),
            "flagged_stations": stations[stations["flagged"]].to_dict("records")}


def demo_station(model, settings) -> dict:
    """One synthetic demo station-day scored against ``model``'s domain (one thread)."""
    from obspy import UTCDateTime
    from threadpoolctl import threadpool_limits

    from seisclass.acquire.demo import demo_station_day
    from seisclass.core.records import StationDay
    from seisclass.learn.classifier import station_days
    from seisclass.learn.domain import domain_counts, domain_scores, station_domain

    t0 = UTCDateTime("2024-06-01")  # the demo configuration's day
    day = StationDay("XX", "DEMO1", "", "HH?", str(t0.date), t0.timestamp, t0.timestamp + 86400.0)
    stream, _, _ = demo_station_day(day, 46.5, 8.0, settings["demo"], 42, (46.53, 8.04))
    tables = []
    for part, days in station_days(stream):
        processed, _ = model.recipe.preprocess_days(part, days)
        tables.append(model.recipe.window_table(processed, days, model.recipe.native_rates(part, days))[0])
    windows = pd.concat(tables, ignore_index=True)
    with threadpool_limits(1):
        start = time.perf_counter()
        scores = domain_scores(windows, model.domain)
        seconds = time.perf_counter() - start
    row = station_domain(domain_counts(windows, model.domain, scores), model.domain).iloc[0]
    return {"windows": int(len(windows)), "outside": float(np.mean(scores > 1)), "flagged": bool(row["flagged"]),
            "differs_most": row["differs_most"], "scoring_s_one_thread": seconds}


def main(argv=None) -> int:
    from seisclass.learn.loading import load_classifier

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", required=True, help="a workflow dataset (results/features/features.parquet)")
    parser.add_argument("--model", required=True, help="a forest trained on it (results/models/rf_all_splits.skops)")
    parser.add_argument("--out", default="results/bench/domain_check.json")
    args = parser.parse_args(argv)
    settings = settings_of()
    model = load_classifier(args.model)
    table = pd.read_parquet(args.features)
    table = table[table["split"] != "test"].reset_index(drop=True)
    split = settings["split"]
    result = {"out_of_fold": out_of_fold(table, model.classes_, split.block_s, settings["evaluation"].cv_folds,
                                         settings["study"].seed),
              "demo_station_day": demo_station(model, settings)}
    write_json(result, args.out)
    oof, demo = result["out_of_fold"], result["demo_station_day"]
    print(f"out of fold: {oof['flagged']} of {oof['stations']} stations flagged, {oof['windows_outside']:.1%} of "
          f"windows outside")
    print(f"demo station-day: {demo['outside']:.1%} of {demo['windows']} windows outside, flagged {demo['flagged']}, "
          f"scored in {demo['scoring_s_one_thread']:.2f} s on one thread; differs most: {demo['differs_most']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
