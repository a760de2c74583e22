"""deploy/examples/consume_events.py decodes real events with the generated Python
classes (protoc --python_out of proto/) from a running newsd, both plain and in the
Confluent Schema Registry wire format, and reports retraction tombstones and dead
letters instead of parsing them as events."""
import glob
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import newsd_harness as h  # noqa: E402

EXAMPLE = os.path.join(h.SOURCE_DIR, "deploy", "examples", "consume_events.py")
PYTHON = os.environ.get("NEWSD_PYTHON", "/usr/bin/python3")


class ConsumeEventsExampleTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="newsd-py-")
        proto = os.path.join(h.SOURCE_DIR, "proto")
        subprocess.run(["protoc", "-I", proto, f"--python_out={cls.tmp.name}",
                        *glob.glob(os.path.join(proto, "newsd", "v1", "*.proto"))], check=True)
        cls.env = dict(os.environ, PYTHONPATH=cls.tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_reads_the_seed_and_reuters_events(self):
        with h.Newsd() as newsd:
            n = newsd.feed_standard_traffic(stories=5)
            out = subprocess.run([PYTHON, EXAMPLE, newsd.bootstrap, "news.events", str(n - 1)],
                                 env=self.env, capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertEqual(len(lines), n - 1, out.stdout)
        self.assertTrue(any(l.startswith("reuters21578-1 en ") for l in lines), out.stdout)
        seed = [l for l in lines if "Lavrov" in l]
        self.assertEqual(len(seed), 1, out.stdout)
        self.assertRegex(seed[0], r" en '.*Lavrov.*' \d+ sentences$")

    def test_reads_events_framed_for_the_schema_registry(self):
        # newsd frames every event (magic 0, schema id 42, indexes [1]) and the example
        # consumer strips the frame before decoding.
        with h.Newsd(extra_args=("--schema-registry-id", "42")) as newsd:
            n = newsd.feed_standard_traffic(stories=3)
            out = subprocess.run([PYTHON, EXAMPLE, newsd.bootstrap, "news.events", str(n - 1)],
                                 env=self.env, capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        self.assertEqual(len(lines), n - 1, out.stdout)
        self.assertTrue(any(l.startswith("reuters21578-1 en ") for l in lines), out.stdout)

    def test_reports_retraction_tombstones(self):
        # A story killed by its second version (ninjs pubstatus "canceled"): newsd
        # publishes the kill's event, then a tombstone (key = story id, null value).
        uri = "urn:newsd:test:kill-1"
        files = []
        for version, status in ((1, "usable"), (2, "canceled")):
            path = os.path.join(self.tmp.name, f"kill-v{version}.json")
            with open(path, "w") as f:
                json.dump({"uri": uri, "version": version, "pubstatus": status,
                           "headline": "Profit rises at the regional airline",
                           "body_text": "Shares of the company rose after it reported higher "
                                        "quarterly profit.\n\nThe results beat forecasts."}, f)
            files.append(path)
        with h.Newsd(extra_args=("--schema-registry-id", "7")) as newsd:
            n = newsd.feed_standard_traffic(stories=2)
            # v2 only once v1 is published (items in flight together may be decided in
            # either order by the story stage).
            for i, path in enumerate(files):
                newsd.produce([path], headers=("content-type=application/ninjs+json",), key=uri)
                h.wait_for(lambda: h.metric_sum(newsd.samples(), "newsd_events_published_total") >= n + i,
                           timeout=120, what=f"the event of {path}")
            h.wait_for(lambda: h.metric_sum(newsd.samples(), "newsd_tombstones_published_total") >= 1,
                       timeout=120, what="the tombstone")
            out = subprocess.run([PYTHON, EXAMPLE, newsd.bootstrap, "news.events", str(n + 2)],
                                 env=self.env, capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.splitlines()
        # n - 1 events of the standard traffic, the two versions, the tombstone.
        self.assertEqual(len(lines), n + 2, out.stdout)
        self.assertEqual([l for l in lines if l.startswith("retracted")], [f"retracted story {uri}"],
                         out.stdout)
        kill = [i for i, l in enumerate(lines) if "'Profit rises at the regional airline'" in l]
        self.assertEqual(len(kill), 2, out.stdout)
        for i in kill:
            self.assertRegex(lines[i], rf"^{uri} en '.*' \d+ sentences$")
        # Same key, same partition: the tombstone comes after both versions.
        self.assertGreater(lines.index(f"retracted story {uri}"), max(kill), out.stdout)

    def test_reports_dead_letters(self):
        # The standard traffic holds one binary message that decode rejects; pointed at
        # the dead-letter topic, the example prints its origin and reason.
        with h.Newsd() as newsd:
            newsd.feed_standard_traffic(stories=1)
            out = subprocess.run([PYTHON, EXAMPLE, newsd.bootstrap, "news.dlq", "1"],
                                 env=self.env, capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertRegex(out.stdout, r"^dead letter of news\.raw\[\d+\]@\d+: decode INVALID_ARGUMENT: "
                                     r"binary content: \d+ of the first \d+ bytes are control characters\n$")

    def test_strips_schema_registry_framing(self):
        code = f"""
import sys, runpy
sys.argv = ["x"]
src = open({EXAMPLE!r}).read().split("c = Consumer(")[0]
exec(src)
from newsd.v1.event_pb2 import ArticleEvent
e = ArticleEvent(); e.article.id = "a-1"; payload = e.SerializeToString()
# magic 0, schema id 42, message indexes [0] (single 0 byte) / [1] (count 1, index 1: what
# newsd writes for ArticleEvent) / [1, 2] (count 2, zigzag 2, 4)
for frame in (b"\\x00\\x00\\x00\\x00\\x2a\\x00", b"\\x00\\x00\\x00\\x00\\x2a\\x02\\x02",
              b"\\x00\\x00\\x00\\x00\\x2a\\x04\\x02\\x04"):
    assert ArticleEvent.FromString(strip_schema_registry_frame(frame + payload)).article.id == "a-1"
assert strip_schema_registry_frame(payload) == payload
print("ok")
"""
        out = subprocess.run([PYTHON, "-c", code], env=self.env, capture_output=True, text=True)
        self.assertEqual(out.stdout.strip(), "ok", out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
