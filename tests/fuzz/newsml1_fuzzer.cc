// libFuzzer target: DecodeNewsMl1 (stages/decode/newsml1.h).
#include "stages/decode/newsml1.h"
#include "tests/fuzz/fuzz_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return newsd::fuzz::FuzzDecoder(&newsd::stages::DecodeNewsMl1, data, size);
}
