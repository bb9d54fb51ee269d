"""Rule adapter: confound checks of the clusters and SHAP drivers; hypotheses with a confound column."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure, write_csv
from seisclass.core.runlog import log_to
from seisclass.explain.clustering import METHODS
from seisclass.explain.confounds import check_confounds
from seisclass.plots.confounds import confound_figure
from seisclass.signal.preprocess import read_original_rates

log = log_to(snakemake.log[0])
p = snakemake.params.explore
confounds, hypotheses = check_confounds(
    pd.read_parquet(snakemake.input.embedding), pd.read_parquet(snakemake.input.dataset),
    pd.read_csv(snakemake.input.hypotheses, sep="\t", keep_default_na=False),
    read_original_rates(snakemake.input.notes), list(snakemake.params.snr_bins_db),
    sorted(METHODS, key=lambda m: m != p.method),
    pd.read_parquet(snakemake.input.shap_values), pd.read_csv(snakemake.input.importance, sep="\t"),
    list(snakemake.params.classes), p.confound_drivers, p.confound_share, p.confound_association,
)
flagged = confounds[confounds["flagged"]]
log.info("%d of %d checks flagged (share >= %g while the value is < 50 %% of all windows, or association >= %g)",
         len(flagged), len(confounds), p.confound_share, p.confound_association)
for row in flagged.itertuples():
    log.info("%s %s: %s", row.method, row.cluster, row.reason)
write_csv(confounds, snakemake.output.confounds, sep="\t", float_format="%.4g")
write_csv(hypotheses, snakemake.output.hypotheses, sep="\t")
save_figure(confound_figure(confounds), snakemake.output.plot)
