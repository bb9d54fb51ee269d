# Dataset: assemble all station-days, assign the time-blocked split, overview plots.

TARGETS += [
    "results/features/features.parquet",
    "results/dataset/class_counts.tsv",
    "results/plots/class_examples.png",
    "results/plots/features_by_class.png",
    *station_days("results/plots/timeline/{station}/{day}.png"),
]


rule dataset:
    """One table of all windows: keys, label, snr, split and features (the contract)."""
    input:
        features=station_days("results/features/{station}/{day}.parquet"),
        labels=station_days("results/labels/{station}/{day}.parquet"),
    output:
        dataset="results/features/features.parquet",
        counts=report(
            "results/dataset/class_counts.tsv",
            caption="../report/class_counts.rst",
            category="1. Data",
        ),
    params:
        classes=CLASSES,
        split=config["split"],
        seed=config["seed"],
    benchmark:
        "results/benchmarks/dataset.tsv"
    log:
        "logs/dataset/dataset.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/dataset.py"


rule class_examples:
    """Example waveforms of each class from the preprocessed data."""
    input:
        dataset="results/features/features.parquet",
        waveforms=station_days("results/preprocessed/{station}/{day}.mseed"),
    output:
        report(
            "results/plots/class_examples.png",
            caption="../report/class_examples.rst",
            category="1. Data",
        ),
    params:
        classes=CLASSES,
        seed=config["seed"],
        sampling_rate=config["preprocess"]["sampling_rate"],
    benchmark:
        "results/benchmarks/class_examples.tsv"
    log:
        "logs/dataset/class_examples.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/class_examples.py"


rule features_by_class:
    """Distributions of the most discriminating features per class."""
    input:
        "results/features/features.parquet",
    output:
        report(
            "results/plots/features_by_class.png",
            caption="../report/features_by_class.rst",
            category="2. Features",
        ),
    params:
        classes=CLASSES,
    benchmark:
        "results/benchmarks/features_by_class.tsv"
    log:
        "logs/dataset/features_by_class.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/features_by_class.py"


rule label_timeline:
    """A station-day's vertical waveform with its window labels as coloured bands."""
    input:
        waveforms="results/preprocessed/{station}/{day}.mseed",
        labels="results/labels/{station}/{day}.parquet",
    output:
        report(
            "results/plots/timeline/{station}/{day}.png",
            caption="../report/label_timeline.rst",
            category="1. Data",
            subcategory="Label timelines",
            labels={"station": "{station}", "day": "{day}"},
        ),
    params:
        classes=CLASSES,
    benchmark:
        "results/benchmarks/label_timeline/{station}/{day}.tsv"
    log:
        "logs/dataset/timeline_{station}_{day}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/label_timeline.py"
