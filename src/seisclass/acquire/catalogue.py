"""Catalogue labels: earthquake windows from an event catalogue and TauP travel times.

Events come from a QuakeML file or an FDSN event service. For every event
and station, the epicentral distance and the first P and S arrival times of
a 1-D model (ObsPy TauP, ``iasp91`` by default, computed offline) give an
annotation from ``P - margin_before_p_s`` to ``S + coda_s + coda_factor (S -
P)``, labelled ``label`` (``earthquake``), when the event's magnitude is at
least ``min_magnitude`` and the distance at most ``max_distance_km``. The
output is an annotation table in the format of :mod:`seisclass.data.labels`,
read with the user's annotations: where they overlap, the same precedence
decides (``priority``, then the shorter interval), whatever the order of the
files, so a catalogue earthquake inside a broad user ``silence`` interval is
``earthquake``.
"""

from __future__ import annotations

import logging
import math

import numpy as np
import pandas as pd
from obspy import UTCDateTime
from obspy.geodetics import gps2dist_azimuth, kilometers2degrees

from seisclass.core.config import ConfigSection, config_section
from seisclass.core.vocabulary import ANNOTATION_COLUMNS

log = logging.getLogger(__name__)

EVENT_COLUMNS = ["event_id", "time", "latitude", "longitude", "depth_km", "magnitude"]


@config_section("catalogue")
class CatalogueParameters(ConfigSection):
    """Config section ``catalogue`` (distances km, times s)."""

    enabled: bool
    quakeml: str | None
    provider: str | None
    min_magnitude: float
    max_distance_km: float
    margin_before_p_s: float
    coda_s: float
    coda_factor: float
    default_depth_km: float
    model: str
    label: str

    def _check_settings(self, settings) -> None:
        classes = settings["study"].classes
        if self.enabled and self.label not in classes:
            raise self.error(f"catalogue.label: {self.label!r} is not one of the configured classes {list(classes)}")


def events_table(catalog, default_depth_km: float = 10.0) -> pd.DataFrame:
    """One row per event with an origin: preferred origin and magnitude (NaN if none)."""

    rows = []
    for event in catalog:
        origin = event.preferred_origin() or (event.origins[0] if event.origins else None)
        if origin is None:
            continue
        magnitude = event.preferred_magnitude() or (event.magnitudes[0] if event.magnitudes else None)
        depth = origin.depth / 1000.0 if origin.depth is not None else default_depth_km
        rows.append({"event_id": str(event.resource_id).split("/")[-1], "time": origin.time.isoformat() + "Z",
                     "latitude": origin.latitude, "longitude": origin.longitude, "depth_km": depth,
                     "magnitude": magnitude.mag if magnitude is not None else np.nan})
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def fetch_events(client, t0: UTCDateTime, t1: UTCDateTime, latitude: float, longitude: float,
                 radius_km: float, min_magnitude: float):
    """Events of an FDSN event service around a point (a 204 gives an empty catalogue)."""
    from obspy import Catalog
    from obspy.clients.fdsn.header import FDSNNoDataException

    try:
        return client.get_events(starttime=t0, endtime=t1, latitude=latitude, longitude=longitude,
                                 maxradius=kilometers2degrees(radius_km), minmagnitude=min_magnitude)
    except FDSNNoDataException:
        return Catalog()


def first_arrivals(model, depth_km: float, distance_deg: float) -> tuple[float, float]:
    """Times (s after origin) of the first P-type and first S-type arrival."""
    arrivals = model.get_travel_times(source_depth_in_km=max(depth_km, 0.0), distance_in_degree=distance_deg,
                                      phase_list=["p", "P", "Pn", "Pg", "s", "S", "Sn", "Sg"])
    p = [a.time for a in arrivals if a.name.upper().startswith("P")]
    s = [a.time for a in arrivals if a.name.upper().startswith("S")]
    return (min(p) if p else math.nan), (min(s) if s else math.nan)


