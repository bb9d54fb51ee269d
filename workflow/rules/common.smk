# Shared definitions: stations, station-days, paths and targets.
import dataclasses
import os

from seisclass.data.labels import check_classes
from seisclass.acquire.planning import annotation_csvs, plan_sources
from seisclass.acquire.stations import chunk_span, day_chunks, read_station_table


STATIONS = {s.id: s for s in (read_station_table(config["stations"]) if config.get("stations") else [])}
DAYS = day_chunks(config["start"], config["end"])
# Real-data sources (issue 3): mseed_dir stations derived from the directory index,
# their days (only days with data), FDSN providers checked before any job runs.
SOURCES = plan_sources(STATIONS, DAYS, config)
STATIONS = SOURCES.stations
config["annotations"] = annotation_csvs(config)  # a string from --config is one path
CLASSES = check_classes(config["classes"])
DEMO_STATIONS = [s for s in STATIONS.values() if s.source == "demo"]
# Earthquakes of the demo are shared by all demo stations, placed around their centre.
DEMO_CENTER = [
    sum(s.latitude for s in DEMO_STATIONS) / max(len(DEMO_STATIONS), 1),
    sum(s.longitude for s in DEMO_STATIONS) / max(len(DEMO_STATIONS), 1),
]
CONDA_CORE = "../../envs/core.yaml"
CONDA_ML = "../../envs/ml.yaml"


def station_of(wildcards):
    """The Station of a {station} wildcard, or a clear error naming it and the known ones."""
    try:
        return STATIONS[wildcards.station]
    except KeyError:
        raise ValueError(
            f"unknown station {wildcards.station!r}: not in the station table or the miniSEED "
            f"directory index; known stations: {sorted(STATIONS)}"
        ) from None


def station_days(pattern):
    """Expand a path pattern with {station} and {day} over every station-day."""
    return [pattern.format(station=s, day=d) for s in STATIONS for d in SOURCES.days[s]]


def raw_waveforms(wildcards):
    """Raw day file of a station-day, produced by the rule of the station's source."""
    source = station_of(wildcards).source
    return f"results/raw/{source}/{wildcards.station}/{wildcards.day}.mseed"


def span_of(wildcards):
    """[t0, t1) of a station-day as epoch seconds."""
    t0, t1 = chunk_span(wildcards.day, config["start"], config["end"])
    return [t0.timestamp, t1.timestamp]


def station_keys(wildcards):
    s = station_of(wildcards)
    return {"network": s.network, "station": s.station, "location": s.location, "channel": s.band_code}


def annotation_files(wildcards):
    """User annotation CSVs plus, for demo stations, the generator's annotations."""
    files = annotation_csvs(config)
    if station_of(wildcards).source == "demo":
        files.append(f"results/raw/demo/{wildcards.station}/{wildcards.day}.annotations.csv")
    if config.get("catalogue", {}).get("enabled"):
        files.append("results/labels/catalogue/annotations.csv")
    return files


# Final targets (collected by the default target in the Snakefile); each stage
# file appends its own with TARGETS += [...].
TARGETS = []


def station_inventory(wildcards):
    """StationXML of a station (fdsn, or sds/mseed_dir with StationXML configured); [] if none."""
    path = SOURCES.stationxml.get(wildcards.station)
    return [path] if path else []


# Applying models (apply.smk, explain.smk): model files and input functions.
MODEL_FILES = {"rf": "results/models/rf.joblib", "cnn": "results/models/cnn.pt", "lstm": "results/models/lstm.pt"}


def applied_model(wildcards):
    """Model file behind {applied}: a model of this run, or the saved one for `classify`."""
    if wildcards.applied == "classify":
        path = config.get("classify", {}).get("model", "models/rf.joblib")
        if os.path.normpath(path) in MODEL_FILES.values():
            raise ValueError(f"classify.model: {path} is written by training, so `classify` would retrain; "
                             "copy it elsewhere (e.g. models/) and point classify.model there")
        return path
    return MODEL_FILES[wildcards.applied]


def waveforms_for_deep(wildcards):
    """Deep models read the waveforms of the station-day; the forest only its features."""
    if applied_model(wildcards).endswith(".joblib"):
        return []
    return f"results/preprocessed/{wildcards.station}/{wildcards.day}.mseed"


def produced_or_nothing(path):
    """``[path]`` when a rule of this workflow writes it, else ``[]`` (checked once all rules are read)."""
    produced = any(str(o) == path for r in workflow.rules for o in r.output)
    return [path] if produced else []


def days_of(station):
    """The days processed for ``station`` (all configured days; mseed_dir: days with data)."""
    return SOURCES.days[station]


def station_row(wildcards):
    """The station's table row as a dict (rebuilt as a Station in the job)."""
    return dataclasses.asdict(station_of(wildcards))


def raw_chunks():
    """(station, day, source) of every station-day, in a fixed order."""
    return [(s, d, STATIONS[s].source) for s in STATIONS for d in SOURCES.days[s]]


def chunk_status_files(wildcards):
    """Status records of all non-demo station-days."""
    return [
        f"results/raw/{STATIONS[s].source}/{s}/{d}.status.json"
        for s in STATIONS
        if STATIONS[s].source != "demo"
        for d in SOURCES.days[s]
    ]
