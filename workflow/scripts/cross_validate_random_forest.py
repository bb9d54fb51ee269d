"""Rule adapter: grouped k-fold cross-validation of the random forest (per window and per interval)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure, write_json, write_parquet
from seisclass.core.runlog import log_to
from seisclass.data.dataset import feature_columns
from seisclass.learn.calibration import calibrate_out_of_fold, calibration_errors, reliability_table
from seisclass.learn.crossval import cross_validate, cross_validated_weights
from seisclass.learn.forest import predict_proba, train_random_forest
from seisclass.plots.events import reliability_figure

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
p = snakemake.params.forest
# the test split stays out of every choice; it is left out as the file is read, so the table is held once
table = pd.read_parquet(snakemake.input[0], filters=[("split", "!=", "test")])


def fit(features, labels):
    forest = train_random_forest(features, labels, p, snakemake.params.seed, snakemake.threads, progress_steps=1)
    return lambda x: predict_proba(forest, x, classes)


summary, predictions = cross_validate(table, feature_columns(table), classes, fit, snakemake.params.block_s,
                                      snakemake.params.folds, snakemake.params.seed, p.calibration,
                                      p.max_training_windows)
log.info("balanced accuracy per window %.3f, per interval %.3f", summary["balanced_accuracy"],
         summary.get("per_interval", {}).get("balanced_accuracy", float("nan")))
if p.tune_decision_weights:  # the weights' effect, each fold weighted by a choice made on the other folds
    labelled = predictions[predictions["label"].isin(classes)]
    summary["with_decision_weights"], _ = cross_validated_weights(labelled, classes, p.recall_targets)
    log.info("with decision weights chosen on the other folds: per interval %.3f",
             summary["with_decision_weights"].get("per_interval", {}).get("balanced_accuracy", float("nan")))
if "calibrated" in summary:
    log.info("calibrated (%s, fitted on the other folds): per interval %.3f, top-label ECE %.4f (uncalibrated %.4f)",
             p.calibration, summary["calibrated"]["per_interval"]["balanced_accuracy"],
             summary["calibrated"]["calibration_error"]["top_label"], summary["calibration_error"]["top_label"])
write_json(summary, snakemake.output.metrics)
write_parquet(predictions, snakemake.output.predictions)
labelled = predictions[predictions["label"].isin(classes)]
columns = [f"p_{c}" for c in classes]
versions = {"uncalibrated": labelled}
if p.calibration != "none":
    versions[f"calibrated ({p.calibration}, fitted on the other folds)"] = calibrate_out_of_fold(
        labelled, classes, p.calibration)[0]
tables = {name: reliability_table(t[columns].to_numpy(), t["label"], classes) for name, t in versions.items()}
errors = {name: calibration_errors(t[columns].to_numpy(), t["label"], classes) for name, t in versions.items()}
save_figure(reliability_figure(tables, errors, "Random forest, grouped cross-validation (out-of-fold windows)"),
            snakemake.output.reliability)
