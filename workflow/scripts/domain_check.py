"""Rule adapter: how unlike the model's training data each station of a run is (results/{run}/domain.tsv)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import write_csv
from seisclass.core.runlog import log_to
from seisclass.learn.domain import domain_counts, flag_messages, station_domain
from seisclass.learn.loading import load_classifier

log = log_to(snakemake.log[0])
model = load_classifier(snakemake.input.model, device="cpu")
domain = model.domain or {"features": []}
if model.domain is None:
    log.warning("%s describes no training domain (a deep model or an older file): no domain check", model)
counts = [domain_counts(pd.read_parquet(path, columns=[*domain["features"], "network", "station", "location",
                                                        "channel"]), domain)
          for path in snakemake.input.features] if model.domain else []
stations = station_domain(counts, domain)
for message in flag_messages(stations):
    log.warning(message)
log.info("%d station(s), %d flagged", len(stations), int(stations["flagged"].sum()) if len(stations) else 0)
write_csv(stations, snakemake.output[0], sep="\t", float_format="%.4f")
