"""Figures of the event catalogue: network events over time, example events with their probability
traces, and the reliability diagram of the calibrated probabilities."""

from __future__ import annotations

import pandas as pd

from seisclass.plots.style import class_colors


def catalogue_timeline_figure(network_events: pd.DataFrame, classes: list[str], title: str):
    """Network events: time (UTC) against the number of stations, coloured by class, sized by probability."""
    import matplotlib.pyplot as plt

    colors = class_colors(classes)
    fig, ax = plt.subplots(figsize=(12, 3.8))
    if len(network_events):
        for c in classes:
            rows = network_events[network_events["class"] == c]
            if len(rows):
                ax.scatter(rows["first_onset"], rows["n_stations"], s=12 + 60 * rows["probability"], color=colors[c],
                           alpha=0.75, edgecolor="black", linewidth=0.3, label=f"{c} ({len(rows)})")
        ax.legend(loc="upper right", fontsize=8, ncol=len(classes), title="class (events); size: probability",
                  title_fontsize=8)
    else:
        ax.text(0.5, 0.5, "no event", transform=ax.transAxes, ha="center")
    from matplotlib.ticker import MaxNLocator

    ax.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))  # a count of stations
    if len(network_events):
        ax.set_ylim(0.5, network_events["n_stations"].max() + 0.5)
    ax.set_ylabel("stations of the network event")
    ax.set_xlabel("first onset (UTC)")
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


def event_examples_figure(examples: list[dict], classes: list[str], title: str, amplitude_label: str = "counts"):
    """One column per example event: its vertical trace (counts or m/s) with extent and onset, and below it
    the smoothed window probabilities.

    ``amplitude_label``: the unit of the samples
    (:attr:`seisclass.signal.preprocess.PreprocessParameters.amplitude_label`). Each example:
    ``times`` (s relative to the onset), ``samples``, ``windows`` (window centres in s relative
    to the onset and ``s_<class>``), ``end_s`` (extent end after the onset), ``label``.
    """
    import matplotlib.pyplot as plt

    colors = class_colors(classes)
    n = max(len(examples), 1)
    fig, axes = plt.subplots(2, n, figsize=(3.6 * n, 4.4), squeeze=False, height_ratios=[2, 1.3])
    for k, example in enumerate(examples):
        draw_event(axes[0, k], axes[1, k], example, colors, amplitude_label if k == 0 else "", labels=k == 0)
        axes[0, k].set_title(example["label"], fontsize=8)
    if not examples:
        axes[0, 0].text(0.5, 0.5, "no event", transform=axes[0, 0].transAxes, ha="center")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def draw_event(top, bottom, example: dict, colors: dict, amplitude_label: str, labels: bool = True,
               width: float = 1.0) -> None:
    """One event on two axes: its trace (``amplitude_label``: unit) with extent and onset shaded in its class
    colour above, the smoothed window probabilities (one line per class in ``colors``) below; s after the onset.

    ``example``: :func:`example_data`; ``labels``: draw the y label and the legend of the probabilities.
    """
    color = colors.get(example["class"], "grey")
    top.plot(example["times"], example["samples"], color="black", lw=0.3)
    top.axvspan(0.0, example["end_s"], color=color, alpha=0.2, lw=0, label="event extent (coda included)")
    top.axvline(0.0, color=color, lw=1.2, label="onset")
    top.set_ylabel(amplitude_label)
    top.ticklabel_format(axis="y", style="sci", scilimits=(-2, 3))
    for c, line_color in colors.items():
        if f"s_{c}" in example["windows"]:
            bottom.plot(example["windows"]["centre_s"], example["windows"][f"s_{c}"], color=line_color, lw=width,
                        label=c)
    bottom.set_ylim(-0.02, 1.02)
    bottom.set_xlabel("time after the onset (s)")
    if labels:
        bottom.set_ylabel("probability (smoothed)")
        bottom.legend(fontsize=7, loc="upper right")
    bottom.grid(alpha=0.3)


def reliability_figure(tables: dict[str, pd.DataFrame], errors: dict[str, dict], title: str):
    """Reliability diagram: accuracy against top-label confidence per bin, one line per calibration.

    ``tables``: name -> :func:`seisclass.learn.calibration.reliability_table`; ``errors``: name ->
    :func:`seisclass.learn.calibration.calibration_errors`.
    """
    import matplotlib.pyplot as plt

    fig, (ax, counts) = plt.subplots(2, 1, figsize=(5.2, 5.6), sharex=True, height_ratios=[3, 1])
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--", label="perfectly calibrated")
    for (name, table), color in zip(tables.items(), ("#c44e52", "#4c72b0", "#55a868"), strict=False):
        ece = errors[name]["top_label"]
        ax.plot(table["confidence"], table["accuracy"], marker="o", ms=3, color=color,
                label=f"{name} (ECE {ece:.3f})" if ece is not None else name)
        counts.bar((table["bin_low"] + table["bin_high"]) / 2, table["windows"], width=1 / len(table) * 0.9,
                   color=color, alpha=0.4)
    ax.set_ylabel("fraction right (accuracy)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(fontsize=8, loc="upper left")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    counts.set_yscale("log")
    counts.set_xlabel("predicted class probability (top-label confidence)")
    counts.set_ylabel("windows")
    fig.tight_layout()
    return fig


def example_data(event: dict, windows: pd.DataFrame, files: dict[str, str], classes: list[str],
                 pad_s: float = 30.0) -> dict:
    """What :func:`event_examples_figure` draws of one ``event`` (a row of events.csv as a dict).

    ``windows``: the run's window probabilities (``s_<class>`` smoothed); ``files``: station-day
    key -> preprocessed chunk file (:func:`seisclass.data.dataset.segment_waveform`). Times are
    in s after the onset, ``pad_s`` before the onset and after the end.
    """
    from seisclass.core.vocabulary import epoch_seconds, station_ids
    from seisclass.data.dataset import segment_waveform

    onset, end = event["onset"].timestamp(), event["end"].timestamp()
    times, samples = segment_waveform(files, event["network"], event["station"], event["location"],
                                      onset - pad_s, end + pad_s)
    sid = station_ids(pd.DataFrame([event])).iloc[0]
    centres = epoch_seconds(windows["start"]) + (windows["end"] - windows["start"]).dt.total_seconds().to_numpy() / 2
    near = (station_ids(windows).to_numpy() == sid) & (centres >= onset - pad_s) & (centres <= end + pad_s)
    traces = windows.loc[near, [f"s_{c}" for c in classes]].assign(centre_s=centres[near] - onset)
    return {"times": times - onset, "samples": samples, "windows": traces, "end_s": end - onset,
            "class": event["class"],
            "label": f"{sid} {event['onset']:%Y-%m-%d %H:%M:%S}: {event['class']} p={event['probability']:.2f}"}


def example_events(events: pd.DataFrame, classes: list[str], per_class: int = 2) -> pd.DataFrame:
    """The most probable events of each class (``per_class`` each), in class order."""
    picks = [events[events["class"] == c].sort_values("probability", ascending=False).head(per_class)
             for c in classes]
    picks = [p for p in picks if len(p)]
    return pd.concat(picks, ignore_index=True) if picks else events.iloc[:0]


