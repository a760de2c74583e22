#!/usr/bin/env python3
"""End-to-end load tool for newsd and its peers on a real Kafka broker.

One scenario = one target process (the `newsd run` daemon with a generated config,
or a peer command) on fresh topics, in two phases:

  throughput  N Reuters-21578 records (reut2-*.sgm.gz, replayed as needed) are
              produced into the input topic first; then the target is started and
              drains the backlog as fast as it can. Reported over the 10%..90%
              window of the outputs (startup and tail excluded): articles/s, and the
              target's own CPU seconds per 1,000 articles (utime+stime of
              /proc/<pid>/stat, all its threads). Peak RSS = VmHWM of
              /proc/<pid>/status at the end.
  latency     a new target instance on new topics; records are produced at a fixed
              rate (default 50% of the throughput phase's rate) for D seconds while
              a read_committed consumer reads the output. Per output: latency from
              the input's Kafka timestamp (CreateTime set by our producer) to
                append   the output's LogAppendTime (the output topic is created
                         with message.timestamp.type=LogAppendTime), and
                visible  the time our read_committed consumer received it (for
                         exactly-once this includes the transaction commit).
              The input timestamp is read from the output: ArticleEvent.article.source
              .timestamp for newsd (protobuf, parsed here without generated code),
              "source_ts_ms" in the peer's JSON events.

Progress is read from newsd's /metrics (events published + dead letters) or, for a
peer, from the output topic's high watermarks (the peer is not transactional).

  e2e.py --brokers 127.0.0.1:19692 --target newsd --newsd build/newsd --stages chain \
         --delivery eos --n 20000 --latency-seconds 30 --json out.json
  e2e.py --brokers ... --target peer --peer-cmd "VENV/bin/python bench/peers/spacy_peer.py" ...

Needs python3-confluent-kafka (Debian). Prints a JSON summary (and writes --json).
"""
import argparse
import glob
import gzip
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from confluent_kafka import Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

CLK_TCK = os.sysconf("SC_CLK_TCK")
HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
DEFAULT_CORPUS = os.path.join(os.path.dirname(SOURCE_DIR), "shared", "corpus")

CHAINS = {
    "chain": None,  # newsd's built-in default chain (no `stages` in the config)
    "chain6": ["decode", "segment", "language", "entities", "quotes", "times"],
    "passthrough": ["decode"],
}


