// libFuzzer target: DecodeHtml (stages/decode/html.h).
#include "stages/decode/html.h"
#include "tests/fuzz/fuzz_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return newsd::fuzz::FuzzDecoder(&newsd::stages::DecodeHtml, data, size);
}
