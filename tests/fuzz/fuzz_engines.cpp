// libFuzzer target: the core against the previous engine (tests/reference: the
// same filters over simdjson's DOM tape), on the same policy, claims and
// payload. Oracle: identical output bytes, or both reject with the same status
// code. The input picks one of the fixed policies and personas (first byte)
// and is the payload (the rest), so the corpus of fuzz_filter seeds it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>

#include "fixed_inputs.h"
#include "keyhole/keyhole.h"
#include "reference_filter.h"

namespace {

using fuzz::kClaims;
using fuzz::kPolicies;

[[noreturn]] void mismatch(const char* what, int a, int b) {
  std::fprintf(stderr, "fuzz_engines: %s (core %d, reference %d)\n", what, a, b);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  uint8_t pick = data[0];
  const char* policy = kPolicies[pick % std::size(kPolicies)];
  const char* claims = kClaims[(pick >> 1) % 4];
  bool status_json = (pick >> 3) & 1;
  std::string payload(reinterpret_cast<const char*>(data + 1), size - 1);

  reference_engine::result ref = reference_engine::run(policy, claims, payload, status_json);
  if (!ref.policy_ok) std::abort();  // the fixed policies compile

  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(policy, st);
  keyhole::viewer v = keyhole::viewer::compile(p, claims, st);
  keyhole::filter f;
  std::string padded = payload;
  padded.append(keyhole::filter::padding(), '\0');
  st = f.run(v, padded.data(), payload.size(), padded.size(), keyhole::payload_format::automatic,
             status_json ? keyhole::output_mode::status_json : keyhole::output_mode::payload);
  int code = static_cast<int>(st.code);
  if (code != ref.code) mismatch("different status", code, ref.code);
  if (st.ok() && std::string_view(f.output().data(), f.output().size()) != ref.output)
    mismatch("different output bytes", code, ref.code);
  return 0;
}
