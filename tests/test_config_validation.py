"""A bad config stops ``snakemake --dry-run`` before any job, naming the key, without a traceback.

The cases (tests/config_cases.py) mutate the tiny end-to-end config: hand-written cross-field,
range and path cases plus a fixed sample of cases generated from the schema. The same cases, all
of them, are checked without Snakemake in tests/test_config_sections.py.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml
from config_cases import GENERATED, HAND, Case
from conftest import make_workdir, snakemake

pytestmark = pytest.mark.workflow

# Through Snakemake (about 3 s each): most hand-written cases, one or two of each kind, plus a fixed
# sample of generated ones; tests/test_config_sections.py runs every case without Snakemake.
SKIPPED_HERE = {
    "seed_text", "seed_above_numpy", "unknown_deep_cnn_key", "end_not_a_date", "end_equals_start",
    "window_longer_than_a_day", "split_fraction_missing", "split_fractions_sum_above_one",
    "bandpass_from_zero", "cadence_reversed", "envelope_rate_above_sampling_rate", "vs_above_vp",
    "lstm_frame_longer_than_window", "snr_bins_decreasing", "classify_model_not_a_model",
    "classes_a_string", "annotations_a_number", "stationxml_missing", "station_code_too_long",
    "location_code_dotdot", "channels_not_a_pattern", "sensitivity_as_yaml_string",
}
DRY_RUN = [c for c in HAND if c.id not in SKIPPED_HERE]
DRY_RUN += random.Random(12).sample(GENERATED, 6)



def dry_run(case: Case, root: Path):
    work = make_workdir(root)
    (work / "config" / "config.yaml").write_text(yaml.safe_dump(case.config(work), sort_keys=False))
    return snakemake(work, "--dry-run", check=False, timeout=300)


@pytest.mark.parametrize("case", DRY_RUN, ids=lambda c: c.id)
def test_dry_run_stops_naming_the_key_without_traceback(case, tmp_path):
    result = dry_run(case, tmp_path / "run")
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-3000:]
    assert case.key in output, output[-3000:]
    assert "Traceback (most recent call last)" not in output, output[-3000:]
    assert "KeyError" not in output, output[-3000:]
    assert "Building DAG" not in output  # stopped while parsing, before any job was planned


def test_shell_characters_in_paths_are_plain_paths(tmp_path):
    """An existing mseed_dir named with ; $( ) and spaces plans like any other (nothing goes to a shell)."""
    odd = tmp_path / "data; rm -rf $(echo x) 'q'"
    odd.mkdir()
    case = Case("odd_mseed_dir", "mseed_dir", {"mseed_dir": str(odd)})
    result = dry_run(case, tmp_path / "run")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "mseed_dir_index" in output  # the directory's index job is planned
    assert "Traceback (most recent call last)" not in output and "KeyError" not in output
