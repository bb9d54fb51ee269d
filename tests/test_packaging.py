"""The library as a package: every third-party import is a declared dependency, the config schema ships
inside it, and an installed copy validates a config without the workflow's folders."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
import zipfile

import pytest
from conftest import REPO

pytestmark = pytest.mark.unit

# import name -> distribution name, where they differ
DISTRIBUTIONS = {"sklearn": "scikit-learn", "yaml": "PyYAML", "umap": "umap-learn", "PIL": "pillow"}


def imported_top_level_modules() -> set[str]:
    found = set()
    for path in (REPO / "src" / "seisclass").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m != "seisclass"}


def test_every_third_party_import_is_a_declared_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    declared = {d.lower() for d in project["dependencies"]}
    declared |= {d.lower() for extra in project["optional-dependencies"].values() for d in extra}
    missing = sorted(m for m in imported_top_level_modules() if DISTRIBUTIONS.get(m, m).lower() not in declared)
    assert missing == [], f"imported but not in pyproject.toml: {missing}"
    assert "jsonschema" in project["dependencies"]  # validating a config is core, not an extra


@pytest.mark.slow
def test_the_wheel_carries_the_schema_and_validates_a_config_on_its_own(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path), str(REPO)],
                   check=True, capture_output=True)
    (wheel,) = tmp_path.glob("seisclass-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert "seisclass/core/config.schema.yaml" in archive.namelist()
        archive.extractall(tmp_path / "site")
    code = ("import os, sys; sys.path.insert(0, sys.argv[1]); os.chdir(sys.argv[2]);"
            "from seisclass.settings import load_settings; from seisclass.core.config import ConfigError, "
            "apply_schema_defaults; s = load_settings(apply_schema_defaults({'stations': None, 'mseed_dir': '.'}));"
            "print(s['windows'].length_s);"
            "\ntry:\n  load_settings(apply_schema_defaults({'stations': None, 'mseed_dir': '.', "
            "'windows': {'step_s': 20.0}}))\nexcept ConfigError as e:\n  print(e)")
    result = subprocess.run([sys.executable, "-I", "-c", code, str(tmp_path / "site"), str(tmp_path)],
                            capture_output=True, text=True, check=True)
    lines = result.stdout.splitlines()
    assert lines[0] == "10.0" and lines[1].startswith("windows.step_s: must be at most windows.length_s")
