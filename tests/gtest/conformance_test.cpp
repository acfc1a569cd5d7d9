// Runs every shared conformance case (tests/cases) against the C++ library.
#include <gtest/gtest.h>

#include "case_loader.h"
#include "keyhole/keyhole.h"

namespace {

using keyhole_test::test_case;

const std::vector<test_case>& all_cases() {
  static std::vector<test_case> cases =
      keyhole_test::load_all_cases(std::filesystem::path(KEYHOLE_TESTS_DIR) / "cases");
  return cases;
}

class Conformance : public ::testing::TestWithParam<size_t> {};

TEST_P(Conformance, Case) {
  const test_case& c = all_cases()[GetParam()];
  ASSERT_TRUE(c.load_error.empty()) << c.load_error;
  SCOPED_TRACE(c.description);

  if (c.mode == "claims") {
    keyhole::status st = keyhole::validate_claims(c.claims);
    EXPECT_EQ(keyhole::exit_code(st.code), c.exit) << st.pointer << ": " << st.message;
    if (c.has_pointer && !st.ok()) EXPECT_EQ(st.pointer, c.pointer);
    return;
  }
  ASSERT_TRUE(c.has_policy) << "case has no policy";
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(c.policy, st);
  if (c.mode == "check" || !st.ok()) {
    EXPECT_EQ(keyhole::exit_code(st.code), c.exit) << st.pointer << ": " << st.message;
    if (c.has_pointer) EXPECT_EQ(st.pointer, c.pointer) << st.message;
    return;
  }
  keyhole::filter f;
  if (c.mode == "audience-key") {
    keyhole::payload_format key_format;
    ASSERT_TRUE(keyhole::parse_format_name(c.format, key_format)) << c.format;
    st = f.audience_key(p, c.claims, key_format);
    ASSERT_EQ(keyhole::exit_code(st.code), c.exit) << st.message;
    if (!st.ok()) return;
    std::string key(f.output());
    for (const auto& other : c.same_key_as) {
      ASSERT_TRUE(f.audience_key(p, other, key_format).ok()) << other;
      EXPECT_EQ(std::string(f.output()), key) << "expected the same key as " << other;
    }
    for (const auto& other : c.different_key_from) {
      ASSERT_TRUE(f.audience_key(p, other, key_format).ok()) << other;
      EXPECT_NE(std::string(f.output()), key) << "expected a different key from " << other;
    }
    return;
  }
  ASSERT_TRUE(c.has_payload) << "case has no payload";
  keyhole::payload_format format;
  if (!keyhole::parse_format_name(c.format, format)) {
    EXPECT_EQ(c.exit, 2);
    return;
  }
  st = c.mode == "explain" ? f.explain(p, c.claims, c.payload.data(), c.payload.size(), c.payload.size(), format)
                           : f.run(p, c.claims, c.payload.data(), c.payload.size(), c.payload.size(), format);
  EXPECT_EQ(keyhole::exit_code(st.code), c.exit) << st.pointer << ": " << st.message;
  if (c.has_pointer && !st.ok()) EXPECT_EQ(st.pointer, c.pointer);
  std::string out(f.output());
  if (!st.ok()) {
    EXPECT_TRUE(out.empty()) << "a failed call must leave no output";
    return;
  }
  if (c.has_expected) EXPECT_EQ(out, c.expected);
  for (const auto& canary : c.canaries) EXPECT_EQ(out.find(canary), std::string::npos) << "leaked " << canary;
  for (const auto& s : c.contains) EXPECT_NE(out.find(s), std::string::npos) << "missing " << s;
}

std::string case_name(const ::testing::TestParamInfo<size_t>& info) {
  std::string n = all_cases()[info.param].name;
  for (char& ch : n)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n + "_" + std::to_string(info.param);
}

INSTANTIATE_TEST_SUITE_P(Cases, Conformance, ::testing::Range<size_t>(0, all_cases().size()), case_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(Conformance);

}  // namespace
