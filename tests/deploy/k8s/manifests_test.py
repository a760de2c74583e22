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


def run_validate_config(text, env=None):
    with tempfile.NamedTemporaryFile("w", suffix=".textproto") as f:
        f.write(text)
        f.flush()
        return subprocess.run([h.NEWSD, "validate-config", f.name], capture_output=True,
                              text=True, env=env)


def validate_config(test, text, env=None):
    r = run_validate_config(text, env)
    test.assertEqual(r.returncode, 0, r.stdout + r.stderr)
    test.assertIn(": OK", r.stdout)
    return r


# ${NAME} references in the strings of a newsd config (not in comments, not $${ escapes).
def env_references(text):
    strings = re.findall(r'"((?:[^"\\]|\\.)*)"', re.sub(r"#[^\n]*", "", text))
    return {name for s in strings
            for name in re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)\}", s)}


class KubernetesManifestsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.docs = {}
        for path in sorted(glob.glob(os.path.join(DEPLOY, "k8s", "*.yaml"))):
            for d in load_all(path):
                cls.docs[d["kind"]] = d
        cls.secret = cls.docs["Secret"]
        cls.secret_values = dict(cls.secret.get("stringData", {}))

    def pod_env(self):
        """The container's environment as the config sees it: name -> value from the Secret."""
        (c,) = self.docs["Deployment"]["spec"]["template"]["spec"]["containers"]
        env = {}
        for e in c.get("env", []):
            ref = e["valueFrom"]["secretKeyRef"]
            self.assertEqual(ref["name"], self.secret["metadata"]["name"], e["name"])
            self.assertIn(ref["key"], self.secret_values, e["name"])
            env[e["name"]] = self.secret_values[ref["key"]]
        return env

    def test_every_object_has_api_version_kind_name(self):
        self.assertEqual(set(self.docs), {"ConfigMap", "Deployment", "Service",
                                          "PodDisruptionBudget", "ScaledObject", "Kustomization",
                                          "Secret", "TriggerAuthentication"})
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
        validate_config(self, text, {**os.environ, **self.pod_env()})
        (c,) = self.docs["Deployment"]["spec"]["template"]["spec"]["containers"]
        port = {p["name"]: p["containerPort"] for p in c["ports"]}["metrics"]
        self.assertIn(f'metrics_address: "0.0.0.0:{port}"', text)

    def test_credentials_come_from_the_secret(self):
        text = self.docs["ConfigMap"]["data"]["newsd.textproto"]
        # The SASL credentials are ${...} references, never literals in the ConfigMap.
        for key in ("sasl.username", "sasl.password"):
            m = re.search(r'key: "%s" value: "([^"]*)"' % re.escape(key), text)
            self.assertIsNotNone(m, key)
            self.assertRegex(m.group(1), r"^\$\{[A-Z_]+\}$", key)
        self.assertNotIn(self.secret_values["KAFKA_SASL_PASSWORD"], text)
        # Every variable the config references is set in the pod from the Secret.
        refs = env_references(text)
        self.assertEqual(refs, {"KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"})
        env = self.pod_env()
        self.assertLessEqual(refs, set(env))
        # The Secret is applied on its own, so `kubectl apply -k` never overwrites real
        # credentials with the placeholders.
        self.assertNotIn("secret.yaml", self.docs["Kustomization"]["resources"])
        self.assertEqual(self.secret["type"], "Opaque")

    def test_config_needs_the_secret_and_never_prints_it(self):
        text = self.docs["ConfigMap"]["data"]["newsd.textproto"]
        bare = {k: v for k, v in os.environ.items() if k not in env_references(text)}
        r = run_validate_config(text, bare)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertRegex(r.stderr, r'kafka\.properties\["sasl\.(username|password)"\]: environment '
                                   r'variable KAFKA_SASL_(USERNAME|PASSWORD) is not set')
        # An empty password is refused as the daemon would refuse it; the set values
        # never appear in the output.
        env = {**os.environ, **self.pod_env(), "KAFKA_SASL_PASSWORD": ""}
        r = run_validate_config(text, env)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn('kafka.properties["sasl.password"]: librdkafka cannot create the producer',
                      r.stderr)
        secret_env = {**os.environ, **self.pod_env(), "KAFKA_SASL_PASSWORD": "pw-7f3a9c-secret"}
        r = validate_config(self, text, secret_env)
        self.assertNotIn("pw-7f3a9c-secret", r.stdout + r.stderr)

    def test_keda_reads_the_same_secret(self):
        so = self.docs["ScaledObject"]
        (t,) = so["spec"]["triggers"]
        auth = self.docs["TriggerAuthentication"]
        self.assertEqual(t["authenticationRef"]["name"], auth["metadata"]["name"])
        refs = {r["parameter"]: r for r in auth["spec"]["secretTargetRef"]}
        self.assertEqual(set(refs), {"username", "password"})
        for param, key in (("username", "KAFKA_SASL_USERNAME"), ("password", "KAFKA_SASL_PASSWORD")):
            self.assertEqual(refs[param]["name"], self.secret["metadata"]["name"])
            self.assertEqual(refs[param]["key"], key)
        # The scaler authenticates as newsd does (SCRAM-SHA-512 over TLS).
        cfg = self.docs["ConfigMap"]["data"]["newsd.textproto"]
        self.assertIn('key: "sasl.mechanism" value: "SCRAM-SHA-512"', cfg)
        self.assertIn('key: "security.protocol" value: "SASL_SSL"', cfg)
        self.assertEqual(t["metadata"]["sasl"], "scram_sha512")
        self.assertEqual(t["metadata"]["tls"], "enable")

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
        # No credentials in the world-readable env file; the unit reads them from a
        # separate one (optional: "-").
        self.assertFalse([k for k in env if "PASSWORD" in k or "SECRET" in k], env)
        with open(os.path.join(DEPLOY, "systemd", "newsd.service")) as f:
            unit = f.read()
        files = re.findall(r"^EnvironmentFile=(\S+)$", unit, re.M)
        self.assertEqual(files, ["-/etc/default/newsd", "-/etc/newsd/credentials.env"])
        # The flags of NEWSD_OPTS are accepted by the binary.
        r = subprocess.run([h.NEWSD, *env["NEWSD_OPTS"].split(), "validate-config",
                            os.path.join(DEPLOY, "compose", "newsd.textproto")],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
