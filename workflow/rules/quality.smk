# Data quality: coverage, gaps and overlaps per station-day, sensor health (dead, clipped,
# spiky, NaN runs), skipped files, annotations that match no data.


rule availability:
    """Coverage, gaps, overlaps and sensor health per station-day; skipped files; annotations that match no data."""
    input:
        raw=lambda w: [f"results/raw/{c.source}/{c.id}.mseed" for c in plan().chunks.values()],
        status=lambda w: [f"results/raw/{c.source}/{c.id}.status.json" for c in plan().chunks.values()
                          if c.source != "demo"],
        index=lambda w: [f"results/raw/mseed_dir/index/{k}.parquet" for k in sorted(MSEED_DIRS)],
        annotations=ANNOTATIONS,
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
        chunks=lambda w: availability_chunks(),
        classes=CLASSES,
        health=SETTINGS["health"],
    log:
        "logs/quality/availability.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/availability.py"


# Station reliability (issue 13): PPSD noise against Peterson's models, availability, gaps and
# event SNR, ranked. One PPSD job per chunk (its stations' vertical channels), one ranking job.


rule station_noise:
    """PPSD (ObsPy) of the raw vertical channel of every station of a chunk."""
    input:
        raw=raw_chunk,
        inventory=station_inventories,
        plan=plan_index,
    output:
        "results/quality/ppsd/{chunk}.zip",
    params:
        members=members,
        quality=SETTINGS["quality"],
        demo_sensitivity=SETTINGS["demo"].sensitivity,
    log:
        "logs/quality/ppsd/{chunk}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/station_noise.py"


rule station_quality:
    """Per-station noise, availability, gaps and event SNR, ranked; PPSD figures of a few stations."""
    input:
        ppsd=chunks("results/quality/ppsd/{chunk}.zip"),
        availability=rules.availability.output.table,
        dataset=rules.dataset.output.dataset,
    output:
        table=report(
            "results/quality/stations.tsv",
            caption="../report/quality_stations.rst",
            category="1. Data",
        ),
        plot=report(
            "results/quality/ppsd.png",
            caption="../report/quality_ppsd.rst",
            category="1. Data",
        ),
        hourly="results/quality/noise_by_hour.tsv",
    params:
        quality=SETTINGS["quality"],
        classes=CLASSES,
    log:
        "logs/quality/stations.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/station_quality.py"
