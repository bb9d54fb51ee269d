"""Rule adapter: earthquake annotations from a catalogue (QuakeML or FDSN event service)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import dataclasses

import pandas as pd
from obspy import UTCDateTime, read_events, read_inventory

from seisclass.acquire.catalogue import catalogue_annotations
from seisclass.acquire.fdsn import make_client, with_retries
from seisclass.core.io import write_csv
from seisclass.core.runlog import log_to

log = log_to(snakemake.log[0])
p, fdsn = snakemake.params.catalogue, snakemake.params.fdsn
catalog = read_events(snakemake.input.quakeml[0]) if snakemake.input.quakeml else None
events, annotations = catalogue_annotations(
    pd.DataFrame([dataclasses.asdict(s) for s in snakemake.params.stations]),
    [read_inventory(f) for f in snakemake.input.stationxml], p,
    list(snakemake.params.classes), *(UTCDateTime(t) for t in snakemake.params.span), catalog=catalog,
    query=lambda fetch: with_retries(lambda: fetch(make_client(snakemake.params.provider, fdsn)), fdsn,
                                     "catalogue events"),
)
log.info("%d events, %d station annotations", len(events), len(annotations))
write_csv(events, snakemake.output.events)
write_csv(annotations, snakemake.output.annotations)
