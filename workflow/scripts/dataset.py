"""Rule adapter: assemble all station-days and assign the time-blocked split (out of core, row group by row group)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from seisclass.core.io import write_csv
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import epoch_seconds
from seisclass.data.dataset import assemble_file, class_counts
from seisclass.data.split import assign_split

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
split = snakemake.params.split


def split_of(keys):
    log.info("assembled %d windows; assigning the split", len(keys))
    return assign_split(epoch_seconds(keys["start"]), epoch_seconds(keys["end"]), keys["label"].to_numpy(dtype=object),
                        classes, split.fractions.to_config(), split.block_s, snakemake.params.seed,
                        split.min_blocks_per_class)


table = assemble_file(list(snakemake.input.features), list(snakemake.input.labels), snakemake.output.dataset,
                      split_of)
counts = class_counts(table, classes)
log.info("windows per class and split:\n%s", counts.to_string())
write_csv(counts, snakemake.output.counts, sep="\t")
