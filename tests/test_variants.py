"""Preprocessing variants: config, the base run's split, the comparison, and the example end to end."""

import copy
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import REPO, snakemake

from seisclass.core.config import ConfigError, apply_schema_defaults, schema_defaults
from seisclass.core.vocabulary import KEY_COLUMNS
from seisclass.data.variants import (
    VariantsParameters,
    merged_settings,
    transfer_split,
    variant_comparison_table,
)
from seisclass.settings import load_settings

SCHEMA = yaml.safe_load((REPO / "src/seisclass/core/config.schema.yaml").read_text())
EXAMPLE = yaml.safe_load((REPO / "config/examples/variants.yaml").read_text())


@pytest.mark.unit
def test_variants_section_parses_names_and_overrides():
    p = VariantsParameters.from_config(EXAMPLE["variants"])
    assert p.names() == ["band_1_45", "band_1_15", "band_5_45"]
    assert p.get("band_1_15").describe() == "preprocess.bandpass_hz=[1.0, 15.0]"
    assert VariantsParameters.from_config({}) == VariantsParameters()
    with pytest.raises(ValueError, match=r"variants.x: unknown key\(s\) \['random_forest'\]"):
        VariantsParameters.from_config({"x": {"random_forest": {"n_estimators": 3}}})
    with pytest.raises(ValueError, match="variants: '1bad' does not match"):
        VariantsParameters.from_config({"1bad": {}})
    with pytest.raises(ConfigError, match="no variant 'nope'"):
        p.get("nope")


@pytest.mark.unit
def test_each_variant_is_checked_against_the_base_config():
    config = apply_schema_defaults({"variants": {"slow": {"preprocess": {"sampling_rate": 40.0}}}})
    with pytest.raises(ConfigError, match=r"variants.slow: preprocess.bandpass_hz: the high edge 45 Hz must be below"):
        load_settings(config)
    config["variants"]["slow"]["preprocess"]["bandpass_hz"] = [1.0, 15.0]
    with pytest.raises(ConfigError, match=r"variants.slow: features.bands_hz\[3\]: high edge 45 Hz exceeds"):
        load_settings(config)
    config = apply_schema_defaults({"variants": {"short": {"windows": {"length_s": 4.0, "step_s": 2.0}}}})
    assert load_settings(config)["variants"].names() == ["short"]
    settings = load_settings(config)
    merged = merged_settings(settings, settings["variants"].get("short"))
    assert merged["windows"].length_s == 4.0 and merged["windows"].components == ("Z", "N", "E")
    assert merged["preprocess"].to_config() == schema_defaults()["preprocess"]


@pytest.mark.unit
def test_override_keys_are_the_sections_keys():
    """A variant may override every key of preprocess, windows and features, and no other."""
    variant = SCHEMA["definitions"]["variant"]["properties"]
    for section in ("preprocess", "windows", "features"):
        assert set(variant[section]["properties"]) == set(SCHEMA["properties"][section]["properties"]), section
        assert not any("default" in v for v in variant[section]["properties"].values()), section
    example = copy.deepcopy(yaml.safe_load((REPO / "config/config.yaml").read_text()))
    example.update(EXAMPLE)
    load_settings(apply_schema_defaults(example))


def grid(starts_s, labels, length=10.0):
    start = pd.to_datetime(np.asarray(starts_s, float) * 1e6, unit="us", utc=True)
    return pd.DataFrame({"network": "XX", "station": "A", "location": "", "channel": "HH?", "start": start,
                         "end": start + pd.Timedelta(seconds=length), "label": pd.array(labels, dtype="string")})


@pytest.mark.unit
def test_split_follows_the_base_run_by_key_then_by_time_block():
    block = 100.0
    base = grid([0, 50, 100, 150, 200, 250, 300], ["a", "a", "b", "b", "a", "unlabeled", "b"])
    base["split"] = ["train", "train", "test", "test", "validation", "none", "purged"]
    variant = grid([0, 50, 100, 120, 95, 400, 250, 150],
                   ["a", "b", "b", "b", "a", "a", "unlabeled", "b"], length=10.0)
    got = transfer_split(base, variant, block)
    # same key and label -> base split; 50 s changed label -> its block (train); 120 s: block 1 (test);
    # 95-105 s straddles train and test blocks -> purged; 400 s: no base window there -> none;
    # unlabelled -> none; 150 s: same key and label -> test
    assert got.tolist() == ["train", "train", "test", "test", "purged", "none", "none", "test"]


@pytest.mark.unit
def test_comparison_table_has_the_contract_columns():
    metrics = {"balanced_accuracy": 0.8, "f1_macro": 0.7, "confusion_matrix": {"matrix": [[3, 1], [0, 4]]},
               "per_class": {"silence": {"recall": 0.75}, "quake": {"recall": 1.0}}}
    stability = {"method": "kmeans", "ari_mean": 0.9, "ari_min": 0.8, "per_method": {"kmeans": {"n_clusters": 3}}}
    worse = {**metrics, "balanced_accuracy": 0.6}
    table = variant_comparison_table({"a": {"metrics": worse, "stability": stability, "settings": "x", "n_windows": 10},
                              "b": {"metrics": metrics, "stability": stability, "settings": "y", "n_windows": 10}},
                             ["silence", "quake"])
    assert list(table.columns[:6]) == ["variant", "balanced_accuracy", "f1_macro", "recall_silence", "recall_quake",
                                       "ari_mean"]
    assert table["rank"].tolist() == [2, 1] and table["n_test"].tolist() == [8, 8]
    assert table["n_clusters"].tolist() == [3, 3]


@pytest.mark.workflow
def test_variants_example_on_the_tiny_run(tiny_run, tmp_path):
    """Three band-passes on the tiny demo: one comparison row each, all tested on the base run's windows."""
    work = tmp_path / "run"
    shutil.copytree(tiny_run, work, symlinks=True, ignore=shutil.ignore_patterns("report.html"))
    variants = work / "config" / "variants.yaml"  # absolute: Snakemake reads it from its own working directory
    shutil.copy(REPO / "config/examples/variants.yaml", variants)
    targets = ["results/variants/comparison.tsv", "results/variants/comparison.png", "results/variants/spectra.png"]
    snakemake(work, "--cores", "2", "--configfile", str(variants), "--", *targets)
    table = pd.read_csv(work / "results/variants/comparison.tsv", sep="\t")
    assert table["variant"].tolist() == ["band_1_45", "band_1_15", "band_5_45"]
    columns = ["variant", "balanced_accuracy", "f1_macro", "recall_silence", "recall_tourists", "recall_earthquake",
               "ari_mean"]
    assert list(table.columns[: len(columns)]) == columns
    assert table[columns[1:]].apply(lambda c: c.between(0, 1)).all().all()
    base = pd.read_parquet(work / "results/features/features.parquet")
    base_test = base.loc[base["split"] == "test", KEY_COLUMNS]
    for name in table["variant"]:
        variant = pd.read_parquet(work / f"results/variants/{name}/features.parquet")
        test = variant.loc[variant["split"] == "test", KEY_COLUMNS]
        assert len(test.merge(base_test, on=KEY_COLUMNS)) == len(test) == len(base_test), name
    same = pd.read_parquet(work / "results/variants/band_1_45/features.parquet")
    pd.testing.assert_frame_equal(same, base, check_dtype=False)  # the base settings reproduce the base run
    for name in ("comparison.png", "spectra.png"):
        assert (work / "results/variants" / name).stat().st_size > 10_000
    snakemake(work, "--configfile", str(variants), "--report", "report.html", "--", *targets)
    assert "9. Preprocessing variants" in (work / "report.html").read_text()
