# seisclass: seismic waveforms -> windows -> features -> models -> explained classes.
# Run: snakemake --cores 8 ; report: snakemake --report results/report.html
import sys
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")

# The library lives in src/ (jobs import it via workflow/scripts/_bootstrap.py).
sys.path.insert(0, str(Path(workflow.basedir) / "src"))


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


report: "workflow/report/workflow.rst"


wildcard_constraints:
    station=r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?",
    day=r"\d{4}-\d{2}-\d{2}",
    source=r"demo|fdsn|sds|mseed_dir",


include: "workflow/rules/common.smk"
include: "workflow/rules/acquire.smk"
include: "workflow/rules/preprocess.smk"
include: "workflow/rules/features.smk"
include: "workflow/rules/labels.smk"
include: "workflow/rules/dataset.smk"
include: "workflow/rules/forest.smk"
include: "workflow/rules/explain.smk"
include: "workflow/rules/apply.smk"
include: "workflow/rules/deep.smk"
include: "workflow/rules/sources.smk"
include: "workflow/rules/explore.smk"


rule all:
    default_target: True
    input:
        TARGETS,
