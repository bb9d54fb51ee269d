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
