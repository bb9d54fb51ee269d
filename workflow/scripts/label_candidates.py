"""Rule adapter: rank unlabelled windows by the model's uncertainty."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import write_csv
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import KEY_COLUMNS
from seisclass.learn.active_learning import candidates, unlabelled

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
p = snakemake.params.active_learning
pool = unlabelled(pd.read_parquet(snakemake.input.dataset, columns=[*KEY_COLUMNS, "label"]))
probabilities = pd.concat([pd.read_parquet(path) for path in snakemake.input.probabilities], ignore_index=True)
pool = pool.merge(probabilities, on=KEY_COLUMNS, how="inner", validate="one_to_one")
columns = [f"p_{c}" for c in classes]
pool = pool.dropna(subset=columns)  # windows a deep model could not cut
if "health" in pool:  # windows in dead, clipped or NaN data: nothing to learn from labelling them
    pool = pool[pool["health"] == "ok"]
table = candidates(pool, pool[columns].to_numpy(), classes, p.n_candidates, p.strategy)
log.info("%d unlabelled windows; top %d by %s (model %s)", len(pool), len(table), p.strategy, p.model)
write_csv(table, snakemake.output.candidates, date_format="%Y-%m-%dT%H:%M:%S.%fZ")
