"""Active learning: which unlabelled windows to label next (uncertainty sampling).

The chosen model gives class probabilities for every unlabelled window;
windows where it is least sure are the most informative to label. Two
measures, both from the probability rows ``p (n, n_classes)``:

- predictive entropy ``H = -sum_k p_k ln p_k`` (nats; 0 when certain, ``ln K``
  when all classes are equally likely), larger is more uncertain;
- margin ``p_(1) - p_(2)`` between the two most likely classes (0-1), smaller
  is more uncertain.

The candidate table has the columns of an annotation CSV
(``network, station, location, channel, start, end, label``) so rows can be
copied into a file listed in ``annotations`` once ``label`` is filled in.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seisclass.core.config import ConfigSection, config_section
from seisclass.core.vocabulary import KEY_COLUMNS, UNLABELED

STRATEGIES = ("entropy", "margin")
# strategies of the simulation (seisclass.learn.active_simulation), random the baseline
SIMULATION_STRATEGIES = ("entropy", "margin", "diversity", "cluster", "random")


@config_section("active_learning.simulation")
class SimulationParameters(ConfigSection):
    """Config section ``active_learning.simulation``."""

    enabled: bool  # the simulation and the learning curve are part of the workflow's targets
    strategies: tuple[str, ...]
    seeds: int
    initial_per_class: int  # labelled intervals per class at the start
    rounds: int  # batches added after the start
    max_intervals: int  # labelled intervals after the last round (capped by the pool)
    n_estimators: int  # trees of each forest
    n_clusters: int  # k-means clusters of the cluster strategy
    targets: tuple[float, ...]  # interval balanced accuracies whose label cost is reported

    def _check(self) -> None:
        unknown = sorted(set(self.strategies) - set(SIMULATION_STRATEGIES))
        if unknown:
            raise self.error(f"active_learning.simulation.strategies: {unknown} "
                             f"not among {list(SIMULATION_STRATEGIES)}")


@config_section("active_learning.learning_curve")
class LearningCurveParameters(ConfigSection):
    """Config section ``active_learning.learning_curve``."""

    events_per_class: tuple[int, ...]
    seeds: int


@config_section("active_learning")
class ActiveLearningParameters(ConfigSection):
    """Config section ``active_learning``."""

    model: str
    strategy: str
    n_candidates: int
    thumbnails: int
    page_candidates: int  # candidates on the labelling page (labelling.html)
    page_context_s: float  # waveform context shown on each side of a candidate (s)
    simulation: SimulationParameters
    learning_curve: LearningCurveParameters



def predictive_entropy(probabilities: np.ndarray) -> np.ndarray:
    """``-sum_k p_k ln p_k`` per row (nats); terms with ``p_k = 0`` count as 0."""

    p = np.asarray(probabilities, float)
    terms = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return terms.sum(axis=1)


def margin(probabilities: np.ndarray) -> np.ndarray:
    """Difference between the largest and second-largest probability per row (0-1)."""
    p = np.sort(np.asarray(probabilities, float), axis=1)
    if p.shape[1] < 2:
        return np.ones(len(p))
    return p[:, -1] - p[:, -2]


def uncertainty_order(probabilities: np.ndarray, strategy: str = "margin") -> np.ndarray:
    """Row indices from most to least uncertain (ties broken by the other measure, then index)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"active_learning.strategy: {strategy!r} is not one of {list(STRATEGIES)}")
    h, m = predictive_entropy(probabilities), margin(probabilities)
    index = np.arange(len(h))
    keys = (index, -h, m) if strategy == "margin" else (index, m, -h)
    return np.lexsort(keys)


def candidates(table: pd.DataFrame, probabilities: np.ndarray, classes: list[str],
               n: int, strategy: str = "margin") -> pd.DataFrame:
    """The ``n`` most uncertain windows of ``table`` (its rows match ``probabilities``).

    Columns: ``rank``, the key columns, one ``p_<class>`` per class,
    ``predicted``, ``entropy`` (nats), ``margin`` and an empty ``label`` to fill in.
    """
    if len(table) != len(probabilities):
        raise ValueError(f"{len(table)} windows but {len(probabilities)} probability rows")
    order = uncertainty_order(probabilities, strategy)[:n]
    p = np.asarray(probabilities, float)[order]
    out = table.iloc[order][KEY_COLUMNS].reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    for j, c in enumerate(classes):
        out[f"p_{c}"] = p[:, j]
    out["predicted"] = np.array(classes, dtype=object)[p.argmax(axis=1)] if len(p) else []
    out["entropy"] = predictive_entropy(p)
    out["margin"] = margin(p)
    out["label"] = ""
    return out


def unlabelled(table: pd.DataFrame) -> pd.DataFrame:
    """Windows whose label is :data:`~seisclass.data.labels.UNLABELED`."""
    return table[table["label"] == UNLABELED]


