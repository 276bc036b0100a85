#!/usr/bin/env bash
# Bulk ingest end to end (store + index-sync worker live beside the load), repeated, with the
# median: the figure BENCHMARKS.md reports against the 50,000 records/s goal.
#
#   Benchmarks/ingest-end-to-end.sh RUNS NAME=KIND:FILE... [-- BINARY...]
#
# KIND is `products` or a content type IngestBench creates (`doc`); FILE a `taly ingest` input
# made by `Benchmarks/ingest-convert.py`. Each run loads FILE into a fresh store with
# `ingest-bench STORE KIND FILE --index live` and reads the records/s from the moment the load
# starts until the worker has applied its last event. Several binaries (default: this
# package's release `ingest-bench`) are alternated run by run, A B B A, so that a host whose
# speed drifts (a shared VM's does) moves them alike. Prints one line per run (rate, CPU
# seconds user + system) and a median per input and binary.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
runs=${1:?usage: ingest-end-to-end.sh RUNS NAME=KIND:FILE... [-- BINARY...]}
shift
inputs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  inputs+=("$1")
  shift
done
[ "${1:-}" = "--" ] && shift
binaries=("$@")
if [ ${#binaries[@]} -eq 0 ]; then
  binaries=("$(cd "$here" && swift build -c release --show-bin-path)/ingest-bench")
fi
[ ${#inputs[@]} -gt 0 ] || { echo "name at least one NAME=KIND:FILE" >&2; exit 2; }
for binary in "${binaries[@]}"; do
  [ -x "$binary" ] || { echo "no binary at $binary: cd Benchmarks && swift build -c release --product ingest-bench" >&2; exit 1; }
done

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
results="$scratch/results"
: > "$results"

# One run: prints "RATE CPU" (records/s end to end, user + system seconds).
run() {
  local binary=$1 kind=$2 file=$3
  rm -rf "$scratch/store" "$scratch/store-wal" "$scratch/store-shm" "$scratch/store.indexes"
  /usr/bin/time -f "cpu %U %S" -o "$scratch/time" "$binary" "$scratch/store" "$kind" "$file" --index live \
    > "$scratch/out" 2>&1 || { cat "$scratch/out" >&2; exit 1; }
  local rate
  rate=$(sed -nE 's/^store \+ index \(live worker\): .* ([0-9]+) per second$/\1/p' "$scratch/out")
  [ -n "$rate" ] || { cat "$scratch/out" >&2; exit 1; }
  echo "$rate $(awk '/^cpu/ { printf "%.2f", $2 + $3 }' "$scratch/time")"
}

# The order of binaries in round r: forwards on even rounds, backwards on odd (A B, B A, ...).
for ((round = 0; round < runs; round++)); do
  for input in "${inputs[@]}"; do
    name=${input%%=*}
    spec=${input#*=}
    kind=${spec%%:*}
    file=${spec#*:}
    order=("${binaries[@]}")
    if ((round % 2 == 1)); then
      order=()
      for ((i = ${#binaries[@]} - 1; i >= 0; i--)); do order+=("${binaries[$i]}"); done
    fi
    for binary in "${order[@]}"; do
      result=$(run "$binary" "$kind" "$file")
      echo "$name $(basename "$binary") run $((round + 1)): ${result% *} records/s, CPU ${result#* } s"
      echo "$name $binary $result" >> "$results"
    done
  done
done

echo "median over $runs runs (records/s end to end, CPU s):"
for input in "${inputs[@]}"; do
  name=${input%%=*}
  for binary in "${binaries[@]}"; do
    awk -v name="$name" -v binary="$binary" '$1 == name && $2 == binary { print $3, $4 }' "$results" \
      | sort -n | awk -v label="$name $(basename "$binary")" '
          { rate[NR] = $1; cpu[NR] = $2 }
          END {
            middle = int((NR + 1) / 2)
            low = rate[1]; high = rate[NR]
            printf "%s: %d (range %d-%d), CPU of that run %.2f s\n", label, rate[middle], low, high, cpu[middle]
          }'
  done
done
