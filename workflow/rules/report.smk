# The report's landing section: the figures that matter, read in a sentence.


rule headline:
    """The report's first section: data volume, model comparison and cross-validation in one page."""
    input:
        counts=rules.dataset.output.counts,
        availability=rules.availability.output.table,
        comparison=rules.compare_models.output.table,
        cv=rules.cross_validate_random_forest.output.metrics,
        events=rules.cross_validate_events.output.metrics,
    output:
        report("results/headline.html", caption="../report/headline.rst", category="0. Headline"),
    params:
        classes=CLASSES,
    log:
        "logs/dataset/headline.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/headline.py"
