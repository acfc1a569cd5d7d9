// Behaviour of the C++ API beyond single cases: reuse, in-place parsing,
// threads, limits, and the audience-key property.
#include <gtest/gtest.h>

#include <random>
#include <thread>

#include "case_loader.h"
#include "keyhole/keyhole.h"

namespace {

namespace fs = std::filesystem;
const fs::path kTests(KEYHOLE_TESTS_DIR);

const char* kPolicy = R"({"keyhole":1,
 "audiences":{"staff":["domain:acme.example","group:staff"],"customer":["org:*"],
              "premium":[{"all":["org:*","attr:plan=enterprise"]}]},
 "status":{"default":{"allow":["everyone"]},
   "components":{"brv1bkgrwx7q":{"allow":["@customer"],"inherit":false},
                 "4230lsnqdsld":{"deny":["anonymous"]},
                 "8l4ygp009s5s":{"allow":["@premium"],"inherit":false}},
   "incidents":{"mixed":"redact","redact-text":"Shared with affected customers only."},
   "disclose":[{"field":"update.body","allow":["signed-in"],"replace":"Sign in to read the details."},
               {"field":"component.description","allow":["@staff"]}]},
 "articles":{"default":{"allow":["@staff"]},"spaces":{"KB":{"allow":["everyone"]}},
   "labels":{"customer-globex":{"allow":["org:globex"]}}}})";

std::vector<std::string> status_fixtures() {
  std::vector<std::string> out;
  for (auto& e : fs::directory_iterator(kTests / "fixtures" / "statuspage"))
    if (e.path().extension() == ".json") out.push_back(keyhole_test::read_file(e.path()));
  return out;
}

keyhole::policy compile(const char* text) {
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(text, st);
  EXPECT_TRUE(st.ok()) << st.pointer << ": " << st.message;
  return p;
}

std::string run(keyhole::filter& f, const keyhole::policy& p, const std::string& claims, const std::string& payload,
                keyhole::status* out_st = nullptr) {
  keyhole::status st = f.run(p, claims, payload.data(), payload.size(), payload.size(), keyhole::payload_format::automatic);
  if (out_st) *out_st = st;
  return st.ok() ? std::string(f.output()) : std::string("<" + std::to_string(int(st.code)) + ">");
}

TEST(Api, FixturesArePresent) { ASSERT_GE(status_fixtures().size(), 4u); }

TEST(Api, ReusedFilterGivesTheSameBytes) {
  auto p = compile(kPolicy);
  keyhole::filter f;
  for (const auto& payload : status_fixtures()) {
    std::string a = run(f, p, "{}", payload);
    std::string b = run(f, p, R"({"sub":"x"})", payload);
    std::string c = run(f, p, "{}", payload);
    EXPECT_EQ(a, c);
    (void)b;
  }
}

TEST(Api, InPlaceParseMatchesCopy) {
  auto p = compile(kPolicy);
  keyhole::filter f;
  for (const auto& payload : status_fixtures()) {
    std::string copy = run(f, p, "{}", payload);
    std::string padded = payload;
    padded.append(keyhole::filter::padding(), ' ');
    keyhole::status st = f.run(p, "{}", padded.data(), payload.size(), padded.size(), keyhole::payload_format::automatic);
    ASSERT_TRUE(st.ok()) << st.message;
    EXPECT_EQ(std::string(f.output()), copy);
  }
}

TEST(Api, OnePolicyManyThreads) {
  auto p = compile(kPolicy);
  auto payloads = status_fixtures();
  keyhole::filter f;
  std::vector<std::string> expected;
  for (auto& pl : payloads) expected.push_back(run(f, p, R"({"sub":"u","orgs":["globex"]})", pl));
  auto worker = [&](int* mismatches) {
    keyhole::filter local;
    for (int round = 0; round < 20; ++round)
      for (size_t i = 0; i < payloads.size(); ++i)
        if (run(local, p, R"({"sub":"u","orgs":["globex"]})", payloads[i]) != expected[i]) ++*mismatches;
  };
  int m1 = 0, m2 = 0;
  std::thread a(worker, &m1), b(worker, &m2);
  a.join();
  b.join();
  EXPECT_EQ(m1 + m2, 0);
}

TEST(Api, FailureLeavesNoOutput) {
  auto p = compile(kPolicy);
  keyhole::filter f;
  std::string good = keyhole_test::read_file(kTests / "fixtures/statuspage/github-summary-all-operational.json");
  ASSERT_TRUE(f.run(p, "{}", good.data(), good.size(), good.size(), keyhole::payload_format::automatic).ok());
  ASSERT_FALSE(f.output().empty());
  std::string bad = good.substr(0, good.size() / 2);
  keyhole::status st = f.run(p, "{}", bad.data(), bad.size(), bad.size(), keyhole::payload_format::automatic);
  EXPECT_EQ(st.code, keyhole::status_code::payload_rejected);
  EXPECT_TRUE(f.output().empty());
}

