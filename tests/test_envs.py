"""The conda environment files pin the same versions as requirements.txt."""

import re

import pytest
import yaml
from conftest import REPO

pytestmark = pytest.mark.unit


def requirement_pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "requirements.txt").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==([^\s#]+)", line)
        if match:
            pins[match.group(1).lower()] = match.group(2)
    return pins


def env_pins(path) -> dict[str, str]:
    pins = {}
    for item in yaml.safe_load(path.read_text())["dependencies"]:
        entries = item["pip"] if isinstance(item, dict) else [item]
        for entry in entries:
            match = re.match(r"^([A-Za-z0-9_.-]+)==?([^\s=]+)$", entry)
            if match and match.group(1) != "python":
                pins[match.group(1).lower()] = match.group(2)
    return pins


def test_every_env_pin_matches_requirements():
    required = requirement_pins()
    envs = sorted((REPO / "envs").glob("*.yaml"))
    assert envs
    for path in envs:
        for name, version in env_pins(path).items():
            assert name in required, f"{path.name}: {name} is not in requirements.txt"
            assert version == required[name], f"{path.name}: {name}={version}, requirements.txt has {required[name]}"


def test_torch_is_pinned_to_the_cpu_build_on_disk():
    assert requirement_pins()["torch"] == "2.13.0"
