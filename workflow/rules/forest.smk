# Random forest: train on the train split, evaluate on the test split.

# Out-of-fold predictions of the grouped cross-validation, read to tune the decision weights.
CV_PREDICTIONS = (["results/predictions/rf_cv.parquet"] if SETTINGS["random_forest"].tune_decision_weights
                  else [])


rule train_random_forest:
    input:
        dataset=rules.dataset.output.dataset,
        # out-of-fold predictions of the grouped cross-validation, to tune the decision weights
        cv=CV_PREDICTIONS,
    output:
        "results/models/rf.skops",
    params:
        classes=CLASSES,
        forest=SETTINGS["random_forest"],
        seed=STUDY.seed,
        recipe=RECIPE,
        splits=["train"],
    threads: 8
    resources:
        mem_mb=4000,
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
        rules.dataset.output.dataset,
    output:
        metrics=report(
            "results/metrics/rf_cv.json",
            caption="../report/rf_cv.rst",
            category="3. Random forest",
        ),
        predictions="results/predictions/rf_cv.parquet",
    params:
        classes=CLASSES,
        forest=SETTINGS["random_forest"],
        folds=SETTINGS["evaluation"].cv_folds,
        block_s=SETTINGS["split"].block_s,
        seed=STUDY.seed,
    threads: 8
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
    output:
        "results/models/rf_all_splits.skops",
    params:
        classes=CLASSES,
        forest=SETTINGS["random_forest"],
        seed=STUDY.seed,
        recipe=RECIPE,
        splits=list(SPLITS),
    threads: 8
    log:
        "logs/forest/train_all_splits.log",
    conda:
        CONDA_ML
    script:
        "../scripts/train_random_forest.py"
