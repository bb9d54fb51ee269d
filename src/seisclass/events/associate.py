"""Network events: the per-station events of one physical event, across stations, become one.

Per-station events are taken in onset order. The earliest one not yet assigned seeds a
network event; every other station adds its earliest unassigned event whose onset lies
within the tolerance after the seed's: ``distance / velocity_km_s + slack_s`` when both
stations' coordinates are known (the slowest apparent velocity between two stations of
one event, plus picking slack; or, for emergent events, extents that overlap by half the
shorter one within ``tolerance_s``), else ``tolerance_s``. A station contributes at most one
event to a network event, so two events at one station are never merged, and no chain
of onsets drags a later event in.

A network event gets the mean of its stations' class probabilities, its class (the most
likely event class) and, with three or more located stations, a rough epicentre and
origin time from a grid search of the onsets in a half-space (``locate_velocity_km_s``).
Network events with fewer than ``min_stations`` stations are dropped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seisclass.core.vocabulary import epoch_seconds, probability_columns, station_ids, to_timestamps
from seisclass.events.detect import EventParameters

EARTH_RADIUS_KM = 6371.0
NETWORK_COLUMNS = ["network_event", "class", "probability", "start", "end", "first_onset", "n_stations",
                   "stations", "latitude", "longitude", "origin_time"]


def distances_km(latitude: np.ndarray, longitude: np.ndarray, lat0, lon0) -> np.ndarray:
    """Great-circle distances (km) from ``(lat0, lon0)`` (degrees, broadcast) to each point."""
    phi1, phi2 = np.radians(latitude), np.radians(lat0)
    dphi, dlam = phi2 - phi1, np.radians(lon0) - np.radians(longitude)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def associate(events: pd.DataFrame, classes: list[str], p: EventParameters,
              coordinates: dict[str, tuple[float, float]] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(events with network_event and the network's class, network events)``; see the module doc.

    ``events`` are per-station events (:data:`seisclass.events.detect.EVENT_COLUMNS` and
    ``p_<class>``); ``coordinates`` maps a station id ``NET.STA[.LOC]`` to (lat, lon).
    The per-station rows keep their own class as ``station_class``/``station_probability``
    and take the network event's ``class``/``probability``.
    """
    coordinates = coordinates or {}
    events = events.sort_values(["onset", "network", "station"], ignore_index=True)
    sids = station_ids(events).to_numpy() if len(events) else np.zeros(0, dtype=object)
    onsets = epoch_seconds(events["onset"]) if len(events) else np.zeros(0)
    starts = epoch_seconds(events["start"]) if len(events) else np.zeros(0)
    ends = epoch_seconds(events["end"]) if len(events) else np.zeros(0)
    located = np.array([s in coordinates for s in sids], bool)
    lat = np.array([coordinates.get(s, (np.nan, np.nan))[0] for s in sids], float)
    lon = np.array([coordinates.get(s, (np.nan, np.nan))[1] for s in sids], float)
    group = np.full(len(events), -1)
    n_groups = 0
    for seed in range(len(events)):  # one pass over the events (a few per station-day), not over windows
        if group[seed] >= 0:
            continue
        group[seed] = n_groups
        tolerance = np.full(len(events), p.tolerance_s)
        both = located & located[seed]
        if both.any():
            tolerance[both] = distances_km(lat[both], lon[both], lat[seed], lon[seed]) / p.velocity_km_s + p.slack_s
        # an emergent event (a debris flow) has no sharp onset: at located stations, extents that overlap
        # by half the shorter one join within tolerance_s too
        shared = np.minimum(ends, ends[seed]) - np.maximum(starts, starts[seed])
        overlapping = both & (shared >= 0.5 * np.minimum(ends - starts, ends[seed] - starts[seed]))
        delay = onsets - onsets[seed]
        close = (delay <= tolerance) | (overlapping & (delay <= p.tolerance_s))
        candidates = np.flatnonzero((group < 0) & (delay >= 0) & close & (sids != sids[seed]))
        taken = {sids[seed]}
        for index in candidates:  # earliest first (sorted by onset)
            if sids[index] not in taken:
                group[index] = n_groups
                taken.add(sids[index])
        n_groups += 1
    return combine(events, group, classes, p, lat, lon, onsets)


