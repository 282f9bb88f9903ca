#!/usr/bin/env bash
# loadtest.sh — load-test `painscreen serve` on loopback: the real binary, 20 clients × 2000 requests per
# run; p50/p99 latency, throughput, errors (must be 0) and the server's RSS before and after.
#
# Usage: scripts/loadtest.sh [-c CLIENTS] [-n REQUESTS_PER_CLIENT] [-b BODY] [-a jwt|none] [-k]
#
#   -c CLIENTS   concurrent clients (default 20)
#   -n N         requests per client (default 2000)
#   -b BODY      response set to POST (default examples/responses/high.json)
#   -a AUTH      jwt (default): a fresh ES384 JWT per request, signed before the clock starts, so token
#                verification and the jti replay cache are in the measured path; none: --insecure-no-auth
#   -k           keep the temporary directory (binary, keys, server log)
#
# Against one server process, after a warm-up run: two runs of POST /score (RSS must stay flat), one
# of CDS patient-view calls (examples/cds/patient-view.json: 7 QuestionnaireResponses in the prefetch
# → cards); then SIGTERM: the server must stop with status 0, and its access log hold no health data.
# The load generator is scripts/loadtest (go run ./scripts/loadtest -h).
set -euo pipefail

clients=20
n=2000
body=examples/responses/high.json
keep=0
auth=jwt
while getopts "c:n:b:a:kh" opt; do
	case $opt in
	c) clients=$OPTARG ;;
	n) n=$OPTARG ;;
	b) body=$OPTARG ;;
	a) auth=$OPTARG ;;
	k) keep=1 ;;
	h) sed -n '2,15p' "$0"; exit 0 ;;
	*) exit 2 ;;
	esac
done

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/painscreen-load.XXXXXX")
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	if [ "$keep" = 1 ]; then echo "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT

go build -o "$tmp/painscreen" ./cmd/painscreen
go build -o "$tmp/loadtest" ./scripts/loadtest
"$tmp/loadtest" -keygen "$tmp"
issuer=https://ehr.loadtest.invalid
public=http://painscreen.loadtest.invalid

case $auth in
jwt) authflags=(--public-url "$public" --jwks "$tmp/jwks.json" --issuer "$issuer"); keyflags=(-key "$tmp/key.pem") ;;
none) authflags=(--insecure-no-auth); keyflags=() ;;
*) echo "-a: jwt or none"; exit 2 ;;
esac
"$tmp/painscreen" serve --addr 127.0.0.1:0 "${authflags[@]}" --max-in-flight 256 2>"$tmp/server.log" &
pid=$!
addr=
for _ in $(seq 100); do
	addr=$(sed -n 's/.*"msg":"listening","addr":"\([^"]*\)".*/\1/p' "$tmp/server.log" | head -1)
	[ -n "$addr" ] && break
	sleep 0.1
done
[ -n "$addr" ] || { echo "the server did not start:"; cat "$tmp/server.log"; exit 1; }

rss() { awk '/^VmRSS/ {print $2 " " $3}' "/proc/$pid/status"; }
hwm() { awk '/^VmHWM/ {print $2 " " $3}' "/proc/$pid/status"; }
echo "painscreen serve on $addr (pid $pid), $(nproc) cores; body $body"
echo "RSS after start: $(rss)"

# load PATH BODY EXPECT [loadtest flags]: POST BODY to PATH from the clients.
load() {
	local path=$1 file=$2 expect=$3
	shift 3
	"$tmp/loadtest" -url "http://$addr$path" -audience "$public$path" -issuer "$issuer" ${keyflags[@]+"${keyflags[@]}"} \
		-body "$file" -expect "$expect" "$@"
}
cds=/cds-services/painscreen-pain-oud
load /score "$body" '"composite"' -clients "$clients" -requests $((n / 10)) >/dev/null
echo "RSS after warm-up ($clients × $((n / 10))): $(rss)"
echo "--- run 1: $clients clients × $n requests, POST /score (auth: $auth)"
load /score "$body" '"composite"' -clients "$clients" -requests "$n"
echo "RSS after run 1: $(rss)"
echo "--- run 2: the same again (RSS must stay flat)"
load /score "$body" '"composite"' -clients "$clients" -requests "$n"
echo "RSS after run 2: $(rss)"
echo "--- run 3: $clients clients × $n requests, POST $cds (patient-view, examples/cds/patient-view.json)"
load "$cds" examples/cds/patient-view.json '"indicator":"critical"' -clients "$clients" -requests "$n"
echo "RSS after run 3: $(rss) (peak $(hwm))"

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
echo "SIGTERM: server exited with status $status"
lines=$(grep -c '"msg":"request"' "$tmp/server.log" || true)
echo "access log: $lines request records"
if grep -q 'pt-0003\|example-123\|LA6570\|suicid' "$tmp/server.log"; then
	echo "FAIL: health data in the access log"
	exit 1
fi
[ "$status" = 0 ]
