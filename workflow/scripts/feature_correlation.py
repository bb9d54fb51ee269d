"""Rule adapter: Spearman correlation of the features, its clustered plot and correlated groups."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure, write_csv
from seisclass.core.runlog import log_to
from seisclass.data.dataset import feature_columns
from seisclass.explain.correlation import clustered_order, correlated_groups, spearman_matrix
from seisclass.plots.explore import correlation_figure

log = log_to(snakemake.log[0])
p = snakemake.params.explore
table = pd.read_parquet(snakemake.input[0])
names = feature_columns(table)
rho = spearman_matrix(table[names].to_numpy(dtype=float), p.correlation_sample, snakemake.params.seed)
groups = correlated_groups(rho, names, p.correlation_threshold)
multi = groups[groups["group_size"] > 1]
log.info("%d features in %d groups; %d features share a group (|rho| >= %g)",
         len(names), groups["group"].nunique(), len(multi), p.correlation_threshold)
write_csv(groups, snakemake.output.groups, sep="\t")
write_csv(pd.DataFrame(rho, index=names, columns=names).round(4).rename_axis("feature").reset_index(),
          snakemake.output.matrix, sep="\t")
save_figure(correlation_figure(rho, names, clustered_order(rho), groups, p.correlation_threshold),
            snakemake.output.plot)
