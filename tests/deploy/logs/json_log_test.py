"""`newsd run --log-format json`: every stderr line is one JSON object; lines about a
message carry article_id, topic, partition, offset; no article text at info level.
"""
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import newsd_harness as h  # noqa: E402


def seed_phrases():
    with open(h.SEED, encoding="utf-8") as f:
        lines = [l.strip() for l in f.read().splitlines() if len(l.strip()) > 30]
    return [l[:30] for l in lines]  # the headline and the start of each paragraph


class JsonLogTest(unittest.TestCase):
    def check_common(self, lines):
        self.assertGreater(len(lines), 3)
        for line in lines:
            self.assertRegex(line["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertIn(line["level"], {"debug", "info", "warning", "error"})
            self.assertIsInstance(line["msg"], str)

    def test_info_level(self):
        with h.Newsd(log_level="info") as newsd:
            newsd.feed_standard_traffic(stories=10)
            text = newsd.log_text()
            lines = newsd.log_lines()  # raises if any line is not JSON
        self.check_common(lines)
        dead = [l for l in lines if l["msg"] == "dead letter"]
        self.assertEqual(len(dead), 1, lines)
        d = dead[0]
        self.assertEqual(d["level"], "info")
        self.assertEqual(d["topic"], "news.raw")
        self.assertIn(d["partition"], {0, 1, 2})
        self.assertIsInstance(d["offset"], int)
        self.assertEqual(d["article_id"], f"news.raw/{d['partition']}/{d['offset']}")
        self.assertEqual((d["stage"], d["code"]), ("decode", "invalid_argument"))
        self.assertNotIn("error", d)  # the stage's message (may quote content): debug only
        for phrase in seed_phrases():
            self.assertNotIn(phrase, text)
        self.assertNotIn("Lavrov", text)

    def test_debug_level_names_every_published_message(self):
        with h.Newsd(log_level="debug") as newsd:
            n = newsd.feed_standard_traffic(stories=10)
            lines = newsd.log_lines()
        self.check_common(lines)
        published = [l for l in lines if l["msg"] == "event published"]
        self.assertEqual(len(published), n - 1)
        for l in published:
            for key in ("article_id", "topic", "partition", "offset", "output_offset"):
                self.assertIn(key, l)
        ids = {l["article_id"] for l in published}
        self.assertIn("reuters21578-1", ids)
        offsets = {(l["partition"], l["offset"]) for l in published}
        self.assertEqual(len(offsets), n - 1)  # one line per input message
        reason = [l for l in lines if l["msg"] == "dead letter reason"]
        self.assertEqual(len(reason), 1)
        self.assertEqual(reason[0]["level"], "debug")
        self.assertTrue(reason[0]["error"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
