# Apply a trained model: label-next candidates (active learning), continuous
# classification into segments (detections) and `classify` with a saved model.
#
# Every window of a station-day gets class probabilities from one model:
# results/probabilities/{applied}/..., where {applied} is rf, cnn or lstm (the
# models trained in this run) or `classify` (the file config classify.model,
# which no rule produces, so `snakemake classify` never retrains; keep that
# file outside results/models/). Input functions: end of common.smk.

RUN_MODELS = {"detections": config.get("detections", {}).get("model", "rf"), "classify": "classify"}
CANDIDATE_MODEL = config.get("active_learning", {}).get("model", "rf")

TARGETS += [
    "results/active_learning/candidates.csv",
    "results/active_learning/thumbnails.png",
    *[f"results/detections/{s}.csv" for s in STATIONS],
    *station_days("results/plots/detections/{station}/{day}.png"),
]


wildcard_constraints:
    run="detections|classify",
    applied="rf|cnn|lstm|classify",


rule classify:
    """Target: continuous classification of the configured stations and span with classify.model."""
    input:
        [f"results/classify/{s}.csv" for s in STATIONS],
        station_days("results/plots/classify/{station}/{day}.png"),


rule label_candidates:
    """Unlabelled windows the model is least sure about (uncertainty sampling)."""
    input:
        dataset="results/features/features.parquet",
        probabilities=station_days(f"results/probabilities/{CANDIDATE_MODEL}/{{station}}/{{day}}.parquet"),
    output:
        candidates=report(
            "results/active_learning/candidates.csv",
            caption="../report/label_candidates.rst",
            category="7. Label next",
        ),
    params:
        classes=CLASSES,
        active_learning=config.get("active_learning", {}),
    log:
        "logs/active_learning/candidates.log",
    conda:
        CONDA_ML
    script:
        "../scripts/label_candidates.py"


rule candidate_thumbnails:
    """Waveforms of the top label-next candidates."""
    input:
        candidates="results/active_learning/candidates.csv",
        waveforms=station_days("results/preprocessed/{station}/{day}.mseed"),
    output:
        report(
            "results/active_learning/thumbnails.png",
            caption="../report/label_thumbnails.rst",
            category="7. Label next",
        ),
    params:
        classes=CLASSES,
        active_learning=config.get("active_learning", {}),
        length_s=config["windows"]["length_s"],
        sampling_rate=config["preprocess"]["sampling_rate"],
    log:
        "logs/active_learning/thumbnails.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/candidate_thumbnails.py"


rule window_probabilities:
    """Class probabilities of every window of a station-day."""
    input:
        model=applied_model,
        features="results/features/{station}/{day}.parquet",
        waveforms=waveforms_for_deep,
    output:
        "results/probabilities/{applied}/{station}/{day}.parquet",
    params:
        classes=CLASSES,
        length_s=config["windows"]["length_s"],
        sampling_rate=config["preprocess"]["sampling_rate"],
    log:
        "logs/probabilities/{applied}/{station}/{day}.log",
    conda:
        CONDA_ML
    script:
        "../scripts/window_probabilities.py"


rule segments:
    """Smooth a station's window probabilities over time and merge windows into segments."""
    input:
        lambda w: [f"results/probabilities/{RUN_MODELS[w.run]}/{w.station}/{d}.parquet" for d in days_of(w.station)],
    output:
        segments=report(
            "results/{run}/{station}.csv",
            caption="../report/detections.rst",
            category="8. Detections",
            subcategory="Segments",
            labels={"station": "{station}"},
        ),
        windows="results/{run}/{station}.windows.parquet",
    params:
        classes=CLASSES,
        detections=config.get("detections", {}),
        step_s=config["windows"]["step_s"],
    log:
        "logs/{run}/segments/{station}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/segments.py"


rule detection_timeline:
    """A station-day's waveform with its detected segments and smoothed probabilities."""
    input:
        waveforms="results/preprocessed/{station}/{day}.mseed",
        windows="results/{run}/{station}.windows.parquet",
        segments="results/{run}/{station}.csv",
    output:
        report(
            "results/plots/{run}/{station}/{day}.png",
            caption="../report/detection_timeline.rst",
            category="8. Detections",
            subcategory="Timelines",
            labels={"station": "{station}", "day": "{day}"},
        ),
    params:
        classes=CLASSES,
    log:
        "logs/{run}/timeline/{station}/{day}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/detection_timeline.py"
