"""Rule adapter: the catalogue timeline and example events with their probability traces."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import save_figure
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import epoch_seconds, station_ids
from seisclass.data.dataset import segment_waveform
from seisclass.events.catalogue import read_events
from seisclass.events.segments import probability_classes
from seisclass.plots.events import catalogue_timeline_figure, event_examples_figure, example_events

log_to(snakemake.log[0])
windows = pd.read_parquet(snakemake.input.windows)
classes = probability_classes(windows)  # the applied model's classes
network = pd.read_csv(snakemake.input.network, keep_default_na=False, na_values={"latitude": [""]})
network["first_onset"] = pd.to_datetime(network["first_onset"], utc=True, format="ISO8601")
events = read_events(snakemake.input.events)
run = snakemake.wildcards.run
save_figure(catalogue_timeline_figure(network, classes, f"{run}: {len(network)} network events"),
            snakemake.output.timeline)
examples = []
window_sid = station_ids(windows).to_numpy()
centres = epoch_seconds(windows["start"]) + (windows["end"] - windows["start"]).dt.total_seconds().to_numpy() / 2
for row in example_events(events, classes, snakemake.params.per_class).to_dict("records"):  # a few events
    onset, end = row["onset"].timestamp(), row["end"].timestamp()
    times, samples = segment_waveform(dict(snakemake.params.files), row["network"], row["station"],
                                      row["location"], onset - 30.0, end + 30.0)
    sid = station_ids(pd.DataFrame([row])).iloc[0]
    near = (window_sid == sid) & (centres >= onset - 30.0) & (centres <= end + 30.0)
    traces = windows.loc[near, [f"s_{c}" for c in classes]].assign(centre_s=centres[near] - onset)
    examples.append({"times": times - onset, "samples": samples, "windows": traces, "end_s": end - onset,
                     "class": row["class"],
                     "label": f"{sid} {row['onset']:%Y-%m-%d %H:%M:%S}: {row['class']} p={row['probability']:.2f}"})
save_figure(event_examples_figure(examples, classes, f"{run}: the most probable events of each class"),
            snakemake.output.examples)
