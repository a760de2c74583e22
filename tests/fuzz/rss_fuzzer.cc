// libFuzzer target: DecodeRss (stages/decode/feeds.h).
#include "stages/decode/feeds.h"
#include "tests/fuzz/fuzz_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return newsd::fuzz::FuzzDecoder(&newsd::stages::DecodeRss, data, size);
}
