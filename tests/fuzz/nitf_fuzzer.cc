// libFuzzer target: DecodeNitf (stages/decode/nitf.h).
#include "stages/decode/nitf.h"
#include "tests/fuzz/fuzz_decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return newsd::fuzz::FuzzDecoder(&newsd::stages::DecodeNitf, data, size);
}
