"""Active learning, measured: which way of choosing intervals to label trains the forest fastest.

A simulation on labelled data. The labelled windows are dealt to event-grouped
folds (:func:`seisclass.learn.crossval.fold_of_windows`, time blocks of
``split.block_s``). For each held-out fold, the other folds are the *pool*: a
person labels whole intervals (one event, or one stretch of noise, at one
station), never single windows. The simulation starts from
``initial_per_class`` random intervals per class, then in rounds adds a batch
of intervals chosen by a strategy, retrains a small forest and scores the
held-out fold per window and per interval (balanced accuracy; an interval's
vote is the mean class probability of its windows, as in
:func:`seisclass.learn.metrics.interval_predictions`). Strategies:

- ``entropy``: largest predictive entropy of the interval's mean probabilities;
- ``margin``: smallest top-1 minus top-2 mean probability;
- ``diversity``: core set, greedy farthest point from the labelled intervals in
  standardized feature space (interval centroids);
- ``cluster``: k-means of the pool's interval centroids; the most uncertain
  (entropy) intervals of each cluster in turn, clusters with fewer labelled
  intervals first;
- ``random``: the baseline.

Every (strategy, seed, fold) run starts from the same initial intervals for a
given (seed, fold), so strategies are compared in pairs. The learning curve
(:func:`learning_curve`) is the random baseline by event: ``n`` labelled
events (time blocks) per class, all their intervals of that class.
"""

from __future__ import annotations

import dataclasses
import logging

import numpy as np
import pandas as pd

from seisclass.core.vocabulary import epoch_seconds
from seisclass.data.split import block_index
from seisclass.learn.active_learning import (
    SIMULATION_STRATEGIES,
    LearningCurveParameters,
    SimulationParameters,
    margin,
    predictive_entropy,
)
from seisclass.learn.crossval import fold_of_windows

log = logging.getLogger(__name__)

BASELINE = "random"
CURVE_COLUMNS = ["strategy", "seed", "fold", "round", "n_labelled_intervals", "n_labelled_windows",
                 "window_bacc", "interval_bacc"]


class SimulationError(ValueError):
    """The labelled data cannot feed the simulation; the message names the class or column."""


@dataclasses.dataclass(frozen=True)
class Pool:
    """Labelled windows of whole intervals, by fold.

    Window arrays ``(n_windows, ...)``, interval arrays ``(n_int,)``."""

    features: np.ndarray  # (n_windows, n_features), NaN where a band is missing
    window_class: np.ndarray  # class index of each window
    window_interval: np.ndarray  # interval index of each window
    interval_class: np.ndarray  # class index of each interval
    interval_fold: np.ndarray  # fold of each interval
    interval_block: np.ndarray  # time block (event) of each interval
    interval_windows: np.ndarray  # windows per interval
    classes: tuple[str, ...]

    @property
    def folds(self) -> list[int]:
        return sorted(np.unique(self.interval_fold).tolist())


def prepare_pool(table: pd.DataFrame, feature_names: list[str], classes: list[str], block_s: float, k: int,
                 seed: int) -> Pool:
    """The labelled windows of ``table`` (keys, ``label``, ``interval``, features) with folds per interval.

    Folds come from :func:`~seisclass.learn.crossval.fold_of_windows`; an interval takes the fold of its
    first usable window and keeps only the windows of that fold (purged windows are dropped).
    Raises :class:`SimulationError` when ``interval`` is missing or a class has fewer than two intervals.
    """
    if "interval" not in table.columns:
        raise SimulationError("the dataset has no 'interval' column: intervals are what a person labels")
    labels = table["label"].to_numpy(dtype=object)
    keep = np.isin(labels, classes) & (table["interval"].astype(str).to_numpy() != "")
    rows = table.loc[keep]
    starts = epoch_seconds(rows["start"])
    folds = fold_of_windows(starts, epoch_seconds(rows["end"]), labels[keep], classes, block_s, k, seed)
    names = rows["interval"].astype(str).to_numpy()
    frame = pd.DataFrame({"interval": names, "fold": folds, "block": block_index(starts, block_s)})
    first = frame[folds >= 0].groupby("interval", sort=True)[["fold", "block"]].first()
    interval_fold = frame["interval"].map(first["fold"]).to_numpy()
    usable = (folds >= 0) & (folds == interval_fold)
    codes = pd.Categorical(names[usable], categories=first.index).codes
    window_class = pd.Categorical(labels[keep][usable], categories=classes).codes.astype(np.int64)
    interval_class = np.zeros(len(first), np.int64)
    interval_class[codes] = window_class
    counts = np.bincount(interval_class, minlength=len(classes))
    for name, n in zip(classes, counts, strict=True):
        if n < 2:
            raise SimulationError(f"class {name!r} has {int(n)} labelled interval(s) in usable folds; the simulation "
                                  "needs at least 2 (label more, or remove it from classes)")
    return Pool(features=rows.loc[:, feature_names].to_numpy(np.float64)[usable], window_class=window_class,
                window_interval=codes.astype(np.int64), interval_class=interval_class,
                interval_fold=first["fold"].to_numpy(np.int64), interval_block=first["block"].to_numpy(np.int64),
                interval_windows=np.bincount(codes, minlength=len(first)), classes=tuple(classes))


