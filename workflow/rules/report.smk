# The report's landing section: the figures that matter, read in a sentence.


rule headline:
    """The report's first section: a reading in sentences, the headline figure (confusion matrix and one
    detected event with its probabilities), data volume, model comparison and cross-validation."""
    input:
        counts=rules.dataset.output.counts,
        availability=rules.availability.output.table,
        comparison=rules.compare_models.output.table,
        cv=rules.cross_validate_random_forest.output.metrics,
        events=rules.cross_validate_events.output.metrics,
        detected="results/detections/events.csv",
        windows="results/detections/windows.parquet",
        waveforms=lambda w: [applied_path(PREPROCESSED)(types.SimpleNamespace(run="detections", chunk=c))
                             for c in plan().chunks],
    output:
        html=report("results/headline.html", caption="../report/headline.rst", category="0. Headline"),
        figure=report("results/plots/headline.png", caption="../report/headline_figure.rst",
                      category="0. Headline"),
        reading="results/headline_reading.rst",  # the landing page's sentences (workflow/report/workflow.rst)
    params:
        classes=CLASSES,
        files=lambda w: {k: applied_path(PREPROCESSED)(types.SimpleNamespace(run="detections", chunk=c))
                         for k, c in station_day_chunks().items()},
        amplitude_label=RECIPE.preprocess.amplitude_label,
    log:
        "logs/dataset/headline.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/headline.py"
