"""The labelling page: one self-contained HTML file to label the active-learning candidates by keyboard.

For each candidate (a row of ``candidates.csv``: key columns, ``p_<class>``, ``predicted``,
``entropy``) the page shows the vertical-component waveform with the window shaded and
minutes of context around it, its spectrogram, a zoom on the window, and the model's
probabilities. Keys: ``1``..``9`` choose the class listed with that digit, ``s`` skip,
``u`` unsure, ``0``/Backspace clear, ``j``/``k`` or the arrow keys move, ``e`` (or the
button) exports. Labels are kept in the browser's ``localStorage`` (key
``seisclass-labelling/<page id>``), so a reload keeps them.

The export is an annotation CSV in the contract of :func:`seisclass.data.labels.read_annotations`
(``network,station,location,channel,start,end,label``, ISO 8601 UTC) holding the labelled
candidates in page order; unsure candidates follow as ``# unsure: ...`` comment lines, which the
reader skips, and skipped ones are left out. Images are inline PNG data URIs; the page loads
nothing from anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json

import numpy as np
import pandas as pd

from seisclass.core.vocabulary import (
    ANNOTATION_COLUMNS,
    epoch_seconds,
    format_times,
    probability_column,
    station_ids,
)

MAX_KEYED_CLASSES = 9  # digits 1..9
NO_DATA = "no waveform data around this window"
ENVELOPE_BINS = 900  # min/max pairs drawn for the context trace (about one per pixel)


def min_max_envelope(times: np.ndarray, samples: np.ndarray, t0: float, t1: float,
                     n_bins: int = ENVELOPE_BINS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(centres s, minimum, maximum)`` of ``samples`` in ``n_bins`` equal time bins of ``[t0, t1]``.

    Times in s (any origin shared with ``t0``/``t1``); bins without samples are NaN, so gaps
    stay gaps when drawn. This is what a trace drawn at ``n_bins`` pixels shows.
    """
    width = (t1 - t0) / n_bins
    inside = (times >= t0) & (times <= t1)
    index = np.minimum(((times[inside] - t0) / width).astype(np.int64), n_bins - 1)
    low, high = np.full(n_bins, np.nan), np.full(n_bins, np.nan)
    np.fmin.at(low, index, samples[inside])
    np.fmax.at(high, index, samples[inside])
    return t0 + (np.arange(n_bins) + 0.5) * width, low, high


def uniform_grid(times: np.ndarray, samples: np.ndarray, t0: float, t1: float, fs: float) -> np.ndarray:
    """Samples on the regular grid ``t0 + i / fs`` covering ``[t0, t1)`` (Hz); 0 where there are no data."""
    grid = np.zeros(max(int(round((t1 - t0) * fs)), 0))
    index = np.round((times - t0) * fs).astype(np.int64)
    keep = (index >= 0) & (index < len(grid))
    grid[index[keep]] = samples[keep]
    return grid


def spectrogram_db(samples: np.ndarray, fs: float, frame_s: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(frame centres s, frequencies Hz, power dB (freq x frames))``: Hann frames of ``frame_s``, half overlap."""
    from scipy.signal import spectrogram

    n = max(min(int(round(frame_s * fs)), len(samples)), 2)
    freqs, centres, power = spectrogram(samples, fs=fs, window="hann", nperseg=n, noverlap=n // 2)
    return centres, freqs, 10 * np.log10(power + 1e-20)


def candidate_figure(times: np.ndarray, samples: np.ndarray, start: float, end: float,
                     before_s: float, after_s: float, fs: float):
    """Waveform and spectrogram of one candidate: context (left) and the window zoomed (right).

    Times in s relative to the window start (``start``, ``end`` in the same epoch seconds as
    ``times``); the window is shaded; each waveform panel is scaled to its own peak. ``fs`` is
    the sampling rate (Hz).
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(8.4, 3.3), sharex="col", gridspec_kw={"width_ratios": [3, 1]})
    length = end - start
    spans = {0: (start - before_s, end + after_s, 2.0), 1: (start - 0.5 * length, end + 0.5 * length, 0.5)}
    if len(samples) == 0:
        for ax in axes.flat:
            ax.set_axis_off()
        axes[0, 0].text(0.5, 0.5, NO_DATA, ha="center", va="center")
        return fig
    for col, (t0, t1, frame_s) in spans.items():
        wave, spec = axes[0, col], axes[1, col]
        inside = np.abs(samples[(times >= t0) & (times <= t1)])
        scale = (inside.max() if inside.size else 0.0) or 1.0  # each panel scaled to its own peak
        centres, low, high = min_max_envelope(times, samples / scale, t0, t1)
        wave.fill_between(centres - start, low, high, color="#333333", lw=0.4, step="mid")
        wave.set_ylim(-1.05, 1.05)
        wave.set_yticks([])
        grid = uniform_grid(times, samples, t0, t1, fs)
        frames, freqs, power = spectrogram_db(grid, fs, frame_s)
        if power.size:
            finite = power[np.isfinite(power)]
            vmin, vmax = np.percentile(finite, [5, 99.5]) if finite.size else (0.0, 1.0)
            spec.imshow(power, origin="lower", aspect="auto", cmap="magma", vmin=vmin, vmax=vmax,
                        extent=[t0 - start, t0 - start + len(grid) / fs, freqs[0], freqs[-1]],
                        interpolation="nearest")
        spec.set_xlim(t0 - start, t1 - start)
        for ax in (wave, spec):
            ax.axvspan(0.0, length, facecolor="none", edgecolor="#1f77b4" if ax is wave else "white",
                       lw=1.2, ls="--" if ax is spec else "-")
            ax.tick_params(labelsize=7)
        wave.axvspan(0.0, length, color="#1f77b4", alpha=0.15, lw=0)
        spec.set_xlabel("s from window start", fontsize=7)
    axes[1, 0].set_ylabel("Hz", fontsize=7)
    axes[0, 0].set_title(f"context ±{before_s:g} s", fontsize=8, loc="left")
    axes[0, 1].set_title("window", fontsize=8, loc="left")
    fig.subplots_adjust(left=0.06, right=0.99, top=0.92, bottom=0.13, wspace=0.12, hspace=0.08)
    return fig


