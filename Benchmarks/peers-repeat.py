#!/usr/bin/env python3
"""Repeats protocol runs of ../shared/bench/peers/run.py and reports each cell's spread.

One run on this VM moves by more than the margins between engines (a slow spell lands on one
engine's passes and not on another's), so whether Taly is at or below the better of two peers on
a cell is decided over several runs: the orders alternate (sequential, interleaved) and, in
sequential runs, the engine that goes first rotates.

  peers-repeat.py --runs 4 --out /tmp/peers-out/repeat --engines tantivy,lucene,taly \\
      --subject taly --peers tantivy,lucene -- RUN_PY_ARGS...
  peers-repeat.py --report-only --out /tmp/peers-out/repeat --subject taly --peers tantivy,lucene

RUN_PY_ARGS go to every run unchanged (--corpus, --queries, --index-dir, --serve-cmd,
--commands, --reps, --warmup-s, ...); this driver adds --out, --engines and --order. Each run
writes OUT/run-<i>-<order>/, and the report (Markdown on stdout, OUT/report.json) gives per
command, tag and statistic (mean, p50 of the per-query minimum): each engine's median over the
runs with its range, the ratio of the subject to the better peer per run (median and worst),
and in how many runs the subject was at or below the better peer.
Standard library only.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

RUN_PY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench", "peers", "run.py")
STATS = ("mean_us", "p50_us")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=4)
    parser.add_argument("--out", required=True, help="directory of the runs and the report")
    parser.add_argument("--engines", default="tantivy,lucene,taly")
    parser.add_argument("--orders", default="sequential,interleaved", help="cycled over the runs")
    parser.add_argument("--subject", default="taly")
    parser.add_argument("--peers", default="tantivy,lucene")
    parser.add_argument("--tags", default="intersection,union,phrase")
    parser.add_argument("--run-py", default=RUN_PY)
    parser.add_argument("--report-only", action="store_true", help="aggregate the runs already in --out")
    parser.add_argument("run_args", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    if args.run_args and args.run_args[0] == "--":
        args.run_args = args.run_args[1:]
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def engine_order(engines, run_index):
    shift = run_index % len(engines)
    return engines[shift:] + engines[:shift]


def run_all(args):
    engines = args.engines.split(",")
    orders = args.orders.split(",")
    os.makedirs(args.out, exist_ok=True)
    for index in range(args.runs):
        order = orders[index % len(orders)]
        listed = engine_order(engines, index) if order == "sequential" else engines
        out = os.path.join(args.out, f"run-{index + 1}-{order}")
        command = [sys.executable, args.run_py, *args.run_args,
                   "--out", out, "--engines", ",".join(listed), "--order", order]
        print(f"[peers-repeat] run {index + 1}/{args.runs}: {order}, engines {','.join(listed)}", file=sys.stderr, flush=True)
        completed = subprocess.run(command)
        if completed.returncode != 0:
            sys.exit(f"run.py failed with status {completed.returncode} on run {index + 1} ({out})")


def load_runs(out):
    runs = []
    for name in sorted(os.listdir(out)):
        path = os.path.join(out, name, "run.json")
        if name.startswith("run-") and os.path.exists(path):
            with open(path) as handle:
                runs.append((name, json.load(handle)))
    if not runs:
        sys.exit(f"no run-*/run.json under {out}")
    return runs


def cell(run, engine, command, tag, stat):
    try:
        return run["serve"][engine][command]["stats"]["wall"][tag][stat]
    except KeyError:
        return None


def spread(values):
    return f"{statistics.median(values):,.0f} [{min(values):,.0f}–{max(values):,.0f}]"


def report(args):
    runs = load_runs(args.out)
    peers = args.peers.split(",")
    engines = peers + [args.subject]
    commands = [c for c in runs[0][1]["serve"][args.subject]]
    tags = args.tags.split(",")
    rows, cells = [], []
    for command in commands:
        for tag in tags:
            for stat in STATS:
                values = {e: [cell(r, e, command, tag, stat) for _, r in runs] for e in engines}
                if any(v is None for vs in values.values() for v in vs):
                    sys.exit(f"a run lacks {command} {tag} {stat} for one of {engines}")
                ratios = [values[args.subject][i] / min(values[p][i] for p in peers) for i in range(len(runs))]
                wins = sum(1 for ratio in ratios if ratio <= 1.0)
                cells.append({"command": command, "tag": tag, "stat": stat, "values": values,
                              "ratios_to_better_peer": ratios, "runs_at_or_below": wins})
                rows.append([command, tag, stat.replace("_us", "")] + [spread(values[e]) for e in engines]
                            + [f"{statistics.median(ratios):.2f} / {max(ratios):.2f}", f"{wins}/{len(runs)}"])
    header = ["Command", "Tag", "µs"] + [f"{e} median [range]" for e in engines] + [
        f"{args.subject} ÷ better peer (median / worst)", "runs at or below"]
    print(f"{len(runs)} runs: {', '.join(name for name, _ in runs)}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    medians_met = sum(1 for c in cells if statistics.median(c["ratios_to_better_peer"]) <= 1.0)
    every_run = sum(1 for c in cells if c["runs_at_or_below"] == len(runs))
    print(f"\nCells with the median ratio at or below 1: {medians_met}/{len(cells)}; "
          f"at or below in every run: {every_run}/{len(cells)}.")
    with open(os.path.join(args.out, "report.json"), "w") as handle:
        json.dump({"runs": [name for name, _ in runs], "subject": args.subject, "peers": peers, "cells": cells},
                  handle, indent=1)


def main():
    args = parse_args()
    if not args.report_only:
        run_all(args)
    report(args)


if __name__ == "__main__":
    main()
