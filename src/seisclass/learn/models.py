"""One interface for every trained model: :class:`WindowClassifier` and :func:`load_classifier`.

The random forest (:class:`seisclass.learn.forest.ForestClassifier`), the CNN and the LSTM
(:class:`seisclass.learn.deep.networks.DeepClassifier`) share it, in the style of
scikit-learn and SeisBench:

- ``classes_``, ``name`` and ``metadata``, the *model card*: classes, preprocessing
  (sampling rate, band-pass, corners, response output), window grid (length, step,
  components), feature settings, a summary of the training data (windows per class,
  stations, time span) and library versions, all plain JSON types;
- ``predict_proba(x)``: class probabilities ``(windows, classes)`` of the model's own
  input (a feature table for the forest, raw waveform windows for the deep models);
- ``table_probabilities(table, stream)``: the windows of a workflow feature table;
- ``window_probabilities(stream)``, ``annotate(stream)`` and ``classify(stream)``: any raw
  ObsPy stream, at any sampling rate, preprocessed exactly as the model card says.

Files. :func:`load_classifier` reads the format from the file's content: a skops file
(forest, loaded with an explicit list of trusted types, so loading cannot run code) or a
PyTorch file (CNN/LSTM, ``torch.load(weights_only=True)``). Old joblib forests are
pickles, which run code when loaded: they load only with ``trust=True``. Anything else,
or a file that was altered, is refused with :class:`ModelFileError`.

Nothing heavy (scikit-learn, skops, torch) is imported before a model is loaded.
"""

from __future__ import annotations

import logging
import math
import platform
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from seisclass.schema import KEY_COLUMNS, epoch_seconds, probability_columns

log = logging.getLogger(__name__)

FORMAT = "seisclass-model-1"
DESCRIPTIONS = {"rf": "random forest on window features", "cnn": "1-D CNN on the waveform",
                "lstm": "LSTM on short-time spectra of the waveform"}
# Preprocessing keys that change what a model sees (taper and gap handling only touch segment edges).
CHECKED_PREPROCESSING = ("sampling_rate", "bandpass_hz", "corners", "remove_response")
DAY_S = 86400.0


class ModelFileError(ValueError):
    """A model file is missing, foreign, corrupt, altered or untrusted; the message names the file."""


class ModelMismatchError(ValueError):
    """A model does not fit the data or configuration; the message names the key and both values."""


# ----------------------------------------------------------------- model card


