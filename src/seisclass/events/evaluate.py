"""Event-level skill: reported events against reference events (labelled intervals or the demo's truth).

A reported per-station event **matches** a reference event of the same station when
their time spans overlap. Per event class:

- ``recall``: reference events with at least one matching reported event of their class;
- ``precision``: reported events of the class matching a reference event of the class,
  over all reported events of the class; ``precision_labelled`` counts only reported
  events that overlap some labelled time (a reference event or a background interval),
  so events in unlabelled time (e.g. at stations whose labels were dropped) are left out;
- ``f1`` from ``precision`` and ``recall``.

Also: ``reported_per_reference`` (reported events of any class overlapping a matched
reference event: 1 means each event is reported once), ``missed`` reference events,
``coda_as_other``: the fraction of reference events after whose first reported event a
second one of another class is reported within ``coda_s`` after their end (a coda reported
as an event of its own), and the confusion of matched events (reference class x reported
class).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seisclass.core.vocabulary import epoch_seconds, station_ids


def _spans(table: pd.DataFrame) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per station id: (start s, end s, class/label) arrays."""
    if not len(table):
        return {}
    sid = station_ids(table).to_numpy()
    t0, t1 = epoch_seconds(table["start"]), epoch_seconds(table["end"])
    label = table["label" if "label" in table else "class"].astype(str).to_numpy()
    return {s: (t0[sid == s], t1[sid == s], label[sid == s]) for s in np.unique(sid)}


def event_metrics(events: pd.DataFrame, reference: pd.DataFrame, event_classes: list[str],
                  background: pd.DataFrame | None = None, coda_s: float = 60.0, class_column: str = "class"
                  ) -> dict:
    """Event precision, recall and F1 per class and the counts in the module doc.

    ``events``: per-station events (station keys, ``start``, ``end``, ``class_column``);
    ``reference``: station keys, ``start``, ``end``, ``label`` of the reference events;
    ``background``: labelled background intervals (same columns), for ``precision_labelled``.
    """
    reported = events.rename(columns={class_column: "label"})[["network", "station", "location", "start", "end",
                                                                "label"]] if len(events) else events
    ref = _spans(reference[reference["label"].astype(str).isin(event_classes)]) if len(reference) else {}
    rep = _spans(reported)
    back = _spans(background) if background is not None and len(background) else {}
    out: dict = {"classes": {}}
    confusion = pd.DataFrame(0, index=event_classes, columns=[*event_classes, "missed"])
    per_reference, coda_hits, n_reference = [], 0, 0
    for sid, (r0, r1, rl) in ref.items():
        e0, e1, el = rep.get(sid, (np.zeros(0), np.zeros(0), np.zeros(0, dtype=object)))
        overlap = (e0[None, :] < r1[:, None]) & (e1[None, :] > r0[:, None])
        for i in range(len(r0)):  # reference events of one station: a handful
            n_reference += 1
            hit = overlap[i]
            per_reference.append(int(hit.sum()))
            if not hit.any():
                confusion.loc[rl[i], "missed"] += 1
            else:
                matched = el[hit]
                confusion.loc[rl[i], rl[i] if rl[i] in matched else matched[0]] += 1
            near = np.flatnonzero((e0 < r1[i] + coda_s) & (e1 > r0[i]))
            near = near[np.argsort(e0[near])]
            coda_hits += bool(len(near) > 1 and (el[near[1:]] != rl[i]).any())
    for c in event_classes:
        n_ref = int(sum((rl == c).sum() for _, _, rl in ref.values()))
        found = int(confusion.loc[c, c])
        tp = labelled_fp = unlabelled_fp = 0
        for sid, (e0, e1, el) in rep.items():
            r0, r1, rl = ref.get(sid, (np.zeros(0), np.zeros(0), np.zeros(0, dtype=object)))
            b0, b1, _ = back.get(sid, (np.zeros(0), np.zeros(0), None))
            mine = el == c
            same = ((e0[mine][:, None] < r1[None, :]) & (e1[mine][:, None] > r0[None, :]) & (rl[None, :] == c)).any(1)
            labelled = ((e0[mine][:, None] < r1[None, :]) & (e1[mine][:, None] > r0[None, :])).any(1) | \
                ((e0[mine][:, None] < b1[None, :]) & (e1[mine][:, None] > b0[None, :])).any(1)
            tp += int(same.sum())
            labelled_fp += int((~same & labelled).sum())
            unlabelled_fp += int((~same & ~labelled).sum())
        reported_c = tp + labelled_fp + unlabelled_fp
        precision = tp / reported_c if reported_c else None
        recall = found / n_ref if n_ref else None
        f1 = (2 * precision * recall / (precision + recall)
              if precision is not None and recall is not None and precision + recall > 0 else None)
        out["classes"][c] = {
            "precision": precision, "precision_labelled": tp / (tp + labelled_fp) if tp + labelled_fp else None,
            "recall": recall, "f1": f1, "reference_events": n_ref, "reported_events": reported_c,
            "false_in_labelled_time": labelled_fp, "in_unlabelled_time": unlabelled_fp}
    matched = [n for n in per_reference if n > 0]
    out["reference_events"] = n_reference
    out["missed"] = int(sum(n == 0 for n in per_reference))
    out["reported_per_reference"] = float(np.mean(matched)) if matched else None
    out["coda_as_other"] = coda_hits / n_reference if n_reference else None
    out["confusion"] = {"rows": event_classes, "columns": list(confusion.columns),
                        "matrix": confusion.to_numpy().tolist()}
    return out