def png_data_uri(fig, dpi: int = 72, colors: int = 96) -> str:
    """The figure as a ``data:image/png;base64`` URI (palette PNG of ``colors`` colours, to keep pages small)."""
    import matplotlib.pyplot as plt
    from PIL import Image  # Pillow: a hard dependency of matplotlib

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    buffer.seek(0)
    image = Image.open(buffer).convert("RGB").quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def page_id(rows: pd.DataFrame, classes: list[str]) -> str:
    """Short hash of the candidates' keys and the classes: the page's ``localStorage`` namespace."""
    text = "\n".join([",".join(classes), *(rows["id"].tolist())])
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def page_rows(candidates: pd.DataFrame) -> pd.DataFrame:
    """The candidates' annotation fields as text (times in ISO UTC) and an ``id`` per candidate."""
    rows = candidates.copy()
    for c in ("network", "station", "location", "channel"):
        rows[c] = rows[c].fillna("").astype(str)
    rows["start_text"] = format_times(rows["start"]).to_numpy()
    rows["end_text"] = format_times(rows["end"]).to_numpy()
    rows["sid"] = station_ids(rows)
    rows["id"] = rows["sid"] + "|" + rows["channel"] + "|" + rows["start_text"] + "|" + rows["end_text"]
    return rows.reset_index(drop=True)


def _probability_rows(row, classes: list[str], colors: dict[str, str]) -> str:
    cells = []
    for k, c in enumerate(classes):
        p = float(getattr(row, probability_column(c)))
        key = f"<kbd>{k + 1}</kbd>" if k < MAX_KEYED_CLASSES else ""
        cells.append(
            f'<tr class="prob" data-class="{html.escape(c)}"><td class="cls">{key} {html.escape(c)}</td>'
            f'<td class="barcell"><span class="bar" style="width:{100 * p:.1f}%;background:{colors[c]}"></span></td>'
            f'<td class="p">{p:.2f}</td></tr>')
    return "".join(cells)


def _candidate_block(i: int, row, image: str | None, classes: list[str], colors: dict[str, str]) -> str:
    buttons = "".join(f'<button type="button" data-choice="{html.escape(c)}">{html.escape(c)}</button>'
                      for c in classes)
    rank = getattr(row, "rank", i + 1)
    entropy = f" · entropy {float(row.entropy):.2f} nats" if hasattr(row, "entropy") else ""
    predicted = f" · predicted <b>{html.escape(str(row.predicted))}</b>" if hasattr(row, "predicted") else ""
    start, end = pd.Timestamp(row.start), pd.Timestamp(row.end)
    picture = (f'<img alt="waveform and spectrogram of candidate {rank}" src="{image}">' if image
               else f'<p class="nodata">{NO_DATA}</p>')
    return (
        f'<section class="candidate" id="candidate-{i}" data-index="{i}">'
        f'<h2>#{rank} {html.escape(row.sid)} {html.escape(row.channel)} '
        f'{start:%Y-%m-%d %H:%M:%S}–{end:%H:%M:%S} UTC{predicted}{entropy}'
        f'<span class="state" data-state=""></span></h2>'
        f'<div class="body">{picture}'
        f'<div class="side"><table class="probabilities">{_probability_rows(row, classes, colors)}</table>'
        f'<div class="choices">{buttons}<button type="button" data-choice="skip">skip</button>'
        f'<button type="button" data-choice="unsure">unsure</button></div></div></div></section>'
    )


