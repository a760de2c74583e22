#!/usr/bin/env python3
"""Runs `newsd extract` over a fixed slice of ../shared/corpus with two binaries and
reports what changed, per file and per top-level Article field.

    python3 tests/tools/corpus_diff.py OLD_NEWSD NEW_NEWSD [--corpus DIR] [--out DIR (default build/corpus-diff)]

The slice (built once into --out/inputs, deterministic): the seed article, every
IPTC file (NewsML-G2, ninjs, NITF, NewsML 1.2, passing and failing test files),
the 35 GUM Wikinews articles and the first 200 German Wikinews articles as plain
text (headline, blank line, body), and the first 1000 Reuters-21578 records of
reut2-000/001 as one .sgm file each. Both binaries run with the same
--published-at. Timing fields (the event's `meta`: stage durations, processed_at,
pipeline_version) are dropped before comparing, and a field only one binary prints
with its default value (one added to the proto) counts as unchanged. Prints one line per changed file
with the changed Article fields, a count per field, and the per-file rejections
(stderr lines) that differ; writes old.jsonl/new.jsonl to --out. Exit code 0.
Evaluation only: the corpus never ships.
"""
import argparse
import base64
import collections
import gzip
import json
import os
import re
import subprocess
import sys

PUBLISHED_AT = "2020-01-01T00:00:00Z"


def build_inputs(corpus, out):
    """Writes the slice into `out` (once) and returns the sorted file list."""
    if not os.path.isdir(out):
        os.makedirs(out)
        def put(name, data):
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)
        with open(os.path.join(corpus, "seed/lavrov-syria-2013.txt"), "rb") as f:
            put("seed.txt", f.read())
        for root, _, files in os.walk(os.path.join(corpus, "iptc")):
            for name in sorted(files):
                if name.startswith("LICENSE") or name.endswith(".xsd") or "/schema" in root:
                    continue
                rel = os.path.relpath(os.path.join(root, name), corpus).replace("/", "__")
                with open(os.path.join(root, name), "rb") as f:
                    put("iptc__" + rel, f.read())
        for path, prefix, limit in (("gum_wikinews/articles.jsonl", "gum", None),
                                    ("quotes_de_wikinews/dev.jsonl", "dewiki", 200)):
            with open(os.path.join(corpus, path), encoding="utf-8") as f:
                for n, line in enumerate(f):
                    if limit is not None and n >= limit:
                        break
                    doc = json.loads(line)
                    text = (doc.get("headline") or "") + "\n\n" + (doc.get("body") or "")
                    put(f"{prefix}__{doc['id']}.txt", text.encode("utf-8"))
        count = 0
        for part in ("000", "001"):
            with gzip.open(os.path.join(corpus, f"reuters21578/original/reut2-{part}.sgm.gz")) as f:
                data = f.read()
            for m in re.finditer(rb"<REUTERS.*?</REUTERS>", data, re.S):
                if count >= 1000:
                    break
                put(f"reuters__{count:04d}.sgm", m.group(0))
                count += 1
    return sorted(os.path.join(out, n) for n in os.listdir(out))


def run(binary, files):
    """Returns ({key: [article dicts]}, {path: error line}) for one binary."""
    events = collections.defaultdict(list)
    errors = {}
    for i in range(0, len(files), 200):
        proc = subprocess.run([binary, "extract", "--published-at", PUBLISHED_AT] + files[i:i + 200],
                              capture_output=True, text=True)
        for line in proc.stdout.splitlines():
            event = json.loads(line)
            article = event.get("article", {})
            events[article.get("source", {}).get("key", "")].append(article)
        for line in proc.stderr.splitlines():
            path = line.split(":", 1)[0]
            if path in files:
                errors[path] = line[len(path) + 1:].strip()
    return events, errors


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--corpus", default=os.path.join(here, "../../../shared/corpus"))
    parser.add_argument("--out", default=os.path.join(here, "../../build/corpus-diff"))
    args = parser.parse_args()
    files = build_inputs(args.corpus, os.path.join(args.out, "inputs"))
    old, old_err = run(args.old, files)
    new, new_err = run(args.new, files)
    for name, ev in (("old", old), ("new", new)):
        with open(os.path.join(args.out, name + ".jsonl"), "w", encoding="utf-8") as f:
            for key in sorted(ev):
                for a in ev[key]:
                    f.write(json.dumps(a, ensure_ascii=False, sort_keys=True) + "\n")
    per_field = collections.Counter()
    changed = 0
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key, []), new.get(key, [])
        fields = set()
        if len(a) != len(b):
            fields.add(f"events {len(a)}->{len(b)}")
        for x, y in zip(a, b):
            for f in sorted(set(x) | set(y)):
                # A field one side lacks and the other prints with its default
                # value (a field added to the proto) is not a change.
                if x.get(f) != y.get(f) and (x.get(f) or y.get(f)) not in ("0", 0, "", [], {}):
                    fields.add(f)
        if fields:
            changed += 1
            per_field.update(fields)
            print(f"{base64.b64decode(key).decode(errors='replace')}: {', '.join(sorted(fields))}")
    for path in sorted(set(old_err) | set(new_err)):
        if old_err.get(path) != new_err.get(path):
            print(f"{path}: rejection {old_err.get(path, '-')!r} -> {new_err.get(path, '-')!r}")
    print(f"\n{len(files)} files; {changed} with changed events; "
          f"{sum(1 for p in set(old_err) | set(new_err) if old_err.get(p) != new_err.get(p))} "
          f"with changed rejections")
    for field, n in per_field.most_common():
        print(f"  {field}: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
