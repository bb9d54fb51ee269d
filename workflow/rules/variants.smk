# Preprocessing variants (config `variants`): each named alternative of the preprocess/windows/features
# settings runs the workflow's own preprocess, features and label rules under a {variant} wildcard
# (results/variants/{variant}/...), then a dataset with the base run's split, the forest and the
# exploration; one job compares them. A variant that keeps the base preprocessing reads the base
# run's preprocessed chunks.

wildcard_constraints:
    variant=r"[A-Za-z][A-Za-z0-9_-]{0,39}",


use rule preprocess as variant_preprocess with:
    output:
        waveforms=f"{VARIANT_DIR}/preprocessed/{{chunk}}.mseed",
        notes=f"{VARIANT_DIR}/preprocessed/{{chunk}}.notes.json",
    params:
        members=members,
        recipe=variant_recipe,
        health=SETTINGS["health"],
    benchmark:
        f"results/benchmarks/variants/{{variant}}/preprocess/{{chunk}}.tsv"
    log:
        f"logs/variants/{{variant}}/preprocess/{{chunk}}.log",


use rule features as variant_features with:
    input:
        variant_preprocessed("waveforms"),
        notes=variant_preprocessed("notes"),
        plan=plan_index,
    output:
        f"{VARIANT_DIR}/features/{{chunk}}.parquet",
    params:
        members=members,
        recipe=variant_recipe,
    benchmark:
        f"results/benchmarks/variants/{{variant}}/features/{{chunk}}.tsv"
    log:
        f"logs/variants/{{variant}}/features/{{chunk}}.log",


use rule label_windows as variant_label_windows with:
    input:
        windows=rules.variant_features.output[0],
        notes=variant_preprocessed("notes"),  # bad stretches (sensor health)
        annotations=annotation_files,
    output:
        f"{VARIANT_DIR}/labels/{{chunk}}.parquet",
    params:
        classes=CLASSES,
        min_overlap=lambda w: variant_recipe(w).windows.min_overlap,
        health=SETTINGS["health"],
    benchmark:
        f"results/benchmarks/variants/{{variant}}/label_windows/{{chunk}}.tsv"
    log:
        f"logs/variants/{{variant}}/labels/{{chunk}}.log",


rule variant_dataset:
    """A variant's windows of all chunks, on the base run's split (the same time blocks)."""
    input:
        features=variant_chunks(rules.variant_features.output[0]),
        labels=variant_chunks(rules.variant_label_windows.output[0]),
        base=rules.dataset.output.dataset,
    output:
        f"{VARIANT_DIR}/features.parquet",
    params:
        classes=CLASSES,
        block_s=SETTINGS["split"].block_s,
    resources:
        mem_mb=4000,
    log:
        "logs/variants/{variant}/dataset.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/variant_dataset.py"


rule variant_forest:
    """The random forest of a variant, trained and tested on the base run's split."""
    input:
        rules.variant_dataset.output[0],
    output:
        metrics=f"{VARIANT_DIR}/rf.json",
        predictions=f"{VARIANT_DIR}/rf_test.parquet",
    params:
        classes=CLASSES,
        forest=SETTINGS["random_forest"],
        seed=STUDY.seed,
        recipe=variant_recipe,
    threads: 2
    log:
        "logs/variants/{variant}/forest.log",
    conda:
        CONDA_ML
    script:
        "../scripts/variant_forest.py"


rule variant_explore:
    """The exploration (both clusterings over seeds) of a variant's windows."""
    input:
        rules.variant_dataset.output[0],
    output:
        stability=f"{VARIANT_DIR}/stability.json",
        hypotheses=f"{VARIANT_DIR}/hypotheses.tsv",
    params:
        classes=CLASSES,
        explore=SETTINGS["explore"],
        seed=STUDY.seed,
        recipe=variant_recipe,
    threads: 2
    resources:
        mem_mb=6000,
    log:
        "logs/variants/{variant}/explore.log",
    conda:
        CONDA_ML
    script:
        "../scripts/variant_explore.py"


rule variants_comparison:
    """Scores of all variants side by side; what each variant keeps of every class's spectrum."""
    input:
        metrics=expand(rules.variant_forest.output.metrics, variant=VARIANTS.names()),
        stability=expand(rules.variant_explore.output.stability, variant=VARIANTS.names()),
        datasets=expand(rules.variant_dataset.output[0], variant=VARIANTS.names()),
    output:
        table=report(
            "results/variants/comparison.tsv",
            caption="../report/variants_comparison.rst",
            category=VARIANTS_CATEGORY,
        ),
        plot=report(
            "results/variants/comparison.png",
            caption="../report/variants_comparison_plot.rst",
            category=VARIANTS_CATEGORY,
        ),
        spectra=report(
            "results/variants/spectra.png",
            caption="../report/variants_spectra.rst",
            category=VARIANTS_CATEGORY,
        ),
    params:
        variants=VARIANTS.names(),
        settings=[v.describe() for v in VARIANTS.alternatives],
        classes=CLASSES,
    log:
        "logs/variants/comparison.log",
    conda:
        CONDA_ML
    script:
        "../scripts/variants_comparison.py"
