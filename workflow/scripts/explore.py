"""Rule adapter: embeddings, clusters, their stability over seeds, and hypotheses."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import write_csv, write_json, write_parquet
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import KEY_COLUMNS
from seisclass.data.dataset import feature_columns
from seisclass.explain.exploration import explore

log = log_to(snakemake.log[0])
p = snakemake.params.explore
table = pd.read_parquet(snakemake.input.dataset)
groups = pd.read_csv(snakemake.input.groups, sep="\t")
documentation = pd.read_csv(snakemake.input.feature_table, sep="\t")
units = dict(zip(documentation["name"], documentation["unit"], strict=True))
result = explore(table, feature_columns(table), KEY_COLUMNS, list(snakemake.params.classes), groups, units,
                 p, snakemake.params.seed)
log.info("hypotheses:\n%s", "\n".join(result.hypotheses["statement"]))
write_parquet(result.embedding, snakemake.output.embedding)
write_json(result.stability, snakemake.output.stability)
write_json(result.agreement, snakemake.output.agreement)
write_csv(result.contingency.reset_index(), snakemake.output.contingency, sep="\t")
write_csv(result.hypotheses, snakemake.output.hypotheses, sep="\t")
write_csv(result.effects, snakemake.output.effects, sep="\t")
