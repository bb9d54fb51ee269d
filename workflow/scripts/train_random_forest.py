"""Rule adapter: train the random forest on the given splits; save it with its model card (skops)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import json
from pathlib import Path

import pandas as pd

from seisclass.core.runlog import log_to
from seisclass.learn.calibration import fit_calibration
from seisclass.learn.card import plain, skill_summary
from seisclass.learn.crossval import tune_decision_weights
from seisclass.learn.forest import fit_forest_file

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
p = snakemake.params.forest
weights, calibration = None, None
if snakemake.input.cv:  # out-of-fold predictions of the grouped cross-validation (labelled windows)
    cv = pd.read_parquet(snakemake.input.cv[0]).query("label in @classes")
    if p.tune_decision_weights:
        weights = tune_decision_weights(cv, classes, p.recall_targets)
    calibration = fit_calibration(cv[[f"p_{c}" for c in classes]].to_numpy(), cv["label"].to_numpy(dtype=object),
                                  classes, p.calibration)
    log.info("calibration (%s) fitted on %d out-of-fold windows: %s", p.calibration, len(cv), calibration)
model = fit_forest_file(snakemake.input.dataset, classes, p, snakemake.params.seed,  # features of the sample only
                        snakemake.params.recipe, snakemake.threads, weights, tuple(snakemake.params.splits),
                        calibration, snakemake.params.events.background_classes)
cv_metrics, event_metrics = (json.loads(Path(path).read_text()) for path in snakemake.input.skill)
model.metadata["skill"] = plain(skill_summary(cv_metrics, event_metrics))  # what the card says of its skill
model.save(snakemake.output[0])
log.info("saved %s\n%s", snakemake.output[0], model.describe())
