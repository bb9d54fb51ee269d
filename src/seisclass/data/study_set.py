"""Rebuild the labelled real-data study set from a local clone of its public source.

The real-data study (``make real-dev``) uses vertical-component recordings of
the public repository "PNW_Seismic_Event_Classification" (MIT licence,
Copyright (c) 2024 Akash Kharita), which mirrored them from public FDSN data
centres:

- surface events (avalanches, landslides, rock falls, debris flows) of the
  IRIS Exotic Seismic Events Catalog (ESEC; Collins et al. / Allstadt et al.,
  USGS data releases, doi 10.5066/P90VGCSK and 10.5066/F7251H3W): a catalogue
  table and ``<eventid>/`` folders of 3-minute windows;
- catalogued PNSN events (mostly local earthquakes): files named
  ``<eventid>_NET.STA.CHA[...].mseed``.

:func:`build_study_set` labels every vertical trace automatically
(:class:`LabelRules`: the catalogue start for surface events, a recursive
STA/LTA onset for earthquakes, the quiet part before the event for silence,
and a signal-to-noise check that drops stations that did not see the event)
and writes ``waveforms/``, ``labels.csv`` (the annotation contract plus an
``event`` column to group by) and ``provenance.json`` (source commit, rules,
counts, what was skipped and why).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.io import atomic_path, write_csv, write_json
from ..core.vocabulary import TIME_FORMAT
from ..core.waveforms import WaveformReadError, read_checked

log = logging.getLogger(__name__)

SOURCE = {
    "repository": "https://github.com/Akashkharita/PNW_Seismic_Event_Classification",
    "licence": "MIT, Copyright (c) 2024 Akash Kharita",
    "surface_events": "IRIS Exotic Seismic Events Catalog (doi 10.5066/P90VGCSK, 10.5066/F7251H3W)",
    "earthquakes": "catalogued PNSN events",
}
ESEC_TIME_FORMAT = "%Y_%m_%d %H%M%S"  # the catalogue's starttime column, UTC
LABEL_COLUMNS = ["network", "station", "location", "channel", "start", "end", "label", "event"]


class StudySetError(ValueError):
    """The clone lacks what the study set is built from."""


@dataclass(frozen=True)
class LabelRules:
    """How intervals are labelled (times in s, frequencies in Hz)."""

    surface_s: float = 90.0  # a surface event: catalogue start to start + surface_s
    onset_band_hz: tuple[float, float] = (1.0, 15.0)  # band of the STA/LTA
    sta_s: float = 1.0
    lta_s: float = 10.0
    trigger_on: float = 4.0
    trigger_off: float = 1.5
    before_onset_s: float = 2.0  # an earthquake: onset - before_onset_s ...
    after_onset_s: float = 40.0  # ... to onset + after_onset_s
    silence_gap_s: float = 10.0  # silence ends this long before the event start (onset or catalogue)
    min_silence_s: float = 20.0  # a recording with a shorter quiet part is left out
    min_rms_ratio: float = 2.0  # event RMS / quiet RMS (onset band) below which a recording is left out


@dataclass(frozen=True)
class Recording:
    """One source file of one event: a surface event (with its catalogue start) or an earthquake."""

    path: Path
    event: str  # ``esec<id>`` or the PNSN event id (``uw...``)
    kind: str  # "surface" or "earthquake"
    catalogue_start: pd.Timestamp | None = None


def esec_recordings(catalogue_csv: Path, waveform_dir: Path) -> list[Recording]:
    """Recordings of the ESEC events whose ``<eventid>/`` folder holds miniSEED files."""
    catalogue = pd.read_csv(catalogue_csv, dtype={"eventid": str})
    missing = {"eventid", "starttime"} - set(catalogue.columns)
    if missing:
        raise StudySetError(f"{catalogue_csv}: no column(s) {sorted(missing)}")
    starts = pd.to_datetime(catalogue["starttime"], format=ESEC_TIME_FORMAT, utc=True)
    recordings = []
    for eventid, start in zip(catalogue["eventid"].str.strip(), starts, strict=True):
        for path in sorted((waveform_dir / eventid).glob("*.mseed")):
            recordings.append(Recording(path, f"esec{eventid}", "surface", start))
    return recordings


def pnsn_recordings(waveform_dir: Path) -> list[Recording]:
    """Recordings named ``<eventid>_<codes>.mseed`` (PNSN event ids start with ``uw``)."""
    return [
        Recording(path, path.name.split("_", 1)[0], "earthquake")
        for path in sorted(waveform_dir.glob("uw*_*.mseed"))
    ]


def onset_time(trace, rules: LabelRules) -> pd.Timestamp | None:
    """First recursive STA/LTA trigger of the band-passed trace (demeaned, detrended; causal filter)."""
    from obspy.signal.trigger import recursive_sta_lta, trigger_onset

    rate = trace.stats.sampling_rate
    filtered = _band_passed(trace, rules)
    ratio = recursive_sta_lta(filtered.data, int(rules.sta_s * rate), int(rules.lta_s * rate))
    triggers = trigger_onset(ratio, rules.trigger_on, rules.trigger_off)
    if len(triggers) == 0:
        return None
    return _timestamp(trace.stats.starttime) + pd.Timedelta(seconds=triggers[0][0] / rate)


def _band_passed(trace, rules: LabelRules):
    filtered = trace.copy()
    filtered.data = filtered.data.astype(np.float64)
    filtered.detrend("demean")
    filtered.detrend("linear")
    low, high = rules.onset_band_hz
    high = min(high, 0.45 * trace.stats.sampling_rate)
    filtered.filter("bandpass", freqmin=low, freqmax=high, zerophase=False)
    return filtered


def label_trace(trace, recording: Recording, rules: LabelRules) -> tuple[list[dict], str]:
    """Silence and event interval of one vertical trace, or none and the reason it is left out.

    A station that did not see the event (RMS ratio below ``min_rms_ratio``) or
    that recorded too little before it (quiet part under ``min_silence_s``) is
    left out whole.
    """
    if recording.kind == "surface":
        event_start = recording.catalogue_start
        interval = (event_start, event_start + pd.Timedelta(seconds=rules.surface_s))
    else:
        event_start = onset_time(trace, rules)
        if event_start is None:
            return [], "no STA/LTA onset"
        interval = (
            event_start - pd.Timedelta(seconds=rules.before_onset_s),
            event_start + pd.Timedelta(seconds=rules.after_onset_s),
        )
    first, last = _timestamp(trace.stats.starttime), _timestamp(trace.stats.endtime)
    if interval[0] < first or interval[1] > last:
        return [], "event interval outside the recording"
    quiet = (first, event_start - pd.Timedelta(seconds=rules.silence_gap_s))
    quiet_s = (quiet[1] - quiet[0]).total_seconds()
    if quiet_s < rules.min_silence_s:
        return [], f"only {max(quiet_s, 0):.1f} s of quiet before the event"
    ratio = _rms_ratio(trace, interval, quiet, rules)
    if not ratio >= rules.min_rms_ratio:
        return [], f"event RMS only {ratio:.2f} x the quiet part"
    return [
        _row(trace, quiet, "silence", recording.event),
        _row(trace, interval, recording.kind, recording.event),
    ], ""


def _rms_ratio(trace, interval, quiet, rules: LabelRules) -> float:
    """RMS of the event interval over that of the quiet part, both in the onset band."""
    filtered = _band_passed(trace, rules)
    event = _slice(filtered, interval)
    noise = _slice(filtered, quiet)
    if event.size == 0 or noise.size == 0:
        return float("nan")
    return float(np.sqrt(np.mean(event**2)) / max(np.sqrt(np.mean(noise**2)), 1e-30))


def _slice(trace, interval) -> np.ndarray:
    start = _timestamp(trace.stats.starttime)
    rate = trace.stats.sampling_rate
    i0 = max(int(round((interval[0] - start).total_seconds() * rate)), 0)
    i1 = max(int(round((interval[1] - start).total_seconds() * rate)), 0)
    return trace.data[i0:i1]


def _row(trace, interval, label: str, event: str) -> dict:
    s = trace.stats
    return {
        "network": s.network,
        "station": s.station,
        "location": s.location,
        "channel": s.channel,
        "start": interval[0].strftime(TIME_FORMAT),
        "end": interval[1].strftime(TIME_FORMAT),
        "label": label,
        "event": event,
    }


def _timestamp(utc) -> pd.Timestamp:
    return pd.Timestamp(utc.ns, unit="ns", tz="UTC")


def build_study_set(
    clone: str | os.PathLike,
    out: str | os.PathLike,
    esec_catalogue: str = "esec/events.csv",
    esec_waveforms: str = "esec/waveforms",
    pnsn_waveforms: str = "pnsn",
    rules: LabelRules = LabelRules(),
) -> dict:
    """Label the clone's vertical recordings and write the study set under ``out``.

    Paths of the catalogue and waveform folders are relative to ``clone``.
    Returns the provenance record (also written to ``provenance.json``).
    """
    clone, out = Path(clone), Path(out)
    recordings = _recordings(clone, esec_catalogue, esec_waveforms, pnsn_waveforms)
    rows, skipped, vertical = [], [], 0
    for recording in recordings:
        labelled, reason = _label_file(recording, rules, out / "waveforms")
        rows += labelled
        vertical += bool(labelled or reason)  # neither: a horizontal component, not part of the set
        if reason:
            skipped.append({"file": str(recording.path.relative_to(clone)), "reason": reason})
    labels = pd.DataFrame(rows, columns=LABEL_COLUMNS)
    write_csv(labels, out / "labels.csv")
    provenance = {
        "source": SOURCE | {"commit": source_commit(clone)},
        "rules": dataclasses.asdict(rules),
        "files": len(recordings),
        "vertical_recordings": vertical,
        "events": int(labels["event"].nunique()),
        "intervals": labels["label"].value_counts().sort_index().to_dict(),
        "skipped": skipped,
    }
    write_json(provenance, out / "provenance.json")
    return provenance


def _recordings(clone: Path, esec_catalogue, esec_waveforms, pnsn_waveforms) -> list[Recording]:
    recordings = []
    if (clone / esec_catalogue).is_file():
        recordings += esec_recordings(clone / esec_catalogue, clone / esec_waveforms)
    if (clone / pnsn_waveforms).is_dir():
        recordings += pnsn_recordings(clone / pnsn_waveforms)
    if not recordings:
        raise StudySetError(
            f"{clone}: no recordings found (looked for {esec_catalogue} with {esec_waveforms}/<eventid>/"
            f"*.mseed and {pnsn_waveforms}/uw*_*.mseed)"
        )
    return recordings


def _label_file(recording: Recording, rules: LabelRules, waveform_out: Path) -> tuple[list[dict], str]:
    """Labels of one file's vertical trace (the file is copied when labelled), or the reason it is not."""
    try:
        stream = read_checked(recording.path)
    except WaveformReadError as error:
        return [], f"unreadable: {error}"
    vertical = [tr for tr in stream if tr.stats.channel.endswith("Z")]
    if not vertical:
        return [], ""  # a horizontal component: not part of the set
    if len(vertical) > 1:
        return [], f"{len(vertical)} vertical traces (gaps or several channels); one is expected"
    trace = vertical[0]
    rows, reason = label_trace(trace, recording, rules)
    if rows:
        target = waveform_out / f"{recording.event}_{trace.id}.mseed"
        _write_vertical(recording.path, trace, len(stream), target)
    return rows, reason


def _write_vertical(source: Path, trace, traces_in_file: int, target: Path) -> None:
    """Copy the file as it is when it holds the vertical trace alone, else write that trace."""
    with atomic_path(target) as tmp:
        if traces_in_file == 1:
            shutil.copyfile(source, tmp)
        else:
            trace.write(str(tmp), format="MSEED")


def source_commit(clone: Path) -> str | None:
    """The clone's ``HEAD`` commit (None when it is not a git checkout or git is missing)."""
    try:
        done = subprocess.run(
            ["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        return None
    if done.returncode != 0:
        return None
    return done.stdout.strip() or None
