"""Rule adapter: metrics and plots of the random forest on the test split."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure, write_json, write_parquet
from seisclass.core.runlog import log_to
from seisclass.learn.loading import load_classifier
from seisclass.learn.metrics import evaluate_windows, recall_by_snr
from seisclass.plots.evaluation import confusion_matrix_figure, recall_vs_snr_figure

log = log_to(snakemake.log[0])
model = load_classifier(snakemake.input.model)
classes = model.check_classes(list(snakemake.params.classes))
test = pd.read_parquet(snakemake.input.dataset).query("split == 'test'")
metrics, predictions = evaluate_windows(test, model.predict_proba(test), classes)
log.info("test metrics: %s", {k: metrics[k] for k in ("accuracy", "balanced_accuracy", "f1_macro")})
write_json(metrics, snakemake.output.metrics)
write_parquet(predictions, snakemake.output.predictions)
save_figure(confusion_matrix_figure(metrics["confusion_matrix"]["matrix"], classes, "Random forest, test split"),
            snakemake.output.confusion)
table = recall_by_snr(predictions["label"], predictions["predicted"], predictions["snr"].to_numpy(), classes,
                      snakemake.params.snr_bins_db)
save_figure(recall_vs_snr_figure(table, classes, "Random forest: recall against SNR (test split)"),
            snakemake.output.recall_snr)
