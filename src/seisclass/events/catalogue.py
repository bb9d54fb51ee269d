"""The catalogue a user receives: per-station events, network events and QuakeML, the same everywhere.

``seisclass classify``, the Python API (``model.classify(stream)``) and ``snakemake
classify`` all build a :class:`Catalogue` with :func:`build_catalogue` and write the same
three files with :meth:`Catalogue.write`:

- ``events.csv``: one row per per-station event, :data:`EVENT_FILE_COLUMNS`: station codes
  (``channel``: the real channel code the onset was picked on), ``class`` and
  ``probability`` of its network event, ``start``/``end`` (UTC; the physical extent,
  coda included), ``onset``, ``p_<class>`` (the station's class probabilities),
  ``network_event``, the station's own ``station_class``/``station_probability``,
  ``snr_db`` and ``n_windows``;
- ``network_events.csv``: one row per network event (:data:`seisclass.events.associate.NETWORK_COLUMNS`
  and ``p_<class>``);
- ``events.xml``: QuakeML, one event per network event with its type, picks at the
  onsets on the real channel codes, a rough origin where three or more stations are
  located, and the probabilities machine-readable (a JSON comment and ``seisclass``
  namespace attributes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from seisclass.core.vocabulary import TIME_FORMAT, epoch_seconds, probability_columns, station_ids
from seisclass.events.associate import NETWORK_COLUMNS, associate
from seisclass.events.detect import EVENT_COLUMNS, EventParameters, empty_events

# QuakeML event type of a network event's class; classes not listed give "other event".
EVENT_TYPES = {"earthquake": "earthquake", "surface": "landslide", "tourists": "other event"}
NAMESPACE = "https://github.com/seisclass/seisclass/quakeml"
DAY_S = 86400.0


def event_file_columns(classes: list[str]) -> list[str]:
    """The columns of ``events.csv`` in order."""
    head = ["network", "station", "location", "channel", "class", "start", "end", "onset", "probability"]
    return [*head, *probability_columns(classes), "network_event", "station_class", "station_probability",
            "snr_db", "n_windows"]


EVENT_FILE_COLUMNS = event_file_columns(["<class>"])


@dataclass
class Catalogue:
    """Events of a classification: per station (``events``) and per network event (``network_events``).

    ``windows`` (optional) holds the window probabilities the events were made from and
    ``segments`` the runs of one most likely class (:mod:`seisclass.events.segments`).
    """

    events: pd.DataFrame
    network_events: pd.DataFrame
    classes: list[str]
    model: str = ""
    windows: pd.DataFrame | None = field(default=None, repr=False)
    segments: pd.DataFrame | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.network_events)

    def __repr__(self) -> str:
        counts = self.network_events["class"].value_counts().to_dict() if len(self.network_events) else {}
        return (f"Catalogue({len(self.network_events)} network events {counts}, {len(self.events)} station "
                f"events, model {self.model!r})")

    def write(self, directory) -> dict[str, Path]:
        """Write ``events.csv``, ``network_events.csv`` and ``events.xml`` into ``directory`` (atomically)."""
        directory = Path(directory)
        paths = {"events": directory / "events.csv", "network_events": directory / "network_events.csv",
                 "quakeml": directory / "events.xml"}
        write_catalogue_files(self, *paths.values())
        return paths

    def to_obspy(self):
        """The catalogue as an ObsPy ``Catalog`` (what ``events.xml`` holds)."""
        return to_obspy_catalog(self)


def write_catalogue_files(catalogue: Catalogue, events_path, network_path, quakeml_path) -> None:
    """The three catalogue files at the given paths (see the module doc), each written atomically."""
    from seisclass.core.io import write_csv

    write_csv(catalogue.events[event_file_columns(catalogue.classes)], events_path, date_format=TIME_FORMAT,
              float_format="%.4f")
    write_csv(catalogue.network_events, network_path, date_format=TIME_FORMAT, float_format="%.4f")
    write_quakeml(catalogue, quakeml_path)


def build_catalogue(station_events: pd.DataFrame, classes: list[str], p: EventParameters,
                    coordinates: dict[str, tuple[float, float]] | None = None, model: str = "",
                    windows: pd.DataFrame | None = None, segments: pd.DataFrame | None = None) -> Catalogue:
    """Merge events cut at midnight, associate stations and return the :class:`Catalogue`."""
    merged = merge_across_days(station_events if len(station_events) else empty_events(classes), classes)
    events, network = associate(merged, classes, p, coordinates)
    return Catalogue(events, network, list(classes), model, windows, segments)


def merge_across_days(events: pd.DataFrame, classes: list[str]) -> pd.DataFrame:
    """One event where a station-day boundary cut it in two (end and next onset both at midnight).

    The two parts' probabilities are averaged, weighted by their windows.
    """
    if len(events) < 2:
        return events.reset_index(drop=True)
    columns = probability_columns(classes)
    events = events.sort_values(["network", "station", "location", "onset"], ignore_index=True)
    sid = station_ids(events).to_numpy()
    end, onset = epoch_seconds(events["end"]), epoch_seconds(events["onset"])
    midnight = np.ceil(end / DAY_S) * DAY_S
    cut = (sid[1:] == sid[:-1]) & (midnight[:-1] - end[:-1] <= 30.0) & (onset[1:] - midnight[:-1] <= 30.0) \
        & (onset[1:] >= midnight[:-1] - 1.0)
    if not cut.any():
        return events
    keep = np.ones(len(events), bool)
    for i in np.flatnonzero(cut)[::-1]:  # a few events per station-day
        a, b = events.loc[i], events.loc[i + 1]
        weights = np.array([a["n_windows"], b["n_windows"]], float) + 1e-9
        mean = (np.vstack([a[columns].to_numpy(float), b[columns].to_numpy(float)]) * weights[:, None]).sum(0) \
            / weights.sum()
        events.loc[i, columns] = mean
        events.loc[i, "end"] = b["end"]
        events.loc[i, "n_windows"] = int(a["n_windows"] + b["n_windows"])
        best = max(((c, mean[j]) for j, c in enumerate(classes) if c == a["class"] or c == b["class"]),
                   key=lambda item: item[1])
        events.loc[i, ["class", "probability"]] = [best[0], float(best[1])]
        keep[i + 1] = False
    return events[keep].reset_index(drop=True)


def read_events(path) -> pd.DataFrame:
    """An ``events.csv`` back as a table (times as UTC timestamps)."""
    table = pd.read_csv(path, dtype={"location": str, "network": str, "station": str, "channel": str},
                        keep_default_na=False, na_values={"snr_db": [""]})
    for column in ("start", "end", "onset"):
        table[column] = pd.to_datetime(table[column], utc=True, format="ISO8601")
    return table


# ----------------------------------------------------------------- QuakeML


def to_obspy_catalog(catalogue: Catalogue):
    """ObsPy Catalog: one event per network event (see the module doc)."""
    from obspy import UTCDateTime
    from obspy.core.event import (
        Catalog,
        Comment,
        CreationInfo,
        Event,
        EventDescription,
        Origin,
        Pick,
        ResourceIdentifier,
        WaveformStreamID,
    )

    columns = probability_columns(catalogue.classes)
    method = f"smi:local/seisclass/{catalogue.model or 'model'}"
    # Every resource id is derived from the event and station, never ObsPy's random default: two runs
    # over the same data write byte-identical files.
    out = Catalog(description="seisclass events", creation_info=CreationInfo(author="seisclass"),
                  resource_id=ResourceIdentifier(f"{method}/catalogue"))
    by_event = dict(tuple(catalogue.events.groupby("network_event"))) if len(catalogue.events) else {}
    for row in catalogue.network_events.to_dict("records"):  # one per network event: a few, not a hot path
        event_id = f"{method}/{row['network_event']}"
        stations = by_event.get(row["network_event"], pd.DataFrame())
        picks = []
        for st in stations.to_dict("records"):
            seed = f"{st['network']}.{st['station']}.{st['location']}.{st['channel']}"
            pick = Pick(resource_id=ResourceIdentifier(f"{event_id}/pick/{seed}"),
                        time=UTCDateTime(pd.Timestamp(st["onset"]).value / 1e9),
                        waveform_id=WaveformStreamID(seed_string=seed), evaluation_mode="automatic",
                        method_id=method, phase_hint="P" if row["class"] == "earthquake" else None)
            note = {"station_class": st["station_class"],
                    "station_probability": round(st["station_probability"], 4),
                    "probabilities": {c[2:]: round(float(st[c]), 4) for c in columns},
                    "start": pd.Timestamp(st["start"]).strftime(TIME_FORMAT),
                    "end": pd.Timestamp(st["end"]).strftime(TIME_FORMAT)}
            pick.comments.append(Comment(resource_id=ResourceIdentifier(f"{event_id}/pick/{seed}/comment"),
                                         text=json.dumps(note)))
            picks.append(pick)
        event = Event(resource_id=ResourceIdentifier(event_id),
                      event_type=EVENT_TYPES.get(row["class"], "other event"), event_type_certainty="suspected",
                      picks=picks, creation_info=CreationInfo(author="seisclass"),
                      event_descriptions=[EventDescription(text=f"{row['class']} at {row['n_stations']} station(s)")])
        summary = {"class": row["class"], "probability": round(row["probability"], 4),
                   "probabilities": {c[2:]: round(float(row[c]), 4) for c in columns},
                   "n_stations": int(row["n_stations"]), "model": catalogue.model}
        event.comments.append(Comment(resource_id=ResourceIdentifier(f"{event_id}/comment"),
                                      text=json.dumps(summary)))
        event.extra = {"class": {"value": row["class"], "namespace": NAMESPACE},
                       "probability": {"value": f"{row['probability']:.4f}", "namespace": NAMESPACE}}
        if np.isfinite(row.get("latitude", np.nan)):
            origin = Origin(resource_id=ResourceIdentifier(f"{event_id}/origin"),
                            time=UTCDateTime(pd.Timestamp(row["origin_time"]).value / 1e9),
                            latitude=row["latitude"], longitude=row["longitude"], evaluation_mode="automatic",
                            method_id="smi:local/seisclass/grid-search-half-space")
            origin.comments.append(Comment(resource_id=ResourceIdentifier(f"{event_id}/origin/comment"),
                                           text="rough epicentre: grid search of the onsets in a half-space"))
            event.origins.append(origin)
            event.preferred_origin_id = origin.resource_id
        out.append(event)
    return out


def write_quakeml(catalogue: Catalogue, path) -> int:
    """Write the catalogue as QuakeML, atomically; returns the number of events."""
    from seisclass.core.io import atomic_path

    catalog = to_obspy_catalog(catalogue)
    with atomic_path(path) as tmp:
        catalog.write(str(tmp), format="QUAKEML", nsmap={"seisclass": NAMESPACE})
    return len(catalog)


__all__ = ["EVENT_COLUMNS", "EVENT_FILE_COLUMNS", "NETWORK_COLUMNS", "Catalogue", "build_catalogue",
           "read_events", "write_quakeml"]
