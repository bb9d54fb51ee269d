"""Rule adapter: class probabilities of every window of one chunk (any saved model)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import write_parquet
from seisclass.core.runlog import log_to
from seisclass.core.waveforms import read_checked
from seisclass.learn.loading import load_classifier
from seisclass.signal.health import HEALTHY, read_intervals, window_health

log = log_to(snakemake.log[0])
model = load_classifier(snakemake.input.model, device="cpu")
configured = list(snakemake.params.classes)
classes = model.check_recipe(snakemake.params.recipe, None if snakemake.params.classes_from_model else configured)
if classes != configured:
    log.warning("the model's classes %s are used; the configuration lists %s", classes, configured)
features = pd.read_parquet(snakemake.input.features).sort_values("start", ignore_index=True)
stream = read_checked(snakemake.input.waveforms) if snakemake.input.waveforms else None
table = model.table_probabilities(features, stream)
table["health"] = window_health(table, read_intervals([snakemake.input.notes])).astype(str)
for (station, health), rows in table[table["health"] != HEALTHY].groupby(["station", "health"]):
    log.warning("%s: %d window(s) touch bad data (%s): marked in the health column", station, len(rows), health)
log.info("%s: %d windows classified with %s", snakemake.wildcards.chunk, len(table), model)
write_parquet(table, snakemake.output[0])
