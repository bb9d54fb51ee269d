"""Rule adapter: smoothed probabilities and class segments of one station."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from seisclass.io import write_csv, write_parquet
from seisclass.learn.detections import DetectionParameters, read_probabilities, station_detections
from seisclass.runlog import log_to
from seisclass.schema import station_ids

log = log_to(snakemake.log[0])
p = DetectionParameters.from_config(snakemake.params.detections)
windows, classes, model = read_probabilities(snakemake.input)  # classify: the saved model's classes
windows = windows[station_ids(windows) == snakemake.wildcards.station]  # chunks may hold other stations
smoothed, segments = station_detections(windows, classes, snakemake.params.step_s, p.smoothing_windows,
                                        p.exclude_classes, model)
log.info("%d windows -> %d segments %s", len(windows), len(segments), segments["class"].value_counts().to_dict())
write_parquet(smoothed, snakemake.output.windows)
write_csv(segments, snakemake.output.segments, date_format="%Y-%m-%dT%H:%M:%S.%fZ", float_format="%.4f")
