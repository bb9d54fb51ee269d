# Labels: windows take the label of the annotation covering enough of them.


rule label_windows:
    input:
        windows="results/features/{station}/{day}.parquet",
        annotations=annotation_files,
    output:
        "results/labels/{station}/{day}.parquet",
    params:
        classes=CLASSES,
        min_overlap=config["windows"]["min_overlap"],
    benchmark:
        "results/benchmarks/label_windows/{station}/{day}.tsv"
    log:
        "logs/labels/{station}/{day}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/label_windows.py"
