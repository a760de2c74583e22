"""Runs a real `newsd run --brokers embedded` for the deploy tests and feeds it.

The daemon prints `embedded bootstrap=HOST:PORT` on stdout and, in JSON log format,
`metrics on http://.../metrics (port N)` on stderr; `newsd produce` feeds it.
Environment: NEWSD_BINARY (the newsd executable), NEWSD_SOURCE_DIR, NEWSD_CORPUS_DIR.
"""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request

NEWSD = os.environ.get("NEWSD_BINARY", "newsd")
SOURCE_DIR = os.environ.get("NEWSD_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
CORPUS_DIR = os.environ.get("NEWSD_CORPUS_DIR", os.path.join(SOURCE_DIR, "..", "shared", "corpus"))
REUTERS = os.path.join(CORPUS_DIR, "reuters21578", "original", "reut2-000.sgm.gz")
SEED = os.path.join(CORPUS_DIR, "seed", "lavrov-syria-2013.txt")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=60, interval=0.2, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode("utf-8")


def parse_metrics(text):
    """{sample name: [(labels dict, value)]} of a Prometheus text exposition."""
    out = {}
    line_re = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = line_re.match(line)
        if not m:
            continue
        labels = dict(re.findall(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"', m.group(3) or ""))
        out.setdefault(m.group(1), []).append((labels, float(m.group(4))))
    return out


def metric_sum(samples, name, **labels):
    return sum(v for l, v in samples.get(name, []) if all(l.get(k) == x for k, x in labels.items()))


class Newsd:
    """`newsd run` on an embedded cluster; use as a context manager."""

    def __init__(self, extra_args=(), log_level="info"):
        self.tmp = tempfile.TemporaryDirectory(prefix="newsd-deploy-test-")
        self.stderr_path = os.path.join(self.tmp.name, "newsd.log")
        self.args = [NEWSD, "run", "--brokers", "embedded", "--metrics-address", "127.0.0.1:0",
                     "--log-format", "json", "--log-level", log_level, *extra_args]

    def __enter__(self):
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"embedded bootstrap=(\S+)", line)
        if not m:
            self.__exit__(None, None, None)
            raise AssertionError(f"newsd did not print its bootstrap: {line!r}; log: {self.log_text()}")
        self.bootstrap = m.group(1)
        self.port = int(wait_for(lambda: (re.findall(r"\(port (\d+)\)", self.log_text()) or [None])[0],
                                 timeout=30, what="the metrics port in the log"))
        wait_for(self.ready, timeout=60, what="/readyz")
        # Ready means connected, not assigned: wait for the consumer group too, so
        # what the tests feed is consumed at once.
        wait_for(lambda: metric_sum(self.samples(), "newsd_assigned_partitions") > 0,
                 timeout=60, what="a partition assignment (newsd_assigned_partitions)")
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()
        self.stderr.close()
        self.tmp.cleanup()

    def log_text(self):
        with open(self.stderr_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def log_lines(self):
        return [json.loads(l) for l in self.log_text().splitlines() if l.strip()]

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def ready(self):
        try:
            return http_get(self.url("/readyz")).startswith("ready")
        except Exception:
            return False

    def scrape(self):
        return http_get(self.url("/metrics"))

    def samples(self):
        return parse_metrics(self.scrape())

    def produce(self, files, limit=0, published_at=None, topic="news.raw", headers=(), key=None):
        args = [NEWSD, "produce", "--brokers", self.bootstrap, "--topic", topic]
        if limit:
            args += ["--limit", str(limit)]
        if published_at:
            args += ["--published-at", published_at]
        if headers:
            args += ["--header", ",".join(headers)]
        if key is not None:
            args += ["--key", key]
        out = subprocess.run(args + list(files), check=True, capture_output=True, text=True)
        return int(re.search(r"produced (\d+) messages", out.stdout).group(1))

    def feed_standard_traffic(self, stories=30):
        """Seed + `stories` Reuters stories + one binary (invalid) message; waits until all are
        accounted for (events + dead letters). Returns the number of inputs."""
        garbage = os.path.join(self.tmp.name, "garbage.bin")
        with open(garbage, "wb") as f:  # decode rejects it: "binary content: N of the first M bytes are control characters"
            f.write(bytes(range(256)) * 4)
        n = self.produce([SEED], published_at="2013-09-12T12:00:00Z")
        n += self.produce([REUTERS], limit=stories)
        n += self.produce([garbage])

        def done():
            s = self.samples()
            consumed = metric_sum(s, "newsd_messages_consumed_total")
            dead = metric_sum(s, "newsd_dead_letters_total")
            published = metric_sum(s, "newsd_events_published_total")
            return consumed >= n and dead >= 1 and published >= 1 and published + dead >= n
        wait_for(done, timeout=120, what=f"{n} inputs consumed and published")
        return n
