"""Figures of the exploration stage (embeddings, stability, label agreement, correlation).

Scatter plots draw one point per window. Marker size and opacity shrink
with the number of points, the most frequent group is drawn first and the
rarest last, so that tens of thousands of windows stay readable and small
groups are not buried.
"""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

from seisclass.core.vocabulary import UNLABELED
from seisclass.plots.style import class_colors

NOISE_COLOR = "#b0b0b0"
PANELS = (("pca", "PCA"), ("umap", "UMAP"))


def marker_style(n: int) -> tuple[float, float]:
    """(marker area in pt^2, alpha) for a scatter of ``n`` points."""
    size = float(np.clip(6e4 / max(n, 1), 1.5, 16.0))
    alpha = float(np.clip(2e4 / max(n, 1), 0.35, 0.9))
    return size, alpha


def cluster_colors(clusters: list[int]) -> dict[int, str]:
    """A colour per cluster (tab10, tab20 beyond 10 clusters); noise (-1) grey."""
    cmap = plt.get_cmap("tab10" if len(clusters) <= 10 else "tab20")
    real = [c for c in clusters if c >= 0]
    colors = {c: matplotlib.colors.to_hex(cmap(i % cmap.N)) for i, c in enumerate(real)}
    colors[-1] = NOISE_COLOR
    return colors


def _scatter_groups(ax, xy: np.ndarray, groups: np.ndarray, colors: dict, names: dict) -> list:
    """Scatter each group, most frequent first; returns legend handles (largest first)."""
    values, counts = np.unique(groups, return_counts=True)
    order = values[np.argsort(-counts, kind="stable")]
    size, alpha = marker_style(len(xy))
    handles = []
    for v in order:
        hit = groups == v
        ax.scatter(xy[hit, 0], xy[hit, 1], s=size, c=colors[v], alpha=alpha, lw=0, rasterized=True)
        handles.append(Line2D([], [], ls="", marker="o", ms=6, color=colors[v],
                              label=f"{names.get(v, v)} ({int(hit.sum())})"))
    return handles


def embedding_figure(embedding: pd.DataFrame, column: str, classes: list[str], title: str):
    """PCA and UMAP side by side, windows coloured by ``column`` (``label`` or a cluster column)."""
    by_label = column == "label"
    groups = embedding[column].to_numpy(dtype=object if by_label else int)
    if by_label:
        colors = class_colors(classes)
        names = {c: c for c in [*classes, UNLABELED]}
    else:
        colors = cluster_colors(sorted(set(groups.tolist())))
        names = {c: ("noise" if c < 0 else f"cluster {c}") for c in colors}
    fig, axes = plt.subplots(1, 2, figsize=(13, 6))
    for ax, (prefix, name) in zip(axes, PANELS, strict=True):
        xy = embedding[[f"{prefix}_1", f"{prefix}_2"]].to_numpy()
        handles = _scatter_groups(ax, xy, groups, colors, names)
        if not by_label:
            _label_centres(ax, xy, groups)
        ax.set_xlabel(f"{name} 1")
        ax.set_ylabel(f"{name} 2")
        ax.set_title(name)
    axes[1].legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8,
                   title="windows", frameon=False)
    fig.suptitle(title)
    fig.tight_layout()
    return fig


def _label_centres(ax, xy: np.ndarray, groups: np.ndarray) -> None:
    """Cluster numbers at the median position of each cluster."""
    for c in np.unique(groups):
        if c < 0:
            continue
        x, y = np.median(xy[groups == c], axis=0)
        ax.text(x, y, str(c), ha="center", va="center", fontsize=10, fontweight="bold",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "black", "alpha": 0.8})


