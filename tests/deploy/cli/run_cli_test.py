"""`newsd run` footguns: no silent fallback to the in-process mock cluster."""
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import newsd_harness as h  # noqa: E402


class RunWithoutBrokersTest(unittest.TestCase):
    def run_newsd(self, *args):
        try:
            return subprocess.run([h.NEWSD, "run", *args], capture_output=True, text=True,
                                  timeout=30)
        except subprocess.TimeoutExpired:
            self.fail(f"`newsd run {' '.join(args)}` kept running (started without brokers?)")

    def test_neither_config_nor_brokers_is_an_error(self):
        for args in ([], ["--metrics-address", "127.0.0.1:0"], ["--log-format", "json"]):
            with self.subTest(args=args):
                r = self.run_newsd(*args)
                self.assertEqual(r.returncode, 2, r.stderr)
                self.assertIn("--config FILE", r.stderr)
                self.assertIn("--brokers", r.stderr)
                self.assertIn("--brokers embedded", r.stderr)
                self.assertNotIn("embedded bootstrap=", r.stdout)

    def test_embedded_must_be_asked_for(self):
        # The harness runs `newsd run --brokers embedded`: that still works.
        with h.Newsd() as newsd:
            self.assertTrue(newsd.ready())
            self.assertRegex(newsd.bootstrap, r"^127\.0\.0\.1:\d+$")


if __name__ == "__main__":
    unittest.main(verbosity=2)
