# Acquire: one job per chunk writes the raw chunk results/raw/{source}/{chunk}.mseed (an
# empty file = no data) and, for real sources, a status record per station-day; StationXML
# per station; the header index of each miniSEED directory (a checkpoint: the chunks of
# miniSEED directories are planned from it).
# FDSN jobs hold the resource `fdsn_requests`: cap concurrent requests with
# `snakemake --resources fdsn_requests=2` (unlimited when not given).


rule demo:
    """Generate the station-day of a demo chunk (no network)."""
    output:
        waveforms="results/raw/demo/{chunk}.mseed",
        annotations="results/raw/demo/{chunk}.annotations.csv",
        truth="results/raw/demo/{chunk}.truth.csv",
    params:
        members=members,
        stations=chunk_stations,
        demo=SETTINGS["demo"],
        seed=STUDY.seed,
        center=lambda w: DEMO_CENTER,
    benchmark:
        "results/benchmarks/demo/{chunk}.tsv"
    log:
        "logs/acquire/{chunk}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/demo_chunk.py"


rule fdsn_stationxml:
    """StationXML (with responses) of an FDSN station for the configured span."""
    output:
        "results/raw/fdsn/{station}/station.xml",
    params:
        station=lambda w: plan().stations[w.station],
        fdsn=SETTINGS["fdsn"],
        span=[STUDY.start, STUDY.end],
    resources:
        fdsn_requests=1,
    log:
        "logs/acquire/{station}/stationxml.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/fdsn_stationxml.py"


rule fdsn:
    """Download the station-day of an FDSN chunk from the dataselect service (retries, 204 = no data)."""
    input:
        stationxml=station_inventories,
    output:
        waveforms="results/raw/fdsn/{chunk}.mseed",
        status="results/raw/fdsn/{chunk}.status.json",
    params:
        members=members,
        stations=chunk_stations,
        fdsn=SETTINGS["fdsn"],
    resources:
        fdsn_requests=1,
    log:
        "logs/acquire/{chunk}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/fdsn_chunk.py"


rule sds:
    """Read the station-day of an SDS chunk (station option root=DIR); every file read strictly."""
    output:
        waveforms="results/raw/sds/{chunk}.mseed",
        status="results/raw/sds/{chunk}.status.json",
    params:
        members=members,
        stations=chunk_stations,
    log:
        "logs/acquire/{chunk}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/archive_chunk.py"


checkpoint mseed_dir_index:
    """Header index of a miniSEED directory (reads only new or changed files; progress in the log)."""
    output:
        index="results/raw/mseed_dir/index/{key}.parquet",
    params:
        directory=lambda w: MSEED_DIRS[w.key],
        # file names, sizes and times: the index is rebuilt when the directory changes
        signature=lambda w: directory_signature(MSEED_DIRS[w.key]),
        cache=lambda w: f"results/raw/mseed_dir/index/{w.key}.cache.parquet",
    log:
        "logs/acquire/mseed_dir_index_{key}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/mseed_dir_index.py"


rule mseed_dir:
    """Read the station-days of a miniSEED-directory chunk from its indexed files (read strictly)."""
    input:
        index=mseed_dir_index_files,
    output:
        waveforms="results/raw/mseed_dir/{chunk}.mseed",
        status="results/raw/mseed_dir/{chunk}.status.json",
    params:
        members=members,
        stations=chunk_stations,
    log:
        "logs/acquire/{chunk}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/archive_chunk.py"


rule local_stationxml:
    """StationXML of an sds/mseed_dir station, selected from the configured file(s)."""
    output:
        "results/raw/{source}/{station}/station.xml",
    wildcard_constraints:
        source="sds|mseed_dir",
    params:
        station=lambda w: plan().stations[w.station],
        stationxml=lambda w: plan().stations[w.station].option("stationxml") or STUDY.stationxml,
    log:
        "logs/acquire/{station}/{source}_stationxml.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/local_stationxml.py"
