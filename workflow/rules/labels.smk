# Labels: windows take the label of the annotation covering enough of them; earthquake
# annotations can come from a catalogue (QuakeML or FDSN event service) with TauP arrivals.


rule label_windows:
    """Labels of every window of a chunk."""
    input:
        windows=rules.features.output[0],
        notes=rules.preprocess.output.notes,  # bad stretches (sensor health): those windows are not trained on
        annotations=annotation_files,
    output:
        "results/labels/{chunk}.parquet",
    params:
        classes=CLASSES,
        min_overlap=SETTINGS["windows"].min_overlap,
        health=SETTINGS["health"],
    benchmark:
        "results/benchmarks/label_windows/{chunk}.tsv"
    log:
        "logs/labels/{chunk}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/label_windows.py"


rule catalogue_labels:
    """Earthquake annotations from a catalogue (QuakeML or FDSN events) and TauP arrivals."""
    input:
        stationxml=lambda w: [stationxml_path(s) for s in sorted(plan().stationxml)],
        quakeml=[SETTINGS["catalogue"].quakeml] if SETTINGS["catalogue"].quakeml else [],
    output:
        annotations="results/labels/catalogue/annotations.csv",
        events="results/labels/catalogue/events.csv",
    params:
        catalogue=SETTINGS["catalogue"],
        provider=SETTINGS["catalogue"].provider or SETTINGS["fdsn"].provider,
        fdsn=SETTINGS["fdsn"],
        stations=lambda w: list(plan().stations.values()),
        span=[STUDY.start, STUDY.end],
        classes=CLASSES,
    resources:
        fdsn_requests=1,
    log:
        "logs/labels/catalogue.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/catalogue_labels.py"
