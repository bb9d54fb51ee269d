"""Command line: apply a saved model to miniSEED files, an SDS archive or an FDSN service; show a model.

::

    seisclass classify --model MODEL INPUT... --out DIR [--keep-going] [--jobs N]
    seisclass classify --model MODEL --sds ROOT --stations NET.STA[,..] --start T --end T --out DIR
    seisclass classify --model MODEL --fdsn PROVIDER --stations NET.STA[,..] --start T --end T --out DIR
    seisclass info MODEL [--verbose | --json]

``classify`` groups its input as ObsPy and SDS do, by network, station, location, band and
UTC day (:mod:`seisclass.acquire.units`): a folder with one file per channel, day files and
event files all classify the same way. It writes the event catalogue
(:mod:`seisclass.events.catalogue`): ``DIR/events.csv`` (one row per per-station event),
``DIR/network_events.csv`` and ``DIR/events.xml`` (QuakeML), plus
``DIR/probabilities.parquet`` (every complete grid window, ``p_<class>``) and
``DIR/segments.csv`` (runs of one most likely class). One station-day is in memory at a
time, ``--jobs N`` of them in parallel.

Exit status: 0 when everything was classified; 1 on an error (a damaged file, a model that
does not fit the data, a selection that matches nothing), naming it; with ``--keep-going``
damaged files and station-days the model cannot use are skipped and listed in
``DIR/skipped.csv`` (``input, reason``), and the exit status is 3 when anything was skipped.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
from pathlib import Path

import pandas as pd

from seisclass.core.vocabulary import TIME_FORMAT
from seisclass.learn.loading import load_classifier

log = logging.getLogger("seisclass.cli")
_WORKER: dict = {}  # the model and options of this process (set by _start_worker)
SKIPPED_STATUS = 3  # exit status of a --keep-going run that skipped inputs


class InputError(ValueError):
    """An input or an option is unusable; the message names it."""


# ----------------------------------------------------------------- inputs


def plan_units(args, model) -> tuple[list, pd.DataFrame, dict]:
    """``(units, damaged files, station coordinates)`` of the classify command's input (other files
    found in directories, text or images, are ignored with a warning)."""
    from seisclass.acquire.fdsn import FdsnParameters
    from seisclass.acquire.units import Selection, fdsn_units, file_units, sds_units

    sources = [bool(args.inputs), bool(args.sds), bool(args.fdsn)]
    if sum(sources) != 1:
        raise InputError("give one input: INPUT files/directories, --sds ROOT or --fdsn PROVIDER "
                         "(the last two with --stations, --start and --end)")
    selection = Selection.parse(args.stations, args.channels, args.start, args.end)
    if args.inputs:
        units, damaged, ignored = file_units(args.inputs, selection)
        for row in ignored.itertuples():
            log.warning("%s: ignored, not miniSEED", row.file)
        return units, damaged, {}
    if args.sds:
        return sds_units(args.sds, selection), pd.DataFrame(columns=["file", "reason"]), {}
    units, coordinates = fdsn_units(args.fdsn, selection, FdsnParameters(provider=args.fdsn), model.sampling_rate)
    return units, pd.DataFrame(columns=["file", "reason"]), coordinates


def check_options(args, model) -> tuple[str, ...]:
    """Options checked before any work: the excluded classes exist, the inventory is StationXML."""
    exclude = tuple(filter(None, (args.exclude or "").split(",")))
    unknown = sorted(set(exclude) - set(model.classes_))
    if unknown:
        raise InputError(f"--exclude {args.exclude}: {unknown} not among the model's classes {model.classes_}")
    if args.inventory:
        from obspy import read_inventory

        if not Path(args.inventory).is_file():
            raise InputError(f"--inventory {args.inventory}: no such file")
        try:
            args.inventory_object = read_inventory(args.inventory)
        except Exception as exc:  # noqa: BLE001 - ObsPy raises TypeError/ValueError/XML errors
            raise InputError(f"--inventory {args.inventory}: not StationXML ({type(exc).__name__}: {exc})") from None
    else:
        args.inventory_object = None
    return exclude


# ----------------------------------------------------------------- workers


def _start_worker(model_path: str, inventory, threads: int | None, fdsn: str | None, cache: str,
                  model=None) -> None:
    """Load the model (once per process, unless the caller's is passed) and the options every unit needs."""
    from seisclass.acquire.fdsn import FdsnParameters

    model = model or load_classifier(model_path)
    if threads is not None:
        if model.reads == "waveforms":
            import torch

            torch.set_num_threads(threads)
        else:
            model.set_threads(threads)
    _WORKER.update(model=model, inventory=inventory, cache=Path(cache),
                   fdsn=FdsnParameters(provider=fdsn) if fdsn else None)


def _classify_unit(unit) -> dict:
    """Probabilities, events and notes of one unit (in a worker process or in-process); errors as text."""
    from seisclass.acquire.units import read_unit

    model = _WORKER["model"]
    try:
        stream, notes = read_unit(unit, _WORKER["fdsn"], _WORKER["cache"])
        parts = model.station_probabilities(stream, _WORKER["inventory"])
    except ValueError as exc:  # a damaged file, data the model cannot use: named, not a traceback
        return {"unit": str(unit), "error": str(exc), "samples": unit.samples}
    events = [model.station_events(part.table, part.processed) for part in parts]
    domain = [part.domain for part in parts if part.domain is not None]
    return {"unit": str(unit), "table": model._merged([part.table for part in parts]), "notes": notes,
            "events": pd.concat(events, ignore_index=True) if events else None, "samples": unit.samples,
            "domain": pd.concat(domain, ignore_index=True) if domain else None}


def classified_units(units: list, args, cache: str, model):
    """One result per unit, in input order, over ``args.jobs`` processes (``model``: the one loaded here)."""
    options = (args.model, args.inventory_object, 1 if args.jobs > 1 else None, args.fdsn, cache)
    if args.jobs <= 1:
        _start_worker(*options, model=model)
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

    def __init__(self, path: Path, classes: list[str], model: str, domain: bool = False):
        import pyarrow as pa

        from seisclass.core.io import atomic_path

        columns = [(c, pa.string()) for c in ("network", "station", "location", "channel")]
        columns += [(c, pa.timestamp("us", tz="UTC")) for c in ("start", "end")]
        columns += [(f"p_{c}", pa.float64()) for c in classes]
        columns += [("domain_score", pa.float64())] if domain else []
        columns += [("health", pa.string())]  # ok, or the bad stretches of the raw data (dead, clipped, nan)
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
            self.stations |= set(
                table[["network", "station", "location", "channel"]].itertuples(index=False, name=None))
            self.rows += len(table)

    def __exit__(self, *exc) -> bool:
        self._writer.close()
        self._context.__exit__(*exc)
        return False


def write_domain(model, counts: list[pd.DataFrame], path: Path) -> None:
    """``domain.csv``: per station and band, how unlike the training data it is; a warning per flagged one."""
    from seisclass.core.io import write_csv
    from seisclass.learn.domain import flag_messages, station_domain

    if model.domain is None:
        log.info("%s: the model file describes no training domain (a deep model, or an older file): no domain check",
                 model.path)
        return
    stations = station_domain(counts, model.domain)
    write_csv(stations, path, float_format="%.4f")
    for message in flag_messages(stations):
        log.warning(message)


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


class RepeatedWarnings(logging.Filter):
    """Let the first of each warning text through and count the repeats (summarised at the end)."""

    def __init__(self) -> None:
        super().__init__()
        self.counts: dict[str, int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        key = f"{record.name}:{record.msg}"
        self.counts[key] = self.counts.get(key, 0) + 1
        return self.counts[key] == 1

    def summary(self) -> list[str]:
        return [f"{key.split(':', 1)[1][:80]}... repeated {n - 1} more time(s)" for key, n in self.counts.items()
                if n > 1]


# ----------------------------------------------------------------- commands


def classify_command(args) -> int:
    from tqdm import tqdm
    from tqdm.contrib.logging import logging_redirect_tqdm

    from seisclass.core.io import write_csv
    from seisclass.events.catalogue import build_catalogue
    from seisclass.learn.classifier import inventory_coordinates

    model = load_classifier(args.model)  # fails early, before any data are read
    exclude = check_options(args, model)
    units, skipped_files, coordinates = plan_units(args, model)
    skipped = [{"input": row.file, "reason": row.reason} for row in skipped_files.itertuples()]
    if skipped and not args.keep_going:
        raise InputError(f"{skipped[0]['input']}: {skipped[0]['reason']} (use --keep-going to skip damaged files "
                         "and classify the rest)")
    out = Path(args.out)
    log.info("%s on %d station-day(s), %d job(s), output %s", model, len(units), args.jobs, out)
    repeated = RepeatedWarnings()
    logging.getLogger().handlers[0].addFilter(repeated)
    station_events, domain = [], []
    total = sum(u.samples for u in units)
    with ProbabilityWriter(out / "probabilities.parquet", model.classes_, model.name,
                           model.domain is not None and model.reads == "features") as writer, \
            tempfile.TemporaryDirectory(dir=out, prefix=".downloads.") as cache, logging_redirect_tqdm():
        progress = tqdm(total=total or len(units), unit="sample" if total else "station-day", unit_scale=bool(total),
                        disable=args.quiet or None, file=sys.stderr)
        for result in classified_units(units, args, cache, model):
            progress.update(result["samples"] or (0 if total else 1))
            if "error" in result:
                if not args.keep_going:
                    raise InputError(f"{result['unit']}: {result['error']}")
                log.warning("%s: skipped: %s", result["unit"], result["error"])
                skipped.append({"input": result["unit"], "reason": result["error"]})
                continue
            for note in result["notes"]:
                skipped.append({"input": result["unit"], "reason": note})
            writer.write(result["table"])
            if result["events"] is not None and len(result["events"]):
                station_events.append(result["events"])
            if result["domain"] is not None:
                domain.append(result["domain"])
            log.info("%s: %d windows, %d event(s)", result["unit"], len(result["table"]),
                     0 if result["events"] is None else len(result["events"]))
        progress.close()
    segments = station_segments(out / "probabilities.parquet", writer.stations, model, args.smoothing, exclude)
    write_csv(segments, out / "segments.csv", date_format=TIME_FORMAT, float_format="%.4f")
    coordinates = {**coordinates, **inventory_coordinates(args.inventory_object)}
    catalogue = build_catalogue(pd.concat(station_events, ignore_index=True) if station_events else pd.DataFrame(),
                                model.classes_, model.event_parameters(), coordinates, model.name)
    catalogue.write(out)
    write_csv(pd.DataFrame(skipped, columns=["input", "reason"]), out / "skipped.csv")
    write_domain(model, domain, out / "domain.csv")
    for line in repeated.summary():
        log.warning(line)
    log.info("%d windows, %d segments, %d station event(s) in %d network event(s): %s; %d input(s) skipped",
             writer.rows, len(segments), len(catalogue.events), len(catalogue),
             catalogue.network_events["class"].value_counts().to_dict() if len(catalogue) else {}, len(skipped))
    return SKIPPED_STATUS if skipped else 0


def info_command(args) -> int:
    model = load_classifier(args.model, device="cpu")
    if args.json:
        print(json.dumps(model.metadata, indent=2))
    else:
        from seisclass.learn.card import describe

        print(describe(model.metadata, model.path, verbose=args.verbose))
    return 0


def study_set_command(args) -> int:
    """``seisclass study-set``: label a clone's recordings (seisclass.data.study_set)."""
    from seisclass.data.study_set import build_study_set

    provenance = build_study_set(args.clone, args.out, esec_catalogue=args.esec_catalogue,
                                 esec_waveforms=args.esec_waveforms, pnsn_waveforms=args.pnsn_waveforms)
    counts = ", ".join(f"{n} {label}" for label, n in provenance["intervals"].items())
    print(f"{args.out}: {provenance['events']} events, intervals: {counts}; {len(provenance['skipped'])} of "
          f"{provenance['vertical_recordings']} vertical recordings left out (reasons in provenance.json); "
          "source commit "
          f"{provenance['source']['commit'] or 'unknown (not a git clone)'}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="seisclass", description="Classify seismic windows with a saved model.")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and log lines")
    parser.add_argument("--debug", action="store_true", help="show the traceback of errors")
    commands = parser.add_subparsers(dest="command", required=True)

    c = commands.add_parser("classify", help="apply a model to miniSEED files, an SDS archive or an FDSN service")
    c.add_argument("inputs", nargs="*", metavar="INPUT", help="miniSEED files or directories (searched recursively)")
    c.add_argument("--model", required=True, help="model file (.skops forest, .pt CNN/LSTM)")
    c.add_argument("--out", required=True, help="output directory")
    c.add_argument("--sds", metavar="ROOT", help="read an SDS archive instead of files")
    c.add_argument("--fdsn", metavar="PROVIDER", help="download from an FDSN service: an ObsPy provider name (IRIS, "
                   "ETH, GFZ, ...), a base URL, routing:eida or routing:iris-federator")
    c.add_argument("--stations", help="NET.STA[.LOC] list, comma-separated, wildcards allowed (needed by --sds and "
                   "--fdsn; with files: classify only these)")
    c.add_argument("--start", help="first UTC time (ISO 8601; needed by --sds and --fdsn; with files: from then on)")
    c.add_argument("--end", help="end UTC time (exclusive)")
    c.add_argument("--channels", help="classify only these channels (ObsPy pattern, e.g. 'HH?'; comma-separated); "
                   "--fdsn without it picks the band that suits the model")
    c.add_argument("--inventory", help="StationXML: needed by models trained on data with the instrument "
                   "response removed; its coordinates associate the stations' events")
    c.add_argument("--keep-going", action="store_true", help="skip damaged files and station-days the model cannot "
                   "use, list them in skipped.csv (exit status 3 when anything was skipped)")
    c.add_argument("--smoothing", type=int, default=3, help="windows in the moving average of the segments")
    c.add_argument("--exclude", help="classes left out of segments.csv, comma-separated (e.g. silence)")
    c.add_argument("--jobs", type=int, default=1, help="parallel processes over station-days")
    c.set_defaults(func=classify_command)

    i = commands.add_parser("info", help="print a model's card (classes, recipe, training data, skill)")
    i.add_argument("model")
    i.add_argument("--verbose", action="store_true", help="also the stations, settings and library versions")
    i.add_argument("--json", action="store_true", help="the full card as JSON")
    i.set_defaults(func=info_command)

    s = commands.add_parser("study-set", help="rebuild the labelled real-data study set from a clone of its source")
    s.add_argument("clone", help="local git clone of PNW_Seismic_Event_Classification (or a folder laid out alike)")
    s.add_argument("out", help="output directory: waveforms/, labels.csv, provenance.json")
    s.add_argument("--esec-catalogue", default="esec/events.csv", help="ESEC catalogue table, relative to CLONE")
    s.add_argument("--esec-waveforms", default="esec/waveforms", help="folder of <eventid>/*.mseed, relative to CLONE")
    s.add_argument("--pnsn-waveforms", default="pnsn", help="folder of uw<eventid>_*.mseed, relative to CLONE")
    s.set_defaults(func=study_set_command)
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
    except (ValueError, OSError, RuntimeError) as exc:  # seisclass errors name the file or key; others are bugs
        if args.debug:
            raise
        print(f"seisclass: error: {exc}", file=sys.stderr)
        return 1
