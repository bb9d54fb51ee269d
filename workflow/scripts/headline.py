"""Rule adapter: the headline of the report (data volume, model comparison, cross-validation)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import json

import pandas as pd

from seisclass.core.io import atomic_path
from seisclass.core.runlog import log_to
from seisclass.learn.summary import data_volume, headline_html

log_to(snakemake.log[0])
volume = data_volume(pd.read_csv(snakemake.input.counts, sep="\t"),
                     pd.read_csv(snakemake.input.availability, sep="\t", keep_default_na=False))
with open(snakemake.input.cv) as f:
    cv = json.load(f)
with open(snakemake.input.events) as f:
    events = json.load(f)
text = headline_html(volume, pd.read_csv(snakemake.input.comparison, sep="\t"), cv, list(snakemake.params.classes),
                     events)
with atomic_path(snakemake.output[0]) as tmp:
    tmp.write_text(text)
