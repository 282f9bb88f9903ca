#!/usr/bin/env python3
"""Plot painscreen results with pandas and matplotlib.

Reads the wide CSV (painscreen score --format csv) for the risk tiers and the tidy long CSV
(painscreen score --format long) for the instrument scores, and writes one PNG:

    python3 plot_tiers.py reports.csv long.csv tiers_python.png

Decision support for a clinician, not a diagnosis: these are fake example subjects.
"""
import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

TIERS = ["low", "elevated", "high", "urgent"]  # the pain_oud rule set's tiers, lowest first
COLOURS = {"low": "#4daf4a", "elevated": "#ffbf00", "high": "#ff7f00", "urgent": "#e41a1c", "not applied": "#999999"}
TOTALS = ["phq9.total", "gad7.total", "auditc.total", "pc_ptsd5.total", "dsm5_oud.count"]


def main(wide_path, long_path, out_path):
    # keep_default_na=False: an empty cell is "", so that ids and codes are never read as NaN.
    wide = pd.read_csv(wide_path, dtype=str, keep_default_na=False)
    wide["tier"] = wide["tier"].where(wide["composite_applied"] == "true", "not applied")
    counts = wide["tier"].value_counts().reindex(TIERS + ["not applied"], fill_value=0)

    long = pd.read_csv(long_path, dtype=str, keep_default_na=False)
    scores = long[(long["kind"] == "score") & long["id"].isin(TOTALS)].copy()
    scores["value"] = pd.to_numeric(scores["value"])
    scores = scores.merge(wide[["file", "record", "tier"]], on=["file", "record"])

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), width_ratios=[1, 2])
    left.bar(counts.index, counts.values, color=[COLOURS[t] for t in counts.index])
    left.set_title("Risk tier (pain_oud)")
    left.set_ylabel("response sets")
    left.tick_params(axis="x", rotation=30)

    present = [s for s in TOTALS if s in set(scores["id"])]
    for tier in TIERS + ["not applied"]:  # legend in tier order
        group = scores[scores["tier"] == tier]
        if group.empty:
            continue
        x = [present.index(i) + 0.12 * (TIERS + ["not applied"]).index(tier) - 0.2 for i in group["id"]]
        right.scatter(x, group["value"], color=COLOURS[tier], label=tier, s=28, alpha=0.85)
    right.set_xticks(range(len(present)), present, rotation=15)
    right.set_title("Scores by tier (long format)")
    right.set_ylabel("score")
    right.legend(title="tier", fontsize=8)
    fig.tight_layout()
    fig.savefig(out_path, dpi=80)
    print(f"{out_path}: {len(wide)} response sets, {len(scores)} scores")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: plot_tiers.py REPORTS.csv LONG.csv OUT.png")
    main(*sys.argv[1:])
