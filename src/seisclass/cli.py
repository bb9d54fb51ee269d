"""Command line: apply a saved model to miniSEED files or an SDS archive, show or convert a model.

::

    seisclass classify --model MODEL INPUT... --out DIR [--jobs N]
    seisclass classify --model MODEL --sds ROOT --stations NET.STA[,..] --start T --end T --out DIR
    seisclass info MODEL

``classify`` writes the event catalogue (:mod:`seisclass.events.catalogue`):
``DIR/events.csv`` (one row per per-station event), ``DIR/network_events.csv`` and
``DIR/events.xml`` (QuakeML), plus ``DIR/probabilities.parquet`` (``network, station,
location, channel, start, end, p_<class>``: every complete grid window) and
``DIR/segments.csv`` (runs of one most likely class, :mod:`seisclass.events.segments`).
Each input file (or SDS station-day) is read, preprocessed and classified on its own,
so memory stays flat however many files there are; windows crossing from one file to
the next are not classified. Errors (missing file, not miniSEED, a model that does
not fit the data) end the run with a message and exit status 1.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

import pandas as pd

from seisclass.core.vocabulary import TIME_FORMAT
from seisclass.learn.loading import load_classifier

log = logging.getLogger("seisclass.cli")
_WORKER: dict = {}  # the model and options of this process (set by _start_worker)


class InputError(ValueError):
    """An input is missing or not miniSEED; the message names it."""


# ----------------------------------------------------------------- inputs


def input_files(inputs: list[str]) -> list[Path]:
    """miniSEED files named or found (recursively, sorted) in directories; other files in directories are skipped."""
    from obspy.io.mseed.core import _is_mseed

    files: list[Path] = []
    for name in inputs:
        path = Path(name)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
            mseed = [p for p in found if _is_mseed(str(p))]
            if len(mseed) < len(found):
                log.warning("%s: %d file(s) that are not miniSEED skipped", path, len(found) - len(mseed))
            if not mseed:
                raise InputError(f"{path}: no miniSEED file in this directory")
            files += mseed
        elif path.is_file():
            if path.stat().st_size and not _is_mseed(str(path)):
                raise InputError(f"{path}: not a miniSEED file")
            files.append(path)
        else:
            raise InputError(f"{path}: no such file or directory")
    return files


def sds_units(root: str, stations: str, start: str, end: str) -> list[tuple]:
    """``("sds", root, network, station, location, t0, t1)`` per station and UTC day of ``[start, end)``."""
    from obspy import UTCDateTime

    if not Path(root).is_dir():
        raise InputError(f"--sds {root}: not a directory")
    try:
        t0, t1 = UTCDateTime(start), UTCDateTime(end)
    except Exception as exc:  # noqa: BLE001 - ObsPy raises TypeError/ValueError for bad times
        raise InputError(f"--start/--end: not a time ({exc})") from None
    if t1 <= t0:
        raise InputError(f"--end {end} is not after --start {start}")
    units = []
    for code in filter(None, (s.strip() for s in stations.split(","))):
        parts = code.split(".")
        if len(parts) not in (2, 3):
            raise InputError(f"--stations: {code!r} is not NET.STA or NET.STA.LOC")
        network, station, location = (*parts, "")[:3]
        day = UTCDateTime(t0.date)
        while day < t1:
            units.append(("sds", root, network, station, location, max(day, t0), min(day + 86400, t1)))
            day += 86400
    return units


def read_unit(unit) -> tuple[str, object]:
    """``(label, stream)`` of a work unit: a miniSEED file or an SDS station-day."""
    from seisclass.core.waveforms import read_checked

    if isinstance(unit, Path):
        return str(unit), read_checked(unit)
    from obspy.clients.filesystem.sds import Client

    _, root, network, station, location, t0, t1 = unit
    stream = Client(root).get_waveforms(network, station, location, "*", t0, t1)
    return f"{network}.{station}.{location} {t0.date}", stream.trim(t0, t1, nearest_sample=False)


# ----------------------------------------------------------------- workers


def _start_worker(model_path: str, inventory: str | None, channels: str | None, threads: int | None) -> None:
    """Load the model (once per process) and the options every unit needs."""
    model = load_classifier(model_path)
    if threads is not None:
        if model.reads == "waveforms":
            import torch

            torch.set_num_threads(threads)
        else:
            model.set_threads(threads)
    from obspy import read_inventory

    _WORKER.update(model=model, inventory=read_inventory(inventory) if inventory else None, channels=channels)


def _classify_unit(unit) -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """Probability table and per-station events of one work unit (in a worker process or in-process)."""
    label, stream = read_unit(unit)
    if _WORKER["channels"]:
        stream = stream.select(channel=_WORKER["channels"])
    model = _WORKER["model"]
    parts = model.station_probabilities(stream, _WORKER["inventory"])
    events = [model.station_events(table, processed) for table, processed in parts]
    return label, model._merged([t for t, _ in parts]), pd.concat(events, ignore_index=True) if events else None


def classified_units(units: list, args) -> object:
    """``(label, table, events)`` per unit, in input order, over ``args.jobs`` processes."""
    options = (args.model, args.inventory, args.channels, 1 if args.jobs > 1 else None)
    if args.jobs <= 1:
        _start_worker(*options)
        yield from map(_classify_unit, units)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")  # no fork of a process that may hold torch threads
    with ProcessPoolExecutor(args.jobs, mp_context=context, initializer=_start_worker, initargs=options) as pool:
        yield from pool.map(_classify_unit, units)


# ----------------------------------------------------------------- outputs


class ProbabilityWriter:
    """Append probability tables to one Parquet file (one row group per table), atomically."""

    def __init__(self, path: Path, classes: list[str], model: str):
        import pyarrow as pa

        from seisclass.core.io import atomic_path

        columns = [(c, pa.string()) for c in ("network", "station", "location", "channel")]
        columns += [(c, pa.timestamp("us", tz="UTC")) for c in ("start", "end")]
        columns += [(f"p_{c}", pa.float64()) for c in classes]
        self.schema = pa.schema(columns, metadata={b"seisclass_model": model.encode()})
        self._context = atomic_path(path)
        self._writer = None
        self.stations: set[tuple] = set()
        self.rows = 0

    def __enter__(self) -> ProbabilityWriter:
        import pyarrow.parquet as pq

        tmp = self._context.__enter__()
        self._writer = pq.ParquetWriter(str(tmp), self.schema)
        return self

    def write(self, table: pd.DataFrame) -> None:
        import pyarrow as pa

        if len(table):
            self._writer.write_table(pa.Table.from_pandas(table, schema=self.schema, preserve_index=False))
            self.stations |= set(table[["network", "station", "location", "channel"]].itertuples(index=False, name=None))
            self.rows += len(table)

    def __exit__(self, *exc) -> bool:
        self._writer.close()
        self._context.__exit__(*exc)
        return False


def station_segments(path: Path, stations: set[tuple], model, smoothing: int, exclude: tuple[str, ...]) -> pd.DataFrame:
    """Segments of every station and band, each read back from the probability file on its own."""
    from seisclass.events.segments import detect_segments

    tables = []
    for network, station, location, channel in sorted(stations):
        rows = pd.read_parquet(path, filters=[("network", "==", network), ("station", "==", station),
                                              ("location", "==", location), ("channel", "==", channel)])
        tables.append(detect_segments(rows, model.classes_, model.step_s, smoothing, exclude, model.name))
    empty = pd.DataFrame({c: [] for c in ("network", "station", "location", "channel", "start", "end")})
    return pd.concat(tables, ignore_index=True) if tables else detect_segments(
        empty.assign(**{f"p_{c}": [] for c in model.classes_}), model.classes_, model.step_s, smoothing, exclude,
        model.name)


# ----------------------------------------------------------------- commands


def classify_command(args) -> int:
    from obspy import read_inventory
    from tqdm import tqdm

    from seisclass.core.io import write_csv
    from seisclass.events.catalogue import build_catalogue
    from seisclass.learn.classifier import inventory_coordinates

    if bool(args.inputs) == bool(args.sds):
        raise InputError("give either INPUT files/directories or --sds ROOT with --stations, --start, --end")
    if args.sds and not (args.stations and args.start and args.end):
        raise InputError("--sds needs --stations, --start and --end")
    units = sds_units(args.sds, args.stations, args.start, args.end) if args.sds else input_files(args.inputs)
    if args.inventory and not Path(args.inventory).is_file():
        raise InputError(f"--inventory {args.inventory}: no such file")
    model = load_classifier(args.model)  # fails early, before any data are read
    exclude = tuple(filter(None, (args.exclude or "").split(",")))
    out = Path(args.out)
    log.info("%s on %d input(s), %d job(s), output %s", model, len(units), args.jobs, out)
    station_events = []
    with ProbabilityWriter(out / "probabilities.parquet", model.classes_, model.name) as writer:
        progress = tqdm(total=len(units), unit="input", disable=args.quiet or None, file=sys.stderr)
        for label, table, events in classified_units(units, args):
            writer.write(table)
            if events is not None and len(events):
                station_events.append(events)
            progress.update(1)
            log.info("%s: %d windows, %d event(s)", label, len(table), 0 if events is None else len(events))
        progress.close()
    segments = station_segments(out / "probabilities.parquet", writer.stations, model, args.smoothing, exclude)
    write_csv(segments, out / "segments.csv", date_format=TIME_FORMAT, float_format="%.4f")
    coordinates = inventory_coordinates(read_inventory(args.inventory)) if args.inventory else {}
    catalogue = build_catalogue(pd.concat(station_events, ignore_index=True) if station_events else pd.DataFrame(),
                                model.classes_, model.event_parameters(), coordinates, model.name)
    catalogue.write(out)
    log.info("%d windows, %d segments, %d station event(s) in %d network event(s): %s", writer.rows, len(segments),
             len(catalogue.events), len(catalogue.network_events),
             catalogue.network_events["class"].value_counts().to_dict() if len(catalogue) else {})
    return 0


def info_command(args) -> int:
    model = load_classifier(args.model, device="cpu")
    print(json.dumps(model.metadata, indent=2) if args.json else model.describe())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seisclass", description="Classify seismic windows with a saved model.")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and log lines")
    parser.add_argument("--debug", action="store_true", help="show the traceback of errors")
    commands = parser.add_subparsers(dest="command", required=True)

    c = commands.add_parser("classify", help="apply a model to miniSEED files or an SDS archive")
    c.add_argument("inputs", nargs="*", metavar="INPUT", help="miniSEED files or directories (searched recursively)")
    c.add_argument("--model", required=True, help="model file (.skops forest, .pt CNN/LSTM)")
    c.add_argument("--out", required=True, help="output directory")
    c.add_argument("--sds", metavar="ROOT", help="read an SDS archive instead of files")
    c.add_argument("--stations", help="with --sds: NET.STA[.LOC] list, comma-separated")
    c.add_argument("--start", help="with --sds: first UTC time (ISO 8601)")
    c.add_argument("--end", help="with --sds: end UTC time (exclusive)")
    c.add_argument("--channels", help="classify only these channels (ObsPy pattern, e.g. 'HH?')")
    c.add_argument("--inventory", help="StationXML: needed by models trained on data with the instrument "
                   "response removed")
    c.add_argument("--smoothing", type=int, default=3, help="windows in the moving average before segmenting")
    c.add_argument("--exclude", help="classes left out of segments.csv, comma-separated (e.g. silence)")
    c.add_argument("--jobs", type=int, default=1, help="parallel processes over inputs")
    c.set_defaults(func=classify_command)

    i = commands.add_parser("info", help="print a model's card (classes, preprocessing, training data)")
    i.add_argument("model")
    i.add_argument("--json", action="store_true", help="the full card as JSON")
    i.set_defaults(func=info_command)

    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``seisclass`` and ``python -m seisclass``; returns the exit status."""
    args = build_parser().parse_args(argv)
    if getattr(args, "jobs", 1) < 1:
        args.jobs = 1
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(message)s", force=True)
    logging.captureWarnings(True)
    try:
        return args.func(args)
    except (ValueError, OSError) as exc:  # seisclass errors name the file or key; others are bugs
        if args.debug:
            raise
        print(f"seisclass: error: {exc}", file=sys.stderr)
        return 1
