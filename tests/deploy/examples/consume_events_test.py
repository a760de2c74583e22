"""deploy/examples/consume_events.py decodes real events with the generated Python
classes (protoc --python_out of proto/) from a running newsd, both plain and in the
Confluent Schema Registry wire format."""
import glob
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

    def test_strips_schema_registry_framing(self):
        code = f"""
import sys, runpy
sys.argv = ["x"]
src = open({EXAMPLE!r}).read().split("c = Consumer(")[0]
exec(src)
from newsd.v1.event_pb2 import ArticleEvent
e = ArticleEvent(); e.article.id = "a-1"; payload = e.SerializeToString()
# magic 0, schema id 42, message indexes [0] (single 0 byte) / [1, 2] (count 2, zigzag 2, 4)
for frame in (b"\\x00\\x00\\x00\\x00\\x2a\\x00", b"\\x00\\x00\\x00\\x00\\x2a\\x04\\x02\\x04"):
    assert ArticleEvent.FromString(strip_schema_registry_frame(frame + payload)).article.id == "a-1"
assert strip_schema_registry_frame(payload) == payload
print("ok")
"""
        out = subprocess.run([PYTHON, "-c", code], env=self.env, capture_output=True, text=True)
        self.assertEqual(out.stdout.strip(), "ok", out.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
