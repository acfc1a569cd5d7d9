// libFuzzer target: the status filter learning a payload as its tree is built
// (one window at a time: status_run) against learning it after the parse, on
// the same policy, viewer and payload. Oracle: the same answer (bytes, or the
// same rejection reason and offset). The first byte picks a policy, a persona
// and payload or status.json output (as fuzz_engines), the second a window of
// 16 to 4096 bytes, so a small payload is cut into many windows, and escapes,
// lists and their elements fall across them; the rest is the payload. Under
// ASan, a view kept into a buffer the build moves is caught here.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <string>

#include "fixed_inputs.h"
#include "status_learning.h"

namespace {

[[noreturn]] void mismatch(const char* what, const keyhole_test::status_answer& early,
                           const keyhole_test::status_answer& late) {
  std::fprintf(stderr, "fuzz_learning: %s\n  early: ok %d parsed %d reason '%s' at %lld\n  late:  ok %d parsed %d reason '%s' at %lld\n",
               what, early.ok, early.parsed, early.reason.c_str(), static_cast<long long>(early.offset), late.ok,
               late.parsed, late.reason.c_str(), static_cast<long long>(late.offset));
  std::abort();
}

// One viewer per fixed policy and persona, compiled once.
const keyhole_test::status_viewer& viewer_for(size_t policy, size_t persona) {
  static std::unique_ptr<keyhole_test::status_viewer> viewers[std::size(fuzz::kPolicies)][std::size(fuzz::kClaims)];
  auto& v = viewers[policy][persona];
  if (!v) v = std::make_unique<keyhole_test::status_viewer>(fuzz::kPolicies[policy], fuzz::kClaims[persona]);
  if (!v->ok()) std::abort();  // the fixed policies and claims compile
  return *v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  uint8_t pick = data[0];
  const auto& v = viewer_for(pick % std::size(fuzz::kPolicies), (pick >> 1) % std::size(fuzz::kClaims));
  bool status_json = (pick >> 3) & 1;
  size_t window = size_t(16) << (data[1] % 9);
  std::string_view payload(reinterpret_cast<const char*>(data + 2), size - 2);

  using keyhole::detail::block_kernel;
  using keyhole::detail::json_parser;
  json_parser windowed = json_parser::for_tests(window, (data[1] >> 4) & 1 ? block_kernel::scalar : block_kernel::simd);
  keyhole_test::status_answer early = keyhole_test::run_status(v, payload, windowed, true, status_json);
  json_parser whole;
  keyhole_test::status_answer late = keyhole_test::run_status(v, payload, whole, false, status_json);
  if (early.parsed != late.parsed) mismatch("one parse failed", early, late);
  if (!(early == late)) mismatch("different answers", early, late);
  return 0;
}
