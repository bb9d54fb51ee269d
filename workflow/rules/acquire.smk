# Acquire waveforms: one job per station-day and source.


rule demo_station_day:
    """Generate one station-day of the embedded demo station (no network)."""
    output:
        waveforms="results/raw/demo/{station}/{day}.mseed",
        annotations="results/raw/demo/{station}/{day}.annotations.csv",
        truth="results/raw/demo/{station}/{day}.truth.csv",
    params:
        codes=station_keys,
        coordinates=lambda w: [station_of(w).latitude, station_of(w).longitude],
        span=span_of,
        demo=config.get("demo", {}),
        seed=config["seed"],
        center=DEMO_CENTER,
    benchmark:
        "results/benchmarks/demo_station_day/{station}/{day}.tsv"
    log:
        "logs/acquire/{station}/{day}.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/demo_station_day.py"
