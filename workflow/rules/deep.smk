# Deep models: CNN and LSTM on the random forest's windows, compared with it; SHAP over time.
DEEP_INPUTS = {s: f"results/deep/inputs/{s}.npy" for s in SPLITS}
DEEP_MODEL_PATTERN = "|".join(DEEP_MODELS)



rule deep_inputs:
    """The labelled windows of every split as decimated, normalized memory-mapped arrays."""
    input:
        dataset=rules.dataset.output.dataset,
        waveforms=chunks(rules.preprocess.output.waveforms),
    output:
        **DEEP_INPUTS,
        index="results/deep/inputs/index.parquet",
    params:
        classes=CLASSES,
        deep=SETTINGS["deep"],
        seed=STUDY.seed,
        files=waveform_files,
        recipe=RECIPE,  # the window geometry (same grid as the features)
    resources:
        mem_mb=measured_mem_mb("deep_inputs", of="dataset"),
    log:
        "logs/deep/inputs.log",
    conda:
        CONDA_DEEP
    script:
        "../scripts/deep_inputs.py"


rule train_deep:
    """Train the CNN or the LSTM; early stopping on the validation loss."""
    input:
        train=DEEP_INPUTS["train"],
        validation=DEEP_INPUTS["validation"],
        index="results/deep/inputs/index.parquet",
    output:
        model="results/models/{model}.pt",
        curves=report(
            "results/plots/{model}_training.png",
            caption="../report/deep_training.rst",
            category="6. Model comparison",
            subcategory="Training curves",
            labels={"model": "{model}"},
        ),
    wildcard_constraints:
        model=DEEP_MODEL_PATTERN,
    params:
        classes=CLASSES,
        deep=SETTINGS["deep"],
        seed=STUDY.seed,
        recipe=RECIPE,  # the window geometry and the model card
        events=SETTINGS["events"],  # the model card records the background classes
    threads: 4
    resources:
        mem_mb=4000,
    benchmark:
        "results/benchmarks/train_{model}.tsv"
    log:
        "logs/deep/train_{model}.log",
    conda:
        CONDA_DEEP
    script:
        "../scripts/train_deep.py"


rule evaluate_deep:
    """Test-split metrics of a deep model, with the metric keys of rf.json."""
    input:
        model=rules.train_deep.output.model,
        test=DEEP_INPUTS["test"],
        index="results/deep/inputs/index.parquet",
    output:
        metrics=report(
            "results/metrics/{model}.json",
            caption="../report/deep_metrics.rst",
            category="6. Model comparison",
            subcategory="Test metrics",
            labels={"model": "{model}"},
        ),
        predictions="results/predictions/{model}_test.parquet",
        confusion=report(
            "results/plots/{model}_confusion.png",
            caption="../report/deep_confusion.rst",
            category="6. Model comparison",
            subcategory="Confusion matrices",
            labels={"model": "{model}"},
        ),
    wildcard_constraints:
        model=DEEP_MODEL_PATTERN,
    params:
        classes=CLASSES,
        seed=STUDY.seed,
    threads: 2
    log:
        "logs/deep/evaluate_{model}.log",
    conda:
        CONDA_DEEP
    script:
        "../scripts/evaluate_deep.py"


rule compare_models:
    """Random forest vs CNN vs LSTM: test scores, training time, inference rate."""
    input:
        metrics=expand("results/metrics/{model}.json", model=[FOREST, *DEEP_MODELS]),
        rf=MODEL_FILES[FOREST],
        deep_models=[MODEL_FILES[m] for m in DEEP_MODELS],
        # wall time of each training job (s), measured the same way for all three models
        benchmarks=expand("results/benchmarks/train_{name}.tsv", name=["random_forest", *DEEP_MODELS]),
        dataset=rules.dataset.output.dataset,
        test=DEEP_INPUTS["test"],
    output:
        table=report(
            "results/metrics/model_comparison.tsv",
            caption="../report/model_comparison_table.rst",
            category="6. Model comparison",
            subcategory="Comparison",
        ),
        plot=report(
            "results/benchmarks/model_comparison.png",
            caption="../report/model_comparison.rst",
            category="6. Model comparison",
            subcategory="Comparison",
        ),
        timings=report(
            "results/benchmarks/model_timings.tsv",
            caption="../report/model_timings.rst",
            category="6. Model comparison",
            subcategory="Comparison",
        ),
    params:
        classes=CLASSES,
        models=[FOREST, *DEEP_MODELS],
        deep_models=list(DEEP_MODELS),
        seed=STUDY.seed,
    threads: 2
    resources:
        mem_mb=4000,
    log:
        "logs/deep/compare.log",
    conda:
        CONDA_DEEP
    script:
        "../scripts/compare_models.py"


rule explain_deep:
    """SHAP (expected gradients) over time for representative test windows of each class."""
    input:
        model=rules.train_deep.output.model,
        train=DEEP_INPUTS["train"],
        test=DEEP_INPUTS["test"],
        index="results/deep/inputs/index.parquet",
    output:
        values="results/explain/{model}_shap_values.npz",
        windows="results/explain/{model}_shap_windows.csv",
        plot=report(
            "results/explain/{model}_shap_time.png",
            caption="../report/deep_shap.rst",
            category="5. Explanations",
            subcategory="Deep models",
            labels={"model": "{model}"},
        ),
    wildcard_constraints:
        model=DEEP_MODEL_PATTERN,
    params:
        deep=SETTINGS["deep"],
        seed=STUDY.seed,
    threads: 2
    log:
        "logs/deep/explain_{model}.log",
    conda:
        CONDA_DEEP
    script:
        "../scripts/explain_deep.py"
