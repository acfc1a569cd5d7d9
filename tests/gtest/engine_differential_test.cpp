// The core against the previous engine (tests/reference), on every conformance
// case's policy, claims and payload, both as the payload and as status.json:
// identical bytes, or the same rejection. The fuzz target fuzz_engines does
// the same on generated inputs.
#include <gtest/gtest.h>

#include "case_loader.h"
#include "keyhole/keyhole.h"
#include "reference_filter.h"

namespace {

using keyhole_test::test_case;

const std::vector<test_case>& filter_cases() {
  static const std::vector<test_case> cases = [] {
    std::vector<test_case> out;
    for (test_case& c : keyhole_test::load_all_cases(std::filesystem::path(KEYHOLE_TESTS_DIR) / "cases"))
      if (c.mode == "filter" && c.has_payload && c.load_error.empty()) out.push_back(std::move(c));
    return out;
  }();
  return cases;
}

struct core_result {
  bool policy_ok = false;
  int code = 0;
  std::string output;
};

core_result run_core(const test_case& c, bool status_json) {
  core_result r;
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(c.policy, st);
  if (!st.ok()) return r;
  r.policy_ok = true;
  keyhole::viewer v = keyhole::viewer::compile(p, c.claims, st);
  if (!st.ok()) {
    r.code = static_cast<int>(st.code);
    return r;
  }
  keyhole::filter f;
  st = f.run(v, c.payload.data(), c.payload.size(), c.payload.size(), keyhole::payload_format::automatic,
             status_json ? keyhole::output_mode::status_json : keyhole::output_mode::payload);
  r.code = static_cast<int>(st.code);
  if (st.ok()) r.output.assign(f.output().data(), f.output().size());
  return r;
}

TEST(EngineDifferential, EveryCaseGivesTheSameAnswer) {
  ASSERT_GT(filter_cases().size(), 100u);
  size_t compared = 0;
  for (const test_case& c : filter_cases()) {
    for (bool status_json : {false, true}) {
      core_result now = run_core(c, status_json);
      reference_engine::result before = reference_engine::run(c.policy, c.claims, c.payload, status_json);
      ASSERT_EQ(now.policy_ok, before.policy_ok) << c.name;
      if (!now.policy_ok) continue;
      EXPECT_EQ(now.code, before.code) << c.name << (status_json ? " (status.json)" : "");
      EXPECT_EQ(now.output, before.output) << c.name << (status_json ? " (status.json)" : "");
      ++compared;
    }
  }
  EXPECT_GT(compared, 200u);
}

}  // namespace