def recall_per_class(true: np.ndarray, predicted: np.ndarray, n_classes: int) -> np.ndarray:
    """Recall of each class (NaN for a class absent from ``true``); codes are class indices."""
    total = np.bincount(true, minlength=n_classes).astype(float)
    hit = np.bincount(true[true == predicted], minlength=n_classes).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, hit / total, np.nan)


def balanced_accuracy(true: np.ndarray, predicted: np.ndarray, n_classes: int) -> float:
    """Mean recall over the classes present in ``true`` (as :func:`seisclass.learn.metrics.classification_metrics`)."""
    recalls = recall_per_class(true, predicted, n_classes)
    return float(np.nanmean(recalls)) if np.isfinite(recalls).any() else 0.0


def interval_means(values: np.ndarray, codes: np.ndarray, n: int) -> np.ndarray:
    """Mean of the rows of ``values`` (windows) per interval code ``0..n-1`` (NaN for an interval without rows)."""
    counts = np.bincount(codes, minlength=n).astype(float)
    sums = np.stack([np.bincount(codes, values[:, j], minlength=n) for j in range(values.shape[1])], axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return sums / counts[:, None]


def score(pool: Pool, proba: np.ndarray, test: np.ndarray) -> dict:
    """Balanced accuracy per window, interval and event, and per-class interval recall, of ``proba`` on ``test``.

    An event is one class in one time block (an event at every station that saw it, or the noise before it).
    """
    n_classes = len(pool.classes)
    truth = pool.window_class[test]
    window_bacc = balanced_accuracy(truth, proba.argmax(axis=1), n_classes)
    codes = pool.window_interval[test]
    unique, inverse = np.unique(codes, return_inverse=True)
    means = interval_means(proba, inverse, len(unique))
    interval_truth = pool.interval_class[unique]
    recalls = recall_per_class(interval_truth, means.argmax(axis=1), n_classes)
    out = {"window_bacc": window_bacc, "interval_bacc": balanced_accuracy(interval_truth, means.argmax(axis=1),
                                                                          n_classes)}
    # an event: one class in one time block, all its stations' windows (the mean probability votes)
    events, inverse = np.unique(pool.interval_block[codes] * n_classes + truth, return_inverse=True)
    votes = interval_means(proba, inverse, len(events)).argmax(axis=1)
    out["event_bacc"] = balanced_accuracy(events % n_classes, votes, n_classes)
    out.update({f"recall_{c}": float(r) for c, r in zip(pool.classes, recalls, strict=True)})
    return out


def budgets(start: int, maximum: int, rounds: int) -> np.ndarray:
    """Labelled intervals after each round: ``start``, then ``rounds`` geometric steps to ``maximum`` (distinct)."""
    maximum = max(int(maximum), int(start))
    steps = np.geomspace(max(start, 1), maximum, rounds + 1).round().astype(int)
    steps[0] = start
    return np.unique(np.maximum.accumulate(steps))


def standardize(features: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """``(x - mean) / std`` with the statistics of ``reference`` rows; NaN (missing bands) becomes 0 (the mean)."""
    mean = np.nanmean(reference, axis=0)
    std = np.nanstd(reference, axis=0)
    mean, std = np.nan_to_num(mean), np.where(np.isfinite(std) & (std > 0), std, 1.0)
    return np.nan_to_num((features - mean) / std)


def initial_intervals(pool: Pool, candidates: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """``per_class`` random intervals of each class among ``candidates`` (all of a class if it has fewer)."""
    chosen = []
    for j in range(len(pool.classes)):
        members = candidates[pool.interval_class[candidates] == j]
        chosen.append(rng.choice(members, size=min(per_class, len(members)), replace=False))
    return np.sort(np.concatenate(chosen))


def farthest_points(centroids: np.ndarray, labelled: np.ndarray, unlabelled: np.ndarray, n: int) -> np.ndarray:
    """Greedy core set: ``n`` of ``unlabelled`` (indices into ``centroids``), each farthest from all chosen so far."""
    points = centroids[unlabelled]
    reference = centroids[labelled]
    nearest = np.full(len(points), np.inf)
    for start in range(0, len(reference), 256):  # blocks keep the distance matrix small
        block = reference[start:start + 256]
        nearest = np.minimum(nearest, ((points[:, None, :] - block[None, :, :]) ** 2).sum(axis=2).min(axis=1))
    picks = []
    for _ in range(min(n, len(points))):
        best = int(np.argmax(nearest))
        picks.append(best)
        nearest = np.minimum(nearest, ((points - points[best]) ** 2).sum(axis=1))
        nearest[best] = -np.inf
    return unlabelled[np.array(picks, dtype=np.int64)]


def cluster_order(clusters: np.ndarray, uncertainty: np.ndarray, labelled_per_cluster: np.ndarray) -> np.ndarray:
    """Order of candidates: by (rank of uncertainty within its cluster + labelled in that cluster), then uncertainty.

    ``clusters`` and ``uncertainty`` are per candidate; ``labelled_per_cluster`` counts labelled intervals per
    cluster. Each turn takes the most uncertain remaining interval of every cluster, the least labelled first.
    """
    by_uncertainty = np.lexsort((-uncertainty, clusters))
    sorted_clusters = clusters[by_uncertainty]
    first = np.r_[0, np.flatnonzero(np.diff(sorted_clusters)) + 1]
    rank_sorted = np.arange(len(clusters)) - np.repeat(first, np.diff(np.r_[first, len(clusters)]))
    rank = np.empty(len(clusters), np.int64)
    rank[by_uncertainty] = rank_sorted
    turn = rank + labelled_per_cluster[clusters]
    return np.lexsort((-uncertainty, turn))


def uncertain_intervals(strategy: str, mean_proba: np.ndarray) -> np.ndarray:
    """Order (most uncertain first) of intervals by their mean probabilities: entropy or margin."""
    if strategy == "margin":
        return np.lexsort((-predictive_entropy(mean_proba), margin(mean_proba)))
    return np.lexsort((margin(mean_proba), -predictive_entropy(mean_proba)))


class _Run:
    """One simulation run (strategy, seed, fold): state shared by the selection steps."""

    def __init__(self, pool: Pool, fold: int, seed: int, p: SimulationParameters):
        self.pool, self.seed, self.p = pool, seed, p
        self.test = np.flatnonzero(pool.interval_fold[pool.window_interval] == fold)
        self.candidates = np.flatnonzero(pool.interval_fold != fold)
        pool_windows = np.flatnonzero(pool.interval_fold[pool.window_interval] != fold)
        scaled = standardize(pool.features[pool_windows], pool.features[pool_windows])
        self.centroids = np.zeros((len(pool.interval_class), scaled.shape[1]))
        self.centroids[self.candidates] = interval_means(scaled, pool.window_interval[pool_windows],
                                                         len(pool.interval_class))[self.candidates]
        self._clusters = None

    def clusters(self) -> np.ndarray:
        """k-means cluster of every candidate interval (fitted once per run)."""
        if self._clusters is None:
            from sklearn.cluster import KMeans

            n = min(self.p.n_clusters, len(self.candidates))
            model = KMeans(n_clusters=n, n_init=3, random_state=self.seed).fit(self.centroids[self.candidates])
            self._clusters = np.zeros(len(self.pool.interval_class), np.int64)
            self._clusters[self.candidates] = model.labels_
        return self._clusters

    def windows_of(self, intervals: np.ndarray) -> np.ndarray:
        member = np.zeros(len(self.pool.interval_class), bool)
        member[intervals] = True
        return np.flatnonzero(member[self.pool.window_interval])

    def mean_proba(self, predict, intervals: np.ndarray) -> np.ndarray:
        """Mean class probabilities of each of ``intervals``."""
        windows = self.windows_of(intervals)
        proba = predict(self.pool.features[windows])
        codes = np.searchsorted(intervals, self.pool.window_interval[windows])
        return interval_means(proba, codes, len(intervals))

    def select(self, strategy: str, predict, labelled: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """``n`` unlabelled candidate intervals chosen by ``strategy``."""
        unlabelled = np.setdiff1d(self.candidates, labelled)
        n = min(n, len(unlabelled))
        if strategy == "random":
            return rng.choice(unlabelled, size=n, replace=False)
        if strategy == "diversity":
            return farthest_points(self.centroids, labelled, unlabelled, n)
        mean = self.mean_proba(predict, unlabelled)
        if strategy == "cluster":
            clusters = self.clusters()
            per_cluster = np.bincount(clusters[labelled], minlength=self.p.n_clusters)
            return unlabelled[cluster_order(clusters[unlabelled], predictive_entropy(mean), per_cluster)[:n]]
        return unlabelled[uncertain_intervals(strategy, mean)[:n]]


def simulate_run(pool: Pool, fold: int, strategy: str, seed: int, fit, p: SimulationParameters) -> pd.DataFrame:
    """The curve of one (strategy, seed, fold): one row per round (:data:`CURVE_COLUMNS`, ``event_bacc``, recalls).

    ``fit(features, labels) -> predict`` trains a model (``predict(features)`` gives probabilities in class order).
    """
    run = _Run(pool, fold, seed, p)
    labelled = initial_intervals(pool, run.candidates, p.initial_per_class, np.random.default_rng([seed, fold]))
    rng = np.random.default_rng([seed, fold, SIMULATION_STRATEGIES.index(strategy)])
    steps = budgets(len(labelled), min(p.max_intervals, len(run.candidates)), p.rounds)
    rows = []
    for r, _ in enumerate(steps):
        windows = run.windows_of(labelled)
        predict = fit(pool.features[windows], pool.window_class[windows], seed)
        rows.append({"strategy": strategy, "seed": seed, "fold": fold, "round": r,
                     "n_labelled_intervals": len(labelled), "n_labelled_windows": len(windows),
                     **score(pool, predict(pool.features[run.test]), run.test)})
        if r + 1 < len(steps):
            batch = run.select(strategy, predict, labelled, int(steps[r + 1] - len(labelled)), rng)
            labelled = np.sort(np.concatenate([labelled, batch]))
    return pd.DataFrame(rows)


def forest_fit(forest, n_estimators: int, n_classes: int):
    """``fit(features, class_codes, seed) -> predict`` for a forest of ``n_estimators`` trees (one thread).

    ``forest`` is the ``random_forest`` section (depth, leaf size, features per split, class weights);
    ``predict(features)`` gives ``(n, n_classes)`` probabilities (0 for a class absent from the training set).
    """
    from seisclass.learn.forest import train_random_forest

    small = dataclasses.replace(forest, n_estimators=int(n_estimators))

    def fit(features: np.ndarray, codes: np.ndarray, seed: int):
        model = train_random_forest(features, codes, small, seed, n_jobs=1, progress_steps=1)
        present = model.classes_.astype(np.int64)

        def predict(x: np.ndarray) -> np.ndarray:
            out = np.zeros((len(x), n_classes))
            out[:, present] = model.predict_proba(x)
            return out

        return predict

    return fit


def _parallel(tasks: list, n_jobs: int, what: str = "runs") -> list:
    """Results of ``function(*args)`` for each ``(function, args)`` of ``tasks``, in order, on ``n_jobs`` processes.

    Progress (tasks done, elapsed seconds) is logged about ten times.
    """
    import time

    started, every = time.perf_counter(), max(1, len(tasks) // 10)
    if n_jobs <= 1:
        results = (function(*args) for function, args in tasks)
    else:
        from joblib import Parallel, delayed

        results = Parallel(n_jobs=n_jobs, return_as="generator")(delayed(function)(*args) for function, args in tasks)
    out = []
    for result in results:
        out.append(result)
        if len(out) % every == 0 or len(out) == len(tasks):
            log.info("%d of %d %s done (%.0f s)", len(out), len(tasks), what, time.perf_counter() - started)
    return out


def simulate(pool: Pool, fit, p: SimulationParameters, n_jobs: int = 1) -> pd.DataFrame:
    """Curves of every strategy, seed (``0..seeds-1``) and fold: :data:`CURVE_COLUMNS` plus ``recall_<class>``.

    Runs are independent (each seeds its own generators), so the table does not depend on ``n_jobs``.
    """
    tasks = [(simulate_run, (pool, fold, strategy, seed, fit, p))
             for strategy in p.strategies for seed in range(p.seeds) for fold in pool.folds]
    return pd.concat(_parallel(tasks, n_jobs, "simulation runs"), ignore_index=True)


def learning_curve_run(pool: Pool, fold: int, seed: int, fit, events_per_class: tuple[int, ...]) -> pd.DataFrame:
    """Skill with ``n`` random labelled events (time blocks) per class, nested as ``n`` grows, on one fold.

    An event labels all its intervals of that class. Rows: ``seed, fold, events_per_class,
    n_labelled_intervals, n_labelled_windows, window_bacc, interval_bacc, recall_<class>``.
    """
    rng = np.random.default_rng([seed, fold, 99])
    candidates = pool.interval_fold != fold
    test = np.flatnonzero(pool.interval_fold[pool.window_interval] == fold)
    orders = []
    for j in range(len(pool.classes)):
        blocks = np.unique(pool.interval_block[candidates & (pool.interval_class == j)])
        orders.append(rng.permutation(blocks))
    rows = []
    for n in sorted(set(events_per_class)):
        chosen = np.zeros(len(pool.interval_class), bool)
        for j, order in enumerate(orders):
            chosen |= candidates & (pool.interval_class == j) & np.isin(pool.interval_block, order[:n])
        windows = np.flatnonzero(chosen[pool.window_interval])
        predict = fit(pool.features[windows], pool.window_class[windows], seed)
        rows.append({"seed": seed, "fold": fold, "events_per_class": n, "n_labelled_intervals": int(chosen.sum()),
                     "n_labelled_windows": len(windows), **score(pool, predict(pool.features[test]), test)})
        if all(n >= len(order) for order in orders):
            break  # every event is labelled: larger n change nothing
    return pd.DataFrame(rows)


def learning_curve(pool: Pool, fit, p: LearningCurveParameters, n_jobs: int = 1) -> pd.DataFrame:
    """:func:`learning_curve_run` for every seed (``0..seeds-1``) and fold."""
    tasks = [(learning_curve_run, (pool, fold, seed, fit, p.events_per_class))
             for seed in range(p.seeds) for fold in pool.folds]
    return pd.concat(_parallel(tasks, n_jobs, "learning-curve runs"), ignore_index=True)


def labels_to_reach(n_labelled: np.ndarray, skill: np.ndarray, target: float) -> float:
    """Labels at which a curve first reaches ``target``, linear between rounds; ``inf`` if never.

    ``n_labelled`` increasing, ``skill`` the score after each; at or above target in the first round gives
    its label count.
    """
    n_labelled, skill = np.asarray(n_labelled, float), np.asarray(skill, float)
    above = np.flatnonzero(skill >= target)
    if not len(above):
        return float("inf")
    i = int(above[0])
    if i == 0:
        return float(n_labelled[0])
    fraction = (target - skill[i - 1]) / (skill[i] - skill[i - 1])
    return float(n_labelled[i - 1] + fraction * (n_labelled[i] - n_labelled[i - 1]))


def spread(values: np.ndarray) -> tuple[float, float, float]:
    """Median and quartiles, linear between order statistics; an infinite neighbour gives that infinity."""
    values = np.sort(np.asarray(values, float))
    out = []
    for q in (0.5, 0.25, 0.75):
        position = q * (len(values) - 1)
        lo, hi = int(np.floor(position)), int(np.ceil(position))
        a, b = float(values[lo]), float(values[hi])
        if lo == hi or a == b or np.isinf(a):
            out.append(a)
        elif np.isinf(b):
            out.append(b)
        else:
            out.append(a + (position - lo) * (b - a))
    return tuple(out)


def needed(curve: pd.DataFrame, targets: tuple[float, ...]) -> pd.DataFrame:
    """Labelled intervals and windows to reach each target, per (strategy, seed, fold) curve."""
    rows = []
    for (strategy, seed, fold), run in curve.sort_values("round").groupby(["strategy", "seed", "fold"], sort=True):
        for target in targets:
            rows.append({"strategy": strategy, "seed": seed, "fold": fold, "target": target,
                         "intervals": labels_to_reach(run["n_labelled_intervals"], run["interval_bacc"], target),
                         "windows": labels_to_reach(run["n_labelled_windows"], run["interval_bacc"], target)})
    return pd.DataFrame(rows)


SUMMARY_COLUMNS = ["strategy", "target", "curves", "reached", "intervals_median", "intervals_q25", "intervals_q75",
                   "windows_median", "saving_vs_random", "fewer_than_random", "diff_q25", "diff_q75",
                   "beats_random", "final_interval_bacc_median"]


def summarize(curve: pd.DataFrame, targets: tuple[float, ...]) -> pd.DataFrame:
    """Per strategy and target: labels needed (median, quartiles over seeds x folds) and the paired test against random.

    ``saving_vs_random`` is ``1 - median / median of random``; ``fewer_than_random`` the share of (seed, fold)
    pairs where the strategy needs fewer intervals than random (ties count half); ``diff_q25/q75`` the quartiles
    of the paired difference (strategy minus random, intervals); ``beats_random`` when ``diff_q75 < 0`` (fewer
    labels in more than three quarters of the pairs). A curve that never reaches the target needs ``inf``.
    """
    table = needed(curve, targets)
    last = curve.sort_values("round").groupby(["strategy", "seed", "fold"]).tail(1)
    final = last.groupby("strategy")["interval_bacc"].median()
    rows = []
    for (strategy, target), group in table.groupby(["strategy", "target"], sort=False):
        median, q25, q75 = spread(group["intervals"])
        row = {"strategy": strategy, "target": target, "curves": len(group),
               "reached": int(np.isfinite(group["intervals"]).sum()), "intervals_median": median,
               "intervals_q25": q25, "intervals_q75": q75, "windows_median": spread(group["windows"])[0],
               "final_interval_bacc_median": float(final[strategy])}
        baseline = table[(table["strategy"] == BASELINE) & (table["target"] == target)]
        if strategy != BASELINE and len(baseline):
            paired = group.merge(baseline, on=["seed", "fold"], suffixes=("", "_random"))
            a, b = paired["intervals"].to_numpy(), paired["intervals_random"].to_numpy()
            with np.errstate(invalid="ignore"):
                diff = np.where(a == b, 0.0, a - b)  # inf - inf is a tie
            random_median = spread(b)[0]
            row.update(saving_vs_random=1 - median / random_median if np.isfinite(random_median) and
                       np.isfinite(median) else np.nan,
                       fewer_than_random=float(np.mean((a < b) + 0.5 * (a == b))),
                       diff_q25=spread(diff)[1], diff_q75=spread(diff)[2], beats_random=bool(spread(diff)[2] < 0))
        rows.append(row)
    return pd.DataFrame(rows).reindex(columns=SUMMARY_COLUMNS)


def winner(summary: pd.DataFrame, target: float) -> str | None:
    """The strategy that beats random at ``target`` with the smallest median label count, or ``None``."""
    rows = summary[(summary["target"] == target) & (summary["beats_random"] == True)]  # noqa: E712 (NaN rows)
    if not len(rows):
        return None
    return str(rows.sort_values(["intervals_median", "fewer_than_random"], ascending=[True, False])["strategy"].iloc[0])


def headline(summary: pd.DataFrame, target: float) -> str:
    """One sentence: the intervals random needs to reach ``target``, and the winner's saving or that none wins."""

    def needs(strategy: str) -> str:
        r = summary[(summary["strategy"] == strategy) & (summary["target"] == target)].iloc[0]
        if np.isinf(r.intervals_median):
            return f"{strategy} does not reach it in most runs ({int(r.reached)}/{int(r.curves)} do)"
        q75 = "never" if np.isinf(r.intervals_q75) else f"{r.intervals_q75:.0f}"
        return f"{strategy} needs {r.intervals_median:.0f} intervals (IQR {r.intervals_q25:.0f}-{q75})"

    if BASELINE not in set(summary["strategy"]):
        return f"interval balanced accuracy {target:g}: no random baseline to compare with"
    best = winner(summary, target)
    text = f"To {target:g} interval balanced accuracy: {needs(BASELINE)}"
    if best is None:
        text += "; no strategy beats random (fewer labels in > 3/4 of seed x fold pairs)"
        rows = summary[(summary["target"] == target) & (summary["strategy"] != BASELINE)]
        if len(rows):
            top = rows.sort_values(["reached", "intervals_median"], ascending=[False, True]).iloc[0]
            base = summary[(summary["target"] == target) & (summary["strategy"] == BASELINE)].iloc[0]
            if top.reached > base.reached:
                text += (f"; {top.strategy} reaches it in {int(top.reached)}/{int(top.curves)} runs, random in "
                         f"{int(base.reached)}/{int(base.curves)}")
        return text
    r = summary[(summary["strategy"] == best) & (summary["target"] == target)].iloc[0]
    saving = "" if not np.isfinite(r.saving_vs_random) else f", {100 * r.saving_vs_random:.0f} % fewer"
    return (f"{text}; {needs(best)}{saving}, fewer than random in {100 * r.fewer_than_random:.0f} % of "
            "seed x fold pairs")
