"""Station reliability: noise against Peterson's models, availability, gaps and event SNR, ranked.

Noise is measured with ObsPy's probabilistic power spectral density
(:class:`obspy.signal.PPSD`, McNamara and Buland 2004) on the *raw* vertical
channel of every station: segments of ``ppsd_length_s`` (50 % overlap; taken
from contiguous data only, gaps are skipped, never zero-filled), each turned
into an acceleration PSD (dB re 1 (m/s^2)^2/Hz) after removing the instrument
response. The response comes from, in this order:

- the station's StationXML (FDSN stations, or ``stationxml`` for SDS and
  miniSEED directories): the real response (``response`` = ``stationxml``);
- the demo generator's known flat sensitivity (``demo.sensitivity`` counts per
  m/s; ``response`` = ``demo sensitivity``);
- otherwise a flat unit response: counts are taken as m/s (``response`` =
  ``unit (counts)``). Levels are then not in physical units: compare such
  stations with each other only when they share an instrument and gain.

``median_noise_db_vs_nlnm`` is the median PSD over all segments minus
Peterson's (1993) new low noise model, averaged over the period bins inside
``noise_band_hz`` (1-10 Hz by default): 0 dB is the quietest site on Earth,
the new high noise model lies some 40-60 dB above it in that band.

``pct_below_nlnm`` and ``pct_above_nhnm`` are the percentages of PSD values
(all segments, period bins in ``noise_band_hz``) below Peterson's NLNM and above
his NHNM (ISPAQ's ``pct_below_nlnm``/``pct_above_nhnm``): a working sensor with
a known response sits between them; a dead one falls far below the NLNM.

The ranking (``rank`` 1 = most reliable) averages four ranks (ties share the
mean rank; a missing value ranks last, as it shows nothing reliable):
availability (higher is better), noise (lower), gaps (fewer) and the median SNR
of labelled event windows (higher: events stand out). A station with a ``dead`` or
``clipped`` channel on any day (``health``, from the sensor health checks of the
availability table, :mod:`seisclass.signal.health`) ranks after every station
without one, however quiet it looks (a constant channel has no noise at all), and
``note`` says why. The work is split like the rest of the workflow:
one job per chunk computes the PPSDs of its stations (:func:`chunk_ppsds`,
saved as a zip of PPSD npz files), one job merges them per station and ranks.
"""

from __future__ import annotations

import io
import json
import logging
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from obspy import Stream

from seisclass.core.config import ConfigSection, check_band, config_section
from seisclass.core.records import StationDay

log = logging.getLogger(__name__)

STATION_COLUMNS = ["network", "station", "location", "channel", "availability", "median_noise_db_vs_nlnm", "gaps",
                   "median_event_snr_db", "rank", "health", "note", "pct_below_nlnm", "pct_above_nhnm",
                   "sampling_rate", "response", "n_psd", "n_event_windows"]
RANKED_LAST = ("dead", "clipped")  # health flags that keep a station from ranking above a healthy one
KNOWN_DB_BINS = (-200.0, -50.0, 1.0)  # PPSD's default: physical units
COUNTS_DB_BINS = (-100.0, 200.0, 1.0)  # counts taken as m/s sit far above the physical range


@config_section("quality")
class QualityParameters(ConfigSection):
    """Config section ``quality``: station reliability (see config/README.md)."""

    ppsd_length_s: float
    noise_band_hz: tuple[float, float]
    noise_classes: tuple[str, ...]
    ppsd_figures: int

    def _check(self) -> None:
        check_band(type(self), "noise_band_hz", self.noise_band_hz, low_inclusive=False)


# ------------------------------------------------------------------ PPSD per chunk


def vertical_channel(stream: Stream) -> str | None:
    """Id of the vertical channel (``Z``, or ``3``) with most samples; else the channel with most samples."""
    from seisclass.signal.windows import ORIENTATION_ALIASES

    if not len(stream):
        return None
    samples: dict[str, int] = {}
    for tr in stream:
        samples[tr.id] = samples.get(tr.id, 0) + tr.stats.npts
    vertical = [i for i in samples if ORIENTATION_ALIASES.get(i[-1]) == "Z"]
    candidates = vertical or list(samples)
    return max(sorted(candidates), key=lambda i: samples[i])