def reference_events(annotations: pd.DataFrame, truth: pd.DataFrame | None, event_classes: list[str],
                     background_classes: list[str], min_snr_db: float | None = None
                     ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(reference events, background intervals)`` from annotations and, where given, true events.

    Stations with a truth table (the demo) are scored against its events that the
    station can see (``snr_db >= min_snr_db`` when the table has the column); the others
    against their annotated intervals of the event classes. Background intervals are the
    annotations of the background classes. Times become UTC timestamps.
    """
    from seisclass.core.vocabulary import to_timestamps

    def timed(table: pd.DataFrame) -> pd.DataFrame:
        out = table[["network", "station", "location", "label"]].copy().reset_index(drop=True)
        if "t0" in table:
            out["start"], out["end"] = to_timestamps(table["t0"].to_numpy()), to_timestamps(table["t1"].to_numpy())
        else:
            out["start"] = pd.to_datetime(table["start"].to_numpy(), utc=True, format="ISO8601")
            out["end"] = pd.to_datetime(table["end"].to_numpy(), utc=True, format="ISO8601")
        return out

    annotated = timed(annotations) if len(annotations) else pd.DataFrame(
        columns=["network", "station", "location", "label", "start", "end"])
    parts = [annotated[annotated["label"].isin(event_classes)]]
    if truth is not None and len(truth):
        visible = truth
        if min_snr_db is not None and "snr_db" in truth:
            visible = truth[pd.to_numeric(truth["snr_db"]) >= min_snr_db]
        true = timed(visible)
        covered = set(station_ids(timed(truth)))
        parts = [parts[0][~station_ids(parts[0]).isin(covered)] if len(parts[0]) else parts[0],
                 true[true["label"].isin(event_classes)]]
    reference = pd.concat(parts, ignore_index=True)
    background = annotated[annotated["label"].isin(background_classes)].reset_index(drop=True)
    return reference, background


def covered_by(reference: pd.DataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    """The reference events of ``reference`` that some window of ``windows`` (same station) overlaps.

    A cross-validation predicts only its folds (the test split stays out): events
    outside them cannot be found and are not scored.
    """
    if not len(reference) or not len(windows):
        return reference.iloc[:0]
    keep = np.zeros(len(reference), bool)
    ref_sid, win_sid = station_ids(reference).to_numpy(), station_ids(windows).to_numpy()
    r0, r1 = epoch_seconds(reference["start"]), epoch_seconds(reference["end"])
    w0, w1 = epoch_seconds(windows["start"]), epoch_seconds(windows["end"])
    for sid in np.unique(ref_sid):  # per station: sorted window starts, one search per reference event
        mine = win_sid == sid
        if not mine.any():
            continue
        order = np.argsort(w0[mine])
        starts, ends = w0[mine][order], np.maximum.accumulate(w1[mine][order])
        rows = np.flatnonzero(ref_sid == sid)
        last = np.searchsorted(starts, r1[rows], side="left") - 1  # the last window starting before the end
        keep[rows] = (last >= 0) & (ends[np.maximum(last, 0)] > r0[rows])
    return reference[keep]
