"""Rule adapter: a preprocessing variant's windows (all chunks), labelled, on the base run's split."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import read_parquets, write_parquet
from seisclass.core.runlog import log_to
from seisclass.data.dataset import class_counts
from seisclass.data.variants import variant_table

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
table = variant_table(read_parquets(snakemake.input.features, "feature tables"),
                      read_parquets(snakemake.input.labels, "label tables"), pd.read_parquet(snakemake.input.base),
                      snakemake.params.block_s)
log.info("variant %s, windows per class and split (base run's split):\n%s", snakemake.wildcards.variant,
         class_counts(table, classes).to_string())
write_parquet(table, snakemake.output[0])
