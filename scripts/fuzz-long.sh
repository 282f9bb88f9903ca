#!/usr/bin/env bash
# fuzz-long.sh — give every fuzz target of the module a long run; report executions and crashers.
#
# Usage: scripts/fuzz-long.sh [-m MINUTES] [-x EXECS] [-t REGEX] [-z MINIMIZE] [-l LOGDIR]
#
#   -m MINUTES  how long each target runs (default 5)
#   -x EXECS    run each target for EXECS executions instead (a count, as .ci/run does): with a duration,
#               Go 1.26's fuzz coordinator can end a run with a spurious "context deadline exceeded"
#               (golang/go#75804, fixed in Go 1.27); this script tells that apart from a finding
#   -t REGEX    only the targets whose name matches (grep -E), e.g. -t 'FuzzYAML|FuzzLoadDefinition'
#   -z MINIMIZE -fuzzminimizetime (default 10s; a count such as 200x works too): bounds the time spent
#               minimizing each new input, so that a slow target keeps fuzzing
#   -l LOGDIR   where each target's log goes (default a new temporary directory, kept)
#
# Targets are found as .ci/run finds them: every func FuzzXxx in each package's test files; each runs
# alone (go test -run '^$' -fuzz '^FuzzXxx$'). A finding writes a reproducer to the package's
# testdata/fuzz/FuzzXxx/: commit it, and go test runs it as a regression test from then on. The summary
# gives, per target, the executions and the new reproducers; the exit status is 1 when a target failed.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes=5
execs=""
only=""
minimize=10s
logdir=""
while getopts "m:x:t:z:l:h" opt; do
	case $opt in
	m) minutes=$OPTARG ;;
	x) execs=$OPTARG ;;
	t) only=$OPTARG ;;
	z) minimize=$OPTARG ;;
	l) logdir=$OPTARG ;;
	h) sed -n '2,21p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
budget="${minutes}m"
if [ -n "$execs" ]; then budget="${execs}x"; fi
if [ -z "$logdir" ]; then logdir=$(mktemp -d "${TMPDIR:-/tmp}/fuzz-long.XXXXXX"); fi
mkdir -p "$logdir"

echo "fuzz-long: every target for $budget (-fuzzminimizetime $minimize); logs in $logdir"
summary=()
failed=0
for pkg in $(go list ./...); do
	dir=$(go list -f '{{.Dir}}' "$pkg")
	for fn in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
		if [ -n "$only" ] && ! grep -Eq "$only" <<<"$fn"; then continue; fi
		corpus="$dir/testdata/fuzz/$fn"
		before=$(ls "$corpus" 2>/dev/null | sort || true)
		log="$logdir/$fn.log"
		echo "-- $pkg $fn"
		status=0
		go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$budget" -fuzzminimizetime "$minimize" "$pkg" >"$log" 2>&1 || status=$?
		after=$(ls "$corpus" 2>/dev/null | sort || true)
		new=$(comm -13 <(echo "$before") <(echo "$after") | grep -c . || true)
		n=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | sed 's/execs: //')
		verdict=ok
		if [ "$status" -ne 0 ]; then
			if [ "$new" -eq 0 ] && grep -q 'context deadline exceeded' "$log"; then
				verdict="ok (spurious deadline error at the end, golang/go#75804)"
			else
				verdict="FAILED (see $log)"
				failed=1
			fi
		fi
		line="$(printf '%-34s %-24s %12s execs  %d new reproducer(s)  %s' "$fn" "${pkg#github.com/painscreen/painscreen/}" "${n:-0}" "$new" "$verdict")"
		echo "   $line"
		summary+=("$line")
	done
done

echo
echo "== summary ($budget per target)"
printf '%s\n' "${summary[@]}"
if [ "$failed" -ne 0 ]; then
	echo "fuzz-long: some targets failed; reproducers are in their testdata/fuzz/ folders"
	exit 1
fi
