"""Rule adapter: box plots of the features that differ most between classes."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure
from seisclass.core.runlog import log_to
from seisclass.data.dataset import rank_features_by_class
from seisclass.plots.data import feature_by_class_figure

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
table = pd.read_parquet(snakemake.input[0])
ranking = rank_features_by_class(table, classes)
log.info("Kruskal-Wallis ranking:\n%s", ranking.head(20).to_string())
save_figure(feature_by_class_figure(table, list(ranking.index[:9]), classes, snakemake.params.recipe.feature_units()),
            snakemake.output[0])
