# Random forest: train on the train split, evaluate on the test split.

TARGETS += [
    "results/models/rf.joblib",
    "results/metrics/rf.json",
    "results/plots/rf_confusion.png",
    "results/plots/rf_recall_snr.png",
]


rule train_random_forest:
    input:
        "results/features/features.parquet",
    output:
        "results/models/rf.joblib",
    params:
        classes=CLASSES,
        forest=config["random_forest"],
        seed=config["seed"],
        windows=config["windows"],
        sampling_rate=config["preprocess"]["sampling_rate"],
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
        model="results/models/rf.joblib",
        dataset="results/features/features.parquet",
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
        snr_bins_db=config.get("evaluation", {}).get("snr_bins_db", [-5, 0, 5, 10, 20, 40]),
    benchmark:
        "results/benchmarks/evaluate_random_forest.tsv"
    log:
        "logs/forest/evaluate.log",
    conda:
        CONDA_ML
    script:
        "../scripts/evaluate_random_forest.py"
