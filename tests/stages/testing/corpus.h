// Test support: reading files of the shared test corpus (../shared/corpus).
#ifndef NEWSD_TESTS_STAGES_TESTING_CORPUS_H_
#define NEWSD_TESTS_STAGES_TESTING_CORPUS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace newsd::testing {

// Absolute path of `relative` inside the corpus directory (NEWSD_CORPUS_DIR).
std::string CorpusPath(absl::string_view relative);

// The whole file at `path`; a path ending in ".gz" is gunzipped (zlib).
// Errors: kNotFound if it cannot be opened, kDataLoss for a corrupt gzip stream.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// The <REUTERS ...>...</REUTERS> records of a Reuters-21578 .sgm file, each with
// its start and end tags (the text between records is dropped).
std::vector<std::string> SplitReutersRecords(absl::string_view sgm);

}  // namespace newsd::testing

#endif  // NEWSD_TESTS_STAGES_TESTING_CORPUS_H_
