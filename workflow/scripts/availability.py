"""Rule adapter: availability and health table and plot of all raw chunks; skipped files; unmatched annotations."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure, write_csv
from seisclass.core.runlog import log_to
from seisclass.data.labels import read_annotations
from seisclass.plots.acquire import plot_availability
from seisclass.quality.availability import chunks_availability, skipped_files, unmatched_annotations

log = log_to(snakemake.log[0])
table = chunks_availability(snakemake.params.chunks, snakemake.params.health)
for row in table[~table["health"].isin(["ok", ""])].itertuples():
    log.warning("%s %s %s: sensor health %s (dead %g s, %d clipped samples, %d spikes, %d NaN runs of %g s)",
                row.station, row.day, row.channel, row.health, row.dead_s, row.clipped_samples, row.spikes,
                row.nan_runs, row.nan_s)
skipped = pd.concat([skipped_files(pd.read_parquet(p)) for p in snakemake.input.index] or [table.iloc[:0]])
for message in skipped["message"]:
    log.warning("skipped file %s", message)
write_csv(pd.concat([table, skipped], ignore_index=True), snakemake.output.table, sep="\t", float_format="%.6g")
save_figure(plot_availability(table), snakemake.output.plot)
annotations = read_annotations(list(snakemake.input.annotations), list(snakemake.params.classes))
unmatched = unmatched_annotations(annotations, table)
for row in unmatched.itertuples():
    log.warning("annotation %s.%s %s-%s (%s) matches no raw data: skipped", row.network, row.station,
                row.start, row.end, row.label)
write_csv(unmatched, snakemake.output.unmatched)
log.info("%d station-days, %d with data; %d skipped file(s); %d annotation(s) without data", len(table),
         int((table["traces"] > 0).sum()), len(skipped), len(unmatched))
