# Shared definitions: stations, station-days, paths and targets.
from seisclass.labels import check_classes
from seisclass.stations import chunk_span, day_chunks, read_station_table


STATIONS = {s.id: s for s in read_station_table(config["stations"])}
DAYS = day_chunks(config["start"], config["end"])
CLASSES = check_classes(config["classes"])
DEMO_STATIONS = [s for s in STATIONS.values() if s.source == "demo"]
# Earthquakes of the demo are shared by all demo stations, placed around their centre.
DEMO_CENTER = [
    sum(s.latitude for s in DEMO_STATIONS) / max(len(DEMO_STATIONS), 1),
    sum(s.longitude for s in DEMO_STATIONS) / max(len(DEMO_STATIONS), 1),
]
CONDA_CORE = "../../envs/core.yaml"
CONDA_ML = "../../envs/ml.yaml"



def station_days(pattern):
    """Expand a path pattern with {station} and {day} over every station-day."""
    return [pattern.format(station=s, day=d) for s in STATIONS for d in DAYS]


def raw_waveforms(wildcards):
    """Raw day file of a station-day, produced by the rule of the station's source."""
    source = STATIONS[wildcards.station].source
    return f"results/raw/{source}/{wildcards.station}/{wildcards.day}.mseed"


def span_of(wildcards):
    """[t0, t1) of a station-day as epoch seconds."""
    t0, t1 = chunk_span(wildcards.day, config["start"], config["end"])
    return [t0.timestamp, t1.timestamp]


def station_keys(wildcards):
    s = STATIONS[wildcards.station]
    return {"network": s.network, "station": s.station, "location": s.location, "channel": s.band_code}


def annotation_files(wildcards):
    """User annotation CSVs plus, for demo stations, the generator's annotations."""
    files = list(config.get("annotations", []))
    if STATIONS[wildcards.station].source == "demo":
        files.append(f"results/raw/demo/{wildcards.station}/{wildcards.day}.annotations.csv")
    return files


# Final targets (collected by the default target in the Snakefile); each stage
# file appends its own with TARGETS += [...].
TARGETS = []
