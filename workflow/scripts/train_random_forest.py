"""Rule adapter: train the random forest on the train split."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.data.dataset import feature_columns
from seisclass.learn.forest import ForestParameters, save_model, train_random_forest
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
table = pd.read_parquet(snakemake.input[0])
train = table[table["split"] == "train"]
names = feature_columns(table)
log.info("training on %d windows, %d features, %d threads", len(train), len(names), snakemake.threads)
model = train_random_forest(
    train[names].to_numpy(), train["label"].to_numpy(dtype=str),
    ForestParameters.from_config(snakemake.params.forest), snakemake.params.seed, snakemake.threads,
)
save_model(
    snakemake.output[0], model, names, list(snakemake.params.classes),
    window_length_s=snakemake.params.windows["length_s"], window_step_s=snakemake.params.windows["step_s"],
    sampling_rate=snakemake.params.sampling_rate,
)
