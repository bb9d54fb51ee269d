"""The SLURM profile covers every rule that asks for more than the defaults.

A rule that declares ``threads: 8`` but has no ``set-threads`` line in ``profiles/slurm`` asks a
cluster for 8 CPUs whatever the site's nodes hold; SLURM then keeps the job pending for ever
(reason ``PartitionConfig``) instead of failing. Sites fit their nodes by editing the profile,
so the profile must name each such rule.
"""

import re
from itertools import pairwise

import pytest
import yaml
from conftest import REPO

pytestmark = pytest.mark.unit

RULE = re.compile(r"^rule (\w+):", re.MULTILINE)


def declared_requests() -> dict[str, dict[str, int]]:
    """{rule: {"threads": n, "mem_mb": m}} for the rules of workflow/rules/*.smk that set them."""
    requests = {}
    for path in sorted((REPO / "workflow/rules").glob("*.smk")):
        text = path.read_text()
        starts = [match.start() for match in RULE.finditer(text)] + [len(text)]
        for begin, end in pairwise(starts):
            block = text[begin:end]
            found = {}
            threads = re.search(r"^\s+threads:\s*(\d+)", block, re.MULTILINE)
            mem_mb = re.search(r"^\s+mem_mb=(\d+)", block, re.MULTILINE)
            measured = re.search(r"^\s+mem_mb=measured_mem_mb\(", block, re.MULTILINE)
            if threads:
                found["threads"] = int(threads.group(1))
            if mem_mb:
                found["mem_mb"] = int(mem_mb.group(1))
            if measured:
                found["mem_mb"] = "by input size"
            if found:
                requests[RULE.match(block).group(1)] = found
    return requests


def all_rules() -> set[str]:
    return {name for path in (REPO / "workflow/rules").glob("*.smk") for name in RULE.findall(path.read_text())}


def slurm_profile() -> dict:
    return yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text())


def test_rule_parser_finds_the_big_requests():
    requests = declared_requests()
    assert requests["cross_validate_random_forest"] == {"threads": 8, "mem_mb": "by input size"}
    assert requests["explore"] == {"threads": 2, "mem_mb": "by input size"}
    assert requests["variant_explore"] == {"threads": 2, "mem_mb": 6000}
    assert "features" not in requests


def test_every_multithreaded_rule_has_its_threads_in_the_slurm_profile():
    set_threads = slurm_profile()["set-threads"]
    missing = {rule: request["threads"] for rule, request in declared_requests().items()
               if request.get("threads", 1) > 1 and rule not in set_threads}
    assert not missing, f"add to set-threads in profiles/slurm/config.yaml: {missing}"


def test_every_rule_with_its_own_memory_has_it_in_the_slurm_profile():
    set_resources = slurm_profile()["set-resources"]
    missing = {rule: request["mem_mb"] for rule, request in declared_requests().items()
               if isinstance(request.get("mem_mb"), int) and "mem_mb" not in set_resources.get(rule, {})}
    assert not missing, f"add mem_mb to set-resources in profiles/slurm/config.yaml: {missing}"


def test_no_profile_memory_overrides_a_request_by_input_size():
    """set-resources wins over a rule's resources: a fixed mem_mb there would undo the measured law."""
    set_resources = slurm_profile()["set-resources"]
    by_size = {rule for rule, request in declared_requests().items() if request.get("mem_mb") == "by input size"}
    assert {"dataset", "train_random_forest", "final_random_forest", "cross_validate_random_forest",
            "deep_inputs", "explore"} <= by_size
    overridden = sorted(rule for rule in by_size if "mem_mb" in set_resources.get(rule, {}))
    assert not overridden, f"remove mem_mb from set-resources in profiles/slurm/config.yaml: {overridden}"


def test_the_slurm_profile_names_only_existing_rules():
    profile = slurm_profile()
    named = set(profile["set-threads"]) | set(profile["set-resources"])
    assert named <= all_rules(), f"stale rule names: {sorted(named - all_rules())}"
