"""Confound checks: clusters and SHAP drivers against recording metadata, on constructed cases."""

import numpy as np
import pandas as pd
import pytest

from seisclass.core.vocabulary import KEY_COLUMNS
from seisclass.explain.confounds import (
    CONFOUND_COLUMNS,
    check_confounds,
    cluster_confounds,
    correlation_ratio,
    cramers_v,
    driver_confounds,
    snr_bins,
    top_drivers,
    window_metadata,
)

N = 1000


def windows(n=N, seed=0):
    """Windows of three stations: SLOW (20 Hz, EH, 20 %), and two 100 Hz HH stations; SNR uniform."""
    rng = np.random.default_rng(seed)
    station = np.where(np.arange(n) < n // 5, "SLOW", np.where(np.arange(n) % 2, "FAST1", "FAST2"))
    start = pd.Timestamp("2024-06-01", tz="UTC") + pd.to_timedelta(rng.permutation(n) * 80, unit="s")
    table = pd.DataFrame({"network": np.where(station == "SLOW", "AA", "BB"), "station": station, "location": "",
                          "channel": np.where(station == "SLOW", "EH?", "HH?"), "start": start,
                          "end": start + pd.Timedelta(seconds=10), "snr": rng.uniform(-4, 40, n)})
    rates = pd.DataFrame({"station": ["AA.SLOW", "BB.FAST1", "BB.FAST2"], "day": "2024-06-01", "channel": "Z",
                          "component": "Z", "sampling_rate": [20.0, 100.0, 100.0]})
    return table, rates


def test_association_measures_on_analytic_cases():
    assert cramers_v(np.array([[500, 0], [0, 500]])) == pytest.approx(1.0, abs=0.01)
    assert cramers_v(np.array([[250, 250], [250, 250]])) == 0.0
    assert cramers_v(np.array([[10, 20, 30]])) == 0.0  # one row: nothing to associate
    groups = np.repeat(["a", "b", "c"], 200)
    assert correlation_ratio(np.repeat([1.0, 2.0, 3.0], 200), groups) == pytest.approx(1.0)
    noise = np.random.default_rng(1).normal(size=600)
    assert correlation_ratio(noise, groups) < 0.1  # chance spread between groups is corrected away
    assert correlation_ratio(np.ones(600), groups) == 0.0
    np.testing.assert_array_equal(snr_bins(np.array([-9, 0, 2.9, 60, np.nan]), [-5, 0, 3, 60]),
                                  ["< -5 dB", "[0, 3) dB", "[0, 3) dB", ">= 60 dB", "unknown"])


def test_window_metadata_reads_original_rate_band_code_hour_and_snr():
    table, rates = windows()
    meta = window_metadata(table, rates, [0, 10, 20])
    assert list(meta.columns) == ["network", "station", "sampling_rate", "band_code", "hour_utc", "snr_bin"]
    slow = table["station"] == "SLOW"
    assert set(meta.loc[slow, "sampling_rate"]) == {"20 Hz"} and set(meta.loc[~slow, "sampling_rate"]) == {"100 Hz"}
    assert set(meta.loc[slow, "band_code"]) == {"EH"} and meta.loc[0, "station"] == "AA.SLOW"
    assert meta["hour_utc"].str.fullmatch(r"\d\d h").all()
    assert set(window_metadata(table, None, [0])["sampling_rate"]) == {"unknown"}


def test_a_cluster_of_one_sampling_rate_is_flagged_and_a_mixed_one_is_not():
    table, rates = windows()
    meta = window_metadata(table, rates, [0, 10, 20])
    slow = (table["station"] == "SLOW").to_numpy()
    rng = np.random.default_rng(2)
    split_by_rate = np.where(slow, 1, 0)  # a "cluster" that is the 20 Hz station
    mixed = rng.integers(0, 2, N)  # clusters unrelated to any metadata
    result = cluster_confounds({"kmeans": split_by_rate, "umap_hdbscan": mixed}, meta)
    assert list(result.columns) == CONFOUND_COLUMNS
    row = result.set_index(["method", "cluster", "metadata"]).loc[("kmeans", "1", "sampling_rate")]
    assert (row["dominant_value"], row["share"], row["base_share"]) == ("20 Hz", 1.0, 0.2)
    assert row["association"] == pytest.approx(1.0, abs=0.01) and row["flagged"]
    assert row["reason"].startswith("sampling_rate = 20 Hz holds 100% of the cluster's windows (20% of all windows")
    # the same split shows in network, station and band code; not in the hour or the SNR
    flagged = set(result[result["flagged"] & (result["method"] == "kmeans")]["metadata"])
    assert flagged == {"network", "station", "sampling_rate", "band_code"}
    assert not result[result["method"] == "umap_hdbscan"]["flagged"].any()
    assert result["association"].between(0, 1).all()


def test_dominance_alone_flags_a_small_cluster():
    """A small cluster all of one station (V small, as the cluster is small) is flagged by its share."""
    table, rates = windows()
    meta = window_metadata(table, rates, [0])
    cluster = np.full(N, 0)
    cluster[np.flatnonzero(table["station"] == "SLOW")[:20]] = 1  # 20 of the 200 SLOW windows
    row = cluster_confounds({"kmeans": cluster}, meta).set_index(["cluster", "metadata"]).loc[("1", "station")]
    assert row["share"] == 1.0 and row["association"] < 0.5 and row["flagged"]


def test_shap_driver_that_tracks_the_sampling_rate_is_flagged():
    table, rates = windows()
    meta = window_metadata(table, rates, [0, 10, 20])
    rng = np.random.default_rng(3)
    slow = (table["station"] == "SLOW").to_numpy()
    values = pd.DataFrame({"shap_quake__Z_ratio_10_15hz": np.where(slow, -0.3, 0.0) + 0.01 * rng.normal(size=N),
                           "shap_quake__Z_rms": rng.normal(size=N)})
    importance = pd.DataFrame({"feature": ["Z_rms", "Z_ratio_10_15hz"], "quake": [0.8, 0.06]})
    drivers = top_drivers(importance, ["quake"], 2)
    assert drivers == {"quake": ["Z_rms", "Z_ratio_10_15hz"]}
    result = driver_confounds(values, meta, drivers).set_index(["cluster", "metadata"])
    band = result.loc[("Z_ratio_10_15hz", "sampling_rate")]
    assert band["association"] > 0.95 and band["flagged"] and band["dominant_value"] == "20 Hz"
    # |SHAP| credit: 200 x 0.3 on SLOW against 800 x 0.01 x E|N(0,1)| = 800 x 0.008 elsewhere
    assert band["share"] == pytest.approx(60 / (60 + 800 * 0.01 * np.sqrt(2 / np.pi)), abs=0.01)
    assert band["measure"] == "correlation_ratio"
    assert not result.loc["Z_rms"]["flagged"].any()
    assert set(result.reset_index()["method"]) == {"shap:quake"}
    assert band["reason"].startswith("sampling_rate = 20 Hz holds 90% of its |SHAP| credit")


def test_snr_is_flagged_by_dominance_only():
    """Events are loud: a cluster of loud windows goes with the SNR (V high) without being confounded,
    unless it sits in one rare SNR bin."""
    table, rates = windows()
    meta = window_metadata(table, rates, [0, 10, 20])
    loud = (table["snr"] >= 10).to_numpy()
    rows = cluster_confounds({"kmeans": loud.astype(int)}, meta).set_index(["cluster", "metadata"])
    assert rows.loc[("1", "snr_bin"), "association"] > 0.5 and not rows.loc[("1", "snr_bin"), "flagged"]
    quiet = (table["snr"] < 0).to_numpy()  # all in one bin that holds 9 % of the windows: dominated
    # loud windows spread over two bins ([10, 20) dB and >= 20 dB, 1/3 and 2/3): not dominated
    rows = cluster_confounds({"kmeans": np.where(quiet, 1, np.where(loud, 2, 0))}, meta).set_index(
        ["cluster", "metadata"])
    assert rows.loc[("1", "snr_bin"), "flagged"] and not rows.loc[("2", "snr_bin"), "flagged"]
    assert rows.loc[("1", "snr_bin"), "reason"].startswith("snr_bin = < 0 dB holds 100% of the cluster's windows")


def test_check_confounds_puts_words_into_the_hypotheses():
    table, rates = windows()
    keys = table[KEY_COLUMNS].copy()
    slow = (table["station"] == "SLOW").to_numpy()
    embedding = keys.assign(cluster_kmeans=np.where(slow, 1, 0),
                            cluster_umap_hdbscan=np.random.default_rng(4).integers(-1, 2, N))
    hypotheses = pd.DataFrame({"method": ["kmeans", "kmeans", "umap_hdbscan", "umap_hdbscan"],
                               "cluster": [0, 1, 0, 1], "statement": ["a", "b", "c", "d"]})
    shap_values = keys.iloc[:300].assign(label="quake", **{"shap_quake__Z_rms": np.linspace(-1, 1, 300)})
    importance = pd.DataFrame({"feature": ["Z_rms"], "quake": [0.5], "all": [0.5]})
    confounds, out = check_confounds(embedding, table.sample(frac=1, random_state=0), hypotheses, rates, [0, 20],
                                     ["kmeans", "umap_hdbscan"], shap_values, importance, ["quake"], 3)
    assert list(out.columns) == ["method", "cluster", "statement", "confound"]
    assert out.loc[1, "confound"].startswith("possible confound: network = AA")
    assert "sampling_rate = 20 Hz" in out.loc[1, "confound"]
    assert out.loc[2, "confound"] == "" and out.loc[3, "confound"] == ""
    assert set(confounds["method"]) == {"kmeans", "umap_hdbscan", "shap:quake"}
    assert -1 not in set(confounds.loc[confounds["method"] == "umap_hdbscan", "cluster"].astype(int))  # noise
    import matplotlib

    matplotlib.use("Agg")
    from seisclass.plots.confounds import confound_figure

    assert confound_figure(confounds).axes


@pytest.mark.workflow
def test_tiny_run_writes_confounds_and_the_confound_column(tiny_run):
    results = tiny_run / "results" / "explore"
    confounds = pd.read_csv(results / "confounds.tsv", sep="\t", keep_default_na=False)
    assert list(confounds.columns) == CONFOUND_COLUMNS
    assert {"kmeans", "umap_hdbscan"} <= set(confounds["method"])
    assert any(m.startswith("shap:") for m in confounds["method"])
    # one station, one network, one hour: these cannot confound anything
    quiet = confounds[confounds["metadata"].isin(["network", "station", "sampling_rate", "band_code", "hour_utc"])]
    assert not quiet["flagged"].astype(str).eq("True").any()
    hypotheses = pd.read_csv(results / "hypotheses.tsv", sep="\t", keep_default_na=False)
    assert "confound" in hypotheses.columns
    assert (results / "confounds.png").stat().st_size > 10_000
