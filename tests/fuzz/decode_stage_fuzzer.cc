// libFuzzer target: the whole decode stage (sniffing, every format, plain text,
// Reuters SGML, fan-out), with a Content-Type taken from the input's first line
// when it starts with "ct:" (so the fuzzer also explores declared charsets).
#include <vector>

#include "absl/strings/match.h"
#include "stages/decode/decode.h"
#include "tests/fuzz/fuzz_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > newsd::fuzz::kMaxFuzzBytes) return 0;
  absl::string_view payload(reinterpret_cast<const char*>(data), size);
  newsd::v1::Article article;
  if (absl::StartsWith(payload, "ct:")) {
    const size_t eol = payload.find('\n');
    if (eol == absl::string_view::npos) return 0;
    article.mutable_source()->set_content_type(std::string(payload.substr(3, eol - 3)));
    payload.remove_prefix(eol + 1);
  }
  static const newsd::stages::DecodeStage* const stage =
      new newsd::stages::DecodeStage(newsd::stages::DecodeOptions{});
  std::vector<newsd::v1::Article> more;
  newsd::StageContext ctx;
  ctx.payload = payload;
  ctx.more_articles = &more;
  if (stage->Process(article, ctx).ok()) {
    newsd::fuzz::CheckArticle(article);
    for (const newsd::v1::Article& a : more) newsd::fuzz::CheckArticle(a);
  }
  return 0;
}
