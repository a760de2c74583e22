"""Static checks of deploy/k8s, deploy/compose, deploy/Dockerfile and deploy/systemd
with real parsers and tools: every YAML parses (python3-yaml), required Kubernetes
fields are present and consistent, the embedded newsd configs pass
`newsd validate-config`, the compose Prometheus config passes `promtool check config`.
(kubeconform/kubeval are not packaged for Debian 12 and need schemas from the network.)
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import newsd_harness as h  # noqa: E402

DEPLOY = os.path.join(h.SOURCE_DIR, "deploy")


def load_all(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def validate_config(test, text):
    with tempfile.NamedTemporaryFile("w", suffix=".textproto") as f:
        f.write(text)
        f.flush()
        r = subprocess.run([h.NEWSD, "validate-config", f.name], capture_output=True, text=True)
    test.assertEqual(r.returncode, 0, r.stdout + r.stderr)
    test.assertIn(": OK", r.stdout)


class KubernetesManifestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.docs = {}
        for path in sorted(glob.glob(os.path.join(DEPLOY, "k8s", "*.yaml"))):
            for d in load_all(path):
                cls.docs[d["kind"]] = d

    def test_every_object_has_api_version_kind_name(self):
        self.assertEqual(set(self.docs), {"ConfigMap", "Deployment", "Service",
                                          "PodDisruptionBudget", "ScaledObject", "Kustomization"})
        for kind, d in self.docs.items():
            self.assertTrue(d.get("apiVersion"), kind)
            if kind != "Kustomization":
                self.assertEqual(d["metadata"]["labels"]["app.kubernetes.io/name"], "newsd")
        kust = self.docs["Kustomization"]
        for r in kust["resources"]:
            self.assertTrue(os.path.exists(os.path.join(DEPLOY, "k8s", r)), r)

    def test_deployment(self):
        d = self.docs["Deployment"]
        self.assertEqual(d["apiVersion"], "apps/v1")
        sel = d["spec"]["selector"]["matchLabels"]
        tmpl = d["spec"]["template"]
        for k, v in sel.items():
            self.assertEqual(tmpl["metadata"]["labels"][k], v)
        (c,) = tmpl["spec"]["containers"]
        port = {p["name"]: p["containerPort"] for p in c["ports"]}["metrics"]
        self.assertEqual(c["readinessProbe"]["httpGet"]["path"], "/readyz")
        self.assertEqual(c["livenessProbe"]["httpGet"]["path"], "/healthz")
        for probe in ("readinessProbe", "livenessProbe"):
            self.assertIn(c[probe]["httpGet"]["port"], ("metrics", port))
        res = c["resources"]
        for part in ("requests", "limits"):
            self.assertIn("cpu", res[part])
            self.assertIn("memory", res[part])
        self.assertGreaterEqual(tmpl["spec"]["terminationGracePeriodSeconds"], 31)
        self.assertTrue(tmpl["spec"]["securityContext"]["runAsNonRoot"])
        self.assertFalse(c["securityContext"]["allowPrivilegeEscalation"])
        self.assertTrue(c["securityContext"]["readOnlyRootFilesystem"])
        self.assertEqual(c["args"][:3], ["run", "--config", "/etc/newsd/newsd.textproto"])
        mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
        self.assertEqual(mounts["config"], "/etc/newsd")
        vols = {v["name"]: v for v in tmpl["spec"]["volumes"]}
        self.assertEqual(vols["config"]["configMap"]["name"], self.docs["ConfigMap"]["metadata"]["name"])
        ann = tmpl["metadata"]["annotations"]
        self.assertEqual(ann["prometheus.io/scrape"], "true")
        self.assertEqual(int(ann["prometheus.io/port"]), port)

    def test_configmap_config_validates_and_listens_on_the_probe_port(self):
        text = self.docs["ConfigMap"]["data"]["newsd.textproto"]
        validate_config(self, text)
        (c,) = self.docs["Deployment"]["spec"]["template"]["spec"]["containers"]
        port = {p["name"]: p["containerPort"] for p in c["ports"]}["metrics"]
        self.assertIn(f'metrics_address: "0.0.0.0:{port}"', text)

    def test_service_and_pdb(self):
        svc = self.docs["Service"]
        self.assertEqual(svc["spec"]["selector"], self.docs["Deployment"]["spec"]["selector"]["matchLabels"])
        self.assertEqual(svc["metadata"]["annotations"]["prometheus.io/scrape"], "true")
        self.assertEqual(svc["metadata"]["annotations"]["prometheus.io/path"], "/metrics")
        pdb = self.docs["PodDisruptionBudget"]
        self.assertEqual(pdb["apiVersion"], "policy/v1")
        self.assertEqual(pdb["spec"]["selector"]["matchLabels"], svc["spec"]["selector"])
        self.assertEqual(pdb["spec"]["maxUnavailable"], 1)

    def test_keda_scaled_object_on_lag_capped_at_partitions(self):
        so = self.docs["ScaledObject"]
        self.assertEqual(so["apiVersion"], "keda.sh/v1alpha1")
        self.assertEqual(so["spec"]["scaleTargetRef"]["name"], self.docs["Deployment"]["metadata"]["name"])
        (t,) = so["spec"]["triggers"]
        self.assertEqual(t["type"], "kafka")
        cfg = self.docs["ConfigMap"]["data"]["newsd.textproto"]
        self.assertIn(f'group_id: "{t["metadata"]["consumerGroup"]}"', cfg)
        self.assertIn(f'input_topics: "{t["metadata"]["topic"]}"', cfg)
        self.assertIn(t["metadata"]["bootstrapServers"], cfg)
        self.assertGreater(int(t["metadata"]["lagThreshold"]), 0)
        self.assertEqual(t["metadata"]["allowIdleConsumers"], "false")
        # maxReplicaCount is the documented partition count of the input topic.
        self.assertEqual(so["spec"]["maxReplicaCount"], 6)
        self.assertLessEqual(so["spec"]["minReplicaCount"], so["spec"]["maxReplicaCount"])

    def test_prometheus_scrape_job_for_kubernetes_parses(self):
        (d,) = load_all(os.path.join(DEPLOY, "k8s", "prometheus-scrape-job.yml"))
        (job,) = d["scrape_configs"]
        self.assertEqual(job["kubernetes_sd_configs"][0]["role"], "pod")
        self.assertIn({"target_label": "job", "replacement": "newsd"}, job["relabel_configs"])


class ComposeDockerSystemdTest(unittest.TestCase):
    def test_compose(self):
        (c,) = load_all(os.path.join(DEPLOY, "compose", "compose.yaml"))
        self.assertEqual(set(c["services"]), {"kafka", "topics", "newsd", "prometheus"})
        self.assertEqual(c["services"]["kafka"]["environment"]["KAFKA_PROCESS_ROLES"], "broker,controller")
        self.assertEqual(c["services"]["newsd"]["build"]["dockerfile"], "deploy/Dockerfile")
        with open(os.path.join(DEPLOY, "compose", "newsd.textproto")) as f:
            validate_config(self, f.read())
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copy(os.path.join(DEPLOY, "compose", "prometheus.yml"), tmp)
            shutil.copy(os.path.join(DEPLOY, "prometheus", "newsd.rules.yml"), tmp)
            r = subprocess.run(["promtool", "check", "config", os.path.join(tmp, "prometheus.yml")],
                               capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_dockerfile_runs_the_ci_scripts(self):
        with open(os.path.join(DEPLOY, "Dockerfile")) as f:
            text = f.read()
        froms = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.M)
        self.assertEqual(len(froms), 2)
        self.assertEqual(froms[0][1], "build")
        self.assertIn("slim", froms[1][0])
        runs = re.findall(r"^RUN (bash deploy/\S+\.sh.*)$", text, re.M)
        self.assertEqual(runs, ["bash deploy/install-deps.sh", "bash deploy/build.sh",
                                "bash deploy/package.sh build /out"])
        user = re.search(r"^USER (\S+)", text, re.M).group(1)
        self.assertNotIn(user.split(":")[0], ("root", "0"))
        self.assertRegex(text, r"HEALTHCHECK[^\n]*\n[^\n]*http://127\.0\.0\.1:9464/healthz")
        self.assertRegex(text, r'CMD \["run", "--config", "/etc/newsd/newsd\.textproto", "--metrics-address", "0\.0\.0\.0:9464"')
        for script in ("install-deps.sh", "build.sh", "package.sh"):
            self.assertTrue(os.path.exists(os.path.join(DEPLOY, script)))

    def test_systemd_env_file(self):
        env = {}
        with open(os.path.join(DEPLOY, "systemd", "newsd.env")) as f:
            for line in f:
                if line.strip() and not line.startswith("#"):
                    k, v = line.strip().split("=", 1)
                    env[k] = v.strip('"')
        self.assertEqual(env["NEWSD_CONFIG"], "/etc/newsd/newsd.textproto")
        # The flags of NEWSD_OPTS are accepted by the binary.
        r = subprocess.run([h.NEWSD, *env["NEWSD_OPTS"].split(), "validate-config",
                            os.path.join(DEPLOY, "compose", "newsd.textproto")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
