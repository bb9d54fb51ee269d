"""Rule adapter: the labelling page of the top label-next candidates (one self-contained HTML file)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import atomic_path
from seisclass.core.runlog import log_to
from seisclass.data.dataset import context_waveforms
from seisclass.plots.labelling_page import labelling_html

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
p = snakemake.params.active_learning
rows = pd.read_csv(snakemake.input.candidates, dtype={"network": str, "station": str, "location": str},
                   keep_default_na=False).head(p.page_candidates)
for column in ("start", "end"):
    rows[column] = pd.to_datetime(rows[column], utc=True, format="ISO8601")
traces = context_waveforms(rows, dict(snakemake.params.files), p.page_context_s, p.page_context_s)
page = labelling_html(rows, traces, classes, snakemake.params.sampling_rate, p.page_context_s,
                      title=f"Label next ({p.model}, {p.strategy})")
with atomic_path(snakemake.output[0]) as path:
    path.write_text(page, encoding="utf-8")
log.info("%d candidates, %d without data; %.1f MB", len(rows), sum(len(t) == 0 for t, _ in traces), len(page) / 1e6)
