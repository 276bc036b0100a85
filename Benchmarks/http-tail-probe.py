#!/usr/bin/env python3
"""Per-request view of HTTP search latency, to tell a slow tail that follows queries from one
that follows the machine.

Sends every query of the search-benchmark-game log twice, one at a time over one persistent
connection (TCP_NODELAY), and compares each answer's wall time with the engine's own
`processing_time_ms`. Reports percentiles of both, how many requests spent more than 5 ms
outside the engine, and which queries did so in both passes (a per-query cause) rather than in
one (scheduling, load).

usage: http-tail-probe.py BASE_URL API_KEY [QUERIES] [COLLECTION]
  e.g. http-tail-probe.py http://127.0.0.1:18089 "$API_KEY"   (a server started as
  Benchmarks/http-search.sh starts it, with KEEP=1 for its data directory)
"""
import http.client
import json
import socket
import statistics
import sys
import time
import urllib.parse

if len(sys.argv) < 3:
    sys.exit(__doc__)
base = urllib.parse.urlsplit(sys.argv[1])
key = sys.argv[2]
queries_path = sys.argv[3] if len(sys.argv) > 3 else "../shared/data/search-benchmark-game/queries.txt"
collection = sys.argv[4] if len(sys.argv) > 4 else "products"
queries = [json.loads(line)["query"] for line in open(queries_path, encoding="utf-8")]

connection = http.client.HTTPConnection(base.hostname, base.port or 80)
connection.connect()
connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
samples = {}  # query -> [(wall ms, engine ms, body bytes)]
for _ in range(2):
    for query in queries:
        path = f"/v1/search?collection={collection}&limit=10&typo_tolerance=false&q=" + urllib.parse.quote(query, safe="")
        started = time.perf_counter()
        connection.request("GET", path, headers={"Authorization": "Bearer " + key})
        response = connection.getresponse()
        body = response.read()
        wall = (time.perf_counter() - started) * 1e3
        if response.status != 200:
            sys.exit(f"{response.status} for {query!r}: {body[:200]!r}")
        samples.setdefault(query, []).append((wall, json.loads(body)["processing_time_ms"], len(body)))


def percentiles(values):
    cuts = statistics.quantiles(values, n=100)
    return f"p50 {cuts[49]:.2f} p90 {cuts[89]:.2f} p99 {cuts[98]:.2f} ms"


every = [sample for runs in samples.values() for sample in runs]
print(f"{len(every)} requests; HTTP {percentiles([s[0] for s in every])}; engine {percentiles([s[1] for s in every])}")
outside = [s[0] - s[1] for s in every]
print(f"time outside the engine: {percentiles(outside)}; over 5 ms: {sum(1 for o in outside if o > 5)}")
repeated = [(q, runs) for q, runs in samples.items() if all(w - e > 5 for w, e, _ in runs)]
print(f"queries over 5 ms outside the engine in both passes: {len(repeated)}")
for query, runs in repeated[:10]:
    print(f"  {query!r}: " + ", ".join(f"{w:.1f} ms wall, {e:.2f} ms engine, {n} bytes" for w, e, n in runs))
