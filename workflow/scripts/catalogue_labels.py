"""Rule adapter: earthquake annotations from a catalogue (QuakeML or FDSN event service)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd
from obspy import UTCDateTime, read_events, read_inventory

from seisclass.acquire.catalogue import (
    CatalogueParameters,
    earthquake_annotations,
    events_table,
    fetch_events,
    station_coordinates,
)
from seisclass.acquire.fdsn import FdsnParameters, make_client, with_retries
from seisclass.io import write_csv
from seisclass.runlog import log_to
from seisclass.schema import ANNOTATION_COLUMNS

log = log_to(snakemake.log[0])
p = CatalogueParameters.from_config(snakemake.params.catalogue)
stations = pd.DataFrame(snakemake.params.stations)
stations = station_coordinates(stations, [read_inventory(f) for f in snakemake.input.stationxml])
t0, t1 = (UTCDateTime(t) for t in snakemake.params.span)
if snakemake.input.quakeml:
    catalog = read_events(snakemake.input.quakeml[0])
else:
    located = stations.dropna(subset=["latitude", "longitude"])
    if located.empty:
        raise ValueError("catalogue: no station has coordinates; cannot query events around them")
    fdsn = FdsnParameters.from_config(snakemake.params.fdsn)
    client = make_client(snakemake.params.provider, fdsn)
    catalog = with_retries(lambda: fetch_events(
        client, t0 - 3600, t1, located["latitude"].mean(), located["longitude"].mean(),
        p.max_distance_km + 500.0, p.min_magnitude), fdsn, "catalogue events")
events = events_table(catalog, p.default_depth_km)
annotations = earthquake_annotations(events, stations, p, list(snakemake.params.classes))
log.info("%d events, %d station annotations", len(events), len(annotations))
write_csv(events, snakemake.output.events)
write_csv(annotations[[*ANNOTATION_COLUMNS, "event_id", "distance_km", "magnitude", "p_time", "s_time"]],
          snakemake.output.annotations)
