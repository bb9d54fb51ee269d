"""Tree model on window features (scikit-learn), saved as a skops file.

The tree model is a random forest or histogram gradient boosting
(``random_forest.estimator``: ``forest`` or ``hgb``). :class:`ForestClassifier` is either behind
the common model interface (:class:`seisclass.learn.classifier.WindowClassifier`). Its file
(``rf.skops``) holds the fitted estimator and the model card; skops loads it without running
code from the file, and only accepts the types listed in :data:`TRUSTED_TYPES`. Pickled
models (joblib) are refused: nothing in seisclass unpickles.
"""

from __future__ import annotations

import functools
import logging
import time
import warnings
import zipfile

import numpy as np
import pandas as pd

from seisclass.core.config import ConfigSection, config_section
from seisclass.core.io import ZIP_EPOCH
from seisclass.learn.calibration import apply_calibration
from seisclass.learn.card import FORMAT, model_card, training_summary
from seisclass.learn.classifier import ModelFileError, ModelMismatchError, WindowClassifier
from seisclass.learn.domain import describe_domain
from seisclass.learn.integrity import CHECKSUM_MEMBER, check_archive, with_checksum
from seisclass.signal.recipe import Recipe

log = logging.getLogger(__name__)

# Types a seisclass tree-model file holds beyond skops' defaults (builtins, numpy arrays, ...):
# the forest's, then what skops reports for a fitted HistGradientBoostingClassifier.
TRUSTED_TYPES = (
    "sklearn.ensemble._forest.RandomForestClassifier",
    "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
    "sklearn.preprocessing._label.LabelEncoder",  # gradient boosting's class encoder
    "sklearn.tree._classes.DecisionTreeClassifier",
    "sklearn.tree._tree.Tree",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)

# Histogram gradient boosting (``estimator: hgb``): at most this many boosting rounds (one tree per
# class each), stopped when the log loss on a held-back fraction (drawn with the seed) has not
# improved for ``HGB_PATIENCE`` rounds.
HGB_MAX_ITER = 500
HGB_LEARNING_RATE = 0.1
HGB_VALIDATION_FRACTION = 0.1
HGB_PATIENCE = 20


@config_section("random_forest")
class ForestParameters(ConfigSection):
    """Config section ``random_forest`` (the tree model: a forest or histogram gradient boosting)."""

    estimator: str  # forest | hgb
    n_estimators: int
    max_depth: int | None
    min_samples_leaf: int
    max_features: str | float
    class_weight: str | None
    tune_decision_weights: bool
    recall_targets: dict[str, float]
    calibration: str  # none | temperature | vector (seisclass.learn.calibration)
    max_training_windows: int | None  # fitted on a class-stratified sample of at most this many (data.sampling)

    def _check(self) -> None:
        if self.tune_decision_weights and self.calibration != "none":
            raise self.error("random_forest.tune_decision_weights: use it with calibration: none (calibration "
                             f"{self.calibration!r} fits class biases by likelihood, which would undo the weights)")

    @property
    def uses_cross_validation(self) -> bool:
        """Whether training reads the grouped cross-validation's out-of-fold predictions."""
        return self.tune_decision_weights or self.calibration != "none"

    def _check_settings(self, settings) -> None:
        classes = settings["study"].classes
        unknown = sorted(set(self.recall_targets) - set(classes))
        if unknown:
            raise self.error(f"random_forest.recall_targets: {unknown} not among the configured classes "
                             f"{list(classes)}")


