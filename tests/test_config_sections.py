"""Config sections: one owner of keys and defaults (the schema), dataclasses that agree with it key by
key, and checks that name the key of a bad value."""

import copy
import dataclasses
import shutil

import jsonschema
import pytest
from config_cases import ALL, E2E, SCHEMA, resolve
from conftest import E2E_CONFIG, make_workdir

from seisclass.core.config import (
    SCHEMA_PATH,
    ConfigError,
    ConfigSection,
    apply_schema_defaults,
    config_error_message,
    schema_defaults,
)
from seisclass.data.split import SplitFractions, SplitParameters
from seisclass.explain.exploration import ExploreError, ExploreParameters
from seisclass.learn.deep.params import DeepConfigError, DeepParameters
from seisclass.learn.forest import ForestParameters
from seisclass.settings import (
    SECTIONS,
    STUDY_KEYS,
    StudyParameters,
    load_settings,
    section_class,
    section_values,
)
from seisclass.signal.features import FeatureParameters
from seisclass.signal.preprocess import PreprocessParameters
from seisclass.signal.windows import WindowParameters

pytestmark = pytest.mark.unit

DEFAULTS = schema_defaults()


def field_default(f: dataclasses.Field):
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default


def all_sections() -> list[tuple[str, type[ConfigSection], dict, dict]]:
    """(dotted name, dataclass, schema node, default values) of every section, nested ones included."""
    out = []

    def visit(name, cls, node, values):
        out.append((name, cls, node, values))
        for f in dataclasses.fields(cls):
            default = field_default(f)
            if isinstance(default, ConfigSection):
                visit(f"{name}.{f.name}", type(default), resolve(node["properties"][f.name]),
                      (values or {}).get(f.name, {}))

    study_node = {"properties": {k: v for k, v in SCHEMA["properties"].items() if k not in SECTIONS}}
    for name in SECTIONS:
        node = study_node if name == "study" else resolve(SCHEMA["properties"][name])
        visit(name, section_class(name), node, section_values(DEFAULTS, name))
    return out


SECTION_CASES = all_sections()


def test_registry_covers_the_schema():
    assert set(SCHEMA["properties"]) == set(SECTIONS) - {"study"} | set(STUDY_KEYS)
    names = {name for name, *_ in SECTION_CASES}
    assert {"deep.cnn", "deep.lstm", "deep.explain", "deep.gpu", "deep.gpu.cnn", "deep.gpu.lstm",
            "split.fractions"} <= names
    for name, cls, _, _ in SECTION_CASES:
        assert cls.section == ("" if name == "study" else name), name


@pytest.mark.parametrize(("name", "cls", "node", "values"), SECTION_CASES, ids=[c[0] for c in SECTION_CASES])
def test_dataclass_defaults_are_the_schema_defaults(name, cls, node, values):
    """The dataclass is made from the schema (seisclass.core.config.config_section): its defaults are the
    schema's, and keys without a schema default are exactly the override keys it inherits (None)."""
    inherited = set(getattr(cls, "inherited", ()))
    assert set(node["properties"]) - set(values) == inherited, f"{name}: schema keys without a default"
    if name != "variants":
        assert {f.name for f in dataclasses.fields(cls)} == set(node["properties"]), f"{name}: keys differ"
        assert without_none(cls().to_config()) == without_none(values), name
    assert cls.from_config(values) == cls()


def without_none(values):
    """Nested dict without the None values (keys a gpu override inherits)."""
    if isinstance(values, dict):
        return {k: without_none(v) for k, v in values.items() if v is not None}
    return values


def test_a_section_class_that_disagrees_with_the_schema_is_refused():
    from seisclass.core.config import config_section

    with pytest.raises(TypeError, match=r"fields not in the schema \['length_sec'\]"):
        @config_section("windows")
        class Typo(ConfigSection):
            length_sec: float
            step_s: float
            min_overlap: float
            components: tuple[str, ...]
    with pytest.raises(TypeError, match=r"schema keys without a field \['components'\]"):
        @config_section("windows")
        class Short(ConfigSection):
            length_s: float
            step_s: float
            min_overlap: float


