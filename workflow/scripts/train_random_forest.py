"""Rule adapter: train the random forest on the train split; save it with its model card (skops)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.learn.forest import ForestParameters, fit_forest
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
config = {"preprocess": snakemake.params.preprocess, "windows": snakemake.params.windows,
          "features": snakemake.params.features}
model = fit_forest(pd.read_parquet(snakemake.input[0]), list(snakemake.params.classes),
                   ForestParameters.from_config(snakemake.params.forest), snakemake.params.seed, config,
                   snakemake.threads)
model.save(snakemake.output[0])
log.info("saved %s\n%s", snakemake.output[0], model.describe())
