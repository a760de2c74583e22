#!/usr/bin/env python3
"""Turns one bench/run-all.sh run's JSON files into bench/results/RESULTS.md and
bench/results/bench.png, and prints the closing machine-readable line:

  newsd-bench: cpu_ratio_vs_peer=X chain_vs_passthrough=Y eos_vs_alos=Z p99_ms=W peak_rss_mb=V

  cpu_ratio_vs_peer     peer CPU s/1000 articles ÷ newsd full chain (exactly-once) CPU s/1000
  chain_vs_passthrough  full chain ÷ passthrough (decode only) articles/s, both exactly-once
  eos_vs_alos           full chain exactly-once ÷ at-least-once articles/s
  p99_ms                full chain exactly-once p99 latency, input Kafka timestamp → output
                        LogAppendTime, at 50% of the measured max rate
  peak_rss_mb           highest VmHWM of the full-chain newsd processes

  report.py RESULTS_DIR   (reads e2e-*.json, chain_bench.json, eval_*.txt, meta.json)
"""
import glob
import json
import os
import re
import statistics
import subprocess
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

MODES = [  # (file stem, label)
    ("chain-eos", "newsd full chain, exactly-once"),
    ("chain-alos", "newsd full chain, at-least-once"),
    ("chain6-alos", "newsd chain without story (no changelog), at-least-once"),
    ("passthrough-eos", "newsd passthrough (decode), exactly-once"),
    ("passthrough-alos", "newsd passthrough (decode), at-least-once"),
    ("peer-spacy", "Python peer: confluent-kafka + spaCy en_core_web_sm"),
]


CG_MODES = {  # callgrind runs (file stem e2e-cg-<stem>.json) → label
    "passthrough-alos": "passthrough (decode)",
    "chain6-alos": "chain without story",
    "chain-alos": "full chain",
}
CHAIN_ORDER = ["decode", "segment", "language", "entities", "quotes", "times", "story"]


