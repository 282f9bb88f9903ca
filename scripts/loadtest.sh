#!/usr/bin/env bash
# loadtest.sh — load-test `painscreen serve` on loopback: the real binary, 20 clients × 2000 requests per
# run; p50/p99 latency, throughput, errors (must be 0) and the server's RSS before and after.
#
# Usage: scripts/loadtest.sh [-c CLIENTS] [-n REQUESTS_PER_CLIENT] [-b BODY] [-a jwt|none] [-A ALGS] [-C CPUS] [-B BINARY] [-k]
#
#   -c CLIENTS   concurrent clients (default 20)
#   -n N         requests per client (default 2000)
#   -b BODY      response set to POST (default examples/responses/high.json)
#   -a AUTH      jwt (default): a fresh JWT per request, signed before the clock starts, so token
#                verification and the jti replay cache are in the measured path; none: --insecure-no-auth
#   -A ALGS      the token algorithms to measure one run each (default "ES256 RS256 ES384")
#   -C S[:C]     pin the server to CPU list S and the load generator to C (taskset -c); -C 1:0 measures
#                the service on one core with the clients on another (GOMAXPROCS follows the pinning)
#   -B BINARY    serve with this painscreen binary instead of building one from the tree (to measure an
#                earlier version: build it from its own checkout and pass it here, run after run)
#   -k           keep the temporary directory (binary, keys, server log)
#
# Against one server process (auth: one trusted issuer, --issuer ISS=jwks.json, its JWKS holding an
# ES256, an RS256 and an ES384 key), after a warm-up run: one run of POST /score per algorithm, a second
# ES384 run (RSS must stay flat), one of CDS patient-view calls (examples/cds/patient-view.json: 7
# QuestionnaireResponses in the prefetch → cards; sent without its fhirServer, which is not reachable); /metrics must count them; then SIGTERM: the server
# must stop with status 0, and its log hold no health data. The closing summary gives throughput and p99
# per algorithm.
# The load generator is scripts/loadtest (go run ./scripts/loadtest -h).
set -euo pipefail

clients=20
n=2000
body=examples/responses/high.json
keep=0
auth=jwt
algs="ES256 RS256 ES384"
cpus=
binary=
while getopts "c:n:b:a:A:C:B:kh" opt; do
	case $opt in
	c) clients=$OPTARG ;;
	n) n=$OPTARG ;;
	b) body=$OPTARG ;;
	a) auth=$OPTARG ;;
	A) algs=$OPTARG ;;
	C) cpus=$OPTARG ;;
	B) binary=$(cd "$(dirname "$OPTARG")" && pwd)/$(basename "$OPTARG") ;;
	k) keep=1 ;;
	h) sed -n '2,25p' "$0"; exit 0 ;;
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

if [ -n "$binary" ]; then
	cp "$binary" "$tmp/painscreen"
else
	go build -o "$tmp/painscreen" ./cmd/painscreen
fi
go build -o "$tmp/loadtest" ./scripts/loadtest
"$tmp/loadtest" -keygen "$tmp"
issuer=https://ehr.loadtest.invalid
public=http://painscreen.loadtest.invalid

case $auth in
jwt) authflags=(--public-url "$public" --issuer "$issuer=$tmp/jwks.json") ;;
none) authflags=(--insecure-no-auth); algs=none ;;
*) echo "-a: jwt or none"; exit 2 ;;
esac
# The replay cache must hold every token id until its token expires: at this load, a few hundred
# thousand tokens of 5 minutes (docs/operations.md: size it to calls per second × token lifetime).
srvpin=()
clipin=()
if [ -n "$cpus" ]; then
	srvpin=(taskset -c "${cpus%%:*}")
	[ "$cpus" != "${cpus#*:}" ] && clipin=(taskset -c "${cpus#*:}")
fi
${srvpin[@]+"${srvpin[@]}"} "$tmp/painscreen" serve --addr 127.0.0.1:0 "${authflags[@]}" --max-in-flight 256 --drain-delay 500ms \
	--replay-cache 600000 2>"$tmp/server.log" &
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
echo "painscreen serve on $addr (pid $pid), $(nproc) cores${cpus:+, server on CPUs ${cpus%%:*}}; body $body"
echo "RSS after start: $(rss)"

# load ALG PATH BODY EXPECT [loadtest flags]: POST BODY to PATH from the clients, tokens signed with ALG.
load() {
	local alg=$1 path=$2 file=$3 expect=$4
	shift 4
	local keyflags=()
	[ "$alg" != none ] && keyflags=(-key "$tmp/key-$alg.pem" -alg "$alg")
	${clipin[@]+"${clipin[@]}"} "$tmp/loadtest" -url "http://$addr$path" -audience "$public$path" -issuer "$issuer" ${keyflags[@]+"${keyflags[@]}"} \
		-body "$file" -expect "$expect" "$@"
}
cds=/cds-services/painscreen-pain-oud
last=${algs##* }
load "$last" /score "$body" '"composite"' -clients "$clients" -requests $((n / 10)) >/dev/null
echo "RSS after warm-up ($clients × $((n / 10))): $(rss)"
summary=()
for alg in $algs; do
	echo "--- run $alg: $clients clients × $n requests, POST /score (auth: $auth, tokens $alg)"
	load "$alg" /score "$body" '"composite"' -clients "$clients" -requests "$n" | tee "$tmp/run-$alg.txt"
	tput=$(sed -n 's/.*throughput \([0-9]*\) req\/s.*/\1/p' "$tmp/run-$alg.txt")
	p99=$(sed -n 's/.*p99 \([^,]*\),.*/\1/p' "$tmp/run-$alg.txt")
	summary+=("$(printf '%-6s %6s req/s   p99 %s' "$alg" "$tput" "$p99")")
	echo "RSS after run $alg: $(rss)"
done
echo "--- run again: $last, the same again (RSS must stay flat)"
load "$last" /score "$body" '"composite"' -clients "$clients" -requests "$n"
echo "RSS after the second $last run: $(rss)"
echo "--- run CDS: $clients clients × $n requests, POST $cds (patient-view, examples/cds/patient-view.json)"
# Without its fhirServer: the example names an EHR (ehr.example.org) that is not there, and reading what the
# prefetch lacks from it would measure the network's timeouts, not the service.
load "$last" "$cds" examples/cds/patient-view.json '"indicator":"critical"' -clients "$clients" -requests "$n" \
	-drop fhirServer,fhirAuthorization
echo "RSS after the CDS run: $(rss) (peak $(hwm))"
metrics=$(curl -fsS "http://$addr/metrics" 2>/dev/null || true)
if [ -n "$metrics" ]; then
	served=$(grep '^painscreen_http_requests_total{route="POST /score",status="200"}' <<<"$metrics" | awk '{print $NF}')
	echo "/metrics: POST /score 200 counted $served"
fi

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
echo "--- summary: POST /score per token algorithm ($(nproc) cores, one machine for client and server)"
printf '%s\n' "${summary[@]}"
[ "$status" = 0 ]
