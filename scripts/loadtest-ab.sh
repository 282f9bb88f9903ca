#!/usr/bin/env bash
# loadtest-ab.sh — POST /score throughput of two painscreen binaries, run after run on the same machine:
# each round starts one binary's `serve --insecure-no-auth`, sends it a warm-up and then CLIENTS × N
# requests (scripts/loadtest), and stops it; the rounds alternate A, B, A, B, … so that both see the
# same machine. Prints each run's throughput and latency, then the median of each binary.
#
# Usage: scripts/loadtest-ab.sh [-r ROUNDS] [-c CLIENTS] [-n N] [-b BODY] [-C S:C] A_BINARY B_BINARY
#
#   -r ROUNDS  runs per binary (default 3)
#   -C S:C     server on CPU list S, clients on C (default 1:0: the service on one core)
# Build the two binaries first, e.g. the tree before a change in its own checkout and the tree after:
#   (cd /tmp/old && go build -o /tmp/painscreen-old ./cmd/painscreen); go build -o /tmp/painscreen-new ./cmd/painscreen
#   scripts/loadtest-ab.sh /tmp/painscreen-old /tmp/painscreen-new
set -euo pipefail

rounds=3
clients=20
n=2000
body=examples/responses/high.json
cpus=1:0
while getopts "r:c:n:b:C:h" opt; do
	case $opt in
	r) rounds=$OPTARG ;;
	c) clients=$OPTARG ;;
	n) n=$OPTARG ;;
	b) body=$OPTARG ;;
	C) cpus=$OPTARG ;;
	h) sed -n '2,13p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 2 ] || { sed -n '2,13p' "$0"; exit 2; }
bins=("$1" "$2")

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/painscreen-ab.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
go build -o "$tmp/loadtest" ./scripts/loadtest

run() { # run BINARY: one server, a warm-up, one measured run; prints the loadtest's lines
	local bin=$1 addr=
	taskset -c "${cpus%%:*}" "$bin" serve --addr 127.0.0.1:0 --insecure-no-auth --max-in-flight 256 --drain-delay 0s 2>"$tmp/server.log" &
	pid=$!
	for _ in $(seq 100); do
		addr=$(sed -n 's/.*"msg":"listening","addr":"\([^"]*\)".*/\1/p' "$tmp/server.log" | head -1)
		[ -n "$addr" ] && break
		sleep 0.1
	done
	[ -n "$addr" ] || { echo "$bin did not start:"; cat "$tmp/server.log"; exit 1; }
	taskset -c "${cpus#*:}" "$tmp/loadtest" -url "http://$addr/score" -body "$body" -expect '"composite"' -clients "$clients" -requests $((n / 10)) >/dev/null
	taskset -c "${cpus#*:}" "$tmp/loadtest" -url "http://$addr/score" -body "$body" -expect '"composite"' -clients "$clients" -requests "$n"
	kill -TERM "$pid"
	wait "$pid" || true
	pid=
}

declare -a tput0 tput1
for r in $(seq "$rounds"); do
	for i in 0 1; do
		out=$(run "${bins[$i]}")
		t=$(sed -n 's/.*throughput \([0-9]*\) req\/s.*/\1/p' <<<"$out")
		lat=$(sed -n 's/^latency //p' <<<"$out")
		printf 'round %d %s: %6s req/s  %s\n' "$r" "${bins[$i]}" "$t" "$lat"
		if [ "$i" = 0 ]; then tput0+=("$t"); else tput1+=("$t"); fi
	done
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "median: A $(median "${tput0[@]}") req/s, B $(median "${tput1[@]}") req/s ($(nproc) cores, server on CPU ${cpus%%:*})"
