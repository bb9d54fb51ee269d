# Exploration: embeddings, clusters and their stability, hypotheses, feature correlation.



rule feature_correlation:
    """Spearman matrix of the features, clustered plot and groups of strongly correlated features."""
    input:
        rules.dataset.output.dataset,
    output:
        groups=report(
            "results/explore/feature_groups.tsv",
            caption="../report/feature_groups.rst",
            category="4. Exploration",
        ),
        matrix="results/explore/spearman.tsv",
        plot=report(
            "results/explore/correlation.png",
            caption="../report/feature_correlation.rst",
            category="4. Exploration",
        ),
    params:
        explore=SETTINGS["explore"],
        seed=STUDY.seed,
    log:
        "logs/explore/feature_correlation.log",
    conda:
        CONDA_ML
    script:
        "../scripts/feature_correlation.py"


rule explore:
    """PCA/UMAP embeddings, k-means and UMAP+HDBSCAN over seeds, consensus, label agreement, hypotheses."""
    input:
        dataset=rules.dataset.output.dataset,
        groups="results/explore/feature_groups.tsv",
        feature_table=rules.feature_table.output[0],
    output:
        embedding="results/explore/embedding.parquet",
        stability=report(
            "results/explore/stability.json",
            caption="../report/explore_stability_json.rst",
            category="4. Exploration",
        ),
        agreement=report(
            "results/explore/label_agreement.json",
            caption="../report/explore_label_agreement_json.rst",
            category="4. Exploration",
        ),
        contingency="results/explore/contingency.tsv",
        hypotheses="results/explore/cluster_hypotheses.tsv",  # without confound checks (rule confounds)
        effects="results/explore/cluster_features.tsv",
    params:
        classes=CLASSES,
        explore=SETTINGS["explore"],
        seed=STUDY.seed,
    threads: 2
    resources:
        mem_mb=measured_mem_mb("explore", of="dataset"),
    log:
        "logs/explore/explore.log",
    conda:
        CONDA_ML
    script:
        "../scripts/explore.py"


rule explore_figures:
    """Embeddings coloured by label and by cluster, stability and clusters against labels."""
    input:
        embedding="results/explore/embedding.parquet",
        stability="results/explore/stability.json",
        agreement="results/explore/label_agreement.json",
        contingency="results/explore/contingency.tsv",
    output:
        by_label=report(
            "results/explore/embedding_labels.png",
            caption="../report/explore_embedding_labels.rst",
            category="4. Exploration",
        ),
        by_cluster=report(
            "results/explore/embedding_clusters.png",
            caption="../report/explore_embedding_clusters.rst",
            category="4. Exploration",
        ),
        stability=report(
            "results/explore/stability.png",
            caption="../report/explore_stability.rst",
            category="4. Exploration",
        ),
        contingency=report(
            "results/explore/label_agreement.png",
            caption="../report/explore_label_agreement.rst",
            category="4. Exploration",
        ),
    params:
        classes=CLASSES,
    log:
        "logs/explore/figures.log",
    conda:
        CONDA_ML
    script:
        "../scripts/explore_figures.py"


rule confounds:
    """Clusters and SHAP drivers against recording metadata; hypotheses with their confound column."""
    input:
        embedding="results/explore/embedding.parquet",
        dataset=rules.dataset.output.dataset,
        hypotheses="results/explore/cluster_hypotheses.tsv",
        notes=chunks(rules.preprocess.output.notes),  # original sampling rates
        shap_values="results/explain/rf_shap_values.parquet",
        importance="results/explain/rf_shap_importance.tsv",
    output:
        confounds=report(
            "results/explore/confounds.tsv",
            caption="../report/explore_confounds.rst",
            category="4. Exploration",
        ),
        hypotheses=report(
            "results/explore/hypotheses.tsv",
            caption="../report/explore_hypotheses.rst",
            category="4. Exploration",
        ),
        plot=report(
            "results/explore/confounds.png",
            caption="../report/explore_confounds_plot.rst",
            category="4. Exploration",
        ),
    params:
        classes=CLASSES,
        explore=SETTINGS["explore"],
        snr_bins_db=SETTINGS["evaluation"].snr_bins_db,
    log:
        "logs/explore/confounds.log",
    conda:
        CONDA_ML
    script:
        "../scripts/confounds.py"
