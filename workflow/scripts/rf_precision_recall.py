"""Rule adapter: precision-recall curves of the forest's out-of-fold predictions."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import probability_columns
from seisclass.learn.metrics import precision_recall_curves
from seisclass.plots.evaluation import precision_recall_figure

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
predictions = pd.read_parquet(snakemake.input[0])
labelled = predictions[predictions["label"].isin(classes)]
curves = precision_recall_curves(labelled["label"], labelled[probability_columns(classes)].to_numpy(), classes)
for c in classes:
    log.info("%s: average precision %.3f, prevalence %.3f", c, curves[c]["average_precision"], curves[c]["prevalence"])
save_figure(precision_recall_figure(curves, classes, "Random forest, grouped cross-validation (out-of-fold windows)"),
            snakemake.output[0])
