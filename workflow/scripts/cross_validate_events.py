"""Rule adapter: event-level skill of the forest's grouped cross-validation (events.json)."""

import _bootstrap  # noqa: F401  (puts src/ on sys.path)

import pandas as pd

from seisclass.core.io import write_csv, write_json
from seisclass.core.runlog import log_to
from seisclass.core.vocabulary import TIME_FORMAT
from seisclass.core.waveforms import read_checked
from seisclass.data.labels import read_annotations
from seisclass.events.catalogue import build_catalogue, event_file_columns
from seisclass.events.detect import chunk_events, windows_of_days
from seisclass.events.evaluate import covered_by, event_metrics, reference_events
from seisclass.learn.calibration import calibrate_out_of_fold

log = log_to(snakemake.log[0])
classes, p, recipe = list(snakemake.params.classes), snakemake.params.events, snakemake.params.recipe
predictions = pd.read_parquet(snakemake.input.predictions)
predictions, _ = calibrate_out_of_fold(predictions, classes, snakemake.params.calibration)
parts = []
for path in snakemake.input.waveforms:  # one chunk's waveforms in memory at a time
    windows = windows_of_days(predictions, snakemake.params.days[path])
    if len(windows):
        parts.append(chunk_events(windows, read_checked(path), classes, p, recipe.windows.length_s,
                                  recipe.windows.step_s, recipe.preprocess.bandpass_hz))
catalogue = build_catalogue(pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(), classes, p,
                            snakemake.params.coordinates, "rf (cross-validated)")
truth = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in snakemake.input.truth]) \
    if snakemake.input.truth else None
reference, background = reference_events(read_annotations(list(snakemake.input.annotations), classes), truth,
                                         p.event_classes(classes), list(p.background_classes), p.min_snr_db)
reference = covered_by(reference, predictions)  # the test split stays out of the cross-validation
metrics = {"network": event_metrics(catalogue.events, reference, p.event_classes(classes), background),
           "station": event_metrics(catalogue.events, reference, p.event_classes(classes), background,
                                    class_column="station_class"),
           "station_events": len(catalogue.events), "network_events": len(catalogue),
           "calibration": snakemake.params.calibration, "settings": p.to_config()}
for kind in ("network", "station"):
    log.info("%s classes: %s", kind, {c: {k: v for k, v in m.items() if k in ("precision", "recall", "f1")}
                                      for c, m in metrics[kind]["classes"].items()})
write_json(metrics, snakemake.output.metrics)
write_csv(catalogue.events[event_file_columns(classes)], snakemake.output.events, date_format=TIME_FORMAT,
          float_format="%.4f")
