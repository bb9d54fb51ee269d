"""Where a station-day's time goes on the apply path: CPU seconds per stage, in one process.

``python -m benchmarks.station_day_stages MODEL FILE`` loads ``MODEL`` and runs the stages of
``seisclass classify`` on the miniSEED ``FILE`` (one station-day) one after the other, printing the
process CPU time of each (``time.process_time``: less distorted by other load than wall time).
"""

from __future__ import annotations

import argparse
import time


def _stage(name: str, since: float) -> float:
    print(f"{name:24s} {time.process_time() - since:6.2f} s CPU", flush=True)
    return time.process_time()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("file", help="miniSEED file of one station-day")
    args = parser.parse_args(argv)
    start = t = time.process_time()
    import obspy

    from seisclass.learn.classifier import station_days
    from seisclass.learn.loading import load_classifier
    from seisclass.signal.windows import with_components

    model = load_classifier(args.model)
    t = _stage("imports + model load", t)
    stream = obspy.read(args.file)
    t = _stage("read", t)
    (part, days), = station_days(stream)
    raw = with_components(part, model.components)
    processed, _ = model.recipe.preprocess_days(raw, days, {})
    t = _stage("preprocess", t)
    table, _ = model.recipe.window_table(processed, days, model.recipe.native_rates(raw, days))
    t = _stage("features + context", t)
    probabilities = model.table_probabilities(table, processed)
    t = _stage("model + domain", t)
    probabilities = model.with_health(probabilities, raw, days)
    t = _stage("health", t)
    model.station_events(probabilities, processed)
    _stage("events", t)
    print(f"{'total':24s} {time.process_time() - start:6.2f} s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
