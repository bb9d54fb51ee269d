# Dataset: assemble all chunks, assign the time-blocked split, overview plots.


rule dataset:
    """One table of all windows: keys, label, snr, split and features (the contract)."""
    input:
        features=chunks(rules.features.output[0]),
        labels=chunks(rules.label_windows.output[0]),
    output:
        dataset="results/features/features.parquet",
        counts=report(
            "results/dataset/class_counts.tsv",
            caption="../report/class_counts.rst",
            category="1. Data",
        ),
    params:
        classes=CLASSES,
        split=SETTINGS["split"],
        seed=STUDY.seed,
    resources:
        mem_mb=measured_mem_mb("dataset"),
    benchmark:
        "results/benchmarks/dataset.tsv"
    log:
        "logs/dataset/dataset.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/dataset.py"


rule class_examples:
    """Example waveforms of each class from the preprocessed data, each with its spectrogram."""
    input:
        dataset=rules.dataset.output.dataset,
        waveforms=chunks(rules.preprocess.output.waveforms),
    output:
        report(
            "results/plots/class_examples.png",
            caption="../report/class_examples.rst",
            category="1. Data",
        ),
    params:
        classes=CLASSES,
        seed=STUDY.seed,
        sampling_rate=RECIPE.preprocess.sampling_rate,
        amplitude_unit=RECIPE.preprocess.amplitude_unit,
        files=waveform_files,
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
        rules.dataset.output.dataset,
    output:
        report(
            "results/plots/features_by_class.png",
            caption="../report/features_by_class.rst",
            category="2. Features",
        ),
    params:
        classes=CLASSES,
        recipe=RECIPE,  # the features' units
    benchmark:
        "results/benchmarks/features_by_class.tsv"
    log:
        "logs/dataset/features_by_class.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/features_by_class.py"


rule label_timeline:
    """A station-day's vertical waveform with its window labels as coloured bands (one-day chunks)."""
    input:
        waveforms=rules.preprocess.output.waveforms,
        labels=rules.label_windows.output[0],
        plan=plan_index,
    output:
        report(
            "results/plots/timeline/{chunk}.png",
            caption="../report/label_timeline.rst",
            category="1. Data",
            subcategory="Label timelines",
            labels={"station-day": "{chunk}"},
        ),
    params:
        classes=CLASSES,
        members=members,
        amplitude_label=RECIPE.preprocess.amplitude_label,
    benchmark:
        "results/benchmarks/label_timeline/{chunk}.tsv"
    log:
        "logs/dataset/timeline/{chunk}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/label_timeline.py"