def train_random_forest(
    features: np.ndarray, labels: np.ndarray, p: ForestParameters, seed: int, n_jobs: int = 1,
    progress_steps: int = 10,
):
    """Fit the tree model of ``p.estimator``: a forest, or gradient boosting (:func:`train_boosting`).

    Class imbalance is handled by ``class_weight`` (default balanced per tree). The forest's
    trees are added in ``progress_steps`` rounds (scikit-learn's ``warm_start``,
    which draws the same tree seeds as one fit, so the forest is identical) and
    each round is logged with the elapsed time. More than ``p.max_training_windows`` windows
    are thinned first to a class-stratified sample drawn with ``seed``
    (:func:`seisclass.data.sampling.bounded_sample`).
    """
    from sklearn.ensemble import RandomForestClassifier

    from seisclass.data.sampling import bounded_sample

    rows = bounded_sample(labels, p.max_training_windows, seed)
    if rows is not None:
        log.info("training on a class-stratified sample of %d of %d windows (max_training_windows)",
                 len(rows), len(labels))
        features, labels = features[rows], labels[rows]
    if p.estimator == "hgb":
        return train_boosting(features, labels, p, seed, n_jobs)

    model = RandomForestClassifier(
        n_estimators=p.n_estimators, max_depth=p.max_depth, min_samples_leaf=p.min_samples_leaf,
        max_features=p.max_features, class_weight=p.class_weight, random_state=seed, n_jobs=n_jobs,
        warm_start=True,
    )
    started = time.perf_counter()
    rounds = np.unique(np.linspace(0, p.n_estimators, max(1, progress_steps) + 1).round().astype(int)[1:])
    rounds = rounds[rounds > 0]  # fewer trees than progress steps
    with warnings.catch_warnings():  # the same data every round, so the balanced presets are exact
        warnings.filterwarnings("ignore", message="class_weight presets", category=UserWarning)
        for n in rounds:
            model.set_params(n_estimators=int(n)).fit(features, labels)
            log.info("random forest: %d of %d trees (%.1f s, %d windows)", n, p.n_estimators,
                     time.perf_counter() - started, len(labels))
    return model.set_params(warm_start=False)


def train_boosting(features: np.ndarray, labels: np.ndarray, p: ForestParameters, seed: int, n_jobs: int = 1):
    """Histogram gradient boosting (scikit-learn) with the settings of ``p`` that apply to it.

    Classes are balanced when ``p.class_weight`` is set (either preset), ``p.max_depth`` bounds
    each tree; rounds, learning rate and early stopping are :data:`HGB_MAX_ITER`,
    :data:`HGB_LEARNING_RATE`, :data:`HGB_VALIDATION_FRACTION` and :data:`HGB_PATIENCE`, the
    held-back windows drawn with ``seed``. ``n_jobs`` OpenMP threads.
    """
    from sklearn.ensemble import HistGradientBoostingClassifier

    model = HistGradientBoostingClassifier(
        learning_rate=HGB_LEARNING_RATE, max_iter=HGB_MAX_ITER, max_depth=p.max_depth,
        class_weight="balanced" if p.class_weight else None, early_stopping=True,
        validation_fraction=HGB_VALIDATION_FRACTION, n_iter_no_change=HGB_PATIENCE, random_state=seed)
    started = time.perf_counter()
    with openmp_threads(n_jobs):
        model.fit(features, labels)
    log.info("gradient boosting: %d rounds of %d (%.1f s, %d windows)", model.n_iter_, HGB_MAX_ITER,
             time.perf_counter() - started, len(labels))
    return model


@functools.cache
def _thread_pools():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()  # finding the loaded libraries takes ms: once per process


def openmp_threads(n: int):
    """Context manager: at most ``n`` OpenMP threads (gradient boosting), about 1 ms per use."""
    return _thread_pools().limit(limits=int(n), user_api="openmp")


SMALL_BATCH = 2000  # windows: fewer are predicted tree by tree in this thread (joblib's dispatch costs more)


def forest_proba_in_thread(forest, features: np.ndarray) -> np.ndarray:
    """A random forest's ``predict_proba``, its trees summed in order in this thread.

    The same sum as scikit-learn's (each tree's probabilities added in turn, then divided
    by the number of trees), without a joblib dispatch per tree: a few milliseconds
    instead of tens for the few windows of a short file.
    """
    x = np.ascontiguousarray(features, dtype=np.float32)
    out = np.zeros((len(x), forest.n_classes_))
    for tree in forest.estimators_:
        out += tree.predict_proba(x, check_input=False)
    return out / len(forest.estimators_)