TEST(Api, DeepNestingFailsClosed) {
  auto p = compile(kPolicy);
  keyhole::filter f;
  std::string deep = "{\"page\":{\"x\":" + std::string(10000, '[') + std::string(10000, ']') + "}}";
  keyhole::status st;
  run(f, p, "{}", deep, &st);
  EXPECT_EQ(st.code, keyhole::status_code::payload_rejected);
  EXPECT_TRUE(f.output().empty());
}

TEST(Api, SizeLimitFailsClosed) {
  auto p = compile(kPolicy);
  keyhole::filter f;
  keyhole::limits lim;
  lim.max_payload_bytes = 100;
  f.set_limits(lim);
  std::string good = keyhole_test::read_file(kTests / "fixtures/statuspage/github-summary-all-operational.json");
  keyhole::status st;
  run(f, p, "{}", good, &st);
  EXPECT_EQ(st.code, keyhole::status_code::payload_rejected);
}

TEST(Api, OutputIsCompactWhateverTheLayout) {
  auto p = compile(kPolicy);
  keyhole::filter f;
  std::string crlf = "{\r\n  \"page\" : { \"id\" : \"p\" ,\r\n \"name\":\"a b\" } ,\r\n \"components\" : [ ]\r\n}\r\n";
  EXPECT_EQ(run(f, p, "{}", crlf), "{\"page\":{\"id\":\"p\",\"name\":\"a b\"},\"components\":[]}");
}

TEST(Api, UnknownFormatNameIsRejected) {
  keyhole::payload_format fmt;
  EXPECT_FALSE(keyhole::parse_format_name("xml", fmt));
  EXPECT_TRUE(keyhole::parse_format_name("jsm", fmt));
  EXPECT_EQ(fmt, keyhole::payload_format::jsm);
}

// SPEC §10: viewers with equal audience keys get byte-identical output.
TEST(Api, EqualAudienceKeysMeanEqualOutput) {
  auto p = compile(kPolicy);
  auto payloads = status_fixtures();
  std::mt19937 rng(20261123);
  const std::vector<std::string> emails = {"ann@acme.example", "Bob@ACME.example.", "eve@acme.example.evil.test",
                                           "x@globex.example", "a@b@acme.example"};
  const std::vector<std::string> orgs = {"globex", "initech"};
  auto random_claims = [&]() {
    if (rng() % 5 == 0) return std::string("{}");
    std::string c = "{\"sub\":\"u" + std::to_string(rng() % 50) + "\"";
    if (rng() % 2) c += ",\"email\":\"" + emails[rng() % emails.size()] + "\",\"email_verified\":" + (rng() % 2 ? "true" : "false");
    if (rng() % 2) c += ",\"orgs\":[\"" + orgs[rng() % orgs.size()] + "\"]";
    if (rng() % 3 == 0) c += ",\"groups\":[\"staff\"]";
    if (rng() % 3 == 0) c += ",\"attrs\":{\"plan\":\"enterprise\"}";
    if (rng() % 4 == 0) c += ",\"grants\":[\"component:8l4ygp009s5s\"]";
    return c + "}";
  };
  keyhole::filter f;
  std::map<std::string, std::vector<std::string>> outputs_by_key;
  int compared = 0;
  for (int i = 0; i < 300; ++i) {
    std::string claims = random_claims();
    ASSERT_TRUE(f.audience_key(p, claims).ok()) << claims;
    std::string key(f.output());
    std::vector<std::string> outs;
    for (auto& pl : payloads) outs.push_back(run(f, p, claims, pl));
    auto it = outputs_by_key.find(key);
    if (it == outputs_by_key.end()) {
      outputs_by_key.emplace(key, outs);
    } else {
      ++compared;
      EXPECT_EQ(it->second, outs) << "same key, different output for " << claims;
    }
  }
  EXPECT_GT(compared, 50);
  EXPECT_GT(outputs_by_key.size(), 3u);
}

}  // namespace

namespace {

// Review F1: with the depth limit raised, a deeply nested kept value with an
// edit at its bottom (a content object reduced to its id) is written without
// recursion: no stack overflow natively or in wasm, whatever the depth.
TEST(Api, DeepEditedPayloadWithARaisedLimitIsWritten) {
  auto p = compile(R"({"keyhole":1,"articles":{"default":{"allow":["everyone"]},"pages":{"50":{"deny":["anonymous"]}}}})");
  const int depth = 60000;
  std::string payload = R"({"results":[{"id":"1","type":"page","title":"t","space":{"key":"KB"},"ancestors":[],"x":)";
  payload.append(depth, '[');
  payload += R"({"id":"50","type":"page","title":"CANARY-DEEP"})";
  payload.append(depth, ']');
  payload += "}]}";
  keyhole::filter f;
  keyhole::limits lim;
  lim.max_depth = depth + 16;
  f.set_limits(lim);
  keyhole::status st = f.run(p, "{}", payload.data(), payload.size(), payload.size(), keyhole::payload_format::automatic);
  ASSERT_TRUE(st.ok()) << st.message;
  std::string out(f.output());
  EXPECT_EQ(out.find("CANARY-DEEP"), std::string::npos);
  EXPECT_NE(out.find(R"({"id":"50"})"), std::string::npos);
  EXPECT_EQ(out.size(), payload.size() - std::string(R"(,"type":"page","title":"CANARY-DEEP")").size());
}

}  // namespace
