"""Rule adapter: grouped k-fold cross-validation of the random forest (per window and per interval)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import write_json, write_parquet
from seisclass.core.runlog import log_to
from seisclass.data.dataset import feature_columns
from seisclass.learn.crossval import cross_validate, cross_validated_weights
from seisclass.learn.forest import predict_proba, train_random_forest

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
p = snakemake.params.forest
table = pd.read_parquet(snakemake.input[0])
table = table[table["split"] != "test"]  # the test split stays out of every choice


def fit(features, labels):
    forest = train_random_forest(features, labels, p, snakemake.params.seed, snakemake.threads, progress_steps=1)
    return lambda x: predict_proba(forest, x, classes)


summary, predictions = cross_validate(table, feature_columns(table), classes, fit, snakemake.params.block_s,
                                      snakemake.params.folds, snakemake.params.seed)
log.info("balanced accuracy per window %.3f, per interval %.3f", summary["balanced_accuracy"],
         summary.get("per_interval", {}).get("balanced_accuracy", float("nan")))
if p.tune_decision_weights:  # the weights' effect, each fold weighted by a choice made on the other folds
    summary["with_decision_weights"], _ = cross_validated_weights(predictions, classes, p.recall_targets)
    log.info("with decision weights chosen on the other folds: per interval %.3f",
             summary["with_decision_weights"].get("per_interval", {}).get("balanced_accuracy", float("nan")))
write_json(summary, snakemake.output.metrics)
write_parquet(predictions, snakemake.output.predictions)
