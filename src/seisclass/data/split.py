"""Time-blocked, stratified train/validation/test split without temporal leakage.

Time is cut into blocks of ``block_s`` seconds on an absolute grid (shared by
all stations, so one earthquake seen by two stations stays on one side).
Whole blocks are assigned to splits, greedily, so that every class reaches
its target fraction in each split. A window lying in two blocks of
different splits is *purged* (used by no split), so windows that overlap in
time never land on two sides. Unlabelled windows get the split ``none``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from seisclass.core.config import ConfigSection, config_section
from seisclass.core.vocabulary import NO_SPLIT, PURGED, SPLITS

__all__ = ["NO_SPLIT", "PURGED", "SPLITS", "SplitError", "assign_split", "block_index"]



class SplitError(ValueError):
    """The labelled data cannot be split as configured; the message names the class."""


FRACTION_TOLERANCE = 1e-6  # split.fractions must sum to 1 within this


@config_section("split.fractions")
class SplitFractions(ConfigSection):
    """Config section ``split.fractions``: target fraction of each class per split (sum 1)."""

    train: float
    validation: float
    test: float

    def _check(self) -> None:
        values = self.to_config()
        total = sum(values.values())
        if abs(total - 1.0) > FRACTION_TOLERANCE:
            raise self.error(f"split.fractions: train + validation + test = {total:g}, must be 1 "
                             f"(within {FRACTION_TOLERANCE:g}); got {values}")


@config_section("split")
class SplitParameters(ConfigSection):
    """Config section ``split``: fractions, time-block length (s), minimum blocks per class."""

    fractions: SplitFractions
    block_s: float
    min_blocks_per_class: int

    def _check_settings(self, settings) -> None:
        length = settings["windows"].length_s
        if self.block_s < length:
            raise self.error(f"split.block_s: {self.block_s:g} s is shorter than windows.length_s ({length:g} s): "
                             "every window would straddle two blocks and be purged")


def block_index(times_s: np.ndarray, block_s: float) -> np.ndarray:
    """Index of the absolute time block (``floor(t / block_s)``) of each time."""
    return np.floor(np.asarray(times_s, float) / block_s).astype(np.int64)


def assign_split(
    starts_s: np.ndarray,
    ends_s: np.ndarray,
    labels: np.ndarray,
    classes: list[str],
    fractions: dict[str, float],
    block_s: float,
    seed: int,
    min_blocks_per_class: int = 3,
) -> np.ndarray:
    """Split name per window (``train``, ``validation``, ``test``, ``purged``, ``none``).

    Raises :class:`SplitError` when a class occurs in fewer than
    ``min_blocks_per_class`` time blocks, or ends up missing from the train
    or test split.
    """
    labels = np.asarray(labels, dtype=object)
    labelled = np.isin(labels, classes)
    first_block = block_index(starts_s, block_s)
    last_block = block_index(np.asarray(ends_s, float) - 1e-6, block_s)
    blocks, inverse = np.unique(first_block[labelled], return_inverse=True)
    class_index = pd.Categorical(labels[labelled], categories=classes).codes
    counts = np.zeros((len(blocks), len(classes)))
    np.add.at(counts, (inverse, class_index), 1.0)
    _check_enough_blocks(counts, classes, min_blocks_per_class, block_s)

    block_split = _greedy_assignment(counts, fractions, np.random.default_rng(seed))
    result = np.full(len(labels), NO_SPLIT, dtype=object)
    first = _lookup(blocks, block_split, first_block)
    last = _lookup(blocks, block_split, last_block)
    # A window whose end block holds no labelled window takes its start block's split.
    last = np.where(last < 0, first, last)
    consistent = labelled & (first == last)
    result[consistent] = np.array(SPLITS, dtype=object)[first[consistent]]
    result[labelled & (first != last)] = PURGED
    _check_classes_present(result, labels, classes)
    return result


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``values`` at the positions of ``query`` in sorted ``keys``; -1 where absent."""
    if len(keys) == 0:
        return np.full(len(query), -1)
    idx = np.clip(np.searchsorted(keys, query), 0, len(keys) - 1)
    return np.where(keys[idx] == query, values[idx], -1)


def _check_enough_blocks(counts: np.ndarray, classes: list[str], minimum: int, block_s: float) -> None:
    blocks_per_class = (counts > 0).sum(axis=0)
    for name, n in zip(classes, blocks_per_class, strict=True):
        if n < minimum:
            raise SplitError(
                f"class {name!r} occurs in {int(n)} time block(s) of {block_s:g} s; "
                f"a time-blocked split needs at least {minimum}. Label more {name!r} windows, "
                f"lower split.block_s, or remove {name!r} from classes."
            )


def _greedy_assignment(counts: np.ndarray, fractions: dict[str, float], rng) -> np.ndarray:
    """Assign blocks to splits; blocks rich in rare classes first, each to the neediest split."""
    share = np.array([fractions[s] for s in SPLITS], float)
    share = share / share.sum()
    totals = counts.sum(axis=0)
    target = share[:, None] * totals[None, :]
    assigned = np.zeros_like(target)
    rarity = (counts / np.maximum(totals, 1.0)).max(axis=1)
    order = rng.permutation(len(counts))
    order = order[np.argsort(-rarity[order], kind="stable")]
    result = np.zeros(len(counts), dtype=np.int64)
    weight = counts / np.maximum(totals, 1.0)
    for b in order:
        deficit = (target - assigned) / np.maximum(target, 1e-9)
        need = (weight[b][None, :] * deficit).sum(axis=1)
        fill = share - assigned.sum(axis=1) / max(assigned.sum(), 1.0)
        choice = int(np.lexsort((fill, need))[-1])
        result[b] = choice
        assigned[choice] += counts[b]
    return result


def _check_classes_present(split: np.ndarray, labels: np.ndarray, classes: list[str]) -> None:
    for side in ("train", "test"):
        present = set(labels[split == side])
        missing = [c for c in classes if c not in present]
        if missing:
            raise SplitError(
                f"class(es) {missing} have no window in the {side} split after time blocking; "
                "label more data or lower split.block_s"
            )
