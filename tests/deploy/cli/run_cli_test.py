"""`newsd run` footguns: no silent fallback to the in-process mock cluster, and SIGHUP
drains and exits instead of killing the daemon; `newsd demo` (the README's first
command) runs end to end.
"""
import os
import re
import signal
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


class DemoTest(unittest.TestCase):
    def test_demo_publishes_every_story_and_dead_letters_the_bad_message(self):
        r = subprocess.run([h.NEWSD, "demo", "--corpus", h.CORPUS_DIR, "--stories", "20"],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        # The seed article and 20 Reuters stories are published, the invalid message
        # is dead-lettered.
        self.assertIn("demo: 21 events + 1 dead letters for 22 inputs", r.stdout)
        self.assertIn("demo: metrics: consumed=22 published=21 dead_letters=1", r.stdout)


class SighupTest(unittest.TestCase):
    def test_sighup_drains_and_exits_zero(self):
        with h.Newsd(log_level="info") as newsd:
            newsd.feed_standard_traffic(stories=10)
            # More work in flight when the signal arrives.
            newsd.produce([h.REUTERS], limit=100)
            newsd.proc.send_signal(signal.SIGHUP)
            try:
                code = newsd.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.fail("newsd did not exit within 60 s of SIGHUP")
            lines = newsd.log_lines()
        self.assertEqual(code, 0, f"exit status {code} (negative: killed by that signal)")
        msgs = [l["msg"] for l in lines]
        hup = [i for i, m in enumerate(msgs) if m.startswith("SIGHUP: draining and exiting")]
        self.assertEqual(len(hup), 1, msgs)
        self.assertIn("restart", msgs[hup[0]])
        drain = [i for i, m in enumerate(msgs) if re.match(r"draining \d+ in-flight messages", m)]
        self.assertEqual(len(drain), 1, msgs)
        self.assertEqual(msgs[-1], "stopped cleanly", msgs)


class SystemdUnitTest(unittest.TestCase):
    def test_reload_is_not_a_kill(self):
        path = os.path.join(h.SOURCE_DIR, "deploy", "systemd", "newsd.service")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        directives = [l.strip() for l in text.splitlines() if l.strip() and not l.startswith("#")]
        # No ExecReload: `systemctl reload` is refused and `reload-or-restart` restarts
        # (SIGTERM, drain) instead of signalling a daemon that cannot reload.
        self.assertFalse([d for d in directives if d.startswith("ExecReload")], directives)
        self.assertIn("KillSignal=SIGTERM", directives)
        self.assertNotIn("reload-or-restart newsd #", text)
        self.assertIn("SIGHUP", text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
