# Features: cut the window grid and compute all features of a station-day at once.

TARGETS += ["results/features/feature_table.tsv"]


rule features:
    input:
        "results/preprocessed/{station}/{day}.mseed",
    output:
        "results/features/{station}/{day}.parquet",
    params:
        codes=station_keys,
        span=span_of,
        windows=config["windows"],
        features=config["features"],
        sampling_rate=config["preprocess"]["sampling_rate"],
    benchmark:
        "results/benchmarks/features/{station}/{day}.tsv"
    log:
        "logs/features/{station}/{day}.log",
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
        components=config["windows"]["components"],
        features=config["features"],
    log:
        "logs/features/feature_table.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/feature_table.py"
