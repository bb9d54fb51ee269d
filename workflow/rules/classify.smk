# Continuous classification: class probabilities of every window, smoothed and merged into
# segments, for the detections of this run's model and for `snakemake classify` with a
# saved model.
#
# results/probabilities/{applied}/{chunk}.parquet, where {applied} is rf, cnn or lstm (the
# models trained in this run) or `classify` (the file config classify.model, which no rule
# produces, so `snakemake classify` never retrains; keep that file outside results/models/).

RUN_MODELS = {"detections": SETTINGS["detections"].model, "classify": "classify"}


wildcard_constraints:
    run="detections|classify",
    applied="rf|cnn|lstm|classify",


rule classify:
    """Target: continuous classification of the configured stations and span with classify.model."""
    input:
        "results/classify/segments.csv",
        single_day_chunks("results/plots/classify/{chunk}.png"),


rule window_probabilities:
    """Class probabilities of every window of a chunk."""
    input:
        model=applied_model,
        features=rules.features.output[0],
        waveforms=waveforms_for_deep,
    output:
        "results/probabilities/{applied}/{chunk}.parquet",
    params:
        classes=CLASSES,
        classes_from_model=lambda w: w.applied == "classify",  # a saved model brings its classes
        recipe=RECIPE,  # checked against the model card
    log:
        "logs/probabilities/{applied}/{chunk}.log",
    conda:
        CONDA_DEEP
    script:
        "../scripts/window_probabilities.py"


rule segments:
    """Smooth every station's window probabilities over time and merge windows into segments."""
    input:
        lambda w: [f"results/probabilities/{RUN_MODELS[w.run]}/{c}.parquet" for c in plan().chunks],
    output:
        segments=report(
            "results/{run}/segments.csv",
            caption="../report/detections.rst",
            category="8. Detections",
            subcategory="Segments",
        ),
        windows="results/{run}/windows.parquet",
    params:
        classes=CLASSES,
        detections=SETTINGS["detections"],
        step_s=RECIPE.windows.step_s,
    log:
        "logs/{run}/segments.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/segments.py"


rule detection_timeline:
    """A station-day's waveform with its detected segments and smoothed probabilities (one-day chunks)."""
    input:
        waveforms=rules.preprocess.output.waveforms,
        windows="results/{run}/windows.parquet",
        segments="results/{run}/segments.csv",
    output:
        report(
            "results/plots/{run}/{chunk}.png",
            caption="../report/detection_timeline.rst",
            category="8. Detections",
            subcategory="Timelines",
            labels={"station-day": "{chunk}"},
        ),
    params:
        classes=CLASSES,
        members=members,
    log:
        "logs/{run}/timeline/{chunk}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/detection_timeline.py"
