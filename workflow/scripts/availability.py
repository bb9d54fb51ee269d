"""Rule adapter: availability table and plot of all raw chunks; unmatched annotations."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import json

import pandas as pd

from seisclass.acquire.archives import read_raw
from seisclass.acquire.availability import (
    chunk_availability,
    unmatched_annotations,
)
from seisclass.acquire.stations import chunk_span
from seisclass.data.labels import read_annotations
from seisclass.io import save_figure, write_csv
from seisclass.plots.acquire import plot_availability
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
start, end = snakemake.params.span
statuses = {}
for path in snakemake.input.status:
    record = json.loads(open(path).read())
    statuses[(record["station"], record["day"])] = record
rows = []
for path, (station, day, source) in zip(snakemake.input.raw, snakemake.params.chunks, strict=True):
    t0, t1 = chunk_span(day, start, end)
    status = statuses.get((station, day), {"station": station, "day": day, "source": source, "status": "ok"})
    rows.append(chunk_availability(read_raw(path), t0.timestamp, t1.timestamp, status))
table = pd.concat(rows, ignore_index=True)
write_csv(table, snakemake.output.table, sep="\t", float_format="%.6g")
save_figure(plot_availability(table), snakemake.output.plot)
annotations = read_annotations(list(snakemake.input.annotations), list(snakemake.params.classes))
unmatched = unmatched_annotations(annotations, table)
for row in unmatched.itertuples():
    log.warning("annotation %s.%s %s-%s (%s) matches no raw data: skipped", row.network, row.station,
                row.start, row.end, row.label)
write_csv(unmatched, snakemake.output.unmatched)
log.info("%d chunks, %d with data; %d annotation(s) without data", len(snakemake.input.raw),
         int((table["traces"] > 0).sum()), len(unmatched))
