# Preprocess: merge, gap handling, detrend, taper, band-pass, resample (per chunk).


rule preprocess:
    """Preprocess a chunk; notes record dropped traces and segments."""
    input:
        raw=raw_chunk,
        inventory=station_inventories,
        plan=plan_index,
    output:
        waveforms="results/preprocessed/{chunk}.mseed",
        notes="results/preprocessed/{chunk}.notes.json",
    params:
        members=members,
        recipe=RECIPE,
        health=SETTINGS["health"],  # sensor health of the raw samples: bad stretches in the notes
    benchmark:
        "results/benchmarks/preprocess/{chunk}.tsv"
    log:
        "logs/preprocess/{chunk}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/preprocess.py"
