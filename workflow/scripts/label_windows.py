"""Rule adapter: label the windows of one station-day from annotations."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import write_parquet
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import KEY_COLUMNS
from seisclass.data.dataset import label_table, mark_health
from seisclass.data.labels import read_annotations
from seisclass.signal.health import read_intervals

log = log_to(snakemake.log[0])
windows = pd.read_parquet(snakemake.input.windows, columns=KEY_COLUMNS)
annotations = read_annotations(list(snakemake.input.annotations), list(snakemake.params.classes))
labels = mark_health(label_table(windows, annotations, snakemake.params.min_overlap),
                     read_intervals([snakemake.input.notes]),  # windows in bad data: not trained on
                     snakemake.params.health.exclude_from_training)
log.info("label counts: %s", labels["label"].value_counts().to_dict())
write_parquet(labels, snakemake.output[0])
