#!/usr/bin/env bash
# bench-batch.sh — time `painscreen score` over a large generated batch and report records/s and peak RSS.
#
# Usage: scripts/bench-batch.sh [-n RECORDS] [-j "1/1 1 2"] [-f FORMAT] [-k] [-- EXTRA SCORE FLAGS...]
#
#   -n RECORDS  records to generate (default 1000000): the full battery of the bundled catalogue
#               (phq9, gad7, gcps_r, dsm5_oud, sisq_drug, auditc, pc_ptsd5, with age and sex), random but
#               valid, respecting skip logic (cmd/painscreen/internal/gen)
#   -j JOBS     the --jobs values to time (default "1/1 1 2"); N/P runs --jobs N with GOMAXPROCS=P, so
#               1/1 is strictly one core (by default --jobs 1 still reads and writes on other cores)
#   -f FORMAT   output format (default jsonl); the output goes to /dev/null
#   -m PCT      percentage of records that leave some answers blank (default 0: complete records)
#   -k          keep the temporary directory (binary and data)
#
# The data is generated into a temporary directory (never committed) and removed at the end. Peak RSS
# comes from /usr/bin/time -v when present (BENCH_NO_TIME=1 skips it), else from polling VmHWM in /proc.
# Each run also checks that every record was scored.
set -euo pipefail

n=1000000
missing=0
jobs="1/1 1 2"
format=jsonl
keep=0
while getopts "n:j:f:m:kh" opt; do
	case $opt in
	n) n=$OPTARG ;;
	j) jobs=$OPTARG ;;
	f) format=$OPTARG ;;
	m) missing=$OPTARG ;;
	k) keep=1 ;;
	h) sed -n '2,17p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift

root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/painscreen-bench.XXXXXX")
cleanup() { [ "$keep" = 1 ] && echo "kept $tmp" >&2 || rm -rf "$tmp"; }
trap cleanup EXIT

echo "building painscreen and the generator..." >&2
(cd "$root" && go build -o "$tmp/painscreen" ./cmd/painscreen && go build -o "$tmp/genbatch" ./cmd/painscreen/internal/genbatch)

data="$tmp/batch.jsonl"
echo "generating $n records..." >&2
"$tmp/genbatch" -n "$n" -seed 1 -missing "$missing" -o "$data"
size=$(wc -c <"$data")
echo "input: $n records, $((size / 1024 / 1024)) MiB; cpus: $(getconf _NPROCESSORS_ONLN); $(go version | cut -d' ' -f3-)"

peak_rss_kib() { # pid -> prints the last VmHWM seen while the process runs
	local pid=$1 hwm=0 v
	while kill -0 "$pid" 2>/dev/null; do
		v=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
		[ -n "$v" ] && hwm=$v
		sleep 0.05
	done
	echo "$hwm"
}

printf '%-6s %-8s %12s %14s %12s %10s\n' jobs format seconds records/s peak_RSS_MiB user+sys_s
for spec in $jobs; do
	j=${spec%%/*}
	procs=
	[ "$spec" != "$j" ] && procs=${spec#*/}
	export GOMAXPROCS=$procs
	[ -z "$procs" ] && unset GOMAXPROCS
	tag=${spec//\//-}
	err="$tmp/stderr.$tag"
	if [ -z "${BENCH_NO_TIME:-}" ] && [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
		/usr/bin/time -v -o "$tmp/time.$tag" "$tmp/painscreen" score --jobs "$j" --format "$format" "$@" "$data" >/dev/null 2>"$err"
		secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tmp/time.$tag")
		rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tmp/time.$tag")
		cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u+s}' "$tmp/time.$tag")
	else
		start=$(date +%s.%N)
		"$tmp/painscreen" score --jobs "$j" --format "$format" "$@" "$data" >/dev/null 2>"$err" &
		pid=$!
		rss=$(peak_rss_kib "$pid")
		wait "$pid"
		end=$(date +%s.%N)
		secs=$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')
		cpu="-"
	fi
	if ! grep -q "^painscreen: $n records read: $n scored, 0 could not be scored$" "$err"; then
		echo "jobs $j: not every record scored:" >&2
		cat "$err" >&2
		exit 1
	fi
	awk -v j="$spec" -v f="$format" -v s="$secs" -v n="$n" -v r="$rss" -v c="$cpu" \
		'BEGIN {printf "%-6s %-8s %12.2f %14.0f %12.1f %10s\n", j, f, s, n / s, r / 1024, c}'
done
