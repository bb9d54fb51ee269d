"""Rule adapter: embedding, stability and label-agreement figures of the exploration."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import json

import pandas as pd

from seisclass.core.io import save_figure
from seisclass.core.runlog import log_to
from seisclass.plots.explore import contingency_figure, embedding_figure, stability_figure

log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
embedding = pd.read_parquet(snakemake.input.embedding)
stability = json.loads(open(snakemake.input.stability).read())
agreement = json.loads(open(snakemake.input.agreement).read())
contingency = pd.read_csv(snakemake.input.contingency, sep="\t", index_col="cluster")
method = stability["method"]
n = len(embedding)
save_figure(embedding_figure(embedding, "label", classes, f"{n} windows coloured by label"),
            snakemake.output.by_label)
save_figure(embedding_figure(embedding, "cluster", classes,
                             f"{n} windows coloured by consensus cluster ({method}, {stability['n_seeds']} seeds)"),
            snakemake.output.by_cluster)
silhouette = stability.get("silhouette")
if silhouette:
    silhouette = pd.Series({int(k): v for k, v in silhouette.items()}).sort_index()
save_figure(stability_figure(stability, silhouette), snakemake.output.stability)
save_figure(contingency_figure(contingency, agreement, f"Consensus clusters ({method}) against labels"),
            snakemake.output.contingency)