def stage_instructions(path):
    """{stage: inclusive instructions of its Stage::Process} from a callgrind file."""
    try:
        text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", path],
                              capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return {}
    result = {}
    for m in re.finditer(r"^\s*([\d,]+) .*newsd::stages::(\w+)Stage::Process\(", text, re.M):
        name = m.group(2).lower()
        result[name] = max(result.get(name, 0), int(m.group(1).replace(",", "")))
    return result


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def fmt(x, digits=0):
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def main():
    if len(sys.argv) != 2 or sys.argv[1].startswith("-"):
        sys.exit("usage: report.py RESULTS_DIR  (the directory run-all.sh filled with e2e-*.json; "
                 "RESULTS.md and bench.png are rewritten there)")
    d = sys.argv[1]
    if not glob.glob(os.path.join(d, "e2e-*.json")):
        # The JSON files are not committed: in a fresh clone this would replace the
        # committed report with an empty one.
        sys.exit(f"report.py: no e2e-*.json in {d}: nothing to report (run bench/run-all.sh); "
                 "RESULTS.md left as it is")
    runs = {stem: load(os.path.join(d, f"e2e-{stem}.json")) for stem, _ in MODES}
    # Repeated throughput rounds (e2e-<mode>.r2.json ...): the table and the ratios use
    # the median over all rounds of articles/s and of CPU s/1000.
    rounds = {}
    for stem, _ in MODES:
        r = runs[stem]
        if not r or "throughput" not in r:
            continue
        tps = [r["throughput"]] + [x["throughput"] for x in (
            load(p) for p in sorted(glob.glob(os.path.join(d, f"e2e-{stem}.r*.json")))) if x]
        rounds[stem] = tps
        r["throughput"] = dict(r["throughput"],
                               articles_per_s=statistics.median(t["articles_per_s"] for t in tps),
                               cpu_s_per_1000=statistics.median(t["cpu_s_per_1000"] for t in tps),
                               peak_rss_mb=max(t.get("peak_rss_mb") or 0 for t in tps))
    meta = load(os.path.join(d, "meta.json")) or {}
    out = []
    out.append(f"# newsd benchmark results ({meta.get('date', '')}, {meta.get('mode', '')})\n")
    out.append(f"Machine: {meta.get('machine', '')}. Broker: Apache Kafka {meta.get('kafka', '')} "
               f"(single node, 127.0.0.1), topics with {meta.get('partitions', 3)} partitions, "
               f"commit_interval_ms 100. Input: Reuters-21578 SGML records (reut2-*.sgm.gz, "
               f"replayed). All figures are from ONE run on a shared, noisy machine: compare the "
               f"ratios, not the absolute numbers.\n")
    out.append("## End to end (real broker)\n")
    out.append("| mode | articles/s (max, median) | CPU s / 1,000 articles (median) | rounds: articles/s | "
               "peak RSS MB | latency rate/s | p50 ms | p99 ms | p99.9 ms | p99 visible ms |")
    out.append("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for stem, label in MODES:
        r = runs[stem]
        if not r:
            out.append(f"| {label} | not run | | | | | | | | |")
            continue
        tp, lat = r.get("throughput", {}), r.get("latency", {})
        rss = max(x for x in (tp.get("peak_rss_mb"), lat.get("latency_peak_rss_mb"), 0) if x is not None)
        a, v = lat.get("append_ms", {}), lat.get("visible_ms", {})
        each = " / ".join(fmt(t["articles_per_s"]) for t in rounds.get(stem, []))
        out.append(f"| {label} | {fmt(tp.get('articles_per_s'))} | {fmt(tp.get('cpu_s_per_1000'), 3)} | "
                   f"{each} | {fmt(rss)} | {fmt(lat.get('rate'))} | {fmt(a.get('50'))} | {fmt(a.get('99'))} | "
                   f"{fmt(a.get('99.9'))} | {fmt(v.get('99'))} |")
    out.append("\narticles/s: backlog of N records drained as fast as possible, over the 10%–90% "
               "window of outputs (median of the rounds); CPU: the process's own utime+stime (/proc/PID/stat) over the "
               "same window; latency: at 50% of that rate, input Kafka timestamp (CreateTime) → "
               "output LogAppendTime (\"visible\": → receipt by a read_committed consumer, which "
               "includes the transaction commit for exactly-once).\n")

    # Where the append latency goes (newsd's ArticleEvent.processed_at splits it).
    out.append("| mode | processed p50 / p99 ms | publish p50 / p99 ms | transactions | commit ms (mean) |")
    out.append("|---|---:|---:|---:|---:|")
    for stem, label in MODES:
        lat = (runs[stem] or {}).get("latency", {})
        pr, pu = lat.get("processed_ms") or {}, lat.get("publish_ms") or {}
        if pr.get("50") is None:
            continue
        out.append(f"| {label} | {fmt(pr.get('50'))} / {fmt(pr.get('99'))} | "
                   f"{fmt(pu.get('50'))} / {fmt(pu.get('99'))} | {fmt(lat.get('latency_transactions'))} | "
                   f"{fmt(lat.get('latency_txn_commit_ms_mean'), 1)} |")
    out.append("\nprocessed: input timestamp → the event's processed_at (consumer fetch, dispatch "
               "queue, the stages); publish: processed_at → LogAppendTime (the loop's produce, "
               "linger, broker append; for exactly-once also the wait while a commit is under "
               "way). Transactions and their mean commit time (send_offsets_to_transaction + "
               "commit_transaction) from newsd_transaction_commit_seconds over the latency phase.\n")

    soak = load(os.path.join(d, "e2e-soak.json"))
    srss = soak and (soak.get("latency") or {}).get("rss")
    if srss:
        sl = soak["latency"]
        out.append(f"Soak ({sl['seconds'] / 60:.0f} min, {soak.get('stages')} "
                   f"{soak.get('delivery')}, {sl['rate']:.0f} articles/s, {sl['produced']:,} "
                   f"articles): VmRSS {srss['at_10pct_mb']:.0f} MB at 10% of the run (after warm-up), "
                   f"{srss['end_mb']:.0f} MB at the end ({srss['end_vs_10pct_pct']:+.1f}%), range "
                   f"{srss['min_mb']:.0f}–{srss['max_mb']:.0f} MB (max deviation "
                   f"{srss['max_dev_pct']:.1f}%); latency p99 {fmt(sl['append_ms'].get('99'))} ms.\n")

    ce, ca, pe, peer = (runs.get(k) for k in ("chain-eos", "chain-alos", "passthrough-eos", "peer-spacy"))

    # Instructions per article under callgrind: repeatable, unlike CPU seconds here.
    cg = {stem: ((load(os.path.join(d, f"e2e-cg-{stem}.json")) or {}).get("throughput") or {})
          .get("callgrind") for stem in CG_MODES}
    if any(cg.values()):
        stages = sorted({s for c in cg.values() if c for s in stage_instructions(c["file"])},
                        key=lambda s: CHAIN_ORDER.index(s) if s in CHAIN_ORDER else 99)
        out.append("## Instructions per article (valgrind callgrind, at-least-once)\n")
        out.append("| mode | articles | instructions / article | "
                   + " | ".join(stages) + " | rest (Kafka clients, engine, metrics) |")
        out.append("|---|---:|---:|" + "---:|" * (len(stages) + 1))
        for stem, label in CG_MODES.items():
            c = cg[stem]
            if not c:
                out.append(f"| {label} | not run |" + " |" * (len(stages) + 2))
                continue
            per = {k: v / c["articles"] for k, v in stage_instructions(c["file"]).items()}
            ipa = c["instructions_per_article"]
            out.append(f"| {label} | {fmt(c['articles'])} | {fmt(ipa)} | "
                       + " | ".join(fmt(per.get(s)) for s in stages)
                       + f" | {fmt(ipa - sum(per.values()))} |")
        out.append("\nThe same daemon and broker as above, each run under `valgrind --tool=callgrind` "
                   "(all threads); a warm-up of 500 other records is processed first and the counters "
                   "zeroed before the measured records are produced (start-up, gazetteer loading, "
                   "first look-ups excluded; every counted instruction is the measured records'); "
                   "a stage's column is the inclusive count of its "
                   "`Process`. Instruction counts are the same on every run of the same binary and "
                   "input, where CPU seconds on this shared machine vary by ±20%.\n")

    def tput(r):
        return r and r.get("throughput", {}).get("articles_per_s")

    def cpu(r):
        return r and r.get("throughput", {}).get("cpu_s_per_1000")
    ratios = {
        "cpu_ratio_vs_peer": cpu(peer) / cpu(ce) if cpu(peer) and cpu(ce) else None,
        "chain_vs_passthrough": tput(ce) / tput(pe) if tput(ce) and tput(pe) else None,
        "eos_vs_alos": tput(ce) / tput(ca) if tput(ce) and tput(ca) else None,
        "p99_ms": ce and ce.get("latency", {}).get("append_ms", {}).get("99"),
        "peak_rss_mb": max([x for r in (ce, ca) if r for x in (r.get("throughput", {}).get("peak_rss_mb"),
                            r.get("latency", {}).get("latency_peak_rss_mb")) if x] or [0]) or None,
    }
    f1 = meta.get("f1", {})
    out.append("## Goals (ratios from this run)\n")
    out.append("| goal | target | this run | met |")
    out.append("|---|---|---:|---|")

    def row(name, target, value, ok, digits=2):
        out.append(f"| {name} | {target} | {fmt(value, digits)} | "
                   f"{'–' if value is None else ('yes' if ok else 'no')} |")
    r = ratios
    row("peer CPU ÷ newsd CPU per article", "≥ 300", r["cpu_ratio_vs_peer"],
        r["cpu_ratio_vs_peer"] and r["cpu_ratio_vs_peer"] >= 300, 0)
    row("full chain ÷ passthrough throughput", "≥ 0.5", r["chain_vs_passthrough"],
        r["chain_vs_passthrough"] and r["chain_vs_passthrough"] >= 0.5)
    row("exactly-once ÷ at-least-once throughput", "≥ 0.95", r["eos_vs_alos"],
        r["eos_vs_alos"] and r["eos_vs_alos"] >= 0.95)
    pa = runs.get("passthrough-alos")
    out.append(f"| (noise-robust view) passthrough CPU ÷ full chain CPU per article | – | "
               f"{fmt(cpu(pe) / cpu(ce) if cpu(pe) and cpu(ce) else None, 2)} | info |")
    out.append(f"| (noise-robust view) at-least-once CPU ÷ exactly-once CPU per article | – | "
               f"{fmt(cpu(ca) / cpu(ce) if cpu(ca) and cpu(ce) else None, 2)} | info |")
    ipa = {k: (v or {}).get("instructions_per_article") for k, v in cg.items()}
    if ipa.get("passthrough-alos") and ipa.get("chain-alos"):
        out.append(f"| (repeatable view) passthrough ÷ full chain instructions per article "
                   f"(callgrind) | – | {fmt(ipa['passthrough-alos'] / ipa['chain-alos'], 2)} | info |")
    row("p99 latency at 50% of max (ms)", "≤ 50", r["p99_ms"], r["p99_ms"] is not None and r["p99_ms"] <= 50, 0)
    row("peak RSS, all gazetteers (MB)", "≤ 300", r["peak_rss_mb"], r["peak_rss_mb"] and r["peak_rss_mb"] <= 300, 0)
    if srss:
        row(f"RSS over the {soak['latency']['seconds'] / 60:.0f}-min soak: max deviation after "
            "warm-up (%)", "≤ 5", srss["max_dev_pct"], srss["max_dev_pct"] <= 5, 1)
    else:
        out.append("| RSS flat over a 30-min soak | ±5% | not run | – |")
    if f1.get("newsd") is not None and f1.get("spacy") is not None:
        out.append(f"| entity F1 on GUM gold: newsd vs spaCy sm | newsd ≥ spaCy | "
                   f"{f1['newsd']:.3f} vs {f1['spacy']:.3f} | "
                   f"{'yes' if f1['newsd'] >= f1['spacy'] else 'no'} |")
        out.append(f"\nEntity F1 (GUM Wikinews gold, named mentions, overlap; bench/eval_entities "
                   f"scoring): newsd {f1['newsd']:.3f}, spaCy en_core_web_sm 3.8 "
                   f"{f1['spacy']:.3f}. Without pronouns: newsd {fmt(f1.get('newsd_np'), 3)}, spaCy "
                   f"{fmt(f1.get('spacy_np'), 3)}. Exact spans: newsd {fmt(f1.get('newsd_exact'), 3)}, "
                   f"spaCy {fmt(f1.get('spacy_exact'), 3)}.\n")

    cb = load(os.path.join(d, "chain_bench.json"))
    if cb:
        out.append("## In-process, per stage (bench/chain_bench, one thread unless noted)\n")
        out.append("| benchmark | µs / article (Large: per document) | MB/s (raw input) |")
        out.append("|---|---:|---:|")
        for b in cb.get("benchmarks", []):
            if b.get("run_type") == "aggregate":
                continue
            # Google Benchmark reports real_time in its time_unit (ns unless set).
            us = b["real_time"] * {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[b.get("time_unit", "ns")]
            out.append(f"| {b['name']} | {us:,.1f} | {b.get('bytes_per_second', 0) / 1e6:,.1f} |")
        out.append("")
    out.append("Reproduce: `bash bench/run-all.sh` (`--quick` for a small run).\n")
    line = "newsd-bench: " + " ".join(
        f"{k}={'NA' if v is None else (f'{v:.0f}' if k in ('cpu_ratio_vs_peer', 'peak_rss_mb') else (f'{v:.0f}' if k == 'p99_ms' else f'{v:.2f}'))}"
        for k, v in ratios.items())
    out.append("```\n" + line + "\n```\n")
    with open(os.path.join(d, "RESULTS.md"), "w") as f:
        f.write("\n".join(out))

    # Plot: throughput per mode (log scale) and latency CDFs.
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4.5))
    labels, values = [], []
    for stem, label in MODES:
        if runs[stem] and tput(runs[stem]):
            labels.append(stem)
            values.append(tput(runs[stem]))
    ax1.barh(labels, values, color=["#1f77b4" if not s.startswith("peer") else "#d62728" for s in labels])
    ax1.set_xscale("log")
    ax1.set_xlabel("articles/s (max sustained, log scale)")
    ax1.set_title("Throughput per mode")
    for i, v in enumerate(values):
        ax1.text(v, i, f" {v:,.0f}", va="center", fontsize=8)
    for stem, _ in MODES:
        r = runs[stem]
        xs = r and r.get("latency", {}).get("append_samples")
        if xs:
            ys = [(i + 1) / len(xs) for i in range(len(xs))]
            ax2.plot(xs, ys, label=f"{stem} @{r['latency']['rate']:.0f}/s")
    ax2.set_xscale("log")
    ax2.set_xlabel("latency ms (input timestamp → output append), log scale")
    ax2.set_ylabel("fraction")
    ax2.set_title("Latency CDF at 50% of max rate")
    ax2.axvline(50, color="grey", ls=":", lw=1)
    ax2.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(os.path.join(d, "bench.png"), dpi=80)
    print(line)


if __name__ == "__main__":
    main()
