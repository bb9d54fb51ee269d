"""Rule adapter: the catalogue timeline and example events with their probability traces."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure
from seisclass.core.runlog import log_to
from seisclass.events.catalogue import read_events
from seisclass.events.segments import probability_classes
from seisclass.plots.events import (
            catalogue_timeline_figure,
            event_examples_figure,
            example_data,
            example_events,
)

log_to(snakemake.log[0])
windows = pd.read_parquet(snakemake.input.windows)
classes = probability_classes(windows)  # the applied model's classes
network = pd.read_csv(snakemake.input.network, keep_default_na=False, na_values={"latitude": [""]})
network["first_onset"] = pd.to_datetime(network["first_onset"], utc=True, format="ISO8601")
events = read_events(snakemake.input.events)
run = snakemake.wildcards.run
save_figure(catalogue_timeline_figure(network, classes, f"{run}: {len(network)} network events"),
            snakemake.output.timeline)
files = dict(snakemake.params.files)
examples = [example_data(row, windows, files, classes)
            for row in example_events(events, classes, snakemake.params.per_class).to_dict("records")]
save_figure(event_examples_figure(examples, classes, f"{run}: the most probable events of each class",
                                  snakemake.params.amplitude_label),
            snakemake.output.examples)