def plain(obj):
    """``obj`` with only built-in types (dict, list, str, int, float, bool, None)."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [plain(v) for v in obj]
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, str):
        return str(obj)
    if obj is None or isinstance(obj, bool | int | float):
        return obj
    raise TypeError(f"cannot store {type(obj).__name__} in model metadata")


def preprocessing_card(section: dict | None) -> dict:
    """The ``preprocess`` config section as a model card stores it (every key, defaults filled)."""
    from seisclass.signal.preprocess import PreprocessParameters

    section = dict(section or {})
    p = PreprocessParameters.from_config(section)
    return {"sampling_rate": float(p.sampling_rate), "bandpass_hz": [float(p.freqmin), float(p.freqmax)],
            "corners": int(p.corners), "taper_s": float(p.taper_s), "max_gap_s": float(p.max_gap_s),
            "min_segment_s": float(p.min_segment_s), "remove_response": section.get("remove_response")}


def windows_card(section: dict | None) -> dict:
    """The window grid of the ``windows`` config section: ``length_s``, ``step_s`` (s), ``components``."""
    section = dict(section or {})
    return {"length_s": float(section.get("length_s", 10.0)), "step_s": float(section.get("step_s", 5.0)),
            "components": list(section.get("components", ["Z", "N", "E"]))}


def features_card(section: dict | None) -> dict:
    """The ``features`` config section with defaults filled (``block_size`` only sets memory use)."""
    import dataclasses

    from seisclass.signal.features import FeatureParameters

    values = dataclasses.asdict(FeatureParameters.from_config(section))
    values.pop("block_size", None)
    return plain(values)


def training_summary(rows: pd.DataFrame, classes: list[str]) -> dict:
    """Windows per class, stations (``NET.STA[.LOC]``) and UTC span of the windows a model was fitted on."""
    from seisclass.schema import station_ids

    counts = rows["label"].value_counts()
    return {
        "n_windows": int(len(rows)),
        "windows_per_class": {c: int(counts.get(c, 0)) for c in classes},
        "stations": sorted(set(station_ids(rows))) if len(rows) else [],
        "start": _iso(rows["start"].min()) if len(rows) else None,
        "end": _iso(rows["end"].max()) if len(rows) else None,
    }


def _iso(time) -> str:
    return pd.Timestamp(time).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def library_versions(*packages: str) -> dict:
    """Versions of seisclass, Python and the libraries a model depends on."""
    from importlib.metadata import PackageNotFoundError, version

    import seisclass

    out = {"seisclass": seisclass.__version__, "python": platform.python_version()}
    for name in ("numpy", "scipy", "pandas", "obspy", *packages):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def model_card(name: str, classes: list[str], config: dict, training_data: dict, packages: tuple[str, ...],
               features: bool, **extra) -> dict:
    """The metadata stored with a model (plain types).

    ``config`` holds the workflow's ``preprocess``, ``windows`` and (for a model on
    features) ``features`` sections; ``training_data`` is :func:`training_summary`.
    """
    card = {"format": FORMAT, "name": name, "description": DESCRIPTIONS.get(name, name),
            "classes": list(classes), "preprocessing": preprocessing_card(config.get("preprocess")),
            "windows": windows_card(config.get("windows")),
            "features": features_card(config.get("features")) if features else None,
            "training_data": training_data, "versions": library_versions(*packages)}
    return plain({**card, **extra})


def describe(metadata: dict, path: str = "") -> str:
    """The model card as text (``seisclass info``)."""
    pre, win, data = metadata.get("preprocessing") or {}, metadata.get("windows") or {}, metadata.get("training_data") or {}
    band = pre.get("bandpass_hz")
    lines = [
        ("model", f"{metadata.get('name')} ({metadata.get('description', '')})" + (f", file {path}" if path else "")),
        ("classes", ", ".join(metadata.get("classes", []))),
        ("preprocessing", f"{_value(pre.get('sampling_rate'))} Hz, band-pass "
                          f"{'-'.join(f'{f:g}' for f in band) if band else 'unknown'} Hz "
                          f"({_value(pre.get('corners'))} corners), response removed: "
                          f"{pre.get('remove_response') or 'no (counts)'}"),
        ("windows", f"{_value(win.get('length_s'))} s every {_value(win.get('step_s'))} s, components "
                    f"{' '.join(win.get('components') or []) or 'unknown'}"),
    ]
    if metadata.get("feature_names"):
        lines.append(("features", f"{len(metadata['feature_names'])} columns, settings {metadata.get('features')}"))
    if metadata.get("input"):
        lines.append(("input", ", ".join(f"{k} {v}" for k, v in metadata["input"].items())))
    per_class = ", ".join(f"{c} {n}" for c, n in (data.get("windows_per_class") or {}).items())
    lines.append(("training data", f"{_value(data.get('n_windows'))} windows ({per_class or 'unknown'}), "
                                   f"stations {', '.join(data.get('stations') or []) or 'unknown'}, "
                                   f"{data.get('start') or '?'} to {data.get('end') or '?'}"))
    versions = metadata.get("versions") or {}
    lines.append(("versions", ", ".join(f"{k} {v}" for k, v in versions.items()) or "unknown"))
    width = max(len(k) for k, _ in lines)
    return "\n".join(f"{k:<{width}}  {v}" for k, v in lines)


def _value(v) -> str:
    return "unknown" if v is None else f"{v:g}" if isinstance(v, float) else str(v)


# ------------------------------------------------------- comparing with a config


def config_differences(metadata: dict, config: dict) -> list[tuple[str, object, object]]:
    """``(key, model value, config value)`` where the workflow config differs from the model card.

    Compared: the preprocessing that changes the signal (:data:`CHECKED_PREPROCESSING`),
    window length and components, and the feature settings of a model on features.
    The window step is not compared: any grid step applies the same model. Keys a
    (legacy) model card lacks are not compared.
    """
    out = []
    model_pre, config_pre = metadata.get("preprocessing") or {}, preprocessing_card(config.get("preprocess"))
    for key in CHECKED_PREPROCESSING:
        if key in model_pre and (model_pre[key] is not None or key == "remove_response"):  # None: counts
            out.append((f"preprocess.{key}", model_pre.get(key), config_pre[key]))
    model_win, config_win = metadata.get("windows") or {}, windows_card(config.get("windows"))
    if model_win.get("length_s") is not None:
        out.append(("windows.length_s", model_win["length_s"], config_win["length_s"]))
    if model_win.get("components") is not None:
        out.append(("windows.components", sorted(model_win["components"]), sorted(config_win["components"])))
    if metadata.get("features") is not None:
        config_features = features_card(config.get("features"))
        out += [(f"features.{k}", v, config_features.get(k)) for k, v in metadata["features"].items()]
    return [(key, m, c) for key, m, c in out if not same(m, c)]


def completed_card(metadata: dict, config: dict) -> dict:
    """A (legacy) model card completed from the workflow config the model was trained with.

    Settings the card records must agree with ``config`` (else
    :class:`ModelMismatchError`); the others are taken from ``config``.
    """
    differences = config_differences(metadata, config)
    if differences:
        raise ModelMismatchError("the configuration contradicts the model card: " + "; ".join(
            f"{key}: model {m!r}, configuration {c!r}" for key, m, c in differences))
    known_windows = {k: v for k, v in (metadata.get("windows") or {}).items() if v is not None}
    card = {**metadata, "format": FORMAT, "preprocessing": preprocessing_card(config.get("preprocess")),
            "windows": {**windows_card(config.get("windows")), **known_windows}}
    if metadata.get("feature_names"):
        card["features"] = features_card(config.get("features"))
    return plain(card)


def same(a, b) -> bool:
    """Equal, with floats compared to a relative 1e-9 (lists element by element)."""
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-12)
    return a == b


# ------------------------------------------------------------------ interface


class WindowClassifier:
    """A trained window classifier with its model card (``metadata``).

    Subclasses implement :meth:`predict_proba`, :meth:`save`, ``_table_proba`` (the
    rows of a feature table) and ``_span_table`` (every grid window of a preprocessed
    stream in a time span).
    """

    reads = "features"  # or "waveforms"

    def __init__(self, metadata: dict, path: str | Path | None = None):
        self.metadata = metadata
        self.path = str(path) if path is not None else f"<{metadata.get('name')} model>"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, classes={self.classes_}, path={self.path!r})"

    @property
    def name(self) -> str:
        """Model name (``rf``, ``cnn``, ``lstm``), used in output columns and trace ids."""
        return str(self.metadata["name"])

    @property
    def classes_(self) -> list[str]:
        """Class names in the order of the probability columns."""
        return list(self.metadata["classes"])

    @property
    def sampling_rate(self) -> float:
        """Sampling rate (Hz) the model's windows are cut at (after preprocessing)."""
        return float(self.metadata["preprocessing"]["sampling_rate"])

    @property
    def window_length_s(self) -> float:
        return float(self.metadata["windows"]["length_s"])

    @property
    def step_s(self) -> float:
        """Step of the window grid (s) used by :meth:`annotate` and :meth:`classify`."""
        step = self.metadata["windows"].get("step_s")
        return float(step) if step is not None else self.window_length_s / 2

    @property
    def components(self) -> list[str]:
        return list(self.metadata["windows"]["components"])

    def describe(self) -> str:
        """The model card as text."""
        return describe(self.metadata, self.path)

    def predict_proba(self, x) -> np.ndarray:
        """Class probabilities ``(windows, classes)`` of the model's input (see the subclass)."""
        raise NotImplementedError

    def save(self, path) -> None:
        """Write the model and its card atomically (``path`` becomes the model's file)."""
        raise NotImplementedError

    # ---------------------------------------------------- checks

    def check_classes(self, classes: list[str] | None = None) -> list[str]:
        """The classes to use: the model's, or ``classes`` when it is exactly the model's list."""
        if classes is None or list(classes) == self.classes_:
            return self.classes_
        raise ModelMismatchError(
            f"{self.path}: classes differ: model {self.classes_}, configuration {list(classes)} "
            "(the order counts: it fixes the probability columns); configure the model's classes "
            "or use a model trained on yours")

    def check_config(self, config: dict, classes: list[str] | None = None) -> list[str]:
        """Raise :class:`ModelMismatchError` where ``config`` differs from the model card; return the classes.

        ``config`` is the workflow config (sections ``preprocess``, ``windows``,
        ``features``); ``classes=None`` takes the model's classes.
        """
        differences = config_differences(self.metadata, config)
        if differences:
            text = "; ".join(f"{key}: model {m!r}, configuration {c!r}" for key, m, c in differences)
            raise ModelMismatchError(
                f"{self.path}: the model was trained with other settings than the configuration: {text}. "
                "Set these keys to the model's values (or use a model trained with yours)")
        return self.check_classes(classes)

    # ---------------------------------------------------- windows of the workflow

    def table_probabilities(self, table: pd.DataFrame, stream=None) -> pd.DataFrame:
        """Key columns plus ``p_<class>`` for every row of a feature table (NaN where not computable).

        ``stream`` is the preprocessed waveform of the table's windows (needed by
        the deep models, which cut the windows from it). The model name is kept
        in ``.attrs["model"]`` (stored in Parquet files).
        """
        table = table.reset_index(drop=True)
        proba = self._table_proba(table, stream) if len(table) else np.zeros((0, len(self.classes_)))
        return self._probability_table(table[KEY_COLUMNS], proba)

    def _probability_table(self, keys: pd.DataFrame, proba: np.ndarray) -> pd.DataFrame:
        out = keys.reset_index(drop=True).copy()
        for column, values in zip(probability_columns(self.classes_), np.asarray(proba).T, strict=True):
            out[column] = values.astype(np.float64)
        out.attrs["model"] = self.name
        return out

    def _table_proba(self, table: pd.DataFrame, stream) -> np.ndarray:
        raise NotImplementedError

    def _span_table(self, stream, keys: dict, t0: float, t1: float, native_rates: dict | None = None) -> pd.DataFrame:
        raise NotImplementedError

    # ---------------------------------------------------- raw streams

    def preprocess(self, stream, inventory=None):
        """The model card's preprocessing applied to a raw stream (returns a new stream).

        Every trace is resampled to the model's rate, as in training: data
        recorded below it are upsampled with a warning (their band features
        above the recorded Nyquist frequency are missing, as in the workflow).
        ``inventory`` (ObsPy Inventory) is required when the model was trained on
        data with the instrument response removed.
        """
        from seisclass.signal.preprocess import PreprocessParameters, preprocess_stream

        card = self._preprocessing()
        p = PreprocessParameters.from_config(card)
        slow = [tr for tr in stream if tr.stats.sampling_rate < p.sampling_rate * (1 - 1e-9)]
        for tr in slow:
            log.warning("%s is sampled at %g Hz, below the model's preprocess.sampling_rate %g Hz: upsampled, "
                        "content above %g Hz is missing (as for such stations in training)", tr.id,
                        tr.stats.sampling_rate, p.sampling_rate, tr.stats.sampling_rate / 2)
        output = card.get("remove_response")
        if output:
            if inventory is None:
                raise ModelMismatchError(
                    f"{self.path}: the model was trained on data with the instrument response removed "
                    f"(preprocess.remove_response: {output}); pass a StationXML inventory (CLI: --inventory)")
            from seisclass.signal.response import remove_instrument_response

            stream = remove_instrument_response(stream, inventory, output, p.freqmin, p.freqmax)
        processed, notes = preprocess_stream(stream, p)
        for note in notes:
            log.warning(note)
        return processed

    def _preprocessing(self) -> dict:
        card = self.metadata.get("preprocessing") or {}
        missing = [k for k in ("sampling_rate", "bandpass_hz", "corners") if card.get(k) is None]
        if missing:
            raise ModelFileError(
                f"{self.path}: the model card does not record preprocessing {missing} (a legacy model), so "
                "raw waveforms cannot be prepared as in training; re-save it with `seisclass convert --trust "
                "OLD NEW --config CONFIG` naming the configuration it was trained with")
        return card

    def window_probabilities(self, stream, inventory=None) -> pd.DataFrame:
        """Key columns plus ``p_<class>`` of every complete grid window of a raw stream.

        Each station and band (``network, station, location`` and the first two
        channel letters) is preprocessed on its own; ``channel`` is the band
        pattern (``HH?``). Windows start on the model's grid (multiples of its
        step since the epoch); within each UTC day of window starts, the
        features' noise reference is that day's windows, as in the workflow.
        """
        tables = [self._station_table(part, keys, inventory) for keys, part in split_stations(stream)]
        tables = [t for t in tables if len(t)]
        if not tables:
            return self._probability_table(pd.DataFrame({c: [] for c in KEY_COLUMNS}),
                                           np.zeros((0, len(self.classes_))))
        out = pd.concat(tables, ignore_index=True)
        out.attrs["model"] = self.name
        return out

    def _station_table(self, raw, keys: dict, inventory) -> pd.DataFrame:
        from seisclass.signal.windows import ORIENTATION_ALIASES, available_components

        processed = self.preprocess(raw, inventory)
        if not len(processed):
            return pd.DataFrame()
        missing = [c for c in self.components if c not in available_components(processed, self.components)]
        if missing:
            raise ModelMismatchError(
                f"{self.path}: {keys['network']}.{keys['station']}.{keys['location']}.{keys['channel']} has no "
                f"{missing} component(s); windows.components: model {self.components}, data "
                f"{available_components(processed, ['Z', 'N', 'E'])} (select the channels to classify)")
        t0 = min(tr.stats.starttime.timestamp for tr in processed)
        t1 = max(tr.stats.endtime.timestamp + tr.stats.delta for tr in processed)
        native_rates = {}  # component -> recorded sampling rate (Hz) before resampling
        for tr in raw:
            component = ORIENTATION_ALIASES.get(tr.stats.channel[-1:])
            native_rates[component] = min(native_rates.get(component, np.inf), tr.stats.sampling_rate)
        tables = [self._span_table(processed, keys, a, b, native_rates)
                  for a, b in day_spans(t0, t1, self.window_length_s, self.step_s)]
        return pd.concat(tables, ignore_index=True)

    def annotate(self, stream, inventory=None):
        """Probability traces of a raw stream (SeisBench convention), one per class and run of windows.

        Channel is ``<model name>_<class>`` (e.g. ``rf_earthquake``); samples
        are spaced by the window step; **sample i is the probability of the
        window centred on** ``starttime + i * step`` (so the first sample sits
        half a window after the first window's start). A gap in the windows
        starts a new trace. ``stats.seisclass`` holds the band, window length
        and model. Names longer than three letters cannot be written to miniSEED.
        """
        return probability_stream(self.window_probabilities(stream, inventory), self.classes_, self.name,
                                  self.window_length_s, self.step_s)

    def classify(self, stream, inventory=None, smoothing_windows: int = 3, exclude_classes=()) -> pd.DataFrame:
        """Segments of a raw stream: ``network, station, location, channel, model, class, start, end,
        peak_time, peak_probability, mean_probability, n_windows`` (see :mod:`seisclass.learn.detections`)."""
        from seisclass.learn.detections import detect_segments

        return detect_segments(self.window_probabilities(stream, inventory), self.classes_, self.step_s,
                               smoothing_windows, tuple(exclude_classes), self.name)


