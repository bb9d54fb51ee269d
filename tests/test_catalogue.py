"""Catalogue labels: QuakeML fixture, TauP (iasp91) arrivals checked by hand, FDSN event service."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fdsnws import FDSNServer, FDSNService
from obspy import UTCDateTime, read_events
from obspy.core.event import Catalog, Event, Magnitude, Origin
from obspy.geodetics import kilometers2degrees

from seisclass.acquire.catalogue import (
    CatalogueParameters,
    earthquake_annotations,
    events_table,
    fetch_events,
)
from seisclass.acquire.fdsn import FdsnParameters, make_client
from seisclass.core.config import ConfigError
from seisclass.data.labels import read_annotations

pytestmark = pytest.mark.unit

ORIGIN = UTCDateTime("2024-06-01T12:00:00")
CLASSES = ["silence", "tourists", "earthquake"]


@pytest.fixture
def quakeml(tmp_path):
    """Two events at (46.0 N, 8.0 E), 10 km deep: M3.0 (labelled) and M1.5 (below min_magnitude)."""
    events = []
    for i, (time, mag) in enumerate([(ORIGIN, 3.0), (ORIGIN + 3600, 1.5)]):
        origin = Origin(time=time, latitude=46.0, longitude=8.0, depth=10000.0)
        magnitude = Magnitude(mag=mag, magnitude_type="ML")
        events.append(Event(resource_id=f"smi:test/event/{i}", origins=[origin], magnitudes=[magnitude],
                            preferred_origin_id=origin.resource_id, preferred_magnitude_id=magnitude.resource_id))
    path = tmp_path / "events.xml"
    Catalog(events=events).write(str(path), format="QUAKEML")
    return path


def stations_at(distances_km: list[float]) -> pd.DataFrame:
    """Stations due north of the epicentre at the given distances (km)."""
    return pd.DataFrame({
        "network": "XX", "station": [f"S{int(d)}" for d in distances_km], "location": "", "channels": "HH?",
        "latitude": [46.0 + kilometers2degrees(d) for d in distances_km], "longitude": 8.0,
    })


def test_windows_from_hand_checked_travel_times(quakeml):
    events = events_table(read_events(str(quakeml)))
    assert list(events["magnitude"]) == [3.0, 1.5] and events["depth_km"].iloc[0] == 10.0
    p = CatalogueParameters(min_magnitude=2.0, max_distance_km=300, margin_before_p_s=5, coda_s=20, coda_factor=1)
    table = earthquake_annotations(events, stations_at([100.0, 400.0]), p, CLASSES)
    assert list(table["station"]) == ["S100"]  # 400 km is too far; the M1.5 event is too small
    row = table.iloc[0]
    # Hand check in iasp91's upper crust (vp 5.8, vs 3.36 km/s, 20 km thick): from 10 km depth at 100 km,
    # the direct waves come first: P = sqrt(100^2 + 10^2) / 5.8 = 17.33 s, S = 100.5 / 3.36 = 29.91 s
    # (Pn: 100 / 8.04 + 30 cos(asin(5.8 / 8.04)) / 5.8 + 30 cos(asin(6.5 / 8.04)) / 6.5 = 18.74 s, later).
    tp, ts = UTCDateTime(row["p_time"]) - ORIGIN, UTCDateTime(row["s_time"]) - ORIGIN
    assert tp == pytest.approx(17.33, abs=0.1) and ts == pytest.approx(29.91, abs=0.1)
    assert row["distance_km"] == pytest.approx(100.0, abs=0.1)  # WGS84 vs spherical degrees: 99.97 km
    assert UTCDateTime(row["start"]) - ORIGIN == pytest.approx(tp - 5.0, abs=1e-3)
    assert UTCDateTime(row["end"]) - ORIGIN == pytest.approx(ts + 20.0 + (ts - tp), abs=1e-3)
    assert (row["label"], row["channel"]) == ("earthquake", "HH?")


def test_output_is_a_valid_annotation_table(quakeml, tmp_path):
    table = earthquake_annotations(events_table(read_events(str(quakeml))), stations_at([50.0]),
                                   CatalogueParameters(), CLASSES)
    table.to_csv(tmp_path / "a.csv", index=False)
    annotations = read_annotations([str(tmp_path / "a.csv")], CLASSES)
    assert len(annotations) == 1 and annotations["t1"].iloc[0] > annotations["t0"].iloc[0]


def test_label_must_be_a_configured_class_and_stations_need_coordinates(quakeml):
    events = events_table(read_events(str(quakeml)))
    with pytest.raises(ConfigError, match="catalogue.label 'earthquake' is not one of"):
        earthquake_annotations(events, stations_at([50.0]), CatalogueParameters(), ["silence", "surface"])
    unlocated = stations_at([50.0]).assign(latitude=np.nan)
    assert earthquake_annotations(events, unlocated, CatalogueParameters(), CLASSES).empty


def test_events_from_the_fdsn_event_service(quakeml):
    service = FDSNService([], [], quakeml)
    with FDSNServer(service) as server:
        p = FdsnParameters(provider=server.url, timeout_s=5, retries=2, backoff_s=0.01)
        client = make_client(server.url, p)
        catalog = fetch_events(client, ORIGIN - 60, ORIGIN + 7200, 46.0, 8.0, 300.0, 2.0)
        assert len(catalog) == 1 and catalog[0].preferred_magnitude().mag == 3.0
        assert len(fetch_events(client, ORIGIN + 9000, ORIGIN + 9999, 46.0, 8.0, 300.0, 2.0)) == 0  # 204
