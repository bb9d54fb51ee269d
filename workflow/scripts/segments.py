"""Rule adapter: smoothed probabilities and class segments of every station."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

from seisclass.core.io import write_csv, write_parquet
from seisclass.core.runlog import log_to
from seisclass.events.segments import all_detections, read_probabilities

log = log_to(snakemake.log[0])
p = snakemake.params.detections
windows, classes, model = read_probabilities(snakemake.input)  # classify: the saved model's classes
smoothed, segments = all_detections(windows, classes, snakemake.params.step_s, p.smoothing_windows,
                                    p.exclude_classes, model)
log.info("%d windows -> %d segments %s", len(windows), len(segments), segments["class"].value_counts().to_dict())
write_parquet(smoothed, snakemake.output.windows)
write_csv(segments, snakemake.output.segments, date_format="%Y-%m-%dT%H:%M:%S.%fZ", float_format="%.4f")
