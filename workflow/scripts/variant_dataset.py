"""Rule adapter: a preprocessing variant's windows (all chunks), labelled, on the base run's split."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd
from obspy import read_inventory

from seisclass.data.dataset import class_counts
from seisclass.data.labels import read_annotations
from seisclass.data.variants import variant_dataset
from seisclass.io import write_parquet
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
sections = snakemake.params.sections
log.info("variant %s: %s", snakemake.wildcards.variant, sections)
table, masked = variant_dataset(
    snakemake.params.chunks, sections, pd.read_parquet(snakemake.input.base),
    read_annotations(list(snakemake.input.annotations), classes), snakemake.params.block_s,
    {path: read_inventory(path) for path in snakemake.input.inventory}, snakemake.params.context,
)
for row in masked.itertuples():
    log.info("%s %s %s: %s NaN in %d window(s) (original rate %g Hz)", row.station, row.day, row.component,
             row.column, row.windows, row.sampling_rate)
log.info("windows per class and split (base run's split):\n%s", class_counts(table, classes).to_string())
write_parquet(table, snakemake.output[0])
