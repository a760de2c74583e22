// libFuzzer target: DecodeNinjs (stages/decode/ninjs.h).
#include "stages/decode/ninjs.h"
#include "tests/fuzz/fuzz_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return newsd::fuzz::FuzzDecoder(&newsd::stages::DecodeNinjs, data, size);
}
