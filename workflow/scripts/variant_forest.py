"""Rule adapter: train and test the random forest of a preprocessing variant."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import write_json, write_parquet
from seisclass.core.runlog import log_to
from seisclass.learn.forest import fit_forest
from seisclass.learn.metrics import evaluate_windows

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
table = pd.read_parquet(snakemake.input[0])
model = fit_forest(table, classes, snakemake.params.forest, snakemake.params.seed, snakemake.params.recipe,
                   snakemake.threads)
test = table[table["split"] == "test"]
metrics, predictions = evaluate_windows(test, model.predict_proba(test), classes)
log.info("variant %s, test metrics: %s", snakemake.wildcards.variant,
         {k: metrics[k] for k in ("accuracy", "balanced_accuracy", "f1_macro")})
write_json(metrics, snakemake.output.metrics)
write_parquet(predictions, snakemake.output.predictions)
