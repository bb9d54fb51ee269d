"""Rule adapter: train the random forest on the given splits; save it with its model card (skops)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.runlog import log_to
from seisclass.learn.crossval import tune_decision_weights
from seisclass.learn.forest import fit_forest

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
p = snakemake.params.forest
weights = (tune_decision_weights(pd.read_parquet(snakemake.input.cv[0]), classes, p.recall_targets)
           if snakemake.input.cv else None)
model = fit_forest(pd.read_parquet(snakemake.input.dataset), classes, p, snakemake.params.seed,
                   snakemake.params.recipe, snakemake.threads, weights, tuple(snakemake.params.splits))
model.save(snakemake.output[0])
log.info("saved %s\n%s", snakemake.output[0], model.describe())