def predict_proba(model, features: np.ndarray, classes: list[str], threads: int | None = None) -> np.ndarray:
    """Class probabilities of a scikit-learn tree model, columns in the order of ``classes`` (0 for unseen ones).

    ``threads`` limits the OpenMP threads of gradient boosting (a forest uses its ``n_jobs``).
    """
    if hasattr(model, "estimators_") and len(features) < SMALL_BATCH:
        raw = forest_proba_in_thread(model, features)
    elif threads is None or hasattr(model, "n_jobs"):
        raw = model.predict_proba(features)
    else:
        with openmp_threads(threads):
            raw = model.predict_proba(features)
    out = np.zeros((len(features), len(classes)))
    for j, c in enumerate(model.classes_):
        if c in classes:
            out[:, classes.index(c)] = raw[:, j]
    return out


def apply_decision_weights(probabilities: np.ndarray, classes: list[str], weights: dict | None) -> np.ndarray:
    """Probabilities times one weight per class (1 where absent), rows renormalised to sum 1.

    A prior shift tuned on grouped cross-validation (:func:`seisclass.learn.crossval.tune_decision_weights`);
    ``None`` leaves the probabilities unchanged.
    """
    if not weights:
        return probabilities
    scaled = probabilities * np.array([float(weights.get(c, 1.0)) for c in classes])
    return scaled / np.maximum(scaled.sum(axis=1, keepdims=True), 1e-12)


def stable_skops_names(data: bytes) -> bytes:
    """A skops archive with the same bytes whenever the model is the same.

    skops names each array file, and marks each object, with its ``id()``, and
    zip entries carry the time of writing; here array names become a digest
    of their bytes, object ids a counter by first appearance (in
    ``schema.json``), every entry gets :data:`seisclass.core.io.ZIP_EPOCH`, and the
    files are stored in name order after ``schema.json``, followed by their checksum
    (:mod:`seisclass.learn.integrity`).
    """
    import hashlib
    import io
    import re

    with zipfile.ZipFile(io.BytesIO(data)) as source:
        entries = {info.filename: (info.compress_type, source.read(info.filename)) for info in source.infolist()}
    names = {old: hashlib.sha256(content).hexdigest()[:24] + ".npy"
             for old, (_, content) in entries.items() if re.fullmatch(r"\d+\.npy", old)}
    compression, schema = entries.pop("schema.json")
    schema = re.sub(r'"(\d+\.npy)"', lambda m: f'"{names.get(m.group(1), m.group(1))}"', schema.decode())
    # object ids (memory addresses, used for shared references) become 0, 1, ... by first appearance
    ids = {old: str(i) for i, old in enumerate(dict.fromkeys(re.findall(r'"__id__": (\d+)', schema)))}
    schema = re.sub(r'"__id__": (\d+)', lambda m: f'"__id__": {ids[m.group(1)]}', schema)
    renamed = {names.get(old, old): entry for old, entry in entries.items() if old != CHECKSUM_MEMBER}
    out = []
    for name, (compress_type, content) in [("schema.json", (compression, schema.encode())), *sorted(renamed.items())]:
        entry = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
        entry.compress_type = compress_type
        out.append((entry, content))
    return with_checksum(out)


