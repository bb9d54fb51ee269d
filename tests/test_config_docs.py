"""Every configuration key is validated by the schema and documented in config/README.md."""

import jsonschema
import yaml
from conftest import REPO

SCHEMA = yaml.safe_load((REPO / "workflow/schemas/config.schema.yaml").read_text())
README = (REPO / "config/README.md").read_text()


def schema_keys(node: dict, prefix: str = "") -> list[str]:
    """Dotted names of every property in the schema (sections and leaves)."""
    keys = []
    for name, child in node.get("properties", {}).items():
        keys.append(prefix + name)
        if isinstance(child, dict):
            keys += schema_keys(child, prefix + name + ".")
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


def test_schema_rejects_unknown_keys_in_sections():
    default = yaml.safe_load((REPO / "config/config.yaml").read_text())
    default["windows"]["lenght_s"] = 10
    try:
        jsonschema.validate(default, SCHEMA)
    except jsonschema.ValidationError as error:
        assert "lenght_s" in error.message
    else:
        raise AssertionError("a misspelt key passed the schema")
