"""The time-blocked split: no temporal leakage, stratification, clear errors."""

import numpy as np
import pytest

from seisclass.core.vocabulary import PURGED, SPLITS
from seisclass.data.split import SplitError, assign_split

pytestmark = pytest.mark.unit

CLASSES = ["silence", "tourists", "earthquake"]
FRACTIONS = {"train": 0.8, "validation": 0.1, "test": 0.1}


def overlapping_windows(n_hours=12, seed=0):
    """10-s windows every 5 s with labels in runs, as in a real station-day."""
    rng = np.random.default_rng(seed)
    starts = np.arange(0.0, n_hours * 3600.0, 5.0)
    labels = np.full(len(starts), "silence", dtype=object)
    for _ in range(40):
        i = rng.integers(len(starts) - 30)
        labels[i : i + rng.integers(2, 30)] = rng.choice(["tourists", "earthquake"])
    labels[rng.uniform(size=len(starts)) < 0.1] = "unlabeled"
    return starts, starts + 10.0, labels


def test_windows_that_overlap_in_time_never_sit_on_two_sides():
    starts, ends, labels = overlapping_windows()
    split = assign_split(starts, ends, labels, CLASSES, FRACTIONS, block_s=600, seed=1)
    used = np.isin(split, SPLITS)
    order = np.argsort(starts[used])
    s, e, side = starts[used][order], ends[used][order], split[used][order]
    # every pair of overlapping windows (here: neighbours up to length/step apart) shares a side
    for lag in (1, 2):
        overlap = s[lag:] < e[:-lag]
        assert np.all(side[lag:][overlap] == side[:-lag][overlap])
    assert (split == PURGED).sum() > 0  # windows straddling a split boundary were purged


def test_split_is_stratified_and_reproducible():
    starts, ends, labels = overlapping_windows(n_hours=48)
    split = assign_split(starts, ends, labels, CLASSES, FRACTIONS, block_s=600, seed=3)
    again = assign_split(starts, ends, labels, CLASSES, FRACTIONS, block_s=600, seed=3)
    assert np.array_equal(split, again)
    for c in CLASSES:
        in_class = labels == c
        shares = {s: np.mean(split[in_class & np.isin(split, SPLITS)] == s) for s in SPLITS}
        assert shares["train"] == pytest.approx(0.8, abs=0.1), (c, shares)
        assert shares["test"] > 0.03 and shares["validation"] > 0.03, (c, shares)


def test_unlabelled_windows_get_no_split():
    starts, ends, labels = overlapping_windows()
    split = assign_split(starts, ends, labels, CLASSES, FRACTIONS, block_s=600, seed=1)
    assert set(split[labels == "unlabeled"]) == {"none"}


def test_same_time_at_two_stations_lands_on_one_side():
    starts, ends, labels = overlapping_windows()
    both = np.concatenate([starts, starts]), np.concatenate([ends, ends]), np.concatenate([labels, labels])
    split = assign_split(*both, CLASSES, FRACTIONS, block_s=600, seed=1)
    half = len(starts)
    assert np.array_equal(split[:half], split[half:])


def test_a_class_in_too_few_blocks_is_named():
    starts, ends, labels = overlapping_windows()
    labels = np.where(labels == "earthquake", "silence", labels)
    labels[100:103] = "earthquake"  # one block only
    with pytest.raises(SplitError, match="class 'earthquake' occurs in 1 time block"):
        assign_split(starts, ends, labels, CLASSES, FRACTIONS, block_s=600, seed=1)