def combine(events: pd.DataFrame, group: np.ndarray, classes: list[str], p: EventParameters, lat: np.ndarray,
            lon: np.ndarray, onsets: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Network class, probability and location of each group; drop groups below ``min_stations``."""
    columns = probability_columns(classes)
    event_classes = p.event_classes(classes) or list(classes)
    events = events.copy()
    events["network_event"] = ""
    rows = []
    for g in range(int(group.max()) + 1 if len(group) else 0):
        members = np.flatnonzero(group == g)
        if len(members) < p.min_stations:
            continue
        mean = events.loc[members, columns].to_numpy(float).mean(axis=0)
        best = event_classes[int(np.argmax([mean[classes.index(c)] for c in event_classes]))]
        first = events.loc[members, "onset"].min()
        name = f"{pd.Timestamp(first).strftime('%Y%m%dT%H%M%S.%f')}_{len(rows):04d}"
        latitude, longitude, origin = locate(lat[members], lon[members], onsets[members], p.locate_velocity_km_s)
        events.loc[members, "network_event"] = name
        rows.append({"network_event": name, "class": best, "probability": float(mean[classes.index(best)]),
                     "start": events.loc[members, "start"].min(), "end": events.loc[members, "end"].max(),
                     "first_onset": first, "n_stations": len(members),
                     "stations": " ".join(sorted(station_ids(events.loc[members]))),
                     "latitude": latitude, "longitude": longitude, "origin_time": origin,
                     **{c: float(v) for c, v in zip(columns, mean, strict=True)}})
    kept = events[events["network_event"] != ""].copy()
    kept.insert(kept.columns.get_loc("class") + 1, "station_class", kept["class"])
    kept.insert(kept.columns.get_loc("probability") + 1, "station_probability", kept["probability"])
    network = pd.DataFrame(rows, columns=[*NETWORK_COLUMNS, *columns])
    lookup = network.set_index("network_event")
    kept["class"] = kept["network_event"].map(lookup["class"]) if len(kept) else kept["class"]
    kept["probability"] = kept["network_event"].map(lookup["probability"]) if len(kept) else kept["probability"]
    located = network["origin_time"].notna().to_numpy()
    origin = pd.Series(pd.NaT, index=network.index, dtype="datetime64[us, UTC]")
    if located.any():
        origin[located] = to_timestamps(network.loc[located, "origin_time"].to_numpy(float)).to_numpy()
    network["origin_time"] = origin
    return kept.reset_index(drop=True), network


def locate(latitude: np.ndarray, longitude: np.ndarray, onsets: np.ndarray, velocity_km_s: float,
           grid: int = 41) -> tuple[float, float, float]:
    """Rough epicentre (degrees) and origin time (s, epoch) from onsets at three or more located stations.

    A grid of ``grid x grid`` epicentres over the stations' extent plus a margin; the origin
    time of a trial epicentre is the median of onset minus travel time, its misfit the
    median absolute residual; NaNs when fewer than three stations are located.
    """
    known = np.isfinite(latitude) & np.isfinite(longitude)
    if known.sum() < 3:
        return float("nan"), float("nan"), float("nan")
    lat, lon, t = latitude[known], longitude[known], onsets[known]
    margin = max(np.ptp(lat), np.ptp(lon), 0.2) * 0.5
    lats = np.linspace(lat.min() - margin, lat.max() + margin, grid)
    lons = np.linspace(lon.min() - margin, lon.max() + margin, grid)
    glat, glon = (a.ravel() for a in np.meshgrid(lats, lons, indexing="ij"))
    travel = distances_km(lat[None, :], lon[None, :], glat[:, None], glon[:, None]) / velocity_km_s
    origin = np.median(t[None, :] - travel, axis=1)
    misfit = np.median(np.abs(t[None, :] - travel - origin[:, None]), axis=1)
    best = int(np.argmin(misfit))
    return float(glat[best]), float(glon[best]), float(origin[best])