def split_stations(stream) -> list[tuple[dict, object]]:
    """``(keys, stream)`` per network, station, location and band (first two channel letters).

    ``keys["channel"]`` is the band pattern (``HH?``); traces whose last channel
    letter is not a component (Z, N, E, 1, 2, 3) are left out.
    """
    from obspy import Stream

    from seisclass.signal.windows import ORIENTATION_ALIASES

    groups: dict[tuple, Stream] = {}
    for tr in stream:
        if tr.stats.channel[-1:] in ORIENTATION_ALIASES:
            s = tr.stats
            groups.setdefault((s.network, s.station, s.location, s.channel[:-1] + "?"), Stream()).append(tr)
    return [({"network": k[0], "station": k[1], "location": k[2], "channel": k[3]}, groups[k]) for k in sorted(groups)]


def day_spans(t0: float, t1: float, length_s: float, step_s: float) -> list[tuple[float, float]]:
    """``(a, b)`` per UTC day such that the grid windows inside ``[a, b]`` are those starting that day."""
    spans = []
    for day in np.arange(math.floor(t0 / DAY_S) * DAY_S, t1, DAY_S):
        a, b = max(float(day), t0), min(float(day) + DAY_S + length_s - step_s / 2, t1)
        if b - a >= length_s:
            spans.append((a, b))
    return spans


