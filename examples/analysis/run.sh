#!/bin/sh
# Score the bundled example batch into the wide and the long CSV, and a REDCap export (three visits per
# subject) as exported into the long CSV with follow-up, then plot them with pandas and matplotlib (and
# with R's ggplot2 when Rscript is installed). Run from the repository root (PYTHON
# picks the interpreter, default python3):
#
#   sh examples/analysis/run.sh [OUTDIR]
set -eu
out=${1:-$(mktemp -d)}
mkdir -p "$out"
go build -o "$out/painscreen" ./cmd/painscreen
# Exit status 1 means some records had errors (their rows say which); anything else is a failure.
"$out/painscreen" score --format csv examples/responses/batch.jsonl >"$out/reports.csv" || [ $? -eq 1 ]
"$out/painscreen" score --format long examples/responses/batch.jsonl >"$out/long.csv" || [ $? -eq 1 ]
# The REDCap export: its record_id is the subject and its visit_date the record's date.
"$out/painscreen" score --follow-up --subject-column record_id --date-column visit_date --format long \
	examples/analysis/redcap_export.csv >"$out/redcap_long.csv"
MPLBACKEND=Agg "${PYTHON:-python3}" examples/analysis/plot_tiers.py "$out/reports.csv" "$out/long.csv" "$out/tiers_python.png"
MPLBACKEND=Agg "${PYTHON:-python3}" examples/analysis/plot_redcap.py "$out/redcap_long.csv" "$out/phq9_over_time.png"
if command -v Rscript >/dev/null 2>&1; then
	Rscript examples/analysis/plot_tiers.R "$out/reports.csv" "$out/long.csv" "$out/tiers_r.png"
	Rscript examples/analysis/plot_redcap.R "$out/redcap_long.csv" "$out/phq9_over_time_r.png"
fi
echo "outputs in $out"
