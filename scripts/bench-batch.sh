#!/usr/bin/env bash
# bench-batch.sh — time `painscreen score` over a large generated batch and report records/s, peak RSS and
# the ratio to a naive hand-written scorer on the same records.
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
#   -N          skip the naive scorer (no x_naive column)
#
# x_naive is painscreen's records/s over those of internal/naive/naivescore, the scorer a team would write
# by hand (encoding/json in and out, ~1 KB of output per record, no explanations, no determinacy; it gives
# painscreen's scores, tier and referrals on complete records: cmd/painscreen/naive_test.go). The naive
# scorer runs once, on one core (GOMAXPROCS=1), before the painscreen runs; more than 1 means painscreen is
# ahead. x_cpu is the same ratio in CPU time (naive user+sys ÷ painscreen user+sys): the steadier of the two
# on a busy machine, but blind to how well --jobs N overlaps work. For numbers worth comparing, run on a
# quiet machine and pin it: taskset -c 1 scripts/bench-batch.sh
# The data is generated into a temporary directory (never committed) and removed at the end. Peak RSS
# comes from /usr/bin/time -v when present (BENCH_NO_TIME=1 skips it), else from polling VmHWM in /proc.
# Each run also checks that every record was scored.
set -euo pipefail

n=1000000
missing=0
jobs="1/1 1 2"
format=jsonl
keep=0
naive=1
while getopts "n:j:f:m:kNh" opt; do
	case $opt in
	n) n=$OPTARG ;;
	j) jobs=$OPTARG ;;
	f) format=$OPTARG ;;
	m) missing=$OPTARG ;;
	k) keep=1 ;;
	N) naive=0 ;;
	h) sed -n '2,26p' "$0"; exit 0 ;;
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
(cd "$root" && go build -o "$tmp/painscreen" ./cmd/painscreen && go build -o "$tmp/genbatch" ./cmd/painscreen/internal/genbatch &&
	go build -o "$tmp/naivescore" ./internal/naive/naivescore)

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

naive_rps=
naive_cpu=
if [ "$naive" = 1 ]; then
	start=$(date +%s.%N)
	if [ -z "${BENCH_NO_TIME:-}" ] && [ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1; then
		GOMAXPROCS=1 /usr/bin/time -v -o "$tmp/time.naive" "$tmp/naivescore" "$data" >/dev/null 2>"$tmp/naive.err"
		naive_cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%.2f", u+s}' "$tmp/time.naive")
	else
		GOMAXPROCS=1 "$tmp/naivescore" "$data" >/dev/null 2>"$tmp/naive.err"
	fi
	end=$(date +%s.%N)
	if ! grep -q "^naivescore: $n records$" "$tmp/naive.err"; then
		echo "naive scorer: not every record scored:" >&2
		cat "$tmp/naive.err" >&2
		exit 1
	fi
	naive_rps=$(awk -v a="$start" -v b="$end" -v n="$n" 'BEGIN {printf "%.0f", n / (b - a)}')
	echo "naive scorer (internal/naive, encoding/json, 1 core): $naive_rps records/s, user+sys ${naive_cpu:--} s"
fi

printf '%-6s %-8s %12s %14s %12s %10s %8s %8s\n' jobs format seconds records/s peak_RSS_MiB user+sys_s x_naive x_cpu
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
	awk -v j="$spec" -v f="$format" -v s="$secs" -v n="$n" -v r="$rss" -v c="$cpu" -v nv="$naive_rps" -v nc="$naive_cpu" \
		'BEGIN {x = "-"; if (nv > 0) x = sprintf("%.2f", n / s / nv)
		xc = "-"; if (nc > 0 && c > 0) xc = sprintf("%.2f", nc / c)
		printf "%-6s %-8s %12.2f %14.0f %12.1f %10s %8s %8s\n", j, f, s, n / s, r / 1024, c, x, xc}'
done
