# Real-data sources (fdsn, sds, mseed_dir): one job per station-day writes the raw
# chunk results/raw/{source}/{station}/{day}.mseed (empty file = no data) and a status
# record; StationXML per station; the availability table and plot; catalogue labels.
# FDSN jobs hold the resource `fdsn_requests`: cap concurrent requests with
# `snakemake --resources fdsn_requests=2` (unlimited when not given).
TARGETS += [
    "results/availability/availability.tsv",
    "results/plots/availability.png",
]


rule fdsn_stationxml:
    """StationXML (with responses) of an FDSN station for the configured span."""
    output:
        "results/raw/fdsn/{station}/station.xml",
    params:
        station=station_row,
        fdsn=config.get("fdsn", {}),
        span=[config["start"], config["end"]],
    resources:
        fdsn_requests=1,
    log:
        "logs/sources/{station}/stationxml.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/fdsn_stationxml.py"


rule fdsn_station_day:
    """Download one station-day from the FDSN dataselect service (retries, 204 = no data)."""
    input:
        stationxml="results/raw/fdsn/{station}/station.xml",
    output:
        waveforms="results/raw/fdsn/{station}/{day}.mseed",
        status="results/raw/fdsn/{station}/{day}.status.json",
    params:
        station=station_row,
        fdsn=config.get("fdsn", {}),
        span=span_of,
    resources:
        fdsn_requests=1,
    log:
        "logs/sources/{station}/{day}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/fdsn_station_day.py"


rule sds_station_day:
    """Read one station-day from an SDS archive (option root=DIR)."""
    output:
        waveforms="results/raw/sds/{station}/{day}.mseed",
        status="results/raw/sds/{station}/{day}.status.json",
    params:
        station=station_row,
        span=span_of,
    log:
        "logs/sources/{station}/{day}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/sds_station_day.py"


rule mseed_dir_station_day:
    """Read one station-day from an indexed directory of miniSEED files."""
    input:
        index=lambda w: SOURCES.mseed_index[w.station],
    output:
        waveforms="results/raw/mseed_dir/{station}/{day}.mseed",
        status="results/raw/mseed_dir/{station}/{day}.status.json",
    params:
        station=station_row,
        span=span_of,
    log:
        "logs/sources/{station}/{day}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/mseed_dir_station_day.py"


rule local_stationxml:
    """StationXML of an sds/mseed_dir station, selected from the configured file(s)."""
    output:
        "results/raw/{source}/{station}/station.xml",
    wildcard_constraints:
        source="sds|mseed_dir",
    params:
        station=station_row,
        stationxml=lambda w: station_of(w).option("stationxml") or config.get("stationxml"),
    log:
        "logs/sources/{station}/{source}_stationxml.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/local_stationxml.py"


rule availability:
    """Coverage, gaps and overlaps per station-day; annotations that match no data."""
    input:
        raw=[f"results/raw/{source}/{s}/{d}.mseed" for s, d, source in raw_chunks()],
        status=chunk_status_files,
        annotations=annotation_csvs(config),
    output:
        table=report(
            "results/availability/availability.tsv",
            caption="../report/availability_table.rst",
            category="1. Data",
        ),
        plot=report(
            "results/plots/availability.png",
            caption="../report/availability.rst",
            category="1. Data",
        ),
        unmatched="results/availability/unmatched_annotations.csv",
    params:
        chunks=raw_chunks(),
        span=[config["start"], config["end"]],
        classes=CLASSES,
    log:
        "logs/sources/availability.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/availability.py"


rule catalogue_labels:
    """Earthquake annotations from a catalogue (QuakeML or FDSN events) and TauP arrivals."""
    input:
        stationxml=[SOURCES.stationxml[s] for s in STATIONS if s in SOURCES.stationxml],
        quakeml=[config["catalogue"]["quakeml"]] if config.get("catalogue", {}).get("quakeml") else [],
    output:
        annotations="results/labels/catalogue/annotations.csv",
        events="results/labels/catalogue/events.csv",
    params:
        catalogue=config.get("catalogue", {}),
        provider=config.get("catalogue", {}).get("provider") or config.get("fdsn", {}).get("provider", "IRIS"),
        fdsn=config.get("fdsn", {}),
        stations=[dataclasses.asdict(s) for s in STATIONS.values()],
        span=[config["start"], config["end"]],
        classes=CLASSES,
    resources:
        fdsn_requests=1,
    log:
        "logs/sources/catalogue.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/catalogue_labels.py"
