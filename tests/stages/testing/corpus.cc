#include "tests/stages/testing/corpus.h"

#include <zlib.h>

#include <cstdio>
#include <memory>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace newsd::testing {

std::string CorpusPath(absl::string_view relative) {
  return absl::StrCat(NEWSD_CORPUS_DIR, "/", relative);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  // gzopen reads uncompressed files transparently too.
  gzFile file = gzopen(path.c_str(), "rb");
  if (file == nullptr) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  std::unique_ptr<gzFile_s, int (*)(gzFile)> closer(file, &gzclose);
  std::string out;
  char buffer[1 << 16];
  for (;;) {
    const int n = gzread(file, buffer, sizeof(buffer));
    if (n < 0) {
      int err = 0;
      return absl::DataLossError(absl::StrCat(path, ": ", gzerror(file, &err)));
    }
    if (n == 0) break;
    out.append(buffer, n);
  }
  return out;
}

std::vector<std::string> SplitReutersRecords(absl::string_view sgm) {
  constexpr absl::string_view kStart = "<REUTERS";
  constexpr absl::string_view kEnd = "</REUTERS>";
  std::vector<std::string> records;
  size_t pos = 0;
  for (;;) {
    const size_t begin = sgm.find(kStart, pos);
    if (begin == absl::string_view::npos) break;
    const size_t end = sgm.find(kEnd, begin);
    if (end == absl::string_view::npos) break;
    records.emplace_back(sgm.substr(begin, end + kEnd.size() - begin));
    pos = end + kEnd.size();
  }
  return records;
}

}  // namespace newsd::testing
