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
        "results/classify/events.csv",
        "results/classify/network_events.csv",
        "results/classify/events.xml",
        "results/classify/domain.tsv",
        "results/plots/classify/catalogue.png",
        "results/plots/classify/event_examples.png",
        single_day_chunks("results/plots/classify/{chunk}.png"),


# `snakemake classify` makes windows by the saved model's recipe (its card): its own preprocessed and
# feature files when that recipe differs from the configuration's, else the run's own.
PREPROCESSED = {"base": rules.preprocess.output.waveforms, "classify": "results/classify/preprocessed/{chunk}.mseed"}
NOTES = {"base": rules.preprocess.output.notes, "classify": "results/classify/preprocessed/{chunk}.notes.json"}
FEATURES = {"base": rules.features.output[0], "classify": "results/classify/features/{chunk}.parquet"}


use rule preprocess as classify_preprocess with:
    output:
        waveforms=PREPROCESSED["classify"],
        notes=NOTES["classify"],
    params:
        members=members,
        recipe=lambda w: classify_recipe(),
        health=SETTINGS["health"],
    benchmark:
        "results/benchmarks/classify/preprocess/{chunk}.tsv"
    log:
        "logs/classify/preprocess/{chunk}.log",


use rule features as classify_features with:
    input:
        PREPROCESSED["classify"],
        notes=NOTES["classify"],
        plan=plan_index,
    output:
        FEATURES["classify"],
    params:
        members=members,
        recipe=lambda w: classify_recipe(),
    benchmark:
        "results/benchmarks/classify/features/{chunk}.tsv"
    log:
        "logs/classify/features/{chunk}.log",


rule window_probabilities:
    """Class probabilities of every window of a chunk."""
    input:
        model=applied_model,
        features=applied_path(FEATURES),
        notes=applied_path(NOTES),  # bad stretches of the raw data: the windows' health
        waveforms=waveforms_for_deep,
    output:
        "results/probabilities/{applied}/{chunk}.parquet",
    params:
        classes=CLASSES,
        classes_from_model=lambda w: w.applied == "classify",  # a saved model brings its classes
        recipe=applied_recipe,  # checked against the model card
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
        step_s=lambda w: run_recipe(w.run).windows.step_s,
    log:
        "logs/{run}/segments.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/segments.py"


rule detection_timeline:
    """A station-day's waveform with its detected segments and smoothed probabilities (one-day chunks)."""
    input:
        waveforms=applied_path(PREPROCESSED),
        windows="results/{run}/windows.parquet",
        segments="results/{run}/segments.csv",
        plan=plan_index,
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
        amplitude_label=lambda w: run_recipe(w.run).preprocess.amplitude_label,
    log:
        "logs/{run}/timeline/{chunk}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/detection_timeline.py"


rule station_events:
    """Per-station events of a chunk: extent from the envelope, one class each (seisclass.events.detect)."""
    input:
        probabilities="results/probabilities/{applied}/{chunk}.parquet",
        waveforms=applied_path(PREPROCESSED),
    output:
        "results/events/{applied}/{chunk}.parquet",
    params:
        events=SETTINGS["events"],
        recipe=applied_recipe,
    log:
        "logs/events/{applied}/{chunk}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/station_events.py"


rule event_catalogue:
    """Network events and the catalogue files: events.csv, network_events.csv, events.xml (QuakeML)."""
    input:
        lambda w: [f"results/events/{RUN_MODELS[w.run]}/{c}.parquet" for c in plan().chunks],
    output:
        events=report(
            "results/{run}/events.csv",
            caption="../report/events.rst",
            category="8. Detections",
            subcategory="Events",
        ),
        network=report(
            "results/{run}/network_events.csv",
            caption="../report/network_events.rst",
            category="8. Detections",
            subcategory="Events",
        ),
        quakeml="results/{run}/events.xml",
    params:
        events=SETTINGS["events"],
        coordinates=lambda w: station_coordinates(),
    log:
        "logs/{run}/catalogue.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/event_catalogue.py"


rule domain_check:
    """Per station: how unlike the applied model's training data its windows are (the card's domain)."""
    input:
        model=lambda w: applied_model(types.SimpleNamespace(applied=RUN_MODELS[w.run])),
        features=lambda w: [applied_path(FEATURES)(types.SimpleNamespace(run=w.run, chunk=c)) for c in plan().chunks],
    output:
        report(
            "results/{run}/domain.tsv",
            caption="../report/domain.rst",
            category="8. Detections",
            subcategory="Domain check",
        ),
    log:
        "logs/{run}/domain.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/domain_check.py"


rule catalogue_figures:
    """The catalogue over time and, per class, its most probable events with their probability traces."""
    input:
        events="results/{run}/events.csv",
        network="results/{run}/network_events.csv",
        windows="results/{run}/windows.parquet",
        waveforms=lambda w: [applied_path(PREPROCESSED)(types.SimpleNamespace(run=w.run, chunk=c))
                             for c in plan().chunks],
    output:
        timeline=report(
            "results/plots/{run}/catalogue.png",
            caption="../report/catalogue_timeline.rst",
            category="8. Detections",
            subcategory="Events",
        ),
        examples=report(
            "results/plots/{run}/event_examples.png",
            caption="../report/event_examples.rst",
            category="8. Detections",
            subcategory="Events",
        ),
    params:
        files=lambda w: {k: applied_path(PREPROCESSED)(types.SimpleNamespace(run=w.run, chunk=c))
                         for k, c in station_day_chunks().items()},
        per_class=2,
        amplitude_label=lambda w: run_recipe(w.run).preprocess.amplitude_label,
    log:
        "logs/{run}/catalogue_figures.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/catalogue_figures.py"