def log(*a):
    print("e2e:", *a, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- corpus

def reuters_records(corpus, limit=None):
    """Raw <REUTERS>...</REUTERS> records (bytes) of reut2-*.sgm.gz, in file order."""
    out = []
    files = sorted(glob.glob(os.path.join(corpus, "reuters21578", "original", "reut2-*.sgm.gz")))
    if not files:
        sys.exit(f"e2e: no reut2-*.sgm.gz under {corpus}/reuters21578/original")
    for f in files:
        data = gzip.open(f, "rb").read()
        out.extend(m.group(0) for m in re.finditer(rb"<REUTERS.*?</REUTERS>", data, re.S))
        if limit and len(out) >= limit:
            break
    return out


def replay(records, n):
    return [records[i % len(records)] for i in range(n)]


# ---------------------------------------------------------------- /proc

def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime
    except (OSError, IndexError):
        return None


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


# ---------------------------------------------------------------- protobuf (no generated code)

def _varint(b, i):
    n = shift = 0
    while True:
        c = b[i]
        i += 1
        n |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return n, i


def _field(b, want):
    """Bytes of the last length-delimited field `want` of message `b` (or None)."""
    i, found = 0, None
    while i < len(b):
        key, i = _varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            _, i = _varint(b, i)
        elif wt == 1:
            i += 8
        elif wt == 5:
            i += 4
        elif wt == 2:
            ln, i = _varint(b, i)
            if num == want:
                found = b[i:i + ln]
            i += ln
        else:
            return found
    return found


def _strip_schema_registry_frame(v):
    if not v or v[0] != 0:
        return v
    i, n, shift, count = 5, 0, 0, None
    while count is None or count > 0:
        c = v[i]
        i += 1
        n |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            count = (n >> 1) if count is None else count - 1
            n = shift = 0
    return v[i:]


def _timestamp_ms(ts):
    """google.protobuf.Timestamp bytes → ms since the epoch."""
    secs = nanos = 0
    i = 0
    while i < len(ts):
        key, i = _varint(ts, i)
        v, i = _varint(ts, i)
        if key >> 3 == 1:
            secs = v
        elif key >> 3 == 2:
            nanos = v
    return secs * 1000 + nanos / 1e6


def newsd_timestamps_ms(value):
    """(ArticleEvent.article(1).source(2).timestamp(4), ArticleEvent.processed_at(4)) in
    ms; either is None when absent or unparseable."""
    try:
        event = _strip_schema_registry_frame(value)
        article = _field(event, 1)
        source = _field(article, 2) if article is not None else None
        ts = _field(source, 4) if source is not None else None
        processed = _field(event, 4)
        return (_timestamp_ms(ts) if ts is not None else None,
                _timestamp_ms(processed) if processed is not None else None)
    except (IndexError, ValueError):
        return None, None


def peer_timestamps_ms(value):
    """(source_ts_ms, None): the peer's JSON events carry no processing time."""
    try:
        return float(json.loads(value)["source_ts_ms"]), None
    except (ValueError, KeyError, TypeError):
        return None, None


# ---------------------------------------------------------------- kafka helpers

def create_topics(brokers, names, partitions, log_append=()):
    admin = AdminClient({"bootstrap.servers": brokers})
    topics = [NewTopic(t, num_partitions=partitions, replication_factor=1,
                       config={"message.timestamp.type": "LogAppendTime"} if t in log_append else {})
              for t in names]
    for t, fut in admin.create_topics(topics, operation_timeout=30).items():
        fut.result()


def delete_topics(brokers, names):
    admin = AdminClient({"bootstrap.servers": brokers})
    try:
        for _, fut in admin.delete_topics(list(names), operation_timeout=30).items():
            try:
                fut.result()
            except Exception:  # noqa: BLE001 - best effort cleanup
                pass
    except Exception:  # noqa: BLE001
        pass


def make_producer(brokers):
    return Producer({"bootstrap.servers": brokers, "linger.ms": 5, "enable.idempotence": True,
                     "queue.buffering.max.messages": 1000000,
                     "queue.buffering.max.kbytes": 1048576})


def produce_all(brokers, topic, values):
    p = make_producer(brokers)
    errors = []

    def cb(err, _msg):
        if err is not None:
            errors.append(err)
    for v in values:
        while True:
            try:
                p.produce(topic, v, on_delivery=cb)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
    p.flush(120)
    if errors:
        sys.exit(f"e2e: produce failed: {errors[0]}")


class Watermarks:
    """Sum of high watermarks of a topic's partitions (cheap progress for a peer)."""

    def __init__(self, brokers, topic, partitions):
        self.c = Consumer({"bootstrap.servers": brokers, "group.id": "e2e-watermarks",
                           "enable.auto.commit": False})
        self.tps = [TopicPartition(topic, p) for p in range(partitions)]

    def count(self):
        total = 0
        for tp in self.tps:
            _, high = self.c.get_watermark_offsets(tp, timeout=5, cached=False)
            total += max(high, 0)
        return total

    def close(self):
        self.c.close()


def metrics_samples(url):
    """(name with labels, value) of each sample in newsd's /metrics; [] when unreachable."""
    try:
        text = urllib.request.urlopen(url, timeout=2).read().decode()
    except OSError:
        return []
    return [(name, float(value)) for name, _, value in
            (line.rpartition(" ") for line in text.splitlines() if line and line[0] != "#")]


def metrics_count(url):
    """newsd events published + dead letters, from /metrics."""
    samples = metrics_samples(url)
    if not samples:
        return None
    return int(sum(v for name, v in samples if name.startswith(
        ("newsd_events_published_total", "newsd_dead_letters_total"))))


def metrics_values(url, names):
    """{name: value} of the unlabelled samples `names` in newsd's /metrics (absent: missing)."""
    return {name: v for name, v in metrics_samples(url) if name in names}


def http_ok(url):
    try:
        return urllib.request.urlopen(url, timeout=2).status == 200
    except OSError:
        return False


# ---------------------------------------------------------------- targets

class Target:
    def __init__(self, args, run_id, topics):
        self.args = args
        self.run_id = run_id
        self.in_topic, self.out_topic, self.dlq_topic = topics
        self.proc = None
        self.log_path = os.path.join(args.workdir, f"{run_id}.log")
        self.metrics_url = None
        self.watermarks = None

    def start(self):
        a = self.args
        if a.target == "newsd":
            port = a.metrics_port
            self.metrics_url = f"http://127.0.0.1:{port}"
            cfg = os.path.join(a.workdir, f"{self.run_id}.textproto")
            stages = "\n".join(f'stages {{ name: "{s}" }}' for s in CHAINS[a.stages] or [])
            delivery = "EXACTLY_ONCE" if a.delivery == "eos" else "AT_LEAST_ONCE"
            extra = "\n".join(
                f'  producer_properties {{ key: "{k}" value: "{v}" }}'
                for k, _, v in (p.partition("=") for p in a.producer_property))
            with open(cfg, "w") as f:
                f.write(f"""kafka {{
  brokers: "{a.brokers}"
  group_id: "{self.run_id}"
  {f'transactional_id: "{self.run_id}-txn"' if a.delivery == "eos" else ""}
  input_topics: "{self.in_topic}"
  output_topic: "{self.out_topic}"
  dead_letter_topic: "{self.dlq_topic}"
  consumer_properties {{ key: "fetch.max.bytes" value: "52428800" }}
  producer_properties {{ key: "linger.ms" value: "{a.linger_ms}" }}
{extra}
}}
delivery: {delivery}
metrics_address: "127.0.0.1:{port}"
{stages}
worker_threads: {a.worker_threads}
commit_interval_ms: {a.commit_interval_ms}
""")
            cmd = [a.newsd, "run", "--config", cfg, "--log_format", "json"]
            if a.callgrind_out:
                # --fair-sched: valgrind runs one thread at a time; without it the
                # /metrics thread can starve while the workers run.
                cmd = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={a.callgrind_out}",
                       "--dump-instr=no", "--collect-atstart=yes", "--fair-sched=yes"] + cmd
        else:
            cmd = shlex.split(a.peer_cmd) + ["--brokers", a.brokers, "--input", self.in_topic,
                                             "--output", self.out_topic, "--group", self.run_id]
            self.watermarks = Watermarks(a.brokers, self.out_topic, a.partitions)
        self.logf = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.logf, stderr=subprocess.STDOUT)
        self.t_start = time.monotonic()

    def count(self):
        if self.metrics_url:
            return metrics_count(self.metrics_url + "/metrics")
        return self.watermarks.count()

    def wait_ready(self, timeout=60):
        """newsd: /readyz 200 and a partition assigned (ready alone means connected).
        Peer: its log says 'ready'."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"e2e: target exited with {self.proc.returncode}; see {self.log_path}")
            if self.metrics_url:
                if http_ok(self.metrics_url + "/readyz") and any(
                        name == "newsd_assigned_partitions" and v > 0
                        for name, v in metrics_samples(self.metrics_url + "/metrics")):
                    return
            else:
                with open(self.log_path) as f:
                    if "ready" in f.read():
                        return
            time.sleep(0.1)
        sys.exit(f"e2e: target not ready after {timeout}s; see {self.log_path}")

    def stop(self):
        pid = self.proc.pid
        rss_peak = status_kb(pid, "VmHWM")
        rss_now = status_kb(pid, "VmRSS")
        cpu = cpu_seconds(pid)
        txn = {}
        if self.metrics_url:
            m = metrics_values(self.metrics_url + "/metrics",
                               ("newsd_transaction_commit_seconds_sum",
                                "newsd_transaction_commit_seconds_count"))
            if m.get("newsd_transaction_commit_seconds_count"):
                txn = {"transactions": int(m["newsd_transaction_commit_seconds_count"]),
                       "txn_commit_ms_mean": 1000 * m["newsd_transaction_commit_seconds_sum"]
                       / m["newsd_transaction_commit_seconds_count"]}
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(600 if self.args.callgrind_out else 60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.logf.close()
        if self.watermarks:
            self.watermarks.close()
        return {"peak_rss_mb": rss_peak / 1024 if rss_peak else None,
                "rss_end_mb": rss_now / 1024 if rss_now else None, "cpu_total_s": cpu, **txn}


# ---------------------------------------------------------------- phases

def throughput_phase(args, records):
    run_id = f"{args.name}-tp-{int(time.time() * 1000)}"
    topics = (f"{run_id}.in", f"{run_id}.out", f"{run_id}.dlq")
    create_topics(args.brokers, topics, args.partitions, log_append=(topics[1],))
    values = replay(records, args.n)
    # Under callgrind: a separate warm-up (start-up, gazetteer loading, lazily
    # compiled regexes and first look-ups), fully processed before the counters are
    # zeroed and the measured records are produced, so that every counted
    # instruction belongs to the measured records (zeroing in the middle of a
    # backlog also counted outputs whose work was done before the zero). Its
    # records come from the end of the corpus: the measured ones are no
    # duplicates of them for the story stage.
    warm_values = replay(records[::-1], args.callgrind_warmup) if args.callgrind_out else []
    base = len(warm_values)  # outputs before the measured records
    t0 = time.monotonic()
    produce_all(args.brokers, topics[0], warm_values if args.callgrind_out else values)
    log(f"{args.name}: produced {base or len(values)} records in {time.monotonic() - t0:.1f}s; "
        "starting target")
    target = Target(args, run_id, topics)
    target.start()
    pid = target.proc.pid
    if args.callgrind_out:
        target.wait_ready(args.timeout)
        deadline = time.monotonic() + args.timeout
        while (target.count() or 0) < base:
            if target.proc.poll() is not None:
                sys.exit(f"e2e: target exited with {target.proc.returncode}; see {target.log_path}")
            if time.monotonic() > deadline:
                sys.exit(f"e2e: {args.name}: warm-up not processed after {args.timeout}s; "
                         f"see {target.log_path}")
            time.sleep(0.2)
        subprocess.run(["callgrind_control", "-z", str(pid)], check=True,
                       stdout=subprocess.DEVNULL)
        produce_all(args.brokers, topics[0], values)
        log(f"{args.name}: warm-up of {base} out, counters zeroed, produced {len(values)} records")
    samples = []  # (t, cpu, count)
    deadline = time.monotonic() + args.timeout
    last_log = 0
    while time.monotonic() < deadline:
        if target.proc.poll() is not None:
            sys.exit(f"e2e: target exited with {target.proc.returncode}; see {target.log_path}")
        c = target.count()
        t, cpu = time.monotonic(), cpu_seconds(pid)
        if c is not None and cpu is not None:
            samples.append((t, cpu, c))
            if c >= base + args.n:
                break
            if t - last_log > 10:
                log(f"{args.name}: {c - base}/{args.n} after {t - target.t_start:.0f}s")
                last_log = t
        time.sleep(args.sample_interval)
    res = target.stop()
    delete_topics(args.brokers, topics) if not args.keep_topics else None
    done = samples[-1][2] - base if samples else 0
    if args.callgrind_out:
        with open(args.callgrind_out) as f:
            total = next(int(line.split()[1]) for line in f if line.startswith("totals:"))
        res["callgrind"] = {"instructions": total, "articles": done,
                            "warmup_articles": base,
                            "instructions_per_article": total / max(1, done),
                            "file": args.callgrind_out}
    if done < args.n:
        sys.exit(f"e2e: {args.name}: only {done}/{args.n} outputs after {args.timeout}s; see {target.log_path}")

    def first_at(k):
        return next(s for s in samples if s[2] - base >= k)
    lo, hi = first_at(int(args.n * 0.1)), first_at(int(args.n * 0.9))
    if hi[2] == lo[2]:
        lo, hi = samples[0], samples[-1]
    dt, dc = hi[0] - lo[0], hi[2] - lo[2]
    dcpu = hi[1] - lo[1]
    first_out = next(s for s in samples if s[2] > base)
    return {
        "n": args.n,
        "articles_per_s": dc / dt if dt > 0 else None,
        "cpu_s_per_1000": dcpu / dc * 1000 if dc else None,
        "window_articles": dc, "window_s": dt, "window_cpu_s": dcpu,
        "startup_s": first_out[0] - target.t_start,
        "startup_cpu_s": first_out[1],
        "wall_s": samples[-1][0] - target.t_start,
        **res,
    }


def rss_summary(timeline):
    """RSS flatness over a fixed-rate run: the first 10% of the run is warm-up (caches,
    allocator arenas, producer buffers fill); over the rest, the spread of VmRSS around
    its value at the 10% mark, in percent."""
    if len(timeline) < 10:
        return None
    ref = timeline[len(timeline) // 10][1]
    rest = [mb for _, mb in timeline[len(timeline) // 10:]]
    return {"at_10pct_mb": ref, "end_mb": timeline[-1][1], "min_mb": min(rest),
            "max_mb": max(rest), "end_vs_10pct_pct": 100 * (timeline[-1][1] - ref) / ref,
            "max_dev_pct": 100 * max(abs(mb - ref) for mb in rest) / ref}


def latency_phase(args, records, rate):
    run_id = f"{args.name}-lat-{int(time.time() * 1000)}"
    topics = (f"{run_id}.in", f"{run_id}.out", f"{run_id}.dlq")
    create_topics(args.brokers, topics, args.partitions, log_append=(topics[1],))
    target = Target(args, run_id, topics)
    target.start()
    target.wait_ready(args.timeout)
    consumer = Consumer({"bootstrap.servers": args.brokers, "group.id": f"{run_id}-reader",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False,
                         "isolation.level": "read_committed", "fetch.wait.max.ms": 10})
    consumer.subscribe([topics[1]])
    producer = make_producer(args.brokers)
    ts_of = newsd_timestamps_ms if args.target == "newsd" else peer_timestamps_ms
    append_lat, visible_lat = [], []
    processed_lat, publish_lat = [], []  # input → processed_at, processed_at → append
    timeline = {}  # second since start of measurement → append latencies
    received = 0

    def drain(timeout):
        nonlocal received
        for m in consumer.consume(1000, timeout):
            if m.error():
                continue
            now_ms = time.time() * 1000
            src, processed = ts_of(m.value())
            received += 1
            if src is None or src < measure_from_ms:
                continue
            _, out_ts = m.timestamp()
            append_lat.append(out_ts - src)
            if processed is not None:
                processed_lat.append(processed - src)
                publish_lat.append(out_ts - processed)
            visible_lat.append(now_ms - src)
            sec = int((src - measure_from_ms) // 1000)
            timeline.setdefault(sec, []).append(out_ts - src)

    # Warm-up: a few records, wait until they come out (assignment, first transaction).
    measure_from_ms = float("inf")
    warm = min(50, len(records))
    for v in records[:warm]:
        producer.produce(topics[0], v)
    producer.flush(30)
    deadline = time.monotonic() + args.timeout
    while (target.count() or 0) < warm and time.monotonic() < deadline:
        drain(0.2)
    # Then --warmup-seconds at the target rate, not measured (first transactions,
    # caches, producer batching settle), then --latency-seconds measured.
    total = int(rate * args.latency_seconds)
    warm_paced = int(rate * args.warmup_seconds)
    values = replay(records, warm_paced + total)
    log(f"{args.name}: latency phase: {total} records at {rate:.0f}/s after {warm_paced} warm-up")
    t0 = time.monotonic()
    sent = 0
    cpu0 = None
    rss_timeline = []  # [seconds since measuring began, VmRSS MB], one per second
    next_rss = 0.0
    while sent < warm_paced + total:
        if cpu0 is not None and time.monotonic() - t_measure >= next_rss:
            kb = status_kb(target.proc.pid, "VmRSS")
            if kb:
                rss_timeline.append([round(time.monotonic() - t_measure, 1), round(kb / 1024, 1)])
            next_rss += 1.0
        due = min(warm_paced + total, int((time.monotonic() - t0) * rate) + 1)
        while sent < due:
            if sent == warm_paced:
                measure_from_ms = time.time() * 1000
                cpu0 = cpu_seconds(target.proc.pid)
                t_measure = time.monotonic()
            try:
                producer.produce(topics[0], values[sent])
                sent += 1
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
        drain(0.002)
    producer.flush(30)
    produce_s = time.monotonic() - t_measure
    warm += warm_paced
    # Done when the target has handled every record (events + dead letters), and the
    # read_committed consumer has seen the last committed outputs (1 s without any).
    deadline = time.monotonic() + args.timeout
    while (target.count() or 0) < warm + total and time.monotonic() < deadline:
        drain(0.1)
    cpu1 = cpu_seconds(target.proc.pid)
    idle_since = time.monotonic()
    while time.monotonic() - idle_since < 1.0 and time.monotonic() < deadline:
        before = received
        drain(0.1)
        if received != before:
            idle_since = time.monotonic()
    consumer.close()
    res = target.stop()
    delete_topics(args.brokers, topics) if not args.keep_topics else None

    def pct(xs, p):
        if not xs:
            return None
        xs = sorted(xs)
        return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]
    return {
        "rate": rate, "seconds": args.latency_seconds, "produced": total,
        "achieved_rate": total / produce_s, "measured": len(append_lat),
        "append_ms": {p: pct(append_lat, float(p)) for p in ("50", "99", "99.9")},
        "visible_ms": {p: pct(visible_lat, float(p)) for p in ("50", "99", "99.9")},
        # where the append latency goes (newsd): input timestamp → the chain finished
        # (consume, queue, stages), and the chain finished → LogAppendTime (publish)
        "processed_ms": {p: pct(processed_lat, float(p)) for p in ("50", "99", "99.9")},
        "publish_ms": {p: pct(publish_lat, float(p)) for p in ("50", "99", "99.9")},
        "cpu_s_per_1000": (cpu1 - cpu0) / total * 1000 if total else None,
        "rss": rss_summary(rss_timeline),
        "rss_timeline": rss_timeline,
        # per second of input: [second, count, p50, max] of the append latency
        "timeline": [[k, len(v), pct(v, 50), max(v)] for k, v in sorted(timeline.items())],
        "append_samples": sorted(append_lat)[:: max(1, len(append_lat) // 2000)],
        "visible_samples": sorted(visible_lat)[:: max(1, len(visible_lat) // 2000)],
        **{"latency_" + k: v for k, v in res.items()},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--brokers", required=True)
    ap.add_argument("--name", required=True, help="scenario name (topic prefix, report key)")
    ap.add_argument("--target", choices=["newsd", "peer"], default="newsd")
    ap.add_argument("--newsd", default=os.path.join(SOURCE_DIR, "build", "newsd"))
    ap.add_argument("--peer-cmd", default="")
    ap.add_argument("--stages", choices=sorted(CHAINS), default="chain")
    ap.add_argument("--delivery", choices=["eos", "alos"], default="eos")
    ap.add_argument("--commit-interval-ms", type=int, default=100)
    ap.add_argument("--linger-ms", type=int, default=5)
    ap.add_argument("--producer-property", action="append", default=[], metavar="KEY=VALUE",
                    help="newsd: extra librdkafka producer property (repeatable)")
    ap.add_argument("--worker-threads", type=int, default=0)
    ap.add_argument("--partitions", type=int, default=3)
    ap.add_argument("--corpus", default=os.environ.get("NEWSD_CORPUS_DIR", DEFAULT_CORPUS))
    ap.add_argument("--n", type=int, default=20000, help="throughput phase: records")
    ap.add_argument("--rate", default="half", help="latency phase: records/s, or 'half' of measured max")
    ap.add_argument("--latency-seconds", type=float, default=30, help="0 = skip the latency phase")
    ap.add_argument("--warmup-seconds", type=float, default=3,
                    help="latency phase: seconds at the target rate before measuring")
    ap.add_argument("--metrics-port", type=int, default=19780)
    ap.add_argument("--sample-interval", type=float, default=0.1)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--workdir", default=tempfile.gettempdir())
    ap.add_argument("--keep-topics", action="store_true")
    ap.add_argument("--callgrind-out", metavar="FILE",
                    help="throughput phase under valgrind --tool=callgrind (counters zeroed after "
                         "a separate warm-up): instructions per article, repeatable on a noisy "
                         "machine")
    ap.add_argument("--callgrind-warmup", type=int, default=500,
                    help="records processed (from the corpus end) before callgrind's counters "
                         "are zeroed and the --n measured records are produced")
    ap.add_argument("--json", help="write the summary here")
    args = ap.parse_args()
    # Refuse bad arguments before producing anything or starting a target.
    if args.n < 0 or args.latency_seconds < 0 or args.warmup_seconds < 0 or args.partitions < 1:
        ap.error("--n, --latency-seconds and --warmup-seconds must be >= 0, --partitions >= 1")
    if args.rate != "half":
        try:
            if float(args.rate) <= 0:
                raise ValueError
        except ValueError:
            ap.error(f"--rate: a positive number of records/s or 'half', not {args.rate!r}")
    elif args.latency_seconds > 0 and args.n == 0:
        ap.error("--rate half needs the throughput phase (--n > 0); give --rate N instead")
    if args.n == 0 and args.latency_seconds == 0:
        ap.error("nothing to measure: --n and --latency-seconds are both 0")
    if args.callgrind_out and (args.n == 0 or args.callgrind_warmup < 1):
        ap.error("--callgrind-out needs --n > 0 and --callgrind-warmup >= 1")
    if args.target == "newsd" and not os.access(args.newsd, os.X_OK):
        ap.error(f"--newsd: {args.newsd} is not an executable file (build it first)")
    os.makedirs(args.workdir, exist_ok=True)
    records = reuters_records(args.corpus)
    result = {"name": args.name, "target": args.target, "stages": args.stages,
              "delivery": args.delivery if args.target == "newsd" else "alos (peer: commit after flush)",
              "commit_interval_ms": args.commit_interval_ms, "distinct_records": len(records)}
    if args.n > 0:
        result["throughput"] = throughput_phase(args, records)
        log(f"{args.name}: {json.dumps(result['throughput'])}")
    if args.latency_seconds > 0:
        if args.rate == "half":
            rate = 0.5 * result["throughput"]["articles_per_s"]
        else:
            rate = float(args.rate)
        result["latency"] = latency_phase(args, records, rate)
        lat = result["latency"]
        log(f"{args.name}: latency at {rate:.0f}/s: append {lat['append_ms']} visible {lat['visible_ms']}"
            f" processed {lat['processed_ms']} publish {lat['publish_ms']}"
            f" rss {lat['rss']} txn_commit_ms_mean {lat.get('latency_txn_commit_ms_mean')}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
    summary = {k: v for k, v in result.items()}
    if "latency" in summary:
        summary["latency"] = {k: v for k, v in summary["latency"].items()
                              if not k.endswith("_samples") and k != "rss_timeline"}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
