# Preprocess: merge, gap handling, detrend, taper, band-pass, resample.


rule preprocess:
    """Preprocess one station-day; notes record dropped traces and segments."""
    input:
        raw_waveforms,
        inventory=station_inventory,
    output:
        waveforms="results/preprocessed/{station}/{day}.mseed",
        notes="results/preprocessed/{station}/{day}.notes.json",
    params:
        preprocess=config["preprocess"],
        remove_response=config["preprocess"].get("remove_response"),
    benchmark:
        "results/benchmarks/preprocess/{station}/{day}.tsv"
    log:
        "logs/preprocess/{station}/{day}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/preprocess.py"
