# Explanations: SHAP values of the random forest, global and per correlated feature group.




rule explain_random_forest:
    """SHAP (TreeExplainer) of the forest on a class-stratified sample of windows."""
    input:
        model=MODEL_FILES[FOREST],
        dataset=rules.dataset.output.dataset,
        groups="results/explore/feature_groups.tsv",
    output:
        values="results/explain/rf_shap_values.parquet",
        importance=report(
            "results/explain/rf_shap_importance.tsv",
            caption="../report/rf_shap_importance.rst",
            category="5. Explanations",
        ),
        groups=report(
            "results/explain/rf_shap_group_importance.tsv",
            caption="../report/rf_shap_group_importance.rst",
            category="5. Explanations",
        ),
        summary=report(
            "results/explain/rf_shap_summary.tsv",
            caption="../report/rf_shap_summary.rst",
            category="5. Explanations",
        ),
        beeswarm=report(
            "results/explain/rf_shap_beeswarm.png",
            caption="../report/rf_shap_beeswarm.rst",
            category="5. Explanations",
        ),
        dependence=report(
            "results/explain/rf_shap_dependence.png",
            caption="../report/rf_shap_dependence.rst",
            category="5. Explanations",
        ),
        group_plot=report(
            "results/explain/rf_shap_groups.png",
            caption="../report/rf_shap_groups.rst",
            category="5. Explanations",
        ),
    params:
        classes=CLASSES,
        explain=SETTINGS["explain"],
        seed=STUDY.seed,
    log:
        "logs/explain/random_forest.log",
    conda:
        CONDA_ML
    script:
        "../scripts/explain_random_forest.py"
