#!/usr/bin/env bash
# HTTP search latency and throughput over loopback with wrk, next to the engine's own time.
#
#   Benchmarks/http-search.sh PRODUCTS.jsonl [DURATION]
#
# PRODUCTS.jsonl is a catalog in the `taly ingest --type products` shape, made from a corpus
# slice by `Benchmarks/ingest-convert.py products` (BENCHMARKS.md names the one we report).
# It creates a tenant in a temporary data directory, ingests the products, builds the index,
# starts `taly serve` (release build, worker off so nothing else runs), and drives GET
# /v1/search with the search-benchmark-game queries: first one connection (latency), then
# 16 connections on 2 wrk threads (throughput). The engine's time is the processing_time_ms
# the API reports for each answer; the difference at p50 is what HTTP adds. After each run it
# prints the server's CPU time per request (steadier than latency on a loaded machine).
#
# DATA_DIR and API_KEY reuse a tenant prepared by an earlier run (kept with KEEP=1) instead of
# ingesting again; FIXED_QUERY adds a run of that one query (URL-encoded), whose profile is
# not mixed with the query set's heavy tail.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
products=${1:?usage: http-search.sh PRODUCTS.jsonl [DURATION]}
duration=${2:-20s}
taly=${TALY:-$root/.build/release/taly}
queries_src=${QUERIES_SRC:-$root/../shared/data/search-benchmark-game/queries.txt}
port=${PORT:-18089}
command -v wrk > /dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
[ -x "$taly" ] || { echo "no release build at $taly: make release" >&2; exit 1; }

server=""
if [ -n "${DATA_DIR:-}" ]; then
  data=$DATA_DIR
  api_key=${API_KEY:?API_KEY of the tenant in DATA_DIR}
  queries=$(mktemp)
  trap '[ -n "$server" ] && kill "$server" 2> /dev/null; rm -f "$queries"' EXIT
else
  data=$(mktemp -d)
  queries=$data/queries.txt
  trap '[ -n "$server" ] && kill "$server" 2> /dev/null; [ -n "${KEEP:-}" ] && echo "kept $data" || rm -rf "$data"' EXIT
  "$taly" admin create-tenant --data-dir "$data" --name bench --admin-email bench@example.com --json > "$data/tenant.json"
  api_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["api_key"])' "$data/tenant.json")
  "$taly" ingest --data-dir "$data" --tenant bench --type products --allow-rejects "$products" | tail -1
  "$taly" index rebuild --data-dir "$data" --tenant bench --collection products
fi

python3 - "$queries_src" > "$queries" << 'PY'
import json, sys, urllib.parse
for line in open(sys.argv[1], encoding="utf-8"):
    print(urllib.parse.quote(json.loads(line)["query"], safe=""))
PY

TALY_RATE_LIMIT_CREDENTIAL=${RATE_LIMIT:-1000000/1000000} TALY_RATE_LIMIT_ADDRESS=${RATE_LIMIT:-1000000/1000000} "$taly" serve --data-dir "$data" --port "$port" --no-worker --log-level warning &
server=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/health" > /dev/null 2>&1 && break
  sleep 0.1
done

export API_KEY=$api_key QUERIES=$queries COLLECTION=products
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
# Runs wrk (its arguments), prints the lines matching $1 and the server's CPU per request.
measured() {
  local pattern=$1
  shift
  local before output requests
  before=$(cpu)
  output=$("$@")
  echo "$output" | grep -E "$pattern"
  requests=$(echo "$output" | grep -Eo '^requests [0-9]+|[0-9]+ requests in' | grep -Eo '[0-9]+' | head -1)
  echo "server CPU per request: $(python3 -c "print(round(($(cpu) - $before) / $ticks / $requests * 1e6))") us"
}
echo "== /healthz (no auth, no body): the gateway's floor, 1 connection, $duration"
measured ' (50|90|99)%|Requests/sec' wrk -t1 -c1 -d"$duration" --latency "http://127.0.0.1:$port/healthz"
if [ -n "${FIXED_QUERY:-}" ]; then
  echo "== search q=$FIXED_QUERY, typo_tolerance=false, 1 connection, $duration"
  measured ' (50|90|99)%|Requests/sec' wrk -t1 -c1 -d"$duration" --latency -H "Authorization: Bearer $api_key" \
    "http://127.0.0.1:$port/v1/search?collection=products&limit=10&typo_tolerance=false&q=$FIXED_QUERY"
fi
for typos in false true; do
  echo "== search, typo_tolerance=$typos, latency: 1 connection, $duration"
  TYPOS=$typos measured '.' wrk -t1 -c1 -d"$duration" -s "$here/http-search.lua" "http://127.0.0.1:$port" | sed -n '/^requests/,$p'
done
echo "== search, typo_tolerance=false, throughput: 16 connections, 2 threads, $duration"
TYPOS=false measured '.' wrk -t2 -c16 -d"$duration" -s "$here/http-search.lua" "http://127.0.0.1:$port" | sed -n '/^requests/,$p'