class ForestClassifier(WindowClassifier):
    """Random forest on the window features of :mod:`seisclass.signal.features`.

    ``predict_proba(features)`` takes a table with (at least) the model's
    ``feature_names`` as columns, or an array with exactly those columns in order.
    """

    reads = "features"

    def __init__(self, estimator, metadata: dict, path=None):
        super().__init__(metadata, path)
        self.estimator = estimator
        self.threads: int | None = None  # gradient boosting: OpenMP threads (None: all)

    @property
    def feature_names(self) -> list[str]:
        return list(self.metadata["feature_names"])

    def set_threads(self, n: int) -> ForestClassifier:
        """Use ``n`` threads for predictions."""
        if "n_jobs" in self.estimator.get_params():
            self.estimator.set_params(n_jobs=int(n))
        self.threads = int(n)
        return self

    def predict_proba(self, features) -> np.ndarray:
        """Probabilities ``(windows, classes)`` from a feature table or array (see the class)."""
        if isinstance(features, pd.DataFrame):
            missing = [n for n in self.feature_names if n not in features.columns]
            if missing:
                raise ModelMismatchError(
                    f"{self.path}: the feature table lacks {len(missing)} feature(s) the model needs, e.g. "
                    f"{missing[:5]} (different components or feature settings?)")
            features = features[self.feature_names].to_numpy(np.float64)
        features = np.asarray(features, np.float64)
        if features.ndim != 2 or features.shape[1] != len(self.feature_names):
            raise ModelMismatchError(f"{self.path}: features must have shape (n, {len(self.feature_names)}), "
                                     f"got {features.shape}")
        if not len(features):
            return np.zeros((0, len(self.classes_)))
        raw = predict_proba(self.estimator, features, self.classes_, self.threads)
        weighted = apply_decision_weights(raw, self.classes_, self.metadata.get("decision_weights"))
        return apply_calibration(weighted, self.metadata.get("calibration"))

    def model_inputs(self, table: pd.DataFrame, stream=None) -> tuple[pd.DataFrame, np.ndarray]:
        """The table itself (its feature columns are read by :meth:`predict_proba`); every row usable."""
        return table, np.ones(len(table), bool)

    def write(self, path) -> None:
        """A skops file (format marker, model card, estimator), the same bytes for the same model."""
        sio = skops_io()
        sio.dump({"format": FORMAT, "metadata": self.metadata, "estimator": self.estimator}, path,
                 compression=zipfile.ZIP_DEFLATED, compresslevel=6)
        path.write_bytes(stable_skops_names(path.read_bytes()))

    @classmethod
    def read(cls, path, **options) -> ForestClassifier:
        """Load a skops file written by :meth:`save`; anything else raises :class:`ModelFileError`."""
        sio = skops_io()

        try:
            untrusted = sio.get_untrusted_types(file=path)
        except Exception as exc:  # noqa: BLE001 - skops/zipfile raise many types for damaged files
            raise ModelFileError(f"{path}: corrupt or not a skops file ({type(exc).__name__}: {exc})") from None
        unexpected = sorted(set(untrusted) - set(TRUSTED_TYPES))
        if unexpected:
            raise ModelFileError(
                f"{path}: refused: the file holds types a seisclass forest never contains: {unexpected}. "
                "It was altered or is not a seisclass model; loading it could run code")
        check_archive(path)
        try:
            payload = sio.load(path, trusted=list(TRUSTED_TYPES))
        except Exception as exc:  # noqa: BLE001
            raise ModelFileError(f"{path}: corrupt skops file ({type(exc).__name__}: {exc})") from None
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise ModelFileError(f"{path}: not a seisclass model (no format marker {FORMAT!r})")
        return cls._checked(payload.get("estimator"), payload.get("metadata"), path)

    @classmethod
    def _checked(cls, estimator, metadata, path) -> ForestClassifier:
        from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier

        if not isinstance(estimator, RandomForestClassifier | HistGradientBoostingClassifier) \
                or not isinstance(metadata, dict):
            raise ModelFileError(f"{path}: not a seisclass tree model (estimator or model card missing)")
        names, classes = metadata.get("feature_names") or [], metadata.get("classes") or []
        if len(names) != getattr(estimator, "n_features_in_", -1):
            raise ModelFileError(f"{path}: inconsistent model: {len(names)} feature names for an estimator "
                                 f"of {getattr(estimator, 'n_features_in_', '?')} features (file altered?)")
        if not set(estimator.classes_) <= set(classes):
            raise ModelFileError(f"{path}: inconsistent model: estimator classes {list(estimator.classes_)} "
                                 f"are not among the card's {classes} (file altered?)")
        return cls(estimator, metadata, path)


def skops_io():
    """``skops.io``, imported without the scan of every scikit-learn module that builds its default trust list.

    That scan imports every scikit-learn module, and PyTorch with them when it is installed:
    about 3 s of a 4.5-s start-up. seisclass never relies on the default list: every load
    passes :data:`TRUSTED_TYPES` and refuses any other type first (:meth:`ForestClassifier.read`).
    Side effect: when seisclass imports skops first, skops' default list in that process holds
    no scikit-learn estimators, so other code calling ``skops.io.load`` there names the types it
    trusts (``trusted=``, after ``skops.io.get_untrusted_types``, as skops advises anyway).
    """
    import sys

    if "skops.io" in sys.modules:
        return sys.modules["skops.io"]
    import sklearn.utils

    scan = sklearn.utils.all_estimators
    sklearn.utils.all_estimators = lambda type_filter=None: []
    try:
        import skops.io
    finally:
        sklearn.utils.all_estimators = scan
    return skops.io