def earthquake_annotations(events: pd.DataFrame, stations: pd.DataFrame, p: CatalogueParameters,
                           classes: list[str]) -> pd.DataFrame:
    """Annotation rows (:data:`seisclass.data.labels.ANNOTATION_COLUMNS`) plus diagnostics.

    ``stations`` has columns ``network, station, location, channels,
    latitude, longitude``; stations without coordinates are skipped with a
    warning. Extra columns: ``event_id, distance_km, magnitude, p_time, s_time``.
    """
    if p.label not in classes:
        raise p.error(f"catalogue.label {p.label!r} is not one of the configured classes {classes}")
    from obspy.taup import TauPyModel

    model = TauPyModel(model=p.model)
    rows = []
    located = stations.dropna(subset=["latitude", "longitude"])
    for name in sorted(set(stations["network"] + "." + stations["station"]) -
                       set(located["network"] + "." + located["station"])):
        log.warning("station %s has no coordinates (StationXML or station table): no catalogue labels", name)
    for ev in events.itertuples():
        if not (ev.magnitude >= p.min_magnitude):
            continue
        origin = UTCDateTime(ev.time)
        for st in located.itertuples():
            distance_km = gps2dist_azimuth(ev.latitude, ev.longitude, st.latitude, st.longitude)[0] / 1000.0
            if distance_km > p.max_distance_km:
                continue
            tp, ts = first_arrivals(model, ev.depth_km, kilometers2degrees(distance_km))
            if math.isnan(tp) or math.isnan(ts):
                continue
            start = origin + tp - p.margin_before_p_s
            end = origin + ts + p.coda_s + p.coda_factor * (ts - tp)
            rows.append({"network": st.network, "station": st.station, "location": st.location,
                         "channel": st.channels, "start": start.isoformat() + "Z", "end": end.isoformat() + "Z",
                         "label": p.label, "event_id": ev.event_id, "distance_km": round(distance_km, 3),
                         "magnitude": ev.magnitude, "p_time": (origin + tp).isoformat() + "Z",
                         "s_time": (origin + ts).isoformat() + "Z"})
    columns = [*ANNOTATION_COLUMNS, "event_id", "distance_km", "magnitude", "p_time", "s_time"]
    return pd.DataFrame(rows, columns=columns)


def station_coordinates(stations: pd.DataFrame, inventories: list) -> pd.DataFrame:
    """Fill ``latitude``/``longitude`` of ``stations`` from StationXML where the table has none."""
    out = stations.copy()
    for inventory in inventories:
        for net in inventory:
            for sta in net:
                hit = (out["network"] == net.code) & (out["station"] == sta.code) & out["latitude"].isna()
                out.loc[hit, "latitude"] = sta.latitude
                out.loc[hit, "longitude"] = sta.longitude
    return out


EVENT_LOOKBACK_S = 3600.0  # events up to an hour before the span still send waves (codas) into it
SEARCH_MARGIN_KM = 500.0  # query radius beyond max_distance_km around the stations' mean position


def catalogue_annotations(stations: pd.DataFrame, inventories: list, p: CatalogueParameters,
                          classes: list[str], t0: UTCDateTime, t1: UTCDateTime, catalog=None,
                          query=None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(events, annotations)`` for ``stations`` from a QuakeML ``catalog`` or an event service.

    Without ``catalog``, ``query(fetch)`` runs ``fetch(client)`` against the
    event service (the caller wraps it with retries) for events from
    :data:`EVENT_LOOKBACK_S` before ``t0`` to ``t1`` within
    ``max_distance_km`` + :data:`SEARCH_MARGIN_KM` of the stations' mean
    position. Stations get coordinates from StationXML ``inventories`` where
    the table has none.
    """
    stations = station_coordinates(stations, inventories)
    if catalog is None:
        located = stations.dropna(subset=["latitude", "longitude"])
        if located.empty:
            raise ValueError("catalogue: no station has coordinates; cannot query events around them")
        catalog = query(lambda client: fetch_events(
            client, t0 - EVENT_LOOKBACK_S, t1, located["latitude"].mean(), located["longitude"].mean(),
            p.max_distance_km + SEARCH_MARGIN_KM, p.min_magnitude))
    events = events_table(catalog, p.default_depth_km)
    return events, earthquake_annotations(events, stations, p, classes)
