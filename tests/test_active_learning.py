"""Active learning: uncertainty measures, candidate table and the annotation round trip."""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import snakemake

from seisclass.core.vocabulary import UNLABELED
from seisclass.learn.active_learning import (
    candidates,
    margin,
    predictive_entropy,
    uncertainty_order,
)

PROBS = np.array([
    [1.0, 0.0, 0.0],      # certain: H = 0, margin 1
    [1 / 3, 1 / 3, 1 / 3],  # uniform: H = ln 3, margin 0
    [0.5, 0.5, 0.0],      # H = ln 2, margin 0
    [0.8, 0.1, 0.1],      # H = 0.639, margin 0.7
])


def test_entropy_and_margin_by_hand():
    np.testing.assert_allclose(predictive_entropy(PROBS),
                               [0.0, np.log(3), np.log(2), -(0.8 * np.log(0.8) + 0.2 * np.log(0.1))])
    np.testing.assert_allclose(margin(PROBS), [1.0, 0.0, 0.0, 0.7])


def test_orders():
    assert list(uncertainty_order(PROBS, "entropy")) == [1, 2, 3, 0]
    # equal margins (rows 1 and 2) are broken by entropy
    assert list(uncertainty_order(PROBS, "margin")) == [1, 2, 3, 0]
    with pytest.raises(ValueError, match="strategy"):
        uncertainty_order(PROBS, "random")


def test_candidate_table():
    table = pd.DataFrame({
        "network": "XX", "station": "A", "location": "", "channel": "HH?",
        "start": pd.date_range("2024-01-01", periods=4, freq="5s", tz="UTC"),
    })
    table["end"] = table["start"] + pd.Timedelta(seconds=10)
    out = candidates(table, PROBS, ["a", "b", "c"], n=2)
    assert list(out["rank"]) == [1, 2]
    assert list(out["start"]) == [table["start"][1], table["start"][2]]
    assert {"station", "start", "end", "entropy", "margin", "p_a", "p_b", "p_c", "label"} <= set(out.columns)
    assert (out["label"] == "").all()
    with pytest.raises(ValueError, match="probability rows"):
        candidates(table, PROBS[:2], ["a", "b", "c"], n=2)


@pytest.mark.workflow
def test_tiny_run_candidates(tiny_run):
    out = pd.read_csv(tiny_run / "results/active_learning/candidates.csv", keep_default_na=False)
    assert {"station", "start", "end", "entropy", "p_silence", "p_tourists", "p_earthquake"} <= set(out.columns)
    assert out["margin"].is_monotonic_increasing  # the default strategy, margin (smallest first)
    np.testing.assert_allclose(out[["p_silence", "p_tourists", "p_earthquake"]].sum(axis=1), 1.0, atol=1e-9)
    dataset = pd.read_parquet(tiny_run / "results/features/features.parquet", columns=["start", "label"])
    starts = pd.to_datetime(out["start"], utc=True, format="ISO8601")
    labels = dataset.set_index("start").loc[starts, "label"]
    assert (labels == UNLABELED).all()  # only unlabelled windows are proposed


def _job_counts(dry_run_output: str) -> dict[str, int]:
    table = dry_run_output.split("Job stats:")[1].split("total")[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)\s*$", table, re.MULTILINE)}


@pytest.mark.workflow
def test_annotation_round_trip_reruns_only_label_dependents(tiny_run, tmp_path):
    work = tmp_path / "run"
    shutil.copytree(tiny_run, work, symlinks=True)  # keeps mtimes and Snakemake's metadata
    assert "Nothing to be done" in snakemake(work, "--dry-run").stdout
    candidate = pd.read_parquet(work / "results/features/features.parquet").iloc[100]
    start, end = candidate["start"], candidate["end"]
    with open(work / "config/annotations.csv", "a") as f:
        f.write(f"XX,TINY,,HH?,{start:%Y-%m-%dT%H:%M:%S}Z,{end:%Y-%m-%dT%H:%M:%S}Z,earthquake\n")
    jobs = _job_counts(snakemake(work, "--dry-run").stdout)
    assert {"label_windows", "dataset", "train_random_forest", "label_candidates"} <= set(jobs)
    assert not {"demo_station_day", "preprocess", "features", "feature_table"} & set(jobs)
    summary = snakemake(work, "--summary").stdout
    labels_line = next(line for line in summary.splitlines() if line.startswith("results/labels/XX.TINY/"))
    assert "update pending" in labels_line
    snakemake(work, "--cores", "2", "results/features/features.parquet")
    table = pd.read_parquet(work / "results/features/features.parquet")
    assert table.loc[table["start"] == start, "label"].item() == "earthquake"