def test_library_and_schema_refuse_the_same_values():
    """Ranges have one owner: the library validates against the schema (deep dropout <= 0.95, not < 1)."""
    with pytest.raises(DeepConfigError, match=r"deep.cnn.dropout: 0.97 is greater than the maximum of 0.95"):
        DeepParameters.from_config({"cnn": {"dropout": 0.97}})
    with pytest.raises(ConfigError, match=r"windows.length_s: 90000.0 is greater than the maximum of 86400"):
        WindowParameters.from_config({"length_s": 90000.0, "step_s": 1.0})
    with pytest.raises(ConfigError, match=r"features.bands_hz: .* has non-unique elements"):
        FeatureParameters.from_config({"bands_hz": [[1, 5], [1.0, 5.0]]})


def test_every_schema_key_has_a_default_or_is_inherited():
    """Applying the schema to an empty config gives every key; absent sections are created."""
    assert set(DEFAULTS) == set(SCHEMA["properties"])
    settings = load_settings(copy.deepcopy(DEFAULTS))
    for name, cls in ((n, section_class(n)) for n in SECTIONS):
        assert settings[name] == cls(), name


def test_defaults_fill_partial_sections_at_every_depth():
    config = apply_schema_defaults({"windows": {"length_s": 20.0}, "deep": {"lstm": {"hidden": 8}, "gpu": {}}})
    assert config["windows"] == {**DEFAULTS["windows"], "length_s": 20.0}
    assert config["deep"]["lstm"] == {**DEFAULTS["deep"]["lstm"], "hidden": 8}
    assert config["deep"]["gpu"]["cnn"] == {"channels": [32, 64, 128, 128], "kernel_size": 9}
    assert config["split"]["fractions"] == {"train": 0.8, "validation": 0.1, "test": 0.1}
    assert config["fdsn"]["timeout_s"] == 120.0 and config["work"]["max_samples_per_job"] == 5_000_000


def test_snakemake_fills_the_same_defaults():
    from snakemake.utils import validate

    config = {"deep": {"gpu": {"lstm": {"hidden": 5}}}}
    validate(config, str(SCHEMA_PATH), set_default=True)
    assert config == apply_schema_defaults({"deep": {"gpu": {"lstm": {"hidden": 5}}}})
    empty = {}
    validate(empty, str(SCHEMA_PATH), set_default=True)
    assert empty == DEFAULTS


# ---------------------------------------------------------------- sections alone


def test_misspelt_key_is_named_with_its_section():
    with pytest.raises(ValueError, match=r"features: unknown key\(s\) \['duration_treshold'\]"):
        FeatureParameters.from_config({"duration_treshold": 2.0})
    with pytest.raises(ExploreError, match=r"explore: unknown key\(s\) \['n_seed'\]"):
        ExploreParameters.from_config({"n_seed": 3})
    with pytest.raises(DeepConfigError, match=r"deep.gpu.cnn: unknown key\(s\) \['widht'\]"):
        DeepParameters.from_config({"gpu": {"cnn": {"widht": 3}}})
    with pytest.raises(ConfigError, match=r"windows: expected a mapping"):
        WindowParameters.from_config(5)


def test_values_are_converted():
    p = PreprocessParameters.from_config({"bandpass_hz": [2, 20.0], "remove_response": "velocity"})
    assert (p.bandpass_hz, p.remove_response) == ((2.0, 20.0), "velocity")
    assert PreprocessParameters.from_config({"sampling_rate": 100}).sampling_rate == 100.0  # ints of float keys
    assert FeatureParameters.from_config({"bands_hz": [[1, 5]]}).bands_hz == ((1.0, 5.0),)
    assert ExploreParameters.from_config({"k_range": [3, 5]}).k_range == (3, 5)
    assert StudyParameters.from_config({"annotations": "a.csv"}).annotations == ("a.csv",)
    assert SplitParameters.from_config({"fractions": {"train": 0.6, "validation": 0.2, "test": 0.2}}) \
        .fractions.to_config() == {"train": 0.6, "validation": 0.2, "test": 0.2}


