"""Figure of the confound checks: association of clusters and SHAP drivers with the recording metadata."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle


def confound_figure(confounds: pd.DataFrame, title: str = "Clusters and drivers against recording metadata"):
    """One row per cluster (each method) and SHAP driver, one column per metadata.

    Colour: the association (Cramér's V for clusters, correlation ratio for
    drivers, 0-1); text: the dominant value and its share; a black box marks a
    flagged confound.
    """
    table = confounds.copy()
    table["row"] = table["method"] + "  " + np.where(table["method"].str.startswith("shap:"), "", "cluster ") \
        + table["cluster"].astype(str)
    rows = list(dict.fromkeys(table["row"]))
    columns = list(dict.fromkeys(table["metadata"]))
    value = table.pivot(index="row", columns="metadata", values="association").reindex(index=rows, columns=columns)
    cells = table.set_index(["row", "metadata"])
    height = float(np.clip(1.5 + 0.32 * len(rows), 3.0, 40.0))
    fig, ax = plt.subplots(figsize=(2.2 + 2.0 * len(columns), height))
    image = ax.imshow(value.to_numpy(float), cmap="OrRd", vmin=0, vmax=1, aspect="auto")
    fontsize = 7 if len(rows) <= 60 else 5
    for i, row in enumerate(rows):
        for j, column in enumerate(columns):
            if (row, column) not in cells.index:
                continue
            cell = cells.loc[(row, column)]
            text = f"{str(cell['dominant_value'])[:14]}\n{cell['share']:.0%}"
            dark = np.isfinite(cell["association"]) and cell["association"] > 0.6
            ax.text(j, i, text, ha="center", va="center", fontsize=fontsize, color="white" if dark else "black")
            if bool(cell["flagged"]):
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, lw=2.0, ec="black"))
    ax.set_xticks(range(len(columns)), columns, rotation=20, ha="right")
    ax.set_yticks(range(len(rows)), rows, fontsize=fontsize + 1)
    n_flagged = int(table["flagged"].sum())
    ax.set_title(f"{title}\nboxed: flagged as a possible confound ({n_flagged} of {len(table)}); "
                 "text: dominant value, its share", fontsize=10)
    fig.colorbar(image, ax=ax, fraction=0.046, label="association (Cramér's V / correlation ratio)")
    fig.tight_layout()
    return fig
