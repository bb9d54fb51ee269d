"""Rule adapter: smoothed probabilities and class segments of one station."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.io import write_csv, write_parquet
from seisclass.learn.detections import DetectionParameters, station_detections
from seisclass.runlog import log_to

log = log_to(snakemake.log[0])
classes = list(snakemake.params.classes)
p = DetectionParameters.from_config(snakemake.params.detections)
windows = pd.concat([pd.read_parquet(path) for path in snakemake.input], ignore_index=True)
smoothed, segments = station_detections(windows, classes, snakemake.params.step_s, p.smoothing_windows,
                                        p.exclude_classes)
log.info("%d windows -> %d segments %s", len(windows), len(segments), segments["class"].value_counts().to_dict())
write_parquet(smoothed, snakemake.output.windows)
write_csv(segments, snakemake.output.segments, date_format="%Y-%m-%dT%H:%M:%S.%fZ", float_format="%.4f")