@pytest.mark.parametrize(("cls", "section", "message"), [
    (WindowParameters, {"step_s": 20.0}, r"windows.step_s: .*at most windows.length_s"),
    (WindowParameters, {"length_s": 90000.0, "step_s": 1.0}, r"windows.length_s: 90000.0 is greater than"),
    (SplitFractions, {"train": 1, "validation": 1, "test": 1}, r"split.fractions: train \+ validation \+ test = 3"),
    (SplitFractions, {"train": 0.8, "validation": 0.1, "test": 0.1 + 2e-6}, r"split.fractions: .* must be 1"),
    (FeatureParameters, {"bands_hz": [[1, 5], [10, 10]]}, r"features.bands_hz\[1\]: low edge must be below"),
    (FeatureParameters, {"cadence_hz": [0, 4]}, r"features.cadence_hz: low edge must be > 0"),
    (FeatureParameters, {"cadence_hz": [1, 12]}, r"features.cadence_hz: .*Nyquist .*envelope_rate_hz"),
    (PreprocessParameters, {"bandpass_hz": [1, 50]},
     r"preprocess.bandpass_hz: the high edge 50 Hz must be below the Nyquist"),
    (PreprocessParameters, {"bandpass_hz": [46, 48]}, r"preprocess.bandpass_hz: the low edge 46 Hz must be below 0.9"),
    (PreprocessParameters, {"bandpass_hz": [0, 40]}, r"preprocess.bandpass_hz: low edge must be > 0 Hz"),
    (StudyParameters, {"start": "2024-13-45"}, r"start: '2024-13-45' is not a valid date"),
    (StudyParameters, {"end": "2024-06-01T00:00:00"}, r"end: .* must be after start"),
    (StudyParameters, {"seed": 2**32}, r"seed: 4294967296 is greater than the maximum of 4294967295"),
    (StudyParameters, {"stations": None}, r"stations: null needs mseed_dir"),
    (DeepParameters, {"lstm": {"hop_s": 0.6}}, r"deep.lstm.hop_s: must be at most deep.lstm.frame_s"),
    (DeepParameters, {"gpu": {"lstm": {"hop_s": 0.6}}}, r"deep.gpu .*deep.lstm.hop_s"),
    (ExploreParameters, {"k_range": [5, 3]}, r"explore.k_range"),
    (ForestParameters, {"estimator": "xgboost"},
     r"random_forest.estimator: 'xgboost' is not one of \['forest', 'hgb'\]"),
])
def test_check_names_the_key(cls, section, message):
    with pytest.raises(ValueError, match=message):
        cls.from_config(section)


def test_gpu_preset_overrides_and_inherits():
    cpu = DeepParameters.from_config({"learning_rate": 0.01, "cnn": {"pool": 2}})
    gpu = DeepParameters.from_config({"preset": "gpu", "learning_rate": 0.01, "cnn": {"pool": 2}})
    assert (cpu.epochs, cpu.decimate, cpu.cnn.channels) == (20, 2, (16, 32, 64))
    assert (gpu.epochs, gpu.decimate, gpu.max_train_per_class, gpu.cnn.channels) == (60, 1, None, (32, 64, 128, 128))
    assert gpu.learning_rate == 0.01 and gpu.cnn.pool == 2  # keys the preset leaves alone are inherited
    assert DeepParameters.from_config({"preset": "gpu", "gpu": {"epochs": 7}}).batch_size == 256  # preset kept


# ---------------------------------------------------------------- every bad config, without Snakemake


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return make_workdir(tmp_path_factory.mktemp("config_sections") / "run")


@pytest.mark.parametrize("case", ALL, ids=lambda c: c.id)
def test_bad_config_is_rejected_naming_the_key(case, workdir, monkeypatch):
    shutil.copy(E2E_CONFIG / "stations.tsv", workdir / "config" / "stations.tsv")
    monkeypatch.chdir(workdir)
    config = case.config(workdir)
    with pytest.raises((jsonschema.ValidationError, ConfigError)) as raised:
        load_settings(apply_schema_defaults(config))
    message = config_error_message(raised.value)
    assert case.key in message, message


def test_enough_cases():
    assert len(ALL) >= 100
    assert {c.key for c in ALL} >= {"windows.length_s", "deep.lstm.hop_s", "split.fractions.train",
                                    "split.fractions", "start", "end", "seed", "stations"}


def test_the_tiny_config_passes_with_every_default_filled(workdir, monkeypatch):
    shutil.copy(E2E_CONFIG / "stations.tsv", workdir / "config" / "stations.tsv")
    monkeypatch.chdir(workdir)
    config = apply_schema_defaults(copy.deepcopy(E2E))
    settings = load_settings(config)
    assert settings["deep"].epochs == 2 and settings["deep"].lstm.hidden == 8  # the tiny values are kept
    assert config["fdsn"] == DEFAULTS["fdsn"] and config["work"] == DEFAULTS["work"]  # absent sections filled
    assert config["deep"]["lstm"]["frame_s"] == DEFAULTS["deep"]["lstm"]["frame_s"]  # nested defaults filled