def labelling_page(candidates: pd.DataFrame, images: list[str | None], classes: list[str], title: str = "Label next",
                   context_s: float | None = None) -> str:
    """The HTML text of the labelling page.

    ``candidates``: rows with the key columns (``start``/``end`` UTC timestamps), one
    ``p_<class>`` per class and optionally ``rank``, ``predicted``, ``entropy``;
    ``images``: one image URI per row (:func:`png_data_uri`), ``None`` for a candidate without
    waveform data; ``context_s``: the context
    shown on each side (s), for the legend.
    """
    from seisclass.plots.style import class_colors

    if len(images) != len(candidates):
        raise ValueError(f"{len(candidates)} candidates but {len(images)} images")
    rows = page_rows(candidates)
    colors = class_colors(classes)
    blocks = "".join(_candidate_block(i, row, image, classes, colors)
                     for i, (row, image) in enumerate(zip(rows.itertuples(), images, strict=True)))
    if not blocks:
        blocks = '<p class="empty">No candidates: every window is labelled, or the model gave no probabilities.</p>'
    data = {
        "storage": f"seisclass-labelling/{page_id(rows, classes)}",
        "classes": classes,
        "columns": list(ANNOTATION_COLUMNS),
        "candidates": [{"id": r.id, "network": r.network, "station": r.station, "location": r.location,
                        "channel": r.channel, "start": r.start_text, "end": r.end_text} for r in rows.itertuples()],
    }
    keys = " ".join(f"<kbd>{k + 1}</kbd> {html.escape(c)}" for k, c in enumerate(classes[:MAX_KEYED_CLASSES]))
    context = f"; context ±{context_s:g} s around the shaded window" if context_s is not None else ""
    payload = json.dumps(data).replace("</", "<\\/")
    return PAGE.format(title=html.escape(title), n=len(rows), keys=keys, context=context, blocks=blocks,
                       data=payload, style=STYLE, script=SCRIPT)


def labelling_html(candidates: pd.DataFrame, traces: list[tuple[np.ndarray, np.ndarray]], classes: list[str],
                   fs: float, context_s: float, title: str = "Label next") -> str:
    """The labelling page of ``candidates`` with one figure per candidate from ``traces``.

    ``traces``: ``(times s epoch, samples)`` per candidate, covering ``context_s`` (s) before
    its start and after its end (:func:`seisclass.data.dataset.context_waveforms`); ``fs`` (Hz).
    """
    starts, ends = epoch_seconds(candidates["start"]), epoch_seconds(candidates["end"])
    images = [png_data_uri(candidate_figure(times, samples, t0, t1, context_s, context_s, fs)) if len(samples)
              else None for (times, samples), t0, t1 in zip(traces, starts, ends, strict=True)]
    return labelling_page(candidates, images, classes, title, context_s)


STYLE = """
body{font-family:system-ui,sans-serif;margin:0;background:#f4f4f4;color:#222}
header{position:sticky;top:0;z-index:2;background:#fff;border-bottom:1px solid #ccc;padding:.5em 1em}
h1{font-size:1.2em;margin:.2em 0}
header p{margin:.25em 0;font-size:.9em}
kbd{border:1px solid #999;border-radius:3px;padding:0 .3em;background:#eee;font-size:.85em}
main{padding:.5em 1em}
.candidate{background:#fff;border:2px solid #ddd;border-radius:6px;margin:.6em 0;padding:.4em .6em}
.candidate.current{border-color:#1f77b4;box-shadow:0 0 0 3px #9ecae1}
.candidate h2{font-size:.95em;margin:.1em 0 .3em}
.body{display:flex;gap:1em;align-items:flex-start;flex-wrap:wrap}
.body img{max-width:100%}
.nodata{width:38em;color:#a00}
.probabilities{border-collapse:collapse;font-size:.85em}
.probabilities td{padding:.1em .3em}
.barcell{width:8em;background:#eee}
.bar{display:block;height:.8em}
.choices button{margin:.2em .2em 0 0}
.state{margin-left:.8em;padding:0 .4em;border-radius:3px}
.state[data-state=label]{background:#2ca02c;color:#fff}
.state[data-state=skip]{background:#999;color:#fff}
.state[data-state=unsure]{background:#ff7f0e;color:#fff}
#export{background:#fff;border:1px solid #ccc;padding:.4em;font-size:.8em;white-space:pre}
"""

