"""Rule adapter: simulate active learning on the labelled intervals (event-grouped folds) and summarize."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import time

import pandas as pd

from seisclass.core.io import save_figure, write_csv
from seisclass.core.runlog import log_to
from seisclass.data.dataset import feature_columns
from seisclass.learn.active_simulation import (
    forest_fit,
    headline,
    prepare_pool,
    simulate,
    summarize,
    winner,
)
from seisclass.plots.active_learning import simulation_figure

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
p = snakemake.params.active_learning.simulation
table = pd.read_parquet(snakemake.input.dataset)
table = table[table["split"] != "test"]  # the test split stays out of every choice (the default strategy too)
pool = prepare_pool(table, feature_columns(table), classes, snakemake.params.block_s, snakemake.params.folds,
                    snakemake.params.seed)
log.info("%d labelled intervals (%d windows) in %d folds; %s x %d seeds", len(pool.interval_class),
         len(pool.window_class), len(pool.folds), list(p.strategies), p.seeds)
started = time.perf_counter()
curve = simulate(pool, forest_fit(snakemake.params.forest, p.n_estimators, len(classes)), p, snakemake.threads)
log.info("simulation: %d runs in %.0f s on %d processes", curve.groupby(["strategy", "seed", "fold"]).ngroups,
         time.perf_counter() - started, snakemake.threads)
summary = summarize(curve, p.targets)
for target in p.targets:
    log.info("%s (winner: %s)", headline(summary, target), winner(summary, target))
write_csv(curve, snakemake.output.curve, sep="\t", float_format="%.4f")
write_csv(summary, snakemake.output.summary, sep="\t", float_format="%.4f")
save_figure(simulation_figure(curve, summary, p.targets, headline(summary, p.targets[0])), snakemake.output.plot)
