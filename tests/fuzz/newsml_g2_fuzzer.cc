// libFuzzer target: DecodeNewsMlG2 (stages/decode/newsml_g2.h).
#include "stages/decode/newsml_g2.h"
#include "tests/fuzz/fuzz_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return newsd::fuzz::FuzzDecoder(&newsd::stages::DecodeNewsMlG2, data, size);
}
