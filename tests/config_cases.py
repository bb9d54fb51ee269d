"""Bad configs for the validation tests: hand-written cases and cases generated from the schema.

Each case mutates the tiny end-to-end config (tests/e2e/config) and names the key that the
error message must name. Used by tests/test_config_sections.py (without Snakemake, all cases)
and tests/test_config_validation.py (through ``snakemake --dry-run``, a selection).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml
from conftest import E2E_CONFIG

from seisclass.core.config import load_schema

E2E = yaml.safe_load((E2E_CONFIG / "config.yaml").read_text())
SCHEMA = load_schema()
STATION_HEADER = "id\tnetwork\tstation\tlocation\tchannels\tsource\tlatitude\tlongitude\televation\toptions\n"


@dataclass(frozen=True)
class Case:
    """A bad config: ``changes`` ({dotted key: value}) and/or ``edit(config, workdir)``; ``key`` must be named."""

    id: str
    key: str
    changes: dict
    edit: Callable[[dict, Path], None] | None = None

    def config(self, workdir: Path) -> dict:
        config = copy.deepcopy(E2E)
        for dotted, value in self.changes.items():
            set_key(config, dotted, value)
        if self.edit is not None:
            self.edit(config, workdir)
        return config


def set_key(config: dict, dotted: str, value) -> None:
    *parents, last = dotted.split(".")
    node = config
    for name in parents:
        node = node.setdefault(name, {})
    node[last] = value


def station_table(network="XX", station="TINY", location="", channels="HH?"):
    """An edit writing a one-row station table with the given codes."""

    def edit(config: dict, workdir: Path) -> None:
        row = f"{network}.{station}\t{network}\t{station}\t{location}\t{channels}\tdemo\t46.5\t8.0\t1200\t\n"
        (workdir / "config" / "stations.tsv").write_text(STATION_HEADER + row)

    return edit


# Hand-written: cross-field relations, ranges the schema sets, dates, paths, the station table.
HAND = [
    Case("seed_negative", "seed", {"seed": -1}),
    Case("seed_above_numpy", "seed", {"seed": 2**32}),
    Case("seed_text", "seed", {"seed": "abc"}),
    Case("unknown_top_key", "sead", {"sead": 1}),
    Case("unknown_windows_key", "lenght_s", {"windows.lenght_s": 10}),
    Case("unknown_deep_cnn_key", "widht", {"deep.cnn.widht": 3}),
    Case("start_not_a_date", "start", {"start": "2024-13-45"}),
    Case("end_not_a_date", "end", {"end": "2024-06-31T00:00:00"}),
    Case("end_before_start", "end", {"end": "2024-06-01T11:00:00"}),
    Case("end_equals_start", "end", {"end": "2024-06-01T12:00:00"}),
    Case("window_step_above_length", "windows.step_s", {"windows.step_s": 20.0}),
    Case("window_longer_than_span", "windows.length_s", {"windows.length_s": 7200.0, "windows.step_s": 60.0}),
    Case("window_longer_than_a_day", "windows.length_s", {"windows.length_s": 200000.0}),
    Case("split_fractions_all_one", "split.fractions", {"split.fractions": {"train": 1, "validation": 1, "test": 1}}),
    Case("split_fractions_sum_above_one", "split.fractions",
         {"split.fractions": {"train": 0.5, "validation": 0.3, "test": 0.3}}),
    Case("split_fraction_missing", "split.fractions", {"split.fractions": {"train": 0.9, "validation": 0.1}}),
    Case("split_block_shorter_than_window", "split.block_s", {"split.block_s": 5.0}),
    Case("band_reversed", "features.bands_hz", {"features.bands_hz": [[5, 1], [10, 20]]}),
    Case("band_above_nyquist", "features.bands_hz", {"features.bands_hz": [[1, 5], [20, 60]]}),
    Case("bandpass_reversed", "preprocess.bandpass_hz", {"preprocess.bandpass_hz": [45.0, 1.0]}),
    Case("bandpass_at_nyquist", "preprocess.bandpass_hz", {"preprocess.bandpass_hz": [1.0, 50.0]}),
    Case("bandpass_from_zero", "preprocess.bandpass_hz", {"preprocess.bandpass_hz": [0.0, 45.0]}),
    Case("cadence_reversed", "features.cadence_hz", {"features.cadence_hz": [4.0, 0.8]}),
    Case("envelope_rate_above_sampling_rate", "features.envelope_rate_hz", {"features.envelope_rate_hz": 200.0}),
    Case("magnitude_min_above_max", "demo.magnitude_min", {"demo.magnitude_min": 5.0, "demo.magnitude_max": 4.0}),
    Case("vs_above_vp", "demo.vs_km_s", {"demo.vs_km_s": 7.0}),
    Case("k_range_reversed", "explore.k_range", {"explore.k_range": [8, 3]}),
    Case("lstm_hop_above_frame", "deep.lstm.hop_s", {"deep.lstm.hop_s": 1.0}),
    Case("gpu_lstm_hop_above_frame", "deep.gpu.lstm.hop_s", {"deep.gpu.lstm": {"frame_s": 0.2, "hop_s": 0.3}}),
    Case("lstm_frame_longer_than_window", "deep.lstm.frame_s", {"deep.lstm.frame_s": 20.0, "deep.lstm.hop_s": 1.0}),
    Case("exclude_unknown_class", "detections.exclude_classes", {"detections.exclude_classes": ["noise"]}),
    Case("recall_target_unknown_class", "random_forest.recall_targets",
         {"random_forest.recall_targets": {"quake": 0.9}}),
    Case("recall_target_above_one", "random_forest.recall_targets",
         {"random_forest.recall_targets": {"silence": 1.5}}),
    Case("catalogue_label_not_a_class", "catalogue.label", {"catalogue.enabled": True, "catalogue.label": "quake"}),
    Case("weights_with_calibration", "random_forest.tune_decision_weights",
         {"random_forest.tune_decision_weights": True}),
    Case("calibration_unknown", "random_forest.calibration", {"random_forest.calibration": "isotonic"}),
    Case("estimator_unknown", "random_forest.estimator", {"random_forest.estimator": "xgboost"}),
    Case("events_off_above_on", "events.off_probability", {"events.off_probability": 0.8}),
    Case("events_end_above_onset", "events.end_db", {"events.end_db": 9.0}),
    Case("events_no_background_class", "events.background_classes", {"events.background_classes": ["noise"]}),
    Case("events_hop_above_frame", "events.hop_s", {"events.hop_s": 3.0}),
    Case("snr_bins_decreasing", "evaluation.snr_bins_db", {"evaluation.snr_bins_db": [10, 0, 20]}),
    Case("classify_model_of_training", "classify.model", {"classify.model": "results/models/rf.skops"}),
    Case("classify_model_not_a_model", "classify.model", {"classify.model": "models/rf.txt"}),
    Case("fdsn_unknown_provider", "fdsn.provider", {"fdsn.provider": "NOWHERE"}),
    Case("classes_a_string", "classes", {"classes": "silence"}),
    Case("annotations_a_number", "annotations", {"annotations": 5}),
    Case("stations_missing_file", "stations", {"stations": "config/nope.tsv"}),
    Case("stations_null_without_mseed_dir", "stations", {"stations": None}),
    Case("mseed_dir_missing_with_shell_characters", "mseed_dir", {"mseed_dir": "/nonexistent;rm -rf $HOME"}),
    Case("stationxml_missing", "stationxml", {"stationxml": "config/nope.xml"}),
    Case("station_code_path", "stations", {}, station_table(station="../x")),
    Case("station_code_too_long", "stations", {}, station_table(station="TOOLONG")),
    Case("network_code_shell", "stations", {}, station_table(network="X;")),
    Case("location_code_dotdot", "stations", {}, station_table(location="..")),
    Case("channels_not_a_pattern", "stations", {}, station_table(channels="HHZ")),
    Case("sensitivity_as_yaml_string", "demo.sensitivity", {"demo.sensitivity": "4.8e8"}),
]


# ---------------------------------------------------------------- generated from the schema


def resolve(node: dict) -> dict:
    """``node`` with a local ``$ref`` merged in (sibling keys win)."""
    if "$ref" in node:
        target = SCHEMA
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return {**resolve(target), **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def leaves(node: dict, prefix: str = "") -> dict[str, dict]:
    """Dotted key -> schema of every leaf (a property that is not an object with properties)."""
    out = {}
    for name, child in node.get("properties", {}).items():
        child = resolve(child)
        if "properties" in child:
            out.update(leaves(child, prefix + name + "."))
        else:
            out[prefix + name] = child
    return out


def out_of_range(schema: dict):
    """A value just past one bound of a numeric leaf, or None."""
    integer = "integer" in (schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")])
    if "exclusiveMinimum" in schema:
        return schema["exclusiveMinimum"]
    if "minimum" in schema:
        return schema["minimum"] - 1
    if "exclusiveMaximum" in schema:
        return schema["exclusiveMaximum"]
    if "maximum" in schema:
        return schema["maximum"] + 1 if integer else schema["maximum"] * 2 + 1
    return None


def generated_cases() -> list[Case]:
    cases = []
    for key, schema in leaves(SCHEMA).items():
        cases.append(Case(f"type:{key}", key, {key: {"oops": 1}}))
        value = out_of_range(schema)
        if value is not None:
            cases.append(Case(f"range:{key}", key, {key: value}))
    return cases


GENERATED = generated_cases()
ALL = HAND + GENERATED
