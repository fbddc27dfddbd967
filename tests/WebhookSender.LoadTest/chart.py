#!/usr/bin/env python3
"""Draws docs/benchmarks.png from the load tool's CSV: medians per label (one label per store run).

Usage: python3 tests/WebhookSender.LoadTest/chart.py docs/benchmarks-loadtest.csv docs/benchmarks.png
Needs matplotlib (Debian: apt-get install python3-matplotlib).
"""
import csv
import statistics
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

TARGETS = {"inmemory": 0.90, "postgres": 0.30, "sqlite": 0.25}


def medians(rows, field):
    return statistics.median(float(r[field]) for r in rows) if rows else float("nan")


def main(source, target):
    groups = defaultdict(lambda: {"baseline": [], "library": []})
    order = []
    with open(source, newline="") as f:
        for row in csv.DictReader(f):
            label = row["label"] or row["store"]
            if label not in order:
                order.append(label)
            groups[label][row["phase"]].append(row)

    labels = [l for l in order if groups[l]["library"] and groups[l]["baseline"]]
    ticks = [f"{l}\n{groups[l]['library'][0]['events']} × {groups[l]['library'][0]['subscriptions']}" for l in labels]
    fig, (ax1, ax2, ax3) = plt.subplots(1, 3, figsize=(16, 5))
    for ax in (ax1, ax2, ax3):
        ax.tick_params(axis="x", labelsize=8)
    x = range(len(labels))
    width = 0.38

    base = [medians(groups[l]["baseline"], "deliveries_per_s") for l in labels]
    lib = [medians(groups[l]["library"], "deliveries_per_s") for l in labels]
    ax1.bar([i - width / 2 for i in x], base, width, label="raw HttpClient baseline", color="#9e9e9e")
    ax1.bar([i + width / 2 for i in x], lib, width, label="WebhookSender", color="#1f77b4")
    for i, l in enumerate(labels):
        ratio = lib[i] / base[i]
        goal = TARGETS.get(l.split("-")[0])
        text = f"{ratio:.0%}" + (f"\n(target {goal:.0%})" if goal else "")
        ax1.text(i + width / 2, lib[i], text, ha="center", va="bottom", fontsize=9)
    ax1.set_xticks(list(x), ticks)
    ax1.set_ylabel("deliveries / s (median)")
    ax1.set_title("Throughput, end to end")
    ax1.legend(loc="upper right", fontsize=8)

    for phase, color, offset in (("baseline", "#9e9e9e", -width / 2), ("library", "#1f77b4", width / 2)):
        p50 = [medians(groups[l][phase], "p50_ms") for l in labels]
        p99 = [medians(groups[l][phase], "p99_ms") for l in labels]
        ax2.bar([i + offset for i in x], p99, width, color=color, alpha=0.35, label=f"{phase} p99")
        ax2.bar([i + offset for i in x], p50, width, color=color, label=f"{phase} p50")
    ax2.set_yscale("log")
    ax2.set_xticks(list(x), ticks)
    ax2.set_ylabel("publish → received, ms (log)")
    ax2.set_title("Latency p50 (solid) and p99 (light)")
    ax2.legend(fontsize=8)

    cpu_base = [medians(groups[l]["baseline"], "cpu_us_per_delivery") for l in labels]
    cpu_lib = [medians(groups[l]["library"], "cpu_us_per_delivery") for l in labels]
    ax3.bar([i - width / 2 for i in x], cpu_base, width, color="#9e9e9e", label="baseline")
    ax3.bar([i + width / 2 for i in x], cpu_lib, width, color="#1f77b4", label="WebhookSender")
    ax3.set_xticks(list(x), ticks)
    ax3.set_yscale("log")
    ax3.set_ylabel("sender CPU µs per delivery (median, log)")
    ax3.set_title("Sender CPU per delivery")
    ax3.legend(fontsize=8)

    first = groups[labels[0]]["library"][0]
    fig.suptitle(
        f"WebhookSender load test against a raw-HttpClient baseline: concurrency {first.get('concurrency')}, "
        f"{first.get('payload_bytes')} B bodies, {first.get('machine')} (medians of {len(groups[labels[0]]['library'])} runs)",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(target, dpi=110)
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
