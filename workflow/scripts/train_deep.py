"""Rule adapter: train the CNN or LSTM on the train split, early stopping on the validation split."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import SPLITS
from seisclass.learn.deep.inputs import input_spec, label_codes, open_array
from seisclass.learn.deep.networks import (
    DeepClassifier,
    architecture,
    build_model,
    count_parameters,
    deep_model_card,
)
from seisclass.learn.deep.training import LogStream, choose_device, configure_torch, train_model
from seisclass.plots.deep import MODEL_NAMES, training_curves_figure

log = log_to(snakemake.log[0])
kind = snakemake.wildcards.model
seed = snakemake.params.seed
p, recipe = snakemake.params.deep, snakemake.params.recipe
classes = list(snakemake.params.classes)
configure_torch(seed, snakemake.threads)
device = choose_device()
index = pd.read_parquet(snakemake.input.index)
spec = input_spec(recipe.components, recipe.preprocess.sampling_rate, recipe.windows.length_s, p.decimate,
                  p.normalization, p.context_s)
x = {s: open_array(snakemake.input[s]) for s in SPLITS[:2]}  # train, validation
y = {s: label_codes(index[index["split"] == s].sort_values("row")["label"], classes) for s in x}
arch = architecture(kind, p)
model = build_model(kind, spec, len(classes), arch)
log.info("%s on %s with %d threads: %d parameters, %d train and %d validation windows, %s",
         kind, device, snakemake.threads, count_parameters(model), len(y["train"]), len(y["validation"]), arch)
model, summary = train_model(model, x["train"], y["train"], x["validation"], y["validation"], p, seed,
                             device, progress=LogStream(log))
log.info("trained in %.1f s, best epoch %d of %d", summary["training_time_s"], summary["best_epoch"],
         summary["epochs_run"])
card = deep_model_card(kind, classes, spec, arch, recipe, index[index["split"] == "train"], summary, seed=seed,
                       background_classes=[c for c in classes if c in snakemake.params.events.background_classes],
                       parameters=p.to_config())
DeepClassifier(model, card, device=device).save(snakemake.output.model)
title = f"{MODEL_NAMES[kind]}: {summary['n_train']} training windows, {summary['epochs_run']} epochs"
save_figure(training_curves_figure(summary["history"], summary["best_epoch"], title), snakemake.output.curves)
