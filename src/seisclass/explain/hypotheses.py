"""Hypotheses in words: one statement per cluster from its largest effect sizes (:mod:`.effects`)."""

from __future__ import annotations

import pandas as pd

HYPOTHESIS_COLUMNS = ["cluster", "n_windows", "features", "effect_sizes", "distance_feature", "distance_rho",
                      "statement", "warning"]
SPREAD_RHO = 0.3  # |distance_rho| from which the within-cluster spread is stated


def hypotheses(effects: pd.DataFrame, groups: pd.DataFrame, units: dict[str, str], composition: pd.DataFrame,
               n_features: int, min_effect: float, method: str = "") -> pd.DataFrame:
    """One readable statement per cluster from its largest effect sizes.

    Features are taken in order of ``|effect_size|``, at most one per
    correlated group (``groups``: feature -> group), keeping those with
    ``|d| >= min_effect``. ``warning`` names the correlated group a chosen
    feature stands for. ``composition`` is the clusters x labels count table;
    ``method`` prefixes each statement (``"kmeans cluster 2 ..."``).
    """
    group_of = dict(zip(groups["feature"], groups["group"], strict=True))
    members = groups.groupby("group")["feature"].apply(list).to_dict()
    rows = []
    for c, table in effects.groupby("cluster", sort=True):
        n_windows = int(table["n_windows"].iloc[0])
        chosen = choose_features(table, group_of, n_features, min_effect)
        labels = composition_text(composition.loc[c]) if c in composition.index else ""
        head = f"{method + ' ' if method else ''}cluster {c} ({n_windows} windows{'; ' + labels if labels else ''})"
        spread = table.loc[table["distance_rho"].abs().idxmax()]
        rows.append({
            "cluster": int(c), "n_windows": n_windows,
            "features": ";".join(r.feature for r in chosen),
            "effect_sizes": ";".join(f"{r.effect_size:+.2f}" for r in chosen),
            "distance_feature": spread["feature"], "distance_rho": round(float(spread["distance_rho"]), 3),
            "statement": statement(head, chosen, spread, units, min_effect),
            "warning": " ".join(group_warning(r.feature, group_of, members) for r in chosen).strip(),
        })
    return pd.DataFrame(rows, columns=HYPOTHESIS_COLUMNS)


def choose_features(table: pd.DataFrame, group_of: dict, n_features: int, min_effect: float) -> list:
    """Rows of one cluster's ``table`` by rank: ``|d| >= min_effect``, one per group, at most ``n_features``."""
    chosen, seen = [], set()
    for row in table.sort_values("rank").itertuples():
        if abs(row.effect_size) < min_effect or len(chosen) == n_features:
            break
        g = group_of.get(row.feature, row.feature)
        if g not in seen:
            seen.add(g)
            chosen.append(row)
    return chosen


def statement(head: str, chosen: list, spread: pd.Series, units: dict[str, str], min_effect: float) -> str:
    """The sentence of one cluster: ``head``, its chosen features and the feature that tracks its spread."""
    if chosen:
        text = f"{head}: " + "; ".join(feature_text(r, units.get(r.feature, "")) for r in chosen)
    else:
        text = f"{head}: no feature differs from the rest by |d| >= {min_effect:g}; not a distinct group"
    if abs(spread["distance_rho"]) >= SPREAD_RHO:
        text += (f". Within the cluster, windows far from its centre have "
                 f"{'higher' if spread['distance_rho'] > 0 else 'lower'} {spread['feature']} "
                 f"(rho={spread['distance_rho']:+.2f})")
    return text


def feature_text(row, unit: str) -> str:
    """``high <feature> (median .., IQR ..; rest ..; d=..)`` of one effect row, in the feature's ``unit``."""
    unit = "" if unit in ("", "1") else f" {unit}"
    direction = "high" if row.effect_size > 0 else "low"
    return (f"{direction} {row.feature} (median {row.median:.3g}{unit}, IQR {row.q25:.3g}-{row.q75:.3g}; "
            f"rest {row.median_rest:.3g}{unit}; d={row.effect_size:+.2f})")


def composition_text(counts: pd.Series, top: int = 3) -> str:
    """The ``top`` labels of a cluster with their shares (``"silence 80%, tourists 20%"``); "" when empty."""
    total = counts.sum()
    if total == 0:
        return ""
    shares = (counts / total).sort_values(ascending=False)
    return ", ".join(f"{name} {share:.0%}" for name, share in shares.head(top).items() if share > 0)


def group_warning(feature: str, group_of: dict, members: dict) -> str:
    """Which correlated features ``feature`` stands for ("" when it has its own group)."""
    group = group_of.get(feature)
    others = [f for f in members.get(group, []) if f != feature]
    if not others:
        return ""
    listed = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
    return (f"{feature} is one of {len(others) + 1} strongly correlated features (group {group}: also {listed}); "
            f"the data cannot tell which of them matters.")
