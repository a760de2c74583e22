#!/usr/bin/env python3
"""Reads newsd's output topics. Classes: protoc -I proto --python_out=DIR proto/newsd/v1/*.proto
Usage: PYTHONPATH=DIR consume_events.py BOOTSTRAP [TOPIC] [MAX]  (apt: python3-confluent-kafka python3-protobuf)
One line per record:
  ArticleEvent  ARTICLE_ID LANGUAGE 'HEADLINE' N sentences
  tombstone     retracted story STORY_ID  (null value, key = story id: the story was killed or withheld)
  dead letter   dead letter of TOPIC[PARTITION]@OFFSET: STAGE CODE: REASON  (Kafka Connect error headers;
                any record on the dead-letter topic, NEWSD_DEAD_LETTER_TOPIC, default news.dlq)"""
import os
import sys
from confluent_kafka import Consumer
from newsd.v1.event_pb2 import ArticleEvent

DEAD_LETTER_TOPIC = os.environ.get("NEWSD_DEAD_LETTER_TOPIC", "news.dlq")

def strip_schema_registry_frame(v):  # Confluent wire format: 0, schema id (4 bytes), indexes
    if not v or v[0] != 0: return v
    i, n, shift, count = 5, 0, 0, None
    while count is None or count > 0:  # zigzag varints: count, then that many indexes
        b = v[i]; i += 1; n |= (b & 0x7F) << shift; shift += 7
        if b < 0x80: count = (n >> 1) if count is None else count - 1; n = shift = 0
    return v[i:]

def text(b): return b.decode("utf-8", "replace") if b is not None else ""

def describe(m):
    headers = {k: text(v) for k, v in (m.headers() or [])}
    if m.topic() == DEAD_LETTER_TOPIC or any(k.startswith("__connect.errors.") for k in headers):
        # The original input bytes (or none, if too large): the reason is in the headers.
        return (f"dead letter of {headers.get('__connect.errors.topic', '?')}[{headers.get('__connect.errors.partition', '?')}]"
                f"@{headers.get('__connect.errors.offset', '?')}: {headers.get('newsd.errors.stage', '?')} "
                f"{headers.get('newsd.errors.code', '?')}: {headers.get('__connect.errors.exception.message', '(no reason)')}")
    if m.value() is None:  # compacted consumers drop the story's key
        return f"{headers.get('newsd.tombstone', 'deleted')} story {text(m.key())}"
    a = ArticleEvent.FromString(strip_schema_registry_frame(m.value())).article
    # spans are code-point offsets into a.text, as Python str indexes
    return f"{a.id} {a.language} {a.text[a.headline.begin:a.headline.end]!r} {len(a.sentences)} sentences"

c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "newsd-example", "auto.offset.reset": "earliest", "isolation.level": "read_committed"})
c.subscribe([sys.argv[2] if len(sys.argv) > 2 else "news.events"])
for _ in range(int(sys.argv[3]) if len(sys.argv) > 3 else 10**9):
    m = c.poll(30)
    if m is None: break
    if m.error(): continue
    print(describe(m), flush=True)
c.close()
