"""Rule adapter: per-station events of one chunk's window probabilities."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import write_parquet
from seisclass.core.runlog import log_to
from seisclass.core.waveforms import read_checked
from seisclass.events.detect import chunk_events
from seisclass.events.segments import probability_classes

log = log_to(snakemake.log[0])
recipe, p = snakemake.params.recipe, snakemake.params.events
probabilities = pd.read_parquet(snakemake.input.probabilities)
classes = probability_classes(probabilities)  # the applied model's classes
events = chunk_events(probabilities, read_checked(snakemake.input.waveforms), classes, p, recipe.windows.length_s,
                      recipe.windows.step_s, recipe.preprocess.bandpass_hz)
log.info("%s: %d windows -> %d station event(s) %s", snakemake.wildcards.chunk, len(probabilities), len(events),
         events["class"].value_counts().to_dict())
write_parquet(events, snakemake.output[0])
