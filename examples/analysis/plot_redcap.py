#!/usr/bin/env python3
"""Plot each subject's PHQ-9 total over time from a REDCap export, scored as exported.

Reads the tidy long CSV of a longitudinal REDCap export scored with follow-up:

    painscreen score --follow-up --subject-column record_id --date-column visit_date \\
        --format long redcap_export.csv > redcap_long.csv
    python3 plot_redcap.py redcap_long.csv phq9_over_time.png

Every row of the long format carries the record's subject and date, so the PHQ-9 totals are one
filter away; the follow-up rows (kind "followup") say which visits reached response (a fall of 50 %
or more from the baseline total of 10 or more) and are marked on the lines.

Decision support for a clinician, not a diagnosis: the subjects are fake.
"""
import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

# PHQ-9 severity bands (Kroenke et al. 2001): lower bounds of mild, moderate, moderately severe, severe.
BANDS = [5, 10, 15, 20]


def main(long_path, out_path):
    # keep_default_na=False: an empty cell is "", so that ids and codes are never read as NaN.
    long = pd.read_csv(long_path, dtype=str, keep_default_na=False)
    totals = long[(long["kind"] == "score") & (long["id"] == "phq9.total") & (long["date"] != "")].copy()
    totals["value"] = pd.to_numeric(totals["value"])
    totals["date"] = pd.to_datetime(totals["date"], format="%Y-%m-%d")
    response = long[(long["kind"] == "followup") & (long["id"] == "phq9.response") & (long["value"] == "true")]
    responded = set(zip(response["file"], response["record"]))

    fig, ax = plt.subplots(figsize=(8, 4))
    for band in BANDS:
        ax.axhline(band, color="#dddddd", linewidth=0.8, zorder=0)
    for subject, visits in totals.sort_values("date").groupby("subject"):
        (line,) = ax.plot(visits["date"], visits["value"], marker="o", label=subject)
        hit = visits[[(f, r) in responded for f, r in zip(visits["file"], visits["record"])]]
        ax.scatter(hit["date"], hit["value"], s=140, facecolors="none", edgecolors=line.get_color())
    ax.set_ylim(0, 27)
    ax.set_ylabel("PHQ-9 total")
    ax.set_title("PHQ-9 total per subject (circled: response since baseline)")
    ax.legend(title="record_id", fontsize=8)
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(out_path, dpi=80)
    print(f"{out_path}: {totals['subject'].nunique()} subjects, {len(totals)} visits, {len(responded)} with response")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: plot_redcap.py REDCAP_LONG.csv OUT.png")
    main(*sys.argv[1:])
