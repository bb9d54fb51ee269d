"""The report's headline figure: how well the model classifies, and what one of its events looks like."""

from __future__ import annotations

import numpy as np

from seisclass.plots.style import class_colors


def headline_figure(matrix, classes: list[str], matrix_title: str, example: dict | None, title: str,
                    amplitude_label: str = "counts"):
    """Left: the row-normalised confusion matrix (counts in brackets). Right: one event, its trace above
    (``amplitude_label``: unit of the samples) and its smoothed window probabilities below.

    ``example`` is :func:`seisclass.plots.events.example_data` of the event, or None (no event found).
    """
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(11.5, 4.6))
    grid = fig.add_gridspec(2, 2, width_ratios=[1.0, 1.5], height_ratios=[1.6, 1.0], wspace=0.35, hspace=0.12)
    _confusion(fig.add_subplot(grid[:, 0]), np.asarray(matrix, float), classes, matrix_title)
    top = fig.add_subplot(grid[0, 1])
    bottom = fig.add_subplot(grid[1, 1], sharex=top)
    if example is None or not len(example["times"]):
        top.text(0.5, 0.5, "no event detected", transform=top.transAxes, ha="center", va="center")
    else:
        _event(top, bottom, example, classes, amplitude_label)
    fig.suptitle(title, fontsize=11)
    return fig


def _confusion(ax, matrix: np.ndarray, classes: list[str], title: str) -> None:
    normalized = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1.0)
    ax.imshow(normalized, cmap="Blues", vmin=0, vmax=1)
    for i in range(len(classes)):
        for j in range(len(classes)):
            color = "white" if normalized[i, j] > 0.6 else "black"
            ax.text(j, i, f"{normalized[i, j]:.2f}\n({int(matrix[i, j])})", ha="center", va="center", color=color,
                    fontsize=9)
    ax.set_xticks(range(len(classes)), classes, rotation=30, ha="right")
    ax.set_yticks(range(len(classes)), classes)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class (fraction of its row)")
    ax.set_title(title, fontsize=9)


def _event(top, bottom, example: dict, classes: list[str], amplitude_label: str) -> None:
    from seisclass.plots.events import draw_event

    draw_event(top, bottom, example, class_colors(classes), amplitude_label, width=1.2)
    top.set_title(example["label"], fontsize=9)
    top.legend(fontsize=7, loc="upper right")
    top.tick_params(labelbottom=False)


def headline_event(events, recall: dict[str, float]) -> dict | None:
    """The event to show: the most probable one of the event class found least often (lowest ``recall``).

    ``events``: events.csv as read by :func:`seisclass.events.catalogue.read_events`; events of
    classes without a recall come last. None when there is no event.
    """
    if not len(events):
        return None
    order = sorted(events["class"].unique(), key=lambda c: recall.get(c, np.inf))
    chosen = events[events["class"] == order[0]]
    return chosen.sort_values("probability", ascending=False).iloc[0].to_dict()
