"""Rule adapter: learning curve of the forest by labelled events per class (event-grouped folds)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure, write_csv
from seisclass.core.runlog import log_to
from seisclass.data.dataset import feature_columns
from seisclass.learn.active_simulation import forest_fit, learning_curve, prepare_pool
from seisclass.plots.active_learning import learning_curve_figure

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
al = snakemake.params.active_learning
table = pd.read_parquet(snakemake.input.dataset)
table = table[table["split"] != "test"]
pool = prepare_pool(table, feature_columns(table), classes, snakemake.params.block_s, snakemake.params.folds,
                    snakemake.params.seed)
fit = forest_fit(snakemake.params.forest, al.simulation.n_estimators, len(classes))
curve = learning_curve(pool, fit, al.learning_curve, snakemake.threads)
last = curve.groupby("events_per_class")[["interval_bacc", *[f"recall_{c}" for c in classes]]].median()
log.info("median over seeds x folds by labelled events per class:\n%s", last.round(3).to_string())
write_csv(curve, snakemake.output.curve, sep="\t", float_format="%.4f")
save_figure(learning_curve_figure(curve, classes, f"random forest ({al.simulation.n_estimators} trees)"),
            snakemake.output.plot)
