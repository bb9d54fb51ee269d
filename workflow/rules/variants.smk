# Preprocessing variants (config `variants`): each named alternative of the preprocess/windows/features
# settings runs preprocessing, features, labels, the forest and the exploration on the base run's split
# (seisclass.data.variants), one job per variant and step over all chunks; one job compares them.


wildcard_constraints:
    variant=r"[A-Za-z][A-Za-z0-9_-]{0,39}",


include: "variants_common.smk"  # VARIANTS and the input functions of these rules


rule variant_dataset:
    """A variant's windows: preprocessing, features and labels of all chunks; the base run's split."""
    input:
        raw=lambda w: [c["raw"] for c in variant_chunks()],
        inventory=lambda w: sorted({p for c in variant_chunks() for p in c["inventories"]}),
        annotations=lambda w: all_annotation_files(),
        base="results/features/features.parquet",
    output:
        "results/variants/{variant}/features.parquet",
    params:
        chunks=lambda w: variant_chunks(),
        sections=variant_sections,
        classes=CLASSES,
        block_s=config["split"]["block_s"],
        context=config["context"],
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
        "results/variants/{variant}/features.parquet",
    output:
        metrics="results/variants/{variant}/rf.json",
        predictions="results/variants/{variant}/rf_test.parquet",
    params:
        classes=CLASSES,
        forest=config["random_forest"],
        seed=config["seed"],
        sections=variant_sections,
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
        "results/variants/{variant}/features.parquet",
    output:
        stability="results/variants/{variant}/stability.json",
        hypotheses="results/variants/{variant}/hypotheses.tsv",
    params:
        classes=CLASSES,
        explore=config["explore"],
        seed=config["seed"],
        sections=variant_sections,
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
        metrics=expand("results/variants/{variant}/rf.json", variant=VARIANTS.names()),
        stability=expand("results/variants/{variant}/stability.json", variant=VARIANTS.names()),
        datasets=expand("results/variants/{variant}/features.parquet", variant=VARIANTS.names()),
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
