"""Colours shared by all figures: one fixed colour per class, unlabelled in grey."""

from __future__ import annotations

from seisclass.core.vocabulary import UNLABELED

CLASS_COLORS = ["#4c72b0", "#dd8452", "#c44e52", "#55a868", "#8172b3", "#937860", "#da8bc3"]


def class_colors(classes: list[str]) -> dict[str, str]:
    """A fixed colour per class, in class-list order (unlabelled in grey)."""
    colors = {c: CLASS_COLORS[i % len(CLASS_COLORS)] for i, c in enumerate(classes)}
    colors[UNLABELED] = "#b0b0b0"
    return colors