SCRIPT = r"""
(function () {
  const page = JSON.parse(document.getElementById("page-data").textContent);
  const blocks = Array.from(document.querySelectorAll(".candidate"));
  let labels = {};
  try { labels = JSON.parse(localStorage.getItem(page.storage) || "{}"); } catch (e) { labels = {}; }
  let current = 0;

  function save() {
    try { localStorage.setItem(page.storage, JSON.stringify(labels)); } catch (e) { /* storage off */ }
  }
  function field(value) {
    return /[",\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }
  function line(c, label) {
    return [c.network, c.station, c.location, c.channel, c.start, c.end, label].map(field).join(",");
  }
  function csv() {
    const out = [page.columns.join(",")];
    const unsure = [];
    page.candidates.forEach(function (c) {
      const label = labels[c.id];
      if (page.classes.indexOf(label) >= 0) out.push(line(c, label));
      else if (label === "unsure") unsure.push("# unsure: " + line(c, "").slice(0, -1));
    });
    return out.concat(unsure).join("\n") + "\n";
  }
  function render() {
    const counts = {label: 0, skip: 0, unsure: 0};
    blocks.forEach(function (block, i) {
      const label = labels[page.candidates[i].id] || "";
      const kind = page.classes.indexOf(label) >= 0 ? "label" : label;
      if (kind) counts[kind] += 1;
      const state = block.querySelector(".state");
      state.dataset.state = kind;
      state.textContent = label;
      block.classList.toggle("current", i === current);
    });
    document.getElementById("status").textContent = counts.label + " labelled, " + counts.skip + " skipped, " +
      counts.unsure + " unsure, " + (blocks.length - counts.label - counts.skip - counts.unsure) + " to do";
  }
  function move(to) {
    if (!blocks.length) return;
    current = Math.max(0, Math.min(blocks.length - 1, to));
    render();
    blocks[current].scrollIntoView({block: "center"});
  }
  function choose(choice) {
    if (!blocks.length) return;
    const id = page.candidates[current].id;
    if (choice === "") delete labels[id]; else labels[id] = choice;
    save();
    if (choice !== "" && current < blocks.length - 1) move(current + 1); else render();
  }
  function exportCsv() {
    const text = csv();
    document.getElementById("export").textContent = text;
    document.getElementById("export-box").open = true;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], {type: "text/csv"}));
    link.download = "labelled_candidates.csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const key = event.key;
    const digit = "123456789".indexOf(key);
    if (digit >= 0 && digit < page.classes.length) choose(page.classes[digit]);
    else if (key === "s") choose("skip");
    else if (key === "u") choose("unsure");
    else if (key === "0" || key === "Backspace") choose("");
    else if (key === "j" || key === "ArrowDown" || key === "ArrowRight") move(current + 1);
    else if (key === "k" || key === "ArrowUp" || key === "ArrowLeft") move(current - 1);
    else if (key === "e") exportCsv();
    else return;
    event.preventDefault();
  });
  blocks.forEach(function (block, i) {
    block.addEventListener("click", function (event) {
      current = i;
      const choice = event.target.dataset ? event.target.dataset.choice : undefined;
      if (choice !== undefined) choose(choice); else render();
    });
  });
  document.getElementById("export-button").addEventListener("click", exportCsv);
  window.seisclassLabelling = {csv: csv};
  render();
})();
"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>{style}</style></head>
<body>
<header><h1>{title}: {n} candidates</h1>
<p>Keys: {keys} · <kbd>s</kbd> skip · <kbd>u</kbd> unsure · <kbd>0</kbd> clear ·
<kbd>j</kbd>/<kbd>↓</kbd> next · <kbd>k</kbd>/<kbd>↑</kbd> previous · <kbd>e</kbd> export
<button type="button" id="export-button">Export CSV</button></p>
<p>Waveform (vertical component, preprocessed) and spectrogram{context}; the model's probabilities on the right.
Labels are kept in this browser. The export is an annotation CSV: list it under <code>annotations</code>
in the configuration and rerun <code>snakemake</code>.</p>
<p id="status"></p></header>
<main>{blocks}</main>
<details id="export-box"><summary>Exported CSV</summary><pre id="export"></pre></details>
<script type="application/json" id="page-data">{data}</script>
<script>{script}</script>
</body></html>
"""
