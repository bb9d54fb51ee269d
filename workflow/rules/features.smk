# Features: cut the window grid and compute all features of a chunk at once.


rule features:
    """Window grid and features of every station-day of a chunk."""
    input:
        rules.preprocess.output.waveforms,
        notes=rules.preprocess.output.notes,  # original sampling rates (bands above Nyquist: NaN)
        plan=plan_index,
    output:
        "results/features/{chunk}.parquet",
    params:
        members=members,
        recipe=RECIPE,
    benchmark:
        "results/benchmarks/features/{chunk}.tsv"
    log:
        "logs/features/{chunk}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/features.py"


rule feature_table:
    """Documentation table of every feature column (name, family, unit, definition)."""
    output:
        report(
            "results/features/feature_table.tsv",
            caption="../report/feature_table.rst",
            category="2. Features",
        ),
    params:
        recipe=RECIPE,
    log:
        "logs/features/feature_table.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/feature_table.py"
