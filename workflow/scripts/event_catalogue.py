"""Rule adapter: associate the per-station events of every chunk and write the catalogue files."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import read_parquets
from seisclass.core.runlog import log_to
from seisclass.events.catalogue import build_catalogue, write_catalogue_files
from seisclass.events.segments import probability_classes

log = log_to(snakemake.log[0])
tables = read_parquets(snakemake.input, "event tables")
classes = probability_classes(tables[0]) if tables else []
catalogue = build_catalogue(pd.concat(tables, ignore_index=True), classes, snakemake.params.events,
                            snakemake.params.coordinates)
write_catalogue_files(catalogue, snakemake.output.events, snakemake.output.network, snakemake.output.quakeml)
log.info("%d station event(s) in %d network event(s): %s", len(catalogue.events), len(catalogue),
         catalogue.network_events["class"].value_counts().to_dict() if len(catalogue) else {})
