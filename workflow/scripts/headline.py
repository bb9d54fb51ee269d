"""Rule adapter: the headline of the report (reading, figure, data volume, model comparison, cross-validation)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import json

import pandas as pd

from seisclass.core.io import atomic_path, save_figure
from seisclass.core.runlog import log_to
from seisclass.events.catalogue import read_events
from seisclass.learn.summary import (
    data_volume,
    headline_html,
    headline_level,
    headline_reading,
    headline_rst,
)
from seisclass.plots.events import example_data
from seisclass.plots.headline import headline_event, headline_figure

log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
volume = data_volume(pd.read_csv(snakemake.input.counts, sep="\t"),
                     pd.read_csv(snakemake.input.availability, sep="\t", keep_default_na=False))
with open(snakemake.input.cv) as f:
    cv = json.load(f)
with open(snakemake.input.events) as f:
    events = json.load(f)
text = headline_html(volume, pd.read_csv(snakemake.input.comparison, sep="\t"), cv, classes, events)
with atomic_path(snakemake.output.html) as tmp:
    tmp.write_text(text)
level, metrics = headline_level(cv)
recall = {c: m["recall"] for c, m in metrics["per_class"].items()}
event = headline_event(read_events(snakemake.input.detected), recall)
windows = pd.read_parquet(snakemake.input.windows)
example = example_data(event, windows, dict(snakemake.params.files), classes) if event else None
save_figure(headline_figure(metrics["confusion_matrix"]["matrix"], classes,
                            f"random forest, {level}, {cv.get('folds')}-fold event-grouped cross-validation",
                            example, "How well the study's model classifies, and one of its events",
                            snakemake.params.amplitude_label), snakemake.output.figure)
with open(snakemake.output.figure, "rb") as f:
    figure = f.read()
with atomic_path(snakemake.output.reading) as tmp:
    tmp.write_text(headline_rst(headline_reading(cv, classes, events), figure))