def fit_forest(table: pd.DataFrame, classes: list[str], p: ForestParameters, seed: int, recipe: Recipe,
               n_jobs: int = 1, decision_weights: dict | None = None,
               splits: tuple[str, ...] = ("train",), calibration: dict | None = None,
               background_classes: tuple[str, ...] = ()) -> ForestClassifier:
    """Fit the tree model (``p.estimator``) on the ``splits`` (default ``train``) of an assembled dataset.

    ``recipe`` is how the dataset's windows were made (it goes into the card);
    ``decision_weights`` (class -> weight) and ``calibration``
    (:func:`seisclass.learn.calibration.fit_calibration`) go into the card too and are
    applied to every prediction; ``background_classes`` (the classes that are not events,
    ``events.background_classes``) tell the event detection of any later use what an event is.
    More than ``p.max_training_windows`` windows: fitted on the class-stratified sample of
    :func:`seisclass.data.sampling.bounded_sample`, recorded in the card (``training_data.fitted``).
    """
    from seisclass.data.dataset import feature_columns
    from seisclass.data.sampling import bounded_sample, sample_record

    train = table[table["split"].isin(splits)]
    labels = train["label"].to_numpy(dtype=str)
    rows = bounded_sample(labels, p.max_training_windows, seed)  # the same rows train_random_forest would draw
    fitted = train if rows is None else train.iloc[rows]
    record = sample_record(labels, rows, p.max_training_windows, seed, classes)
    return _fit_on(train, fitted, record, feature_columns(table), classes, p, seed, recipe, n_jobs, decision_weights,
                   calibration, background_classes)


def fit_forest_file(path, classes: list[str], p: ForestParameters, seed: int, recipe: Recipe, n_jobs: int = 1,
                    decision_weights: dict | None = None, splits: tuple[str, ...] = ("train",),
                    calibration: dict | None = None, background_classes: tuple[str, ...] = ()) -> ForestClassifier:
    """:func:`fit_forest` on an assembled dataset file, out of core: the same model and card.

    Only the key, label and split columns of every window are read; the features are read
    for the fitted windows alone, one row group at a time
    (:func:`seisclass.data.dataset.read_training_sample`), so a station-year's features are
    never held in memory: memory is bounded by ``p.max_training_windows``.
    """
    from seisclass.data.dataset import read_training_sample

    train, fitted, record, names = read_training_sample(path, splits, p.max_training_windows, seed, classes)
    return _fit_on(train, fitted, record, names, classes, p, seed, recipe, n_jobs, decision_weights, calibration,
                   background_classes)


def _fit_on(train: pd.DataFrame, fitted: pd.DataFrame, record: dict, names: list[str], classes: list[str],
            p: ForestParameters, seed: int, recipe: Recipe, n_jobs: int, decision_weights: dict | None,
            calibration: dict | None, background_classes: tuple[str, ...]) -> ForestClassifier:
    """The model fitted on ``fitted`` (the sample of ``train``, or all of it) with its card."""
    log.info("training on %d of %d windows, %d features, %d threads", len(fitted), len(train), len(names), n_jobs)
    estimator = train_random_forest(fitted[names].to_numpy(), fitted["label"].to_numpy(dtype=str), p, seed, n_jobs)
    summary = {**training_summary(train, classes), "fitted": record}
    card = model_card("rf", classes, recipe, summary, ("scikit-learn", "skops"),
                      feature_names=names, parameters=p.to_config(), seed=seed,
                      decision_weights=decision_weights or {}, calibration=calibration or {"method": "none"},
                      background_classes=[c for c in classes if c in background_classes],
                      domain=describe_domain(fitted[names], seed))
    return ForestClassifier(estimator, card)
