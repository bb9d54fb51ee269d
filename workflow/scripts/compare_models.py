"""Rule adapter: RF vs CNN vs LSTM on the test split (scores; training time and inference rate go to benchmarks)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import json

import numpy as np
import pandas as pd

from seisclass.core.io import save_figure, write_csv
from seisclass.core.runlog import log_to
from seisclass.learn.compare import model_comparison_table
from seisclass.learn.deep.inputs import open_array
from seisclass.learn.deep.training import configure_torch, windows_per_second
from seisclass.learn.loading import load_classifier
from seisclass.plots.deep import comparison_figure

log = log_to(snakemake.log[0])
configure_torch(snakemake.params.seed, snakemake.threads)
classes = list(snakemake.params.classes)
metrics = {name: json.loads(open(path).read())
           for name, path in zip(snakemake.params.models, snakemake.input.metrics, strict=True)}

forest = load_classifier(snakemake.input.rf).set_threads(snakemake.threads)
forest.check_classes(classes)
test_features = pd.read_parquet(snakemake.input.dataset).query("split == 'test'")[forest.feature_names]
job_seconds = [float(pd.read_csv(path, sep="\t")["s"].iloc[0]) for path in snakemake.input.benchmarks]
timings = {"rf": {"training_time_s": job_seconds[0],
                  "windows_per_second": windows_per_second(forest.predict_proba, test_features, repeats=2)}}
test_windows = np.array(open_array(snakemake.input.test))  # in memory: time the models, not the disk
for name, path in zip(snakemake.params.deep_models, snakemake.input.deep_models, strict=True):
    model = load_classifier(path, device="cpu")
    model.check_classes(classes)
    timings[name] = {"training_time_s": job_seconds[1 + snakemake.params.deep_models.index(name)],
                     "windows_per_second": windows_per_second(lambda a, m=model: m.predict_proba(a, prepared=True),
                                                              test_windows, repeats=2)}
log.info("timings (%d threads): %s", snakemake.threads, timings)
table = model_comparison_table(metrics, timings, classes)
timing_columns = ["training_time_s", "windows_per_second"]
write_csv(table.drop(columns=timing_columns), snakemake.output.table, sep="\t", float_format="%.4g")
write_csv(table[["model", *timing_columns]], snakemake.output.timings, sep="\t", float_format="%.4g")
save_figure(comparison_figure(table, classes), snakemake.output.plot)
