# Random forest: train on the train split, evaluate on the test split.

# Out-of-fold predictions of the grouped cross-validation: calibration and decision weights are
# fitted on them (never on the test split). Its figures and its events' go into the model card.
CV_PREDICTIONS = ["results/predictions/rf_cv.parquet"] if SETTINGS["random_forest"].uses_cross_validation else []
CV_SKILL = ["results/metrics/rf_cv.json", "results/metrics/events.json"]


rule train_random_forest:
    input:
        dataset=rules.dataset.output.dataset,
        cv=CV_PREDICTIONS,
        skill=CV_SKILL,
    output:
        "results/models/rf.skops",
    params:
        classes=CLASSES,
        forest=SETTINGS["random_forest"],
        seed=STUDY.seed,
        recipe=RECIPE,
        events=SETTINGS["events"],  # the model card records the background classes
        splits=["train"],
    threads: 8
    resources:
        mem_mb=measured_mem_mb("train_random_forest", of="dataset"),
    benchmark:
        "results/benchmarks/train_random_forest.tsv"
    log:
        "logs/forest/train.log",
    conda:
        CONDA_ML
    script:
        "../scripts/train_random_forest.py"


rule evaluate_random_forest:
    input:
        model=MODEL_FILES[FOREST],
        dataset=rules.dataset.output.dataset,
    output:
        metrics=report(
            "results/metrics/rf.json",
            caption="../report/rf_metrics.rst",
            category="3. Random forest",
        ),
        predictions="results/predictions/rf_test.parquet",
        confusion=report(
            "results/plots/rf_confusion.png",
            caption="../report/rf_confusion.rst",
            category="3. Random forest",
        ),
        recall_snr=report(
            "results/plots/rf_recall_snr.png",
            caption="../report/rf_recall_snr.rst",
            category="3. Random forest",
        ),
    params:
        classes=CLASSES,
        snr_bins_db=SETTINGS["evaluation"].snr_bins_db,
    benchmark:
        "results/benchmarks/evaluate_random_forest.tsv"
    log:
        "logs/forest/evaluate.log",
    conda:
        CONDA_ML
    script:
        "../scripts/evaluate_random_forest.py"


rule cross_validate_random_forest:
    """Grouped k-fold cross-validation of the forest on the train and validation splits (the test split stays out)."""
    input:
        dataset=rules.dataset.output.dataset,
    output:
        metrics=report(
            "results/metrics/rf_cv.json",
            caption="../report/rf_cv.rst",
            category="3. Random forest",
        ),
        predictions="results/predictions/rf_cv.parquet",
        reliability=report(
            "results/plots/rf_reliability.png",
            caption="../report/rf_reliability.rst",
            category="3. Random forest",
        ),
    params:
        classes=CLASSES,
        forest=SETTINGS["random_forest"],
        folds=SETTINGS["evaluation"].cv_folds,
        block_s=SETTINGS["split"].block_s,
        seed=STUDY.seed,
    threads: 8
    resources:
        mem_mb=measured_mem_mb("cross_validate_random_forest", of="dataset"),
    log:
        "logs/forest/cross_validate.log",
    conda:
        CONDA_ML
    script:
        "../scripts/cross_validate_random_forest.py"


rule final_random_forest:
    """The forest to ship: trained on every labelled window (all splits), decision weights from the
    grouped cross-validation. Not part of `all`: its figures are the cross-validation's (rf_cv.json)."""
    input:
        dataset=rules.dataset.output.dataset,
        cv=CV_PREDICTIONS,
        skill=CV_SKILL,
    output:
        "results/models/rf_all_splits.skops",
    params:
        classes=CLASSES,
        forest=SETTINGS["random_forest"],
        seed=STUDY.seed,
        recipe=RECIPE,
        events=SETTINGS["events"],
        splits=list(SPLITS),
    threads: 8
    resources:
        mem_mb=measured_mem_mb("final_random_forest", of="dataset"),
    log:
        "logs/forest/train_all_splits.log",
    conda:
        CONDA_ML
    script:
        "../scripts/train_random_forest.py"


rule cross_validate_events:
    """Event-level skill of the grouped cross-validation: events from the out-of-fold window probabilities
    (calibrated on the other folds), scored against the labelled events (the demo: its truth)."""
    input:
        predictions="results/predictions/rf_cv.parquet",
        waveforms=chunks(rules.preprocess.output.waveforms),
        annotations=lambda w: all_annotation_files(),
        truth=lambda w: [f"results/raw/demo/{c.id}.truth.csv" for c in plan().chunks.values() if c.source == "demo"],
    output:
        metrics=report(
            "results/metrics/events.json",
            caption="../report/event_metrics.rst",
            category="3. Random forest",
        ),
        events="results/predictions/rf_cv_events.csv",
    params:
        classes=CLASSES,
        events=SETTINGS["events"],
        recipe=RECIPE,
        calibration=SETTINGS["random_forest"].calibration,
        days=lambda w: chunk_days(),
        coordinates=lambda w: station_coordinates(),
    log:
        "logs/forest/cross_validate_events.log",
    conda:
        CONDA_ML
    script:
        "../scripts/cross_validate_events.py"


rule rf_precision_recall:
    """One-vs-rest precision-recall curves of the forest's out-of-fold windows (grouped cross-validation)."""
    input:
        "results/predictions/rf_cv.parquet",
    output:
        report(
            "results/plots/rf_precision_recall.png",
            caption="../report/rf_precision_recall.rst",
            category="3. Random forest",
        ),
    params:
        classes=CLASSES,
    log:
        "logs/forest/precision_recall.log",
    conda:
        CONDA_ML
    script:
        "../scripts/rf_precision_recall.py"


rule rf_misclassified:
    """The most confident wrong out-of-fold windows of each true class: waveform and spectrogram."""
    input:
        predictions="results/predictions/rf_cv.parquet",
        waveforms=chunks(rules.preprocess.output.waveforms),
    output:
        report(
            "results/plots/rf_misclassified.png",
            caption="../report/rf_misclassified.rst",
            category="3. Random forest",
        ),
    params:
        classes=CLASSES,
        sampling_rate=RECIPE.preprocess.sampling_rate,
        amplitude_unit=RECIPE.preprocess.amplitude_unit,
        files=waveform_files,
        per_class=4,
    log:
        "logs/forest/misclassified.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/rf_misclassified.py"