def stability_figure(stability: dict, silhouette: pd.Series | None = None):
    """Pairwise ARI between seeds for each method (and silhouette against k when k was chosen)."""
    methods = list(stability["per_method"])
    n_panels = len(methods) + (silhouette is not None)
    fig, axes = plt.subplots(1, n_panels, figsize=(4.6 * n_panels, 4.4), squeeze=False)
    seeds = stability["seeds"]
    for ax, method in zip(axes[0], methods, strict=False):
        detail = stability["per_method"][method]
        ari = np.asarray(detail["pairwise_ari"])
        image = ax.imshow(ari, vmin=0, vmax=1, cmap="viridis")
        if len(ari) <= 10:
            for i in range(len(ari)):
                for j in range(len(ari)):
                    ax.text(j, i, f"{ari[i, j]:.2f}", ha="center", va="center", fontsize=8,
                            color="black" if ari[i, j] > 0.6 else "white")
        ax.set_xticks(range(len(seeds)), seeds, fontsize=8)
        ax.set_yticks(range(len(seeds)), seeds, fontsize=8)
        ax.set_xlabel("seed")
        ax.set_ylabel("seed")
        verdict = detail["verdict"].split(":")[0]
        ax.set_title(f"{method}: ARI mean {detail['ari_mean']:.2f}, min {detail['ari_min']:.2f}\n({verdict})",
                     fontsize=10)
        fig.colorbar(image, ax=ax, fraction=0.046, label="adjusted Rand index")
    if silhouette is not None:
        ax = axes[0, -1]
        ax.plot(silhouette.index, silhouette.to_numpy(), "o-")
        best = int(silhouette.idxmax())
        ax.plot([best], [silhouette[best]], "o", ms=12, mfc="none", mec="red")
        ax.set_xlabel("k (k-means clusters)")
        ax.set_ylabel("silhouette (standardized features)")
        ax.set_title(f"k chosen by silhouette: k={best}", fontsize=10)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def contingency_figure(contingency: pd.DataFrame, agreement: dict, title: str):
    """Clusters x labels: colour is the fraction of the cluster's windows, text the count."""
    counts = contingency.to_numpy(float)
    fraction = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    rows = [("noise" if c < 0 else f"cluster {c}") for c in contingency.index]
    fig, ax = plt.subplots(figsize=(1.6 + 1.3 * counts.shape[1], max(3.0, 1.2 + 0.45 * counts.shape[0])))
    image = ax.imshow(fraction, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center", fontsize=8,
                    color="white" if fraction[i, j] > 0.6 else "black")
    ax.set_xticks(range(counts.shape[1]), list(contingency.columns), rotation=30, ha="right")
    ax.set_yticks(range(counts.shape[0]), rows)
    ari = "n/a" if agreement.get("ari") is None else f"{agreement['ari']:.2f}"
    nmi = "n/a" if agreement.get("nmi") is None else f"{agreement['nmi']:.2f}"
    ax.set_title(f"{title}\nlabelled windows: ARI {ari}, NMI {nmi}", fontsize=10)
    fig.colorbar(image, ax=ax, fraction=0.046, label="fraction of the cluster")
    fig.tight_layout()
    return fig


def correlation_figure(rho: np.ndarray, names: list[str], order: np.ndarray, groups: pd.DataFrame,
                       threshold: float):
    """Clustered Spearman matrix; boxes outline groups with pairwise |rho| >= ``threshold``."""
    ordered = [names[i] for i in order]
    matrix = rho[np.ix_(order, order)]
    n = len(names)
    size = float(np.clip(0.13 * n + 2, 5, 16))
    fig, ax = plt.subplots(figsize=(size + 1.2, size))
    image = ax.imshow(matrix, cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    fontsize = float(np.clip(700 / max(n, 1), 4, 9))
    ax.set_xticks(range(n), ordered, rotation=90, fontsize=fontsize)
    ax.set_yticks(range(n), ordered, fontsize=fontsize)
    position = {f: i for i, f in enumerate(ordered)}
    for _, members in groups[groups["group_size"] > 1].groupby("group")["feature"]:
        idx = sorted(position[f] for f in members)  # contiguous when ordered by clustered_order
        span = idx[-1] - idx[0] + 1
        ax.add_patch(Rectangle((idx[0] - 0.5, idx[0] - 0.5), span, span, fill=False, lw=1.2, ec="black"))
    ax.set_title(f"Spearman correlation of the features (clustered); boxes: groups with |rho| >= {threshold:g}")
    fig.colorbar(image, ax=ax, fraction=0.046, label="Spearman rho")
    fig.tight_layout()
    return fig
