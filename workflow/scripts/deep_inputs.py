"""Rule adapter: cut, decimate and normalize the dataset's windows into memory-mapped arrays."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import write_parquet
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import SPLITS
from seisclass.learn.deep.inputs import build_inputs, input_spec, read_index_columns, select_windows

log = log_to(snakemake.log[0])
p, recipe = snakemake.params.deep, snakemake.params.recipe
classes = list(snakemake.params.classes)
table = read_index_columns(snakemake.input.dataset)  # keys and labels, not the features
index = select_windows(table, classes, p.max_train_per_class, snakemake.params.seed)
spec = input_spec(recipe.components, recipe.preprocess.sampling_rate, recipe.windows.length_s, p.decimate,
                  p.normalization, p.context_s)
log.info("windows per split and class:\n%s", pd.crosstab(index["label"], index["split"]))
log.info("input spec: %s", spec)
outputs = {s: snakemake.output[s] for s in SPLITS}
build_inputs(index, dict(snakemake.params.files), outputs, spec)
write_parquet(index, snakemake.output.index)
