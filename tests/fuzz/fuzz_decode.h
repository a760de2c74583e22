// Shared body of the decode fuzz targets: runs one format decoder on the fuzz input
// (as the stage would, after its size and binary checks), assembles every item, and
// aborts if an invariant breaks: Article.text must be well-formed UTF-8 and every
// span must lie inside it. Any non-OK status is a valid outcome (bad input).
#ifndef NEWSD_TESTS_FUZZ_FUZZ_DECODE_H_
#define NEWSD_TESTS_FUZZ_FUZZ_DECODE_H_

#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "stages/common/spans.h"
#include "stages/common/unicode.h"
#include "stages/decode/document.h"
#include "stages/decode/formats.h"

namespace newsd::fuzz {

// Largest input the targets look at (the stage's max_bytes is far larger; small
// inputs keep the fuzzer fast).
inline constexpr size_t kMaxFuzzBytes = 256 * 1024;

inline void CheckArticle(const v1::Article& a) {
  if (stages::FindInvalidUtf8(a.text()).has_value()) std::abort();
  const uint32_t n = static_cast<uint32_t>(stages::CountCodePoints(a.text()));
  if (!stages::CheckSpan(a.headline(), n, "headline").ok()) std::abort();
  for (const v1::Span& p : a.paragraphs()) {
    if (!stages::CheckSpan(p, n, "paragraph").ok()) std::abort();
  }
  if (!stages::CheckSpan(a.dateline().span(), n, "dateline").ok()) std::abort();
  for (const std::string& s : a.credits()) {
    if (stages::FindInvalidUtf8(s).has_value()) std::abort();
  }
  if (stages::FindInvalidUtf8(a.byline_text()).has_value()) std::abort();
}

inline int FuzzDecoder(stages::FormatDecoder decode, const uint8_t* data, size_t size) {
  if (size > kMaxFuzzBytes) return 0;
  stages::DecodeInput input;
  input.payload = absl::string_view(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<stages::DecodedItems> items = decode(input);
  if (!items.ok()) return 0;
  for (stages::DecodedDocument& doc : *items) {
    v1::Article article;
    if (stages::AssembleArticle(std::move(doc), article).ok()) CheckArticle(article);
  }
  return 0;
}

}  // namespace newsd::fuzz

#endif  // NEWSD_TESTS_FUZZ_FUZZ_DECODE_H_
