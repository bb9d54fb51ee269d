"""Rule adapter: SHAP attribution over time for representative test windows of each class."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import numpy as np
import pandas as pd

from seisclass.core.io import atomic_path, save_figure, write_csv
from seisclass.core.runlog import log_to
from seisclass.explain.deep_shap import attribution_over_time, pick_representatives, shap_values
from seisclass.learn.deep.inputs import label_codes, open_array
from seisclass.learn.deep.training import configure_torch
from seisclass.learn.loading import load_classifier
from seisclass.plots.deep import MODEL_NAMES, shap_time_figure

log = log_to(snakemake.log[0])
seed = snakemake.params.seed
configure_torch(seed, snakemake.threads)
p = snakemake.params.deep.explain
model = load_classifier(snakemake.input.model, device="cpu")
classes, fs = model.classes_, model.input_spec["sampling_rate"]
index = pd.read_parquet(snakemake.input.index)
test_index = index[index["split"] == "test"].sort_values("row")
test = open_array(snakemake.input.test)
picks = pick_representatives(test_index, model.predict_proba(test, prepared=True), classes, p.per_class)

train_index = index[index["split"] == "train"].sort_values("row")
rng = np.random.default_rng(seed)
per_class = max(1, p.background // len(classes))
background_rows = np.sort(np.concatenate([
    rng.choice(np.flatnonzero(train_index["label"].to_numpy() == c), per_class,
               replace=(train_index["label"] == c).sum() < per_class)
    for c in classes
]))
background = np.array(open_array(snakemake.input.train)[background_rows])
windows = np.array(test[picks["position"].to_numpy()])
explained = label_codes(picks["label"], classes)
values = shap_values(model, background, windows, explained, p.samples, seed)
centres, over_time = attribution_over_time(values, model, fs)
log.info("SHAP values %s for %d windows against %d background windows", values.shape, len(picks), len(background))

band_values, band_edges = None, None
if model.kind == "lstm":
    n_components = len(model.components)
    band_values = values.reshape(len(values), values.shape[1], n_components, -1).sum(axis=2)
    band_edges = np.linspace(0, fs / 2, band_values.shape[-1] + 1)
with atomic_path(snakemake.output.values) as tmp:
    np.savez_compressed(tmp, values=values, inputs=windows, time_s=centres, time_attribution=over_time,
                        classes=np.array(classes), explained_class=np.array(picks["label"], dtype=str),
                        window_start=np.array(picks["start"].astype(str), dtype=str),
                        station=np.array(picks["station"], dtype=str))
table = picks[["network", "station", "location", "channel", "start", "end", "label", "predicted", "probability"]].copy()
table["peak_attribution_s"] = centres[over_time.argmax(axis=1)]
table["attribution_sum"] = over_time.sum(axis=1)
write_csv(table, snakemake.output.windows)
title = f"{MODEL_NAMES[model.kind]}: SHAP (expected gradients) for the logit of each window's class"
save_figure(shap_time_figure(windows, fs, centres, over_time, picks, classes, title, band_values, band_edges),
            snakemake.output.plot)
