"""A real Prometheus server scrapes a running newsd; asserted through its HTTP API.

Starts `newsd run --brokers embedded` and feeds it traffic, then runs the Debian
`prometheus` binary as a plain process (temporary config and TSDB directory, free
loopback port; the distribution's systemd service is neither used nor needed) with
deploy/prometheus/newsd.rules.yml and a 1 s scrape of newsd as job="newsd", and
queries /api/v1/query until up{job="newsd"} == 1 and newsd_build_info == 1.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import newsd_harness as h  # noqa: E402

RULES = os.path.join(h.SOURCE_DIR, "deploy", "prometheus", "newsd.rules.yml")
PROMETHEUS = os.environ.get("PROMETHEUS_BINARY") or shutil.which("prometheus") or "/usr/bin/prometheus"


class PrometheusScrapeTest(unittest.TestCase):
    def query(self, port, q):
        body = h.http_get(f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": q}))
        data = json.loads(body)
        self.assertEqual(data["status"], "success", body)
        return data["data"]["result"]

    def test_prometheus_scrapes_newsd(self):
        with h.Newsd() as newsd, tempfile.TemporaryDirectory(prefix="newsd-prom-") as tmp:
            inputs = newsd.feed_standard_traffic(stories=20)
            port = h.free_port()
            config = os.path.join(tmp, "prometheus.yml")
            with open(config, "w") as f:
                f.write(f"""global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - {RULES}
scrape_configs:
  - job_name: newsd
    static_configs:
      - targets: ["127.0.0.1:{newsd.port}"]
""")
            check = subprocess.run(["promtool", "check", "config", config], capture_output=True, text=True)
            self.assertEqual(check.returncode, 0, check.stdout + check.stderr)
            log = open(os.path.join(tmp, "prometheus.log"), "w")
            prom = subprocess.Popen(
                [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp}/data",
                 f"--web.listen-address=127.0.0.1:{port}", "--web.enable-lifecycle"],
                stdout=log, stderr=subprocess.STDOUT)
            try:
                h.wait_for(lambda: self._healthy(port), timeout=60, what="prometheus /-/ready")

                def scraped():
                    up = self.query(port, 'up{job="newsd"}')
                    info = self.query(port, 'newsd_build_info{job="newsd"}')
                    return up and info and up[0]["value"][1] == "1" and info[0]["value"][1] == "1"
                h.wait_for(scraped, timeout=60, interval=0.5, what='up{job="newsd"} == 1')

                info = self.query(port, 'newsd_build_info{job="newsd"}')
                self.assertEqual(len(info), 1)
                self.assertEqual(info[0]["metric"]["instance"], f"127.0.0.1:{newsd.port}")
                self.assertRegex(info[0]["metric"]["version"], r"^\d+\.\d+\.\d+")
                consumed = self.query(port, 'sum(newsd_messages_consumed_total{job="newsd"})')
                self.assertEqual(float(consumed[0]["value"][1]), inputs)
                dead = self.query(port, 'newsd_dead_letters_total{job="newsd", stage="decode"}')
                self.assertEqual([(d["metric"]["reason"], d["value"][1]) for d in dead],
                                 [("invalid_argument", "1")])
                rss = self.query(port, 'process_resident_memory_bytes{job="newsd"}')
                self.assertGreater(float(rss[0]["value"][1]), 1 << 20)
                self.assertEqual(self.query(port, 'newsd_ready{job="newsd"}')[0]["value"][1], "1")

                # The rule file loaded, and its groups evaluate without errors.
                rules = json.loads(h.http_get(f"http://127.0.0.1:{port}/api/v1/rules"))
                groups = {g["name"]: g for g in rules["data"]["groups"]}
                self.assertEqual(set(groups), {"newsd.recording", "newsd.alerts"})

                def evaluated():
                    g = json.loads(h.http_get(f"http://127.0.0.1:{port}/api/v1/rules"))["data"]["groups"]
                    return all(r.get("health") == "ok" for grp in g for r in grp["rules"])
                h.wait_for(evaluated, timeout=60, interval=1, what="all rules evaluated with health ok")
                # Nothing fires for a healthy daemon (NewsdNotReady etc. have `for:`;
                # NewsdDeliveryFailures has none and must not fire).
                alerts = json.loads(h.http_get(f"http://127.0.0.1:{port}/api/v1/alerts"))["data"]["alerts"]
                self.assertEqual([a["labels"]["alertname"] for a in alerts if a["state"] == "firing"], [])
            finally:
                prom.terminate()
                try:
                    prom.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    prom.kill()
                log.close()

    @staticmethod
    def _healthy(port):
        try:
            return "Ready" in h.http_get(f"http://127.0.0.1:{port}/-/ready")
        except Exception:
            return False


if __name__ == "__main__":
    unittest.main(verbosity=2)