def response_of(trace_id: str, inventories: list, demo_sensitivity: float | None):
    """(PPSD metadata, description, dB bins) for a channel: StationXML, demo sensitivity or unit response."""
    for inventory in inventories:
        if inventory.select(*trace_id.split(".")):
            return inventory, "stationxml", KNOWN_DB_BINS
    if demo_sensitivity:
        paz = {"poles": [], "zeros": [], "gain": 1.0, "sensitivity": float(demo_sensitivity)}
        return paz, "demo sensitivity", KNOWN_DB_BINS
    return {"poles": [], "zeros": [], "gain": 1.0, "sensitivity": 1.0}, "unit (counts)", COUNTS_DB_BINS


def chunk_ppsds(raw: Stream, days: list[StationDay], inventories: list, p: QualityParameters,
                demo_sensitivity: float | None = None) -> dict[str, tuple]:
    """PPSD of the vertical channel of every station of a chunk: ``{channel id: (PPSD, response)}``.

    ``days`` are the chunk's station-days; ``demo_sensitivity`` applies to ``demo`` stations only. A station whose
    traces are all shorter than ``ppsd_length_s`` gets a PPSD without segments.
    """
    import warnings

    from obspy.signal import PPSD

    from seisclass.core.waveforms import select_stations
    from seisclass.signal.preprocess import drop_odd_sampling_rates

    out: dict[str, tuple] = {}
    for sid in dict.fromkeys(day.id for day in days):
        source = next(day.source for day in days if day.id == sid)
        part, _ = drop_odd_sampling_rates(select_stations(raw, [sid]))
        channel = vertical_channel(part)
        if channel is None:
            continue
        traces = part.select(id=channel)
        metadata, response, db_bins = response_of(channel, inventories,
                                                  demo_sensitivity if source == "demo" else None)
        # skip_on_gaps: a gap would otherwise be filled with zeros and enter as segments of no noise at all
        ppsd = PPSD(traces[0].stats, metadata, ppsd_length=p.ppsd_length_s, overlap=0.5, db_bins=db_bins,
                    skip_on_gaps=True)
        with warnings.catch_warnings():  # "trace shorter than ppsd_length" is expected for short files
            warnings.simplefilter("ignore")
            ppsd.add(traces)
        log.info("%s: %d PSD segments of %g s (response: %s)", channel, len(ppsd.times_processed),
                 p.ppsd_length_s, response)
        out[channel] = (ppsd, response)
    return out


def save_ppsds(ppsds: dict[str, tuple], path) -> None:
    """A zip of PPSD npz files (``<channel id>.npz``) and ``responses.json``, byte-reproducible."""
    from seisclass.core.io import atomic_path, reproducible_zip

    bundle_bytes = io.BytesIO()
    with zipfile.ZipFile(bundle_bytes, "w", compression=zipfile.ZIP_STORED) as bundle:
        for channel, (ppsd, _) in ppsds.items():
            buffer = io.BytesIO()
            ppsd.save_npz(buffer)
            bundle.writestr(f"{channel}.npz", reproducible_zip(buffer.getvalue()))
        bundle.writestr("responses.json", json.dumps({c: r for c, (_, r) in ppsds.items()}))
    with atomic_path(path) as tmp:
        tmp.write_bytes(reproducible_zip(bundle_bytes.getvalue()))


def load_ppsds(paths: list) -> dict[str, tuple]:
    """Merge the bundles of :func:`save_ppsds` per channel: ``{channel id: (PPSD, response)}``.

    Loaded with ``allow_pickle=False`` (npz arrays only) through ObsPy's
    ``PPSD.load_npz``/``add_npz``; a channel found in several chunks gets one PPSD.
    """
    from obspy.signal import PPSD

    out: dict[str, tuple] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k, path in enumerate(paths):
            with zipfile.ZipFile(path) as bundle:
                responses = json.loads(bundle.read("responses.json"))
                for channel, response in responses.items():
                    npz = Path(tmp) / f"{k}_{channel}.npz"
                    npz.write_bytes(bundle.read(f"{channel}.npz"))
                    if channel in out:
                        out[channel][0].add_npz(str(npz))
                    else:
                        out[channel] = (PPSD.load_npz(str(npz)), response)
    return out


# ------------------------------------------------------------------ noise levels


def nlnm_at(periods: np.ndarray) -> np.ndarray:
    """Peterson's new low noise model (dB re 1 (m/s^2)^2/Hz) at ``periods`` (s; held constant beyond 0.1-1e5 s)."""
    from obspy.signal.spectral_estimation import get_nlnm

    model_periods, model_db = get_nlnm()  # periods decreasing
    order = np.argsort(model_periods)
    return np.interp(np.log10(periods), np.log10(model_periods[order]), model_db[order])


