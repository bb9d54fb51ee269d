"""Rule adapter: train and test the random forest of a preprocessing variant."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.io import write_json, write_parquet
from seisclass.learn.forest import ForestParameters, fit_forest
from seisclass.learn.metrics import evaluate_windows
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
table = pd.read_parquet(snakemake.input[0])
model = fit_forest(table, classes, ForestParameters.from_config(snakemake.params.forest), snakemake.params.seed,
                   dict(snakemake.params.sections), snakemake.threads)
test = table[table["split"] == "test"]
metrics, predictions = evaluate_windows(test, model.predict_proba(test), classes)
log.info("variant %s, test metrics: %s", snakemake.wildcards.variant,
         {k: metrics[k] for k in ("accuracy", "balanced_accuracy", "f1_macro")})
write_json(metrics, snakemake.output.metrics)
write_parquet(predictions, snakemake.output.predictions)
