"""Every metric the Grafana dashboard queries exists in a real newsd /metrics scrape.

Starts `newsd run --brokers embedded`, feeds it the seed article, Reuters stories,
one invalid message and one NewsML-G2 conceptItem (labelled children such as
newsd_dead_letters_total{stage,reason} or newsd_inputs_skipped_total{stage,kind} and
histogram buckets only appear after traffic), waits until the consumer lag gauges
are exported, scrapes /metrics and checks every metric name of every panel query and
template variable of deploy/grafana/newsd-dashboard.json against the scraped samples.
"""
import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import newsd_harness as h  # noqa: E402

DASHBOARD = os.path.join(h.SOURCE_DIR, "deploy", "grafana", "newsd-dashboard.json")
CONCEPT_ITEM = os.path.join(h.CORPUS_DIR, "iptc", "newsml-g2", "examples",
                            "LISTING_10_Abstract_Concept_conveyed_in_a_NewsML-G2_Concept_Item.xml")

PROMQL_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
                   "unless", "offset", "bool", "inf", "nan"}


def metric_names(expr):
    """Metric names referenced by a PromQL expression (functions and labels excluded)."""
    e = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)             # string literals
    e = re.sub(r"\{[^}]*\}", " ", e)                         # label matchers
    e = re.sub(r"\[[^\]]*\]", " ", e)                        # range selectors
    e = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", e)
    e = re.sub(r"\$\{?\w+\}?", " ", e)                       # Grafana variables
    names = set()
    for m in re.finditer(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(\s*\()?", e):
        name, call = m.group(1), m.group(2)
        if call or name.lower() in PROMQL_KEYWORDS:
            continue
        names.add(name)
    return names


def dashboard_queries(dashboard):
    queries = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                queries.append((p.get("title"), t["expr"]))
            walk(p.get("panels", []))
    walk(dashboard["panels"])
    for v in dashboard.get("templating", {}).get("list", []):
        q = v.get("query")
        if isinstance(q, dict):
            q = q.get("query")
        if v.get("type") == "query" and q:
            m = re.match(r"label_values\((.*),\s*\w+\)$", q)
            queries.append((f"variable {v['name']}", m.group(1) if m else q))
    return queries


class DashboardMetricsTest(unittest.TestCase):
    def test_metric_name_extraction(self):
        self.assertEqual(
            metric_names('histogram_quantile(0.99, sum by (stage, le) (rate(newsd_stage_duration_seconds_bucket{job="$job", stage=~"a|b"}[$__rate_interval])))'),
            {"newsd_stage_duration_seconds_bucket"})
        self.assertEqual(metric_names("sum(rate(a_total[5m])) / on (job) group_left sum(b)"),
                         {"a_total", "b"})

    def test_every_queried_metric_is_exported(self):
        with open(DASHBOARD) as f:
            dashboard = json.load(f)
        queries = dashboard_queries(dashboard)
        wanted = {}
        for title, expr in queries:
            names = metric_names(expr)
            self.assertTrue(names, f"panel {title!r}: no metric in {expr!r}")
            for n in names:
                wanted.setdefault(n, []).append(title)
        # The panels: throughput, lag (messages and seconds), stage latency,
        # end-to-end latency, dead letters, transactions, RSS/CPU.
        for required in ["newsd_messages_consumed_total", "newsd_events_published_total",
                         "newsd_consumer_lag_messages", "newsd_consumer_lag_seconds",
                         "newsd_stage_duration_seconds_bucket",
                         "newsd_end_to_end_latency_seconds_bucket", "newsd_dead_letters_total",
                         "newsd_inputs_skipped_total",
                         "newsd_transactions_total", "process_resident_memory_bytes",
                         "process_cpu_seconds_total"]:
            self.assertIn(required, wanted)

        with h.Newsd() as newsd:
            newsd.feed_standard_traffic(stories=30)
            # Not an article: skipped and counted, not dead-lettered.
            newsd.produce([CONCEPT_ITEM])
            h.wait_for(lambda: h.metric_sum(newsd.samples(), "newsd_inputs_skipped_total") >= 1,
                       timeout=60, what="the conceptItem skipped")
            h.wait_for(lambda: "newsd_consumer_lag_messages" in newsd.samples(), timeout=60,
                       what="newsd_consumer_lag_messages children")
            text = newsd.scrape()
        samples = h.parse_metrics(text)
        missing = {n: t for n, t in wanted.items() if n not in samples}
        self.assertEqual(missing, {}, "dashboard queries metrics that /metrics does not export")
        # Concrete values from the traffic: one dead letter from decode, the seed and
        # 30 stories consumed.
        self.assertEqual(h.metric_sum(samples, "newsd_dead_letters_total", stage="decode",
                                      reason="invalid_argument"), 1)
        self.assertEqual(h.metric_sum(samples, "newsd_messages_consumed_total", topic="news.raw"), 33)
        self.assertEqual(h.metric_sum(samples, "newsd_inputs_skipped_total", stage="decode",
                                      kind="newsml_g2_concept"), 1)
        self.assertGreater(h.metric_sum(samples, "process_resident_memory_bytes"), 1 << 20)
        # promtool's linter accepts the exposition (names, HELP, counters' _total).
        lint = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True,
                              text=True)
        self.assertEqual(lint.returncode, 0, lint.stdout + lint.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
