#!/usr/bin/env bash
# Bulk ingest end to end with the shipped commands, as a deployment runs it: `taly worker` in
# its own process keeps the index in sync while `taly ingest` loads a file.
#
#   Benchmarks/ingest-cli-end-to-end.sh RUNS FILE [TYPE]
#
# FILE is a `taly ingest --type products` input (default TYPE) made by
# `Benchmarks/ingest-convert.py`. Each run: a fresh data directory and tenant, `taly worker`
# started and given a second to open the store, then `taly ingest` timed from its start until
# the worker's outbox checkpoint reaches the last event the load wrote (read with sqlite3 every
# 10 ms once the load has ended). Prints records/s end to end, the load alone, and the worker's
# lag after the load, and each process's CPU seconds; the median of RUNS at the end. Release `taly` (`make release`).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
runs=${1:?usage: ingest-cli-end-to-end.sh RUNS FILE [TYPE]}
file=${2:?usage: ingest-cli-end-to-end.sh RUNS FILE [TYPE]}
type=${3:-products}
taly=${TALY:-$root/.build/release/taly}
[ -x "$taly" ] || { echo "no release build at $taly: make release" >&2; exit 1; }
command -v sqlite3 > /dev/null || { echo "sqlite3 is missing: apt-get install sqlite3" >&2; exit 1; }

data=""
worker=""
cleanup() {
  [ -n "$worker" ] && kill "$worker" 2> /dev/null && wait "$worker" 2> /dev/null
  [ -n "$data" ] && rm -rf "$data"
  return 0
}
trap cleanup EXIT
now() { date +%s.%N; }
rates=()
for ((run = 1; run <= runs; run++)); do
  data=$(mktemp -d)
  "$taly" admin create-tenant --data-dir "$data" --name bench --admin-email bench@example.com --json \
    > "$data/tenant.json"
  if [ "$type" != products ]; then
    echo "only products: a content type would need creating first" >&2
    exit 2
  fi
  "$taly" worker --data-dir "$data" --log-level warning &
  worker=$!
  sleep 1
  database=$data/taly.sqlite
  start=$(now)
  /usr/bin/time -f "%U %S" -o "$data/ingest.cpu" \
    "$taly" ingest --data-dir "$data" --tenant bench --type products --allow-rejects "$file" \
    > "$data/ingest.out" 2> /dev/null
  loaded=$(now)
  last=$(sqlite3 "$database" "SELECT max(id) FROM outbox_event")
  # "FILE: N accepted (…), M rejected, …": every record read counts, as ingest-bench counts them.
  records=$(sed -nE 's/.*: ([0-9]+) accepted .*, ([0-9]+) rejected,.*/\1 \2/p' "$data/ingest.out" \
    | awk '{ print $1 + $2 }')
  while true; do
    applied=$(sqlite3 "$database" "SELECT coalesce(max(last_event_id), 0) FROM outbox_consumer" 2> /dev/null || echo 0)
    [ "${applied:-0}" -ge "$last" ] && break
    sleep 0.01
  done
  done_at=$(now)
  ingest_cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$data/ingest.cpu")
  worker_cpu=$(awk -v ticks="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / ticks }' "/proc/$worker/stat")
  kill "$worker"
  wait "$worker" 2> /dev/null || true
  worker=""
  rate=$(python3 -c "print(round($records / ($done_at - $start)))")
  python3 -c "print(f'run $run: $records records, {$records / ($done_at - $start):,.0f}/s end to end, load alone {$records / ($loaded - $start):,.0f}/s, worker done {($done_at - $loaded) * 1000:.0f} ms after the load; CPU s: ingest $ingest_cpu, worker $worker_cpu')"
  rates+=("$rate")
  rm -rf "$data"
  data=""
done
printf '%s\n' "${rates[@]}" | sort -n | awk '{ r[NR] = $1 } END { printf "median of %d runs: %d records/s end to end (range %d-%d)\n", NR, r[int((NR + 1) / 2)], r[1], r[NR] }'
