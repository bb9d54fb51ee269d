# Active learning: the unlabelled windows the model is least sure about, to label next.


rule label_candidates:
    """Unlabelled windows the model is least sure about (uncertainty sampling)."""
    input:
        dataset=rules.dataset.output.dataset,
        probabilities=chunks(f"results/probabilities/{SETTINGS['active_learning'].model}/{{chunk}}.parquet"),
    output:
        candidates=report(
            "results/active_learning/candidates.csv",
            caption="../report/label_candidates.rst",
            category="7. Label next",
        ),
    params:
        classes=CLASSES,
        active_learning=SETTINGS["active_learning"],
    log:
        "logs/active_learning/candidates.log",
    conda:
        CONDA_ML
    script:
        "../scripts/label_candidates.py"


rule candidate_thumbnails:
    """Waveforms of the top label-next candidates."""
    input:
        candidates="results/active_learning/candidates.csv",
        waveforms=chunks(rules.preprocess.output.waveforms),
    output:
        report(
            "results/active_learning/thumbnails.png",
            caption="../report/label_thumbnails.rst",
            category="7. Label next",
        ),
    params:
        classes=CLASSES,
        active_learning=SETTINGS["active_learning"],
        length_s=RECIPE.windows.length_s,
        sampling_rate=RECIPE.preprocess.sampling_rate,
        amplitude_unit=RECIPE.preprocess.amplitude_unit,
        files=waveform_files,
    log:
        "logs/active_learning/thumbnails.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/candidate_thumbnails.py"


rule labelling_page:
    """The labelling page: one self-contained HTML file to label the candidates by keyboard."""
    input:
        candidates="results/active_learning/candidates.csv",
        waveforms=chunks(rules.preprocess.output.waveforms),
    output:
        report(
            "results/active_learning/labelling.html",
            caption="../report/labelling_page.rst",
            category="7. Label next",
        ),
    params:
        classes=CLASSES,
        active_learning=SETTINGS["active_learning"],
        sampling_rate=RECIPE.preprocess.sampling_rate,
        files=waveform_files,
    log:
        "logs/active_learning/labelling_page.log",
    conda:
        CONDA_CORE
    script:
        "../scripts/labelling_page.py"


# Active learning measured: labelling whole intervals chosen by each strategy, simulated on the
# event-grouped folds of the train and validation splits (the test split stays out).


rule active_learning_simulation:
    """Curves of interval balanced accuracy against labelled intervals per strategy, and the labels each needs."""
    input:
        dataset=rules.dataset.output.dataset,
    output:
        curve=report(
            "results/active_learning/curve.tsv",
            caption="../report/active_learning_curve_table.rst",
            category="7. Label next",
        ),
        summary=report(
            "results/active_learning/summary.tsv",
            caption="../report/active_learning_summary.rst",
            category="7. Label next",
        ),
        plot=report(
            "results/active_learning/curve.png",
            caption="../report/active_learning_curve.rst",
            category="7. Label next",
        ),
    params:
        classes=CLASSES,
        active_learning=SETTINGS["active_learning"],
        forest=SETTINGS["random_forest"],
        folds=SETTINGS["evaluation"].cv_folds,
        block_s=SETTINGS["split"].block_s,
        seed=STUDY.seed,
    threads: 8
    log:
        "logs/active_learning/simulation.log",
    conda:
        CONDA_ML
    script:
        "../scripts/active_learning_simulation.py"


rule learning_curve:
    """Skill of the forest against labelled events per class, with each class's recall."""
    input:
        dataset=rules.dataset.output.dataset,
    output:
        curve="results/active_learning/learning_curve.tsv",
        plot=report(
            "results/active_learning/learning_curve.png",
            caption="../report/learning_curve.rst",
            category="7. Label next",
        ),
    params:
        classes=CLASSES,
        active_learning=SETTINGS["active_learning"],
        forest=SETTINGS["random_forest"],
        folds=SETTINGS["evaluation"].cv_folds,
        block_s=SETTINGS["split"].block_s,
        seed=STUDY.seed,
    threads: 8
    log:
        "logs/active_learning/learning_curve.log",
    conda:
        CONDA_ML
    script:
        "../scripts/learning_curve.py"
