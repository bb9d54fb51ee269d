# seisclass: seismic waveforms -> windows -> features -> models -> explained classes.
# Run: snakemake --cores 8 ; report: snakemake --report results/report.html
import sys
from pathlib import Path

from snakemake.utils import min_version, validate

min_version("9.0")

# The library lives in src/ (jobs import it via workflow/scripts/_bootstrap.py, which the rules
# import too: see portable_params in common.smk).
sys.path.insert(0, str(Path(workflow.basedir) / "src"))
sys.path.insert(0, str(Path(workflow.basedir) / "workflow" / "scripts"))


configfile: "config/config.yaml"


# The schema owns every key and its default (filled in here); the section dataclasses check what
# a schema cannot. A bad config stops here, before any job, with one message naming the key.
from seisclass.core.config import ConfigError, config_error_message  # noqa: E402
from seisclass.settings import load_settings  # noqa: E402
from snakemake.exceptions import WorkflowError  # noqa: E402

import copy  # noqa: E402

GIVEN_CONFIG = copy.deepcopy(config)  # the keys a user set (before defaults): `classify` checks them against a card
try:
    validate(config, "workflow/schemas/config.schema.yaml", set_default=True)
    SETTINGS = load_settings(config)  # section name -> frozen dataclass (seisclass.settings.SECTIONS)
except (WorkflowError, ConfigError) as error:
    raise WorkflowError(config_error_message(error)) from None


report: "workflow/report/workflow.rst"


wildcard_constraints:
    station=r"[A-Za-z0-9]{1,2}\.[A-Za-z0-9]{1,5}(\.[A-Za-z0-9]{1,2})?",
    chunk=r"[A-Za-z0-9]{1,2}\.[A-Za-z0-9]{1,5}(\.[A-Za-z0-9]{1,2})?/\d{4}-\d{2}-\d{2}(\+\d+)?",
    key=r"[0-9a-f]{12}",
    source=r"demo|fdsn|sds|mseed_dir",


include: "workflow/rules/common.smk"
include: "workflow/rules/acquire.smk"
include: "workflow/rules/preprocess.smk"
include: "workflow/rules/features.smk"
include: "workflow/rules/labels.smk"
include: "workflow/rules/dataset.smk"
include: "workflow/rules/quality.smk"
include: "workflow/rules/forest.smk"
include: "workflow/rules/deep.smk"
include: "workflow/rules/explain.smk"
include: "workflow/rules/explore.smk"
include: "workflow/rules/active_learning.smk"
include: "workflow/rules/classify.smk"
include: "workflow/rules/variants.smk"
include: "workflow/rules/report.smk"


rule all:
    default_target: True
    input:
        all_targets,