def nhnm_at(periods: np.ndarray) -> np.ndarray:
    """Peterson's new high noise model (dB re 1 (m/s^2)^2/Hz) at ``periods`` (s; held constant beyond its range)."""
    from obspy.signal.spectral_estimation import get_nhnm

    model_periods, model_db = get_nhnm()
    order = np.argsort(model_periods)
    return np.interp(np.log10(periods), np.log10(model_periods[order]), model_db[order])


def percent_outside_models(ppsd, band_hz: tuple[float, float]) -> tuple[float, float]:
    """``(% below NLNM, % above NHNM)`` of the PSD values of all segments in the period bins of ``band_hz``.

    NaN without segments or without a period bin in the band.
    """
    periods, _, values = psd_matrix(ppsd)
    inside = band_mask(periods, band_hz)
    if not len(values) or not inside.any():
        return float("nan"), float("nan")
    part = values[:, inside]
    return (float(100.0 * np.mean(part < nlnm_at(periods[inside]))),
            float(100.0 * np.mean(part > nhnm_at(periods[inside]))))


def psd_matrix(ppsd) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(period bin centres (s), segment start times (epoch s), PSDs (segments x periods, dB))."""
    periods = np.asarray(ppsd.period_bin_centers, float)
    values = np.asarray(ppsd.psd_values, float).reshape(-1, len(periods))
    times = np.array([t.timestamp for t in ppsd.times_processed], float)
    return periods, times, values


def band_mask(periods: np.ndarray, band_hz: tuple[float, float]) -> np.ndarray:
    """Period bins inside the frequency band ``[low, high]`` Hz."""
    return (periods >= 1.0 / band_hz[1]) & (periods <= 1.0 / band_hz[0])


def noise_db_vs_nlnm(ppsd, band_hz: tuple[float, float], hours: tuple[float, float] | None = None) -> float:
    """Median PSD minus NLNM (dB), averaged over the period bins of ``band_hz``.

    ``hours`` (UTC, ``[from, to)``, wrapping past midnight when from > to)
    restricts the segments by their start's hour of day. NaN without segments
    or without a period bin in the band (a band above the Nyquist frequency).
    """
    periods, times, values = psd_matrix(ppsd)
    inside = band_mask(periods, band_hz)
    if hours is not None and len(times):
        hour = (times % 86400.0) / 3600.0
        a, b = hours
        values = values[(hour >= a) & (hour < b)] if a <= b else values[(hour >= a) | (hour < b)]
    if not len(values) or not inside.any():
        return float("nan")
    return float(np.mean(np.median(values[:, inside], axis=0) - nlnm_at(periods[inside])))


def noise_by_hour(ppsd, band_hz: tuple[float, float]) -> pd.Series:
    """Median noise (dB re NLNM, averaged over ``band_hz``) per UTC hour of the segment start (0-23)."""
    periods, times, values = psd_matrix(ppsd)
    inside = band_mask(periods, band_hz)
    if not len(values) or not inside.any():
        return pd.Series(dtype=float, name="noise_db_vs_nlnm").rename_axis("hour")
    level = (values[:, inside] - nlnm_at(periods[inside])).mean(axis=1)
    hour = ((times % 86400.0) // 3600.0).astype(int)
    return pd.Series(level).groupby(hour).median().rename("noise_db_vs_nlnm").rename_axis("hour")


# ------------------------------------------------------------------ ranking


def station_table(ppsds: dict[str, tuple], availability: pd.DataFrame, dataset: pd.DataFrame | None,
                  classes: list[str], p: QualityParameters) -> pd.DataFrame:
    """One row per station (:data:`STATION_COLUMNS`), best (``rank`` 1) first.

    ``availability`` is ``results/availability/availability.tsv`` (``station``
    id, ``channel``, ``coverage``, ``gaps`` per station-day and channel);
    ``dataset`` the assembled windows (``network, station, location, label,
    snr``). Stations without PPSD (no data) still get a row from availability.
    """
    from seisclass.core.vocabulary import station_id, station_ids

    rows = {}
    for channel_id, (ppsd, response) in ppsds.items():
        network, station, location, channel = channel_id.split(".")
        sid = station_id(network, station, location)
        below, above = percent_outside_models(ppsd, p.noise_band_hz)
        rows[sid] = {"network": network, "station": station, "location": location, "channel": channel,
                     "median_noise_db_vs_nlnm": noise_db_vs_nlnm(ppsd, p.noise_band_hz),
                     "pct_below_nlnm": below, "pct_above_nhnm": above,
                     "sampling_rate": float(ppsd.sampling_rate), "response": response,
                     "n_psd": len(ppsd.times_processed)}
    avail = availability[availability["channel"].fillna("").astype(str) != ""] if len(availability) else availability
    for sid, part in (avail.groupby("station") if len(avail) else []):
        row = rows.setdefault(sid, {**dict(zip(["network", "station", "location"], (sid.split(".") + [""])[:3],
                                               strict=True)),
                                    "channel": str(part["channel"].iloc[0]), "median_noise_db_vs_nlnm": np.nan,
                                    "sampling_rate": np.nan, "response": "", "n_psd": 0})
        same = part[part["channel"] == row["channel"]]
        same = same if len(same) else part
        per_day = same.groupby("day")[["coverage", "gaps"]].max()  # one channel per station-day
        row["availability"] = float(per_day["coverage"].mean())
        row["gaps"] = int(per_day["gaps"].sum())
    events = [c for c in classes if c not in p.noise_classes]
    if dataset is not None and len(dataset):
        labelled = dataset[dataset["label"].isin(events)]
        snr = labelled.groupby(station_ids(labelled).to_numpy())["snr"].agg(["median", "size"])
        for sid, row in rows.items():
            row["median_event_snr_db"] = float(snr["median"].get(sid, np.nan))
            row["n_event_windows"] = int(snr["size"].get(sid, 0))
    for sid, (health, note) in station_health(avail).items():
        if sid in rows:
            rows[sid]["health"], rows[sid]["note"] = health, note
    table = pd.DataFrame(list(rows.values())).reindex(columns=STATION_COLUMNS)
    table["n_event_windows"] = table["n_event_windows"].fillna(0).astype(int)
    table["health"] = table["health"].astype(object).fillna("ok")
    table["note"] = table["note"].astype(object).fillna("")
    table["rank"] = rank_stations(table)
    return table.sort_values(["rank", "network", "station"], ignore_index=True)


def station_health(availability: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Station id -> (health flags joined by ``+``, note) of the stations with an unhealthy channel-day.

    ``availability`` rows carry the ``health`` of :mod:`seisclass.quality.availability`
    (a table without the column, written before the checks existed, gives nothing).
    The note names each flagged channel and day; a ``dead`` or ``clipped`` station
    is said to be ranked last.
    """
    if not len(availability) or "health" not in availability:
        return {}
    bad = availability[~availability["health"].fillna("").astype(str).isin(["", "ok"])]
    out = {}
    for sid, part in bad.groupby("station"):
        flags = sorted({f for text in part["health"] for f in str(text).split("+")})
        where = "; ".join(f"{row.channel} {row.day}: {row.health}" for row in part.itertuples())
        last = [f for f in flags if f in RANKED_LAST]
        note = (f"ranked last: {' and '.join(last)} ({where})" if last else where)
        out[sid] = ("+".join(flags), note)
    return out


def rank_stations(table: pd.DataFrame) -> np.ndarray:
    """Overall rank (1 = best): the order of the mean of four criterion ranks (see the module docstring).

    A missing value (no PSD segment, no labelled event window) ranks last in
    its criterion: what was not measured is not shown to be reliable. A station
    whose ``health`` holds a flag of :data:`RANKED_LAST` ranks after all others.
    """
    if not len(table):
        return np.zeros(0, int)
    health = table["health"] if "health" in table else pd.Series("", index=table.index)
    faulty = health.fillna("").astype(str).str.split("+").map(lambda flags: any(f in RANKED_LAST for f in flags))
    ranks = pd.DataFrame({
        "availability": table["availability"].rank(ascending=False, na_option="bottom"),
        "noise": table["median_noise_db_vs_nlnm"].rank(ascending=True, na_option="bottom"),
        "gaps": table["gaps"].rank(ascending=True, na_option="bottom"),
        "snr": table["median_event_snr_db"].rank(ascending=False, na_option="bottom"),
    })
    score = ranks.mean(axis=1) + faulty.to_numpy() * (len(table) + 1)  # mean ranks lie in [1, n]
    return score.rank(method="min").astype(int).to_numpy()
