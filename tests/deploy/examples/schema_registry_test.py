"""Events that a running newsd frames for the Schema Registry (--schema-registry-id)
decode with Confluent's own Python Protobuf deserializer (confluent-kafka 2.x:
confluent_kafka.schema_registry.protobuf.ProtobufDeserializer), given a registry
client holding what README "Messages → Schema Registry" says to register:
proto/newsd/v1/article.proto under the subject "newsd/v1/article.proto", then
proto/newsd/v1/event.proto under "news.events-value" with article.proto as a reference
named by its import path.

The deserializer reads the frame itself, fetches the writer schema by the frame's id
(resolving the reference) and picks the writer message by the frame's indexes; with a
record-name subject strategy that message names the subject it reads from. A frame
whose indexes name StageTiming (message 0 of event.proto; newsd's framing before the
fix) fails test_frame_names_article_event and the record-name strategies (subject
newsd.v1.StageTiming: 404). The topic-subject path of this Python deserializer
parses into the requested class whatever the indexes say, so it passes either way;
readers that build the writer's message (Confluent's Java deserializer without a
specific type, for example) are the ones that decoded the wrong type.

The registry is confluent-kafka's in-process mock client ("mock://" URL). A real
registry stores the .proto text and serves it to this client as a base64
FileDescriptorProto (?format=serialized); the mock serves what was registered, so the
same two files are registered here in that serialized form, as protoc compiles them.

Runs under the venv of deploy/install-deps.sh (Debian's python3-confluent-kafka 1.7
ignores the indexes, so it would prove nothing)."""
import base64
import glob
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import newsd_harness as h  # noqa: E402

from confluent_kafka import Consumer  # noqa: E402
from confluent_kafka.schema_registry import (  # noqa: E402
    Schema, SchemaReference, SchemaRegistryClient, dual_schema_id_deserializer,
    record_subject_name_strategy, topic_record_subject_name_strategy)
from confluent_kafka.schema_registry.common.serde import SchemaId  # noqa: E402
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer  # noqa: E402
from confluent_kafka.serialization import MessageField, SerializationContext  # noqa: E402
from google.protobuf import descriptor_pb2  # noqa: E402

TOPIC = "news.events"


class SchemaRegistryDeserializerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="newsd-sr-")
        proto = os.path.join(h.SOURCE_DIR, "proto")
        files = sorted(glob.glob(os.path.join(proto, "newsd", "v1", "*.proto")))
        subprocess.run(["protoc", "-I", proto, f"--python_out={cls.tmp.name}", *files], check=True)
        # The two files to register, compiled (no imports included).
        desc = os.path.join(cls.tmp.name, "schemas.desc")
        subprocess.run(["protoc", "-I", proto, f"--descriptor_set_out={desc}",
                        "newsd/v1/article.proto", "newsd/v1/event.proto"], check=True)
        with open(desc, "rb") as f:
            fds = descriptor_pb2.FileDescriptorSet.FromString(f.read())
        cls.files = {fd.name: fd for fd in fds.file}
        sys.path.insert(0, cls.tmp.name)
        from newsd.v1.event_pb2 import ArticleEvent
        cls.ArticleEvent = ArticleEvent
        try:
            cls.run_newsd()
        except BaseException:
            cls.tmp.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    @classmethod
    def registry(cls):
        """A mock registry with article.proto and event.proto registered as the README
        says; returns (client, id of event.proto under news.events-value)."""
        client = SchemaRegistryClient.new_client({"url": "mock://newsd-test"})
        serialized = {n: base64.standard_b64encode(fd.SerializeToString()).decode("ascii")
                      for n, fd in cls.files.items()}
        assert "newsd/v1/article.proto" in cls.files["newsd/v1/event.proto"].dependency
        client.register_schema("newsd/v1/article.proto",
                               Schema(serialized["newsd/v1/article.proto"], "PROTOBUF"))
        article_version = client.get_latest_version("newsd/v1/article.proto").version
        event = Schema(serialized["newsd/v1/event.proto"], "PROTOBUF",
                       [SchemaReference("newsd/v1/article.proto", "newsd/v1/article.proto",
                                        article_version)])
        event_id = client.register_schema(f"{TOPIC}-value", event)
        # What record-name strategies read: subjects named after the message.
        client.register_schema("newsd.v1.ArticleEvent", event)
        client.register_schema(f"{TOPIC}-newsd.v1.ArticleEvent", event)
        return client, event_id

    @staticmethod
    def consume_values(bootstrap, n):
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": "newsd-sr-test",
                      "auto.offset.reset": "earliest", "isolation.level": "read_committed",
                      "enable.auto.commit": False})
        c.subscribe([TOPIC])
        values = []
        try:
            for _ in range(120):
                if len(values) >= n:
                    break
                m = c.poll(1)
                if m is None or m.error():
                    continue
                if m.value() is not None:
                    values.append(m.value())
        finally:
            c.close()
        return values

    @classmethod
    def run_newsd(cls):
        """Events of a real newsd framed with the id event.proto got in the registry."""
        cls.client, cls.event_id = cls.registry()
        with h.Newsd(extra_args=("--schema-registry-id", str(cls.event_id))) as newsd:
            n = newsd.feed_standard_traffic(stories=3)
            cls.n_events = n - 1  # one input is a dead letter
            cls.values = cls.consume_values(newsd.bootstrap, cls.n_events)

    def setUp(self):
        self.assertEqual(len(self.values), self.n_events)
        self.ctx = SerializationContext(TOPIC, MessageField.VALUE)

    def test_frame_names_article_event(self):
        # Confluent's own frame reader: the id and the message indexes in the frame.
        registered = self.files["newsd/v1/event.proto"]
        for v in self.values:
            schema_id = SchemaId("PROTOBUF")
            dual_schema_id_deserializer(v, self.ctx, schema_id)
            self.assertEqual(schema_id.id, self.event_id)
            self.assertEqual(schema_id.message_indexes, [1])
            self.assertEqual(registered.message_type[schema_id.message_indexes[0]].name, "ArticleEvent")

    def test_decodes_with_the_topic_subject(self):
        # Default subject strategy: the writer schema by id (with its reference), the
        # writer message by the indexes, the value parsed as ArticleEvent.
        d = ProtobufDeserializer(self.ArticleEvent, {}, self.client)
        events = [d(v, self.ctx) for v in self.values]
        self.assertIn("reuters21578-1", {e.article.id for e in events})
        self.assertTrue(all(e.pipeline_version and e.article.language == "en" for e in events))
        seed = [e for e in events if "Lavrov" in e.article.text]
        self.assertEqual(len(seed), 1)
        a = seed[0].article
        self.assertIn("Lavrov", a.text[a.headline.begin:a.headline.end])
        self.assertGreater(len(a.sentences), 3)

    def test_record_name_strategies_find_the_article_event_subject(self):
        # These strategies name the subject after the message the indexes point at:
        # newsd.v1.ArticleEvent (registered), not newsd.v1.StageTiming (404).
        ids = [ProtobufDeserializer(self.ArticleEvent, {}, self.client)(v, self.ctx).article.id
               for v in self.values]
        for strategy in (record_subject_name_strategy, topic_record_subject_name_strategy):
            d = ProtobufDeserializer(self.ArticleEvent,
                                     {"subject.name.strategy": strategy, "use.latest.version": True},
                                     self.client)
            self.assertEqual([d(v, self.ctx).article.id for v in self.values], ids)

if __name__ == "__main__":
    unittest.main(verbosity=2)
