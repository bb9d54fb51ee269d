"""Every configuration key is validated by the schema and documented in config/README.md."""

import copy

import jsonschema
import pytest
import yaml
from conftest import REAL_DATA, REPO
from snakemake.utils import update_config

from seisclass.core.config import apply_schema_defaults, schema_defaults
from seisclass.settings import load_settings

pytestmark = pytest.mark.unit

SCHEMA = yaml.safe_load((REPO / "src/seisclass/core/config.schema.yaml").read_text())
README = (REPO / "config/README.md").read_text()


def resolve(node: dict) -> dict:
    """``node`` with a local ``$ref`` (``#/definitions/...``) merged in."""
    if isinstance(node, dict) and "$ref" in node:
        target = SCHEMA
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return {**resolve(target), **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def schema_keys(node: dict, prefix: str = "") -> list[str]:
    """Dotted names of every property in the schema (sections and leaves, through ``$ref``)."""
    keys = []
    for name, child in node.get("properties", {}).items():
        keys.append(prefix + name)
        if isinstance(child, dict):
            keys += schema_keys(resolve(child), prefix + name + ".")
    return keys


def documented(key: str) -> bool:
    """Named in backticks by its own name, its dotted path (or its end), or as a section prefix."""
    parts = key.split(".")
    spellings = {".".join(parts[i:]) for i in range(len(parts))}
    return any(f"`{name}`" in README or f"`{name}." in README for name in spellings)


def test_every_schema_key_is_documented():
    missing = [key for key in schema_keys(SCHEMA) if not documented(key)]
    assert not missing, f"keys without a line in config/README.md: {missing}"


def test_shipped_configs_validate():
    default = yaml.safe_load((REPO / "config/config.yaml").read_text())
    jsonschema.validate(default, SCHEMA)
    tiny = yaml.safe_load((REPO / "tests/e2e/config/config.yaml").read_text())
    jsonschema.validate(tiny, SCHEMA)
    example = {**default, **yaml.safe_load((REPO / "config/examples/mseed_dir.yaml").read_text())}
    example["mseed_dir"] = "/data/mseed"
    jsonschema.validate(example, SCHEMA)


def test_shipped_configs_pass_every_check(monkeypatch):
    """The demo config, the tiny test config and the real-data example pass load_settings."""
    monkeypatch.chdir(REPO)
    default = yaml.safe_load((REPO / "config/config.yaml").read_text())
    load_settings(apply_schema_defaults(copy.deepcopy(default)))
    example = copy.deepcopy(default)
    update_config(example, yaml.safe_load((REPO / "config/examples/mseed_dir.yaml").read_text()))
    example["mseed_dir"] = str(REAL_DATA)
    load_settings(apply_schema_defaults(example))
    monkeypatch.chdir(REPO / "tests/e2e")
    load_settings(apply_schema_defaults(yaml.safe_load((REPO / "tests/e2e/config/config.yaml").read_text())))


def differences(config: dict, defaults: dict, prefix: str = "") -> list[str]:
    out = []
    for key, value in config.items():
        if isinstance(value, dict) and isinstance(defaults.get(key), dict):
            out += differences(value, defaults[key], f"{prefix}{key}.")
        elif value != defaults.get(key):
            out.append(f"{prefix}{key}")
    return out


def test_shipped_config_sets_only_what_the_study_changes():
    """config/config.yaml restates no default but the study keys (the schema owns every default)."""
    default = yaml.safe_load((REPO / "config/config.yaml").read_text())
    study = {"stations", "start", "end", "classes", "annotations", "seed"}
    assert sorted(set(leaves(default)) - set(differences(default, schema_defaults())) - study) == []
    assert differences(default, schema_defaults()) == ["context.enabled", "events.min_duration_s",
                                                       "events.min_snr_db", "events.class_span_s",
                                                       "events.nested_classes", "explore.method"]


def leaves(config: dict, prefix: str = "") -> list[str]:
    out = []
    for key, value in config.items():
        out += leaves(value, f"{prefix}{key}.") if isinstance(value, dict) else [f"{prefix}{key}"]
    return out


def test_schema_rejects_unknown_keys_in_sections():
    default = yaml.safe_load((REPO / "config/config.yaml").read_text())
    default["windows"] = {"lenght_s": 10}
    try:
        jsonschema.validate(default, SCHEMA)
    except jsonschema.ValidationError as error:
        assert "lenght_s" in error.message
    else:
        raise AssertionError("a misspelt key passed the schema")
