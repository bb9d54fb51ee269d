"""Rule adapter: train the random forest on the given splits; save it with its model card (skops)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.learn.crossval import tune_decision_weights
from seisclass.learn.forest import ForestParameters, fit_forest
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
config = {"preprocess": snakemake.params.preprocess, "windows": snakemake.params.windows,
          "features": snakemake.params.features, "context": snakemake.params.context}
classes = list(snakemake.params.classes)
p = ForestParameters.from_config(snakemake.params.forest)
weights = (tune_decision_weights(pd.read_parquet(snakemake.input.cv[0]), classes, p.recall_targets)
           if snakemake.input.cv else None)
model = fit_forest(pd.read_parquet(snakemake.input.dataset), classes, p, snakemake.params.seed, config,
                   snakemake.threads, weights, tuple(snakemake.params.splits))
model.save(snakemake.output[0])
log.info("saved %s\n%s", snakemake.output[0], model.describe())
