#!/usr/bin/env python3
"""Reads newsd ArticleEvents. Classes: protoc -I proto --python_out=DIR proto/newsd/v1/*.proto
Usage: PYTHONPATH=DIR consume_events.py BOOTSTRAP [TOPIC] [MAX]  (apt: python3-confluent-kafka python3-protobuf)"""
import sys
from confluent_kafka import Consumer
from newsd.v1.event_pb2 import ArticleEvent

def strip_schema_registry_frame(v):  # Confluent wire format: 0, schema id (4 bytes), indexes
    if not v or v[0] != 0: return v
    i, n, shift, count = 5, 0, 0, None
    while count is None or count > 0:  # zigzag varints: count, then that many indexes
        b = v[i]; i += 1; n |= (b & 0x7F) << shift; shift += 7
        if b < 0x80: count = (n >> 1) if count is None else count - 1; n = shift = 0
    return v[i:]

c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": "newsd-example", "auto.offset.reset": "earliest", "isolation.level": "read_committed"})
c.subscribe([sys.argv[2] if len(sys.argv) > 2 else "news.events"])
for _ in range(int(sys.argv[3]) if len(sys.argv) > 3 else 10**9):
    m = c.poll(30)
    if m is None: break
    if m.error(): continue
    e = ArticleEvent.FromString(strip_schema_registry_frame(m.value()))
    a = e.article  # spans are code-point offsets into a.text, as Python str indexes
    print(a.id, a.language, repr(a.text[a.headline.begin:a.headline.end]), f"{len(a.sentences)} sentences")
c.close()
