"""Annotations from an STA/LTA trigger: label event onsets in unannotated recordings.

For recordings cut around known events (one event per trace, no pick stored),
the classic STA/LTA characteristic function of ObsPy
(:func:`obspy.signal.trigger.classic_sta_lta`, with
:func:`obspy.signal.trigger.trigger_onset`) finds the onset. Of several
triggers in a trace the one with the highest STA/LTA peak is taken, so
spikes and weak precursors before the event lose to the event itself. The
onset labels ``event_label`` from the onset to ``onset + coda_s`` and
``background_label`` from the trace start to ``onset - margin_s``; the rows use
the trace's own network, station, location and channel (no wildcards), in the
annotation columns of :mod:`seisclass.data.labels`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from obspy import Stream, Trace, UTCDateTime
from obspy.signal.trigger import classic_sta_lta, trigger_onset

from seisclass.core.vocabulary import ANNOTATION_COLUMNS


@dataclass(frozen=True)
class TriggerParameters:
    """STA/LTA settings (seconds, Hz, dimensionless thresholds).

    ``freqmin``/``freqmax``: causal band-pass applied before the trigger (a
    zero-phase filter would smear energy ahead of the onset); ``None`` for
    either skips the filter. ``threshold_on``/``threshold_off``: STA/LTA ratio
    that opens and closes a trigger. The first ``lta_s`` seconds of a trace
    cannot trigger (the LTA is still filling).
    """

    sta_s: float = 1.0
    lta_s: float = 20.0
    threshold_on: float = 5.0
    threshold_off: float = 1.5
    freqmin: float | None = 1.0
    freqmax: float | None = 15.0


def sta_lta_onset(trace: Trace, p: TriggerParameters = TriggerParameters()) -> UTCDateTime | None:
    """Onset time of the strongest STA/LTA trigger in ``trace``; ``None`` if none fires."""
    sr = trace.stats.sampling_rate
    nsta, nlta = int(round(p.sta_s * sr)), int(round(p.lta_s * sr))
    if nsta < 1 or nlta <= nsta:
        raise ValueError(f"{trace.id}: need 0 < sta_s < lta_s at {sr:g} Hz, got {p.sta_s:g}, {p.lta_s:g} s")
    if trace.stats.npts <= nlta:
        return None
    tr = trace.copy()
    tr.data = tr.data.astype(np.float64)
    tr.detrend("demean")
    if p.freqmin is not None and p.freqmax is not None:
        tr.filter("bandpass", freqmin=p.freqmin, freqmax=min(p.freqmax, 0.45 * sr), corners=4, zerophase=False)
    cft = classic_sta_lta(tr.data, nsta, nlta)
    onsets = trigger_onset(cft, p.threshold_on, p.threshold_off)
    if len(onsets) == 0:
        return None
    peaks = [cft[on : off + 1].max() for on, off in onsets]
    return trace.stats.starttime + onsets[int(np.argmax(peaks))][0] / sr


def sta_lta_annotations(
    stream: Stream,
    event_label: str,
    background_label: str,
    coda_s: float = 40.0,
    margin_s: float = 5.0,
    p: TriggerParameters = TriggerParameters(),
) -> pd.DataFrame:
    """Annotation rows (``seisclass.data.labels.ANNOTATION_COLUMNS``) from one onset per trace.

    ``event_label`` covers ``[onset, min(onset + coda_s, trace end)]``;
    ``background_label`` covers ``[trace start, onset - margin_s]`` when that
    span is positive. A trace without a trigger gives no rows. Times are ISO
    8601 UTC strings.
    """
    if coda_s <= 0 or margin_s < 0:
        raise ValueError(f"coda_s must be > 0 and margin_s >= 0 (seconds), got {coda_s:g}, {margin_s:g}")
    rows = []
    for trace in stream:
        onset = sta_lta_onset(trace, p)
        if onset is None:
            continue
        s = trace.stats
        ids = [s.network, s.station, s.location, s.channel]
        if onset - margin_s > s.starttime:
            rows.append([*ids, _iso(s.starttime), _iso(onset - margin_s), background_label])
        rows.append([*ids, _iso(onset), _iso(min(onset + coda_s, s.endtime)), event_label])
    return pd.DataFrame(rows, columns=list(ANNOTATION_COLUMNS))


def _iso(t: UTCDateTime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
