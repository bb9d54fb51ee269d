"""Rule adapter: compare the preprocessing variants (scores, figures)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import json

import pandas as pd

from seisclass.core.io import save_figure, write_csv
from seisclass.core.runlog import log_to
from seisclass.data.variants import variant_comparison_table
from seisclass.plots.variants import comparison_figure, spectra_figure

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
names = list(snakemake.params.variants)
datasets = {n: pd.read_parquet(p) for n, p in zip(names, snakemake.input.datasets, strict=True)}
results = {
    name: {"metrics": json.loads(open(m).read()), "stability": json.loads(open(s).read()), "settings": text,
           "n_windows": len(datasets[name])}
    for name, m, s, text in zip(names, snakemake.input.metrics, snakemake.input.stability, snakemake.params.settings,
                                strict=True)
}
table = variant_comparison_table(results, classes)
log.info("variants:\n%s", table.to_string())
write_csv(table, snakemake.output.table, sep="\t", float_format="%.4f")
save_figure(comparison_figure(table, classes), snakemake.output.plot)
save_figure(spectra_figure(datasets, classes, dict(zip(names, snakemake.params.settings, strict=True))),
            snakemake.output.spectra)
