"""Rule adapter: test-split metrics of the CNN or LSTM (the same function and keys as rf.json)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure, write_json, write_parquet
from seisclass.core.runlog import log_to
from seisclass.learn.deep.inputs import open_array
from seisclass.learn.deep.training import configure_torch
from seisclass.learn.loading import load_classifier
from seisclass.learn.metrics import evaluate_windows
from seisclass.plots.deep import MODEL_NAMES
from seisclass.plots.evaluation import confusion_matrix_figure

log = log_to(snakemake.log[0])
configure_torch(snakemake.params.seed, snakemake.threads)
model = load_classifier(snakemake.input.model)
classes = model.check_classes(list(snakemake.params.classes))
test = pd.read_parquet(snakemake.input.index).query("split == 'test'").sort_values("row")
proba = model.predict_proba(open_array(snakemake.input.test), prepared=True)
metrics, predictions = evaluate_windows(test, proba, classes)
log.info("test metrics: %s", {k: metrics[k] for k in ("accuracy", "balanced_accuracy", "f1_macro")})
write_json(metrics, snakemake.output.metrics)
write_parquet(predictions, snakemake.output.predictions)
name = MODEL_NAMES[snakemake.wildcards.model]
save_figure(confusion_matrix_figure(metrics["confusion_matrix"]["matrix"], classes, f"{name}, test split"),
            snakemake.output.confusion)