def probability_stream(table: pd.DataFrame, classes: list[str], name: str, length_s: float, step_s: float):
    """ObsPy traces of a probability table: see :meth:`WindowClassifier.annotate`."""
    from obspy import Stream, Trace, UTCDateTime

    from seisclass.learn.detections import runs

    out = Stream()
    for (network, station, location, band), rows in table.groupby(
            ["network", "station", "location", "channel"], sort=True):
        rows = rows.drop_duplicates("start").sort_values("start")
        starts = epoch_seconds(rows["start"])
        run = runs(starts, step_s)
        for r in np.unique(run):
            first = int(np.argmax(run == r))
            for c in classes:
                header = {"network": network, "station": station, "location": location,
                          "channel": f"{name}_{c}", "sampling_rate": 1.0 / step_s,
                          "starttime": UTCDateTime(starts[first] + length_s / 2)}
                trace = Trace(rows[f"p_{c}"].to_numpy(np.float64)[run == r], header=header)
                trace.stats.seisclass = {"band": band, "model": name, "class": c, "window_length_s": length_s,
                                         "sample_time": "window centre"}
                out.append(trace)
    return out


# --------------------------------------------------------------------- files


def file_format(path: Path) -> str:
    """``skops``, ``torch``, ``pickle`` (joblib or pickle: may run code) or ``unknown``, from the content."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"PK"):
        try:
            names = zipfile.ZipFile(path).namelist()
        except zipfile.BadZipFile:  # damaged: let the loader of the suffix report it
            return {".skops": "skops", ".pt": "torch"}.get(path.suffix, "unknown")
        if "schema.json" in names:
            return "skops"
        if any(n.endswith("data.pkl") for n in names):
            return "torch"
        return "unknown"
    if path.suffix == ".pt" and head[:1] == b"\x80":
        return "torch"  # PyTorch's legacy format; torch.load(weights_only=True) is still safe
    if head[:1] == b"\x80" or head[:1] == b"x":  # pickle protocol 2+, or joblib's zlib stream
        return "pickle"
    return "unknown"


def load_classifier(path, trust: bool = False, device: str | None = None) -> WindowClassifier:
    """Load a saved model (forest ``.skops``, CNN/LSTM ``.pt``, legacy ``.joblib`` with ``trust=True``).

    The format is read from the file's content. Raises :class:`ModelFileError`,
    naming the file, for a missing, foreign, corrupt or altered file, and for a
    pickle without ``trust`` (loading a pickle runs whatever code it holds).
    ``device`` places a deep model (default: CUDA when available, else CPU).
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such model file")
    kind = file_format(path)
    if kind == "skops":
        from seisclass.learn.forest import ForestClassifier

        return ForestClassifier.read(path)
    if kind == "torch":
        from seisclass.learn.deep.networks import DeepClassifier

        return DeepClassifier.read(path, device)
    if kind == "pickle":
        if not trust:
            raise ModelFileError(
                f"{path}: a pickle (joblib) file; loading it would run any code it holds, so it is refused. "
                "Load it only if you made it or trust its source: load_classifier(path, trust=True) "
                "(CLI: --trust), and re-save it safely with `seisclass convert`")
        from seisclass.learn.forest import ForestClassifier

        return ForestClassifier.read_legacy(path)
    raise ModelFileError(f"{path}: not a seisclass model file (expected a .skops forest or a .pt CNN/LSTM)")
