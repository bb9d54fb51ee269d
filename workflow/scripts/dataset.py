"""Rule adapter: assemble all station-days and assign the time-blocked split."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from seisclass.core.io import read_parquets, write_csv, write_parquet
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import epoch_seconds
from seisclass.data.dataset import assemble, class_counts
from seisclass.data.split import assign_split

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
split = snakemake.params.split
table = assemble(read_parquets(snakemake.input.features, "feature tables"),
                 read_parquets(snakemake.input.labels, "label tables"))
log.info("assembled %d windows; assigning the split", len(table))
table.insert(table.columns.get_loc("snr") + 1, "split", assign_split(
    epoch_seconds(table["start"]), epoch_seconds(table["end"]), table["label"].to_numpy(dtype=object),
    classes, split.fractions.to_config(), split.block_s, snakemake.params.seed, split.min_blocks_per_class,
))
table["split"] = table["split"].astype("string")
counts = class_counts(table, classes)
log.info("windows per class and split:\n%s", counts.to_string())
write_parquet(table, snakemake.output.dataset)
write_csv(counts, snakemake.output.counts, sep="\t")
