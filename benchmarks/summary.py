"""The whole story in one table: every benchmark figure beside its goal (issue 21) and their ratio.

:func:`goal_rows` reads the results of the parts of ``python -m benchmarks`` (the dicts written
as ``features.json``, ``cli.json``, ``rule_memory.json``, ``real_dev.json``) and gives one row per
figure: what was measured, the goal, ``ratio = measured / goal`` and whether it is met (goals
are upper limits, except the fraction of the spectral floor, a lower one). Parts not run give no rows.
"""

from __future__ import annotations

import os


def _row(figure: str, measured: float, goal: float, unit: str, at_least: bool = False, part: str = "") -> dict:
    ratio = measured / goal if goal else float("nan")
    return {"part": part, "figure": figure, "measured": float(measured), "goal": float(goal), "unit": unit,
            "goal_is": ">=" if at_least else "<=", "ratio": float(ratio),
            "meets_goal": bool(measured >= goal if at_least else measured <= goal)}


def goal_rows(results: dict) -> list[dict]:
    """Rows (part, figure, measured, goal, unit, goal_is, ratio, meets_goal) of the parts present in ``results``."""
    rows = []
    features = results.get("features")
    if features and "fraction_of_floor" in features:
        rows.append(_row("features, fraction of the float32 spectral floor (1 core)", features["fraction_of_floor"],
                         features["goal_fraction_of_floor"], "", at_least=True, part="features"))
        rows.append(_row("features, M samples/s (1 core)", features["samples_per_s"] / 1e6,
                         features["goal_samples_per_s"] / 1e6, "M/s", at_least=True, part="features"))
    cli = results.get("cli")
    if cli:
        from .cli_runs import table_rows

        for figure, measured, goal, unit in table_rows(cli):
            rows.append(_row(figure, measured, goal, unit, part="cli"))
    memory = results.get("rule_memory")
    if memory:
        for step, entry in memory["rules"].items():
            rows.append(_row(f"station-year peak RSS, rule {step}", entry["peak_mb_at_year"], memory["goal_mb"], "MB",
                             part="memory"))
    real = results.get("real_dev")
    if real:
        rows.append(_row("real-dev workflow, data path", real["data_path"]["wall_s"], real["goal_data_path_s"], "s",
                         part="real_dev"))
        rows.append(_row("real-dev workflow, whole + report", real["whole_workflow_s"], real["goal_whole_workflow_s"],
                         "s", part="real_dev"))
    return rows


def machine() -> dict:
    """What the figures were measured on: cores, load averages, this process's niceness."""
    one, five, fifteen = os.getloadavg()
    return {"cpus": os.cpu_count(), "load_avg_1_5_15min": [round(one, 2), round(five, 2), round(fifteen, 2)],
            "nice": os.nice(0)}


def table(rows: list[dict]) -> str:
    """The rows as a fixed-width text table."""
    width = max([len(r["figure"]) for r in rows] + [6])
    lines = [f"{'figure':<{width}}  {'measured':>10}  {'goal':>12}  {'ratio':>6}  met",
             "-" * (width + 40)]
    for r in rows:
        goal = f"{r['goal_is']} {r['goal']:g} {r['unit']}".rstrip()
        measured = f"{r['measured']:10.0f}" if abs(r["measured"]) >= 1000 else f"{r['measured']:10.3g}"
        lines.append(f"{r['figure']:<{width}}  {measured}  {goal:>12}  {r['ratio']:6.2f}  "
                     f"{'yes' if r['meets_goal'] else 'NO'}")
    return "\n".join(lines)


PART_FILES = {"features": "features.json", "cli": "cli.json", "rule_memory": "rule_memory.json",
              "real_dev": "real_dev.json"}


def main(argv: list[str] | None = None) -> int:
    """``python -m benchmarks.summary DIR``: the table of the part files found in DIR (e.g. parts run apart)."""
    import argparse
    import json
    from pathlib import Path

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("folder", nargs="?", default="results/bench")
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    results = {part: json.loads((folder / name).read_text()) for part, name in PART_FILES.items()
               if (folder / name).exists()}
    print(f"parts found in {folder}: {', '.join(results) or 'none'}")
    rows = goal_rows(results)
    if rows:
        print(table(rows))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
