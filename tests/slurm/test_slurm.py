"""Opt-in: the tiny workflow through a real SLURM scheduler (``make test-slurm``).

Collected only with ``SEISCLASS_SLURM=1`` (tests/conftest.py); it then needs a running cluster
(``tests/slurm/start_slurm.sh`` starts a single-node one) and fails, never skips, without one.
The profile used is ``profiles/slurm`` with its requests fitted to the test node: threads
capped at the node's CPUs, memory at its size, no GPU.
"""

import getpass
import hashlib
import shutil
import subprocess
import time

import pytest
import yaml
from conftest import REPO, make_workdir, snakemake_command

pytestmark = pytest.mark.workflow

# squeue reasons of a job that no node of this cluster can ever run: it would pend for ever
UNRUNNABLE = {"PartitionConfig", "PartitionNodeLimit", "PartitionTimeLimit", "BadConstraints", "ReqNodeNotAvail"}
COMPARED = ["results/features/features.parquet", "results/metrics/rf.json", "results/predictions/rf_test.parquet"]


def fitted_profile(target, cpus: int, mem_mb: int) -> None:
    """``profiles/slurm`` with threads <= ``cpus``, mem_mb <= ``mem_mb`` and no GPU request."""
    profile = yaml.safe_load((REPO / "profiles/slurm/config.yaml").read_text())
    profile["set-threads"] = {rule: min(n, cpus) for rule, n in profile["set-threads"].items()}
    for resources in profile["set-resources"].values():
        resources.pop("gpu", None)
        resources["mem_mb"] = min(resources.get("mem_mb", 1000), mem_mb)
    profile["default-resources"]["mem_mb"] = min(profile["default-resources"]["mem_mb"], mem_mb)
    # the plugin polls after 2 s, then 10 s longer each time nothing finished (jobs take ~12 s)
    profile["slurm-init-seconds-before-status-checks"] = 2
    profile["seconds-between-status-checks"] = 2
    profile["slurm-keep-successful-logs"] = True
    profile["slurm-status-command"] = "squeue"  # the test cluster keeps no accounting (sacct)
    target.mkdir(parents=True)
    (target / "config.yaml").write_text(yaml.safe_dump(profile))


def unrunnable_jobs() -> list[str]:
    """'<rule> (<reason>)' for each queued job that no node can run."""
    queue = subprocess.run(["squeue", "-h", "-t", "PENDING", "-o", "%r|%k"], capture_output=True, text=True)
    jobs = (line.split("|", 1) for line in queue.stdout.splitlines() if "|" in line)
    return [f"{comment.strip()} ({reason})" for reason, comment in jobs if reason in UNRUNNABLE]


def snakemake_through_slurm(workdir, *args: str, timeout_s: int) -> subprocess.CompletedProcess:
    """Run the workflow, failing at once (not after ``timeout_s``) when a job can never start."""
    command = snakemake_command(workdir, *args)
    log = workdir / "snakemake.log"
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + timeout_s
        while process.poll() is None:
            stuck = unrunnable_jobs()
            if stuck or time.monotonic() > deadline:
                process.kill()
                process.wait()
                subprocess.run(["scancel", "--user", getpass.getuser()], check=False)
                reason = f"jobs no node can run: {stuck}" if stuck else f"no end after {timeout_s} s"
                pytest.fail(f"{reason}\n{log.read_text()[-4000:]}")
            time.sleep(5)
    return subprocess.CompletedProcess(command, process.returncode, log.read_text(), "")


@pytest.fixture(scope="session", autouse=True)
def slurm_node() -> tuple[int, int]:
    """CPUs and memory (MB) of the cluster's node; fails (never skips) at once, before the
    local tiny run, when no cluster answers."""
    assert shutil.which("sbatch"), "no SLURM client: apt-get install slurm-wlm munge; make test-slurm"
    sinfo = subprocess.run(["sinfo", "-h", "-N", "-o", "%c %m"], capture_output=True, text=True)
    assert sinfo.returncode == 0 and sinfo.stdout.split(), f"no running cluster (make test-slurm): {sinfo.stderr}"
    cpus, mem_mb = (int(value.rstrip("+")) for value in sinfo.stdout.split()[:2])
    return cpus, mem_mb


def test_tiny_workflow_through_slurm(slurm_node, tiny_run, tmp_path):
    workdir = make_workdir(tmp_path / "run")
    cpus, mem_mb = slurm_node  # the node's, not os.cpu_count(): a request beyond them is refused
    fitted_profile(tmp_path / "profile", cpus, min(mem_mb, 4000))
    result = snakemake_through_slurm(workdir, "--profile", str(tmp_path / "profile"), "--workflow-profile", "none",
                                     "--slurm-no-account", timeout_s=1500)
    assert result.returncode == 0, result.stdout[-6000:]
    submitted = result.stdout.count("has been submitted with SLURM jobid")
    assert submitted >= 10, "jobs did not go through SLURM"
    assert len(list((workdir / ".snakemake" / "slurm_logs").rglob("*.log"))) == submitted  # one log per job
    for name in COMPARED:  # same bits as the local run
        assert (hashlib.sha256((workdir / name).read_bytes()).hexdigest()
                == hashlib.sha256((tiny_run / name).read_bytes()).hexdigest()), name
