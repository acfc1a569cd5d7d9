// The compiled viewer (keyhole::viewer): claims read and matched once give the
// same answers as passing the claims on every call; one viewer serves many
// threads; the status.json projection; recomputes_status().
#include <gtest/gtest.h>

#include <thread>

#include "case_loader.h"
#include "keyhole/keyhole.h"

namespace {

namespace fs = std::filesystem;
const fs::path kTests(KEYHOLE_TESTS_DIR);

keyhole::policy compile(const std::string& text) {
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(text, st);
  EXPECT_TRUE(st.ok()) << st.message;
  return p;
}

// Exit code and bytes, so failures compare too.
std::string answer(const keyhole::status& st, const keyhole::filter& f) {
  return std::to_string(keyhole::exit_code(st.code)) + ":" + std::string(f.output());
}

// A case that filters or explains a payload under a policy that compiles:
// the case, its compiled policy and its format.
struct runnable_case {
  const keyhole_test::test_case& c;
  keyhole::policy p;
  keyhole::payload_format format;
};
std::vector<runnable_case> runnable(const std::vector<keyhole_test::test_case>& cases) {
  std::vector<runnable_case> out;
  for (const auto& c : cases) {
    if (!c.has_policy || !c.has_payload || (c.mode != "filter" && c.mode != "explain")) continue;
    keyhole::status st;
    keyhole::policy p = keyhole::policy::compile(c.policy, st);
    keyhole::payload_format format;
    if (st.ok() && keyhole::parse_format_name(c.format, format)) out.push_back(runnable_case{c, p, format});
  }
  return out;
}

TEST(Viewer, EveryCaseAnswersAsWithClaims) {
  int compared = 0;
  auto cases = keyhole_test::load_all_cases(kTests / "cases");
  for (const auto& [c, p, format] : runnable(cases)) {
    keyhole::status st;
    keyhole::viewer v = keyhole::viewer::compile(p, c.claims, st);
    keyhole::filter f;
    keyhole::status direct = c.mode == "explain"
                                 ? f.explain(p, c.claims, c.payload.data(), c.payload.size(), c.payload.size(), format)
                                 : f.run(p, c.claims, c.payload.data(), c.payload.size(), c.payload.size(), format);
    if (!st.ok()) {  // bad claims: the same error either way
      EXPECT_EQ(st.code, direct.code) << c.name;
      continue;
    }
    std::string expected = answer(direct, f);
    keyhole::status via = c.mode == "explain"
                              ? f.explain(v, c.payload.data(), c.payload.size(), c.payload.size(), format)
                              : f.run(v, c.payload.data(), c.payload.size(), c.payload.size(), format);
    EXPECT_EQ(answer(via, f), expected) << c.name;
    ++compared;
  }
  EXPECT_GT(compared, 300);
}

// A filter reads and matches the claims once for a repeated (policy, claims)
// pair (load_viewer): one filter run over every case twice, each case's
// policy compiled afresh and also reused, answers as a fresh filter does,
// whatever came before (other claims, another policy, bad claims, limits).
TEST(Viewer, ReusedFilterAnswersAsAFreshOne) {
  keyhole::filter shared;
  int compared = 0;
  auto cases = keyhole_test::load_all_cases(kTests / "cases");
  for (int round = 0; round < 2; ++round) {
    for (const auto& [c, p, format] : runnable(cases)) {
      keyhole::status st;
      auto run = [&](keyhole::filter& f, const keyhole::policy& pol, const std::string& claims) {
        keyhole::status r = c.mode == "explain"
                                ? f.explain(pol, claims, c.payload.data(), c.payload.size(), c.payload.size(), format)
                                : f.run(pol, claims, c.payload.data(), c.payload.size(), c.payload.size(), format);
        return answer(r, f);
      };
      keyhole::filter fresh;
      std::string expected = run(fresh, p, c.claims);
      EXPECT_EQ(run(shared, p, c.claims), expected) << c.name;
      EXPECT_EQ(run(shared, p, c.claims), expected) << c.name << " (repeated)";
      for (const std::string other : {"{}", R"({"sub":"u-1","email":"ann@globex.example","email_verified":true,"groups":["staff"]})"}) {
        keyhole::filter other_fresh;
        EXPECT_EQ(run(shared, p, other), run(other_fresh, p, other)) << c.name << " (other claims " << other << ")";
        EXPECT_EQ(run(shared, p, c.claims), expected) << c.name << " (after other claims)";
      }
      keyhole::policy again = keyhole::policy::compile(c.policy, st);
      EXPECT_EQ(run(shared, again, c.claims), expected) << c.name << " (the policy compiled again)";
      if (round == 1) {
        EXPECT_EQ(run(shared, p, "{bad"), "2:") << c.name;  // a failed read leaves nothing behind
        shared.set_limits(keyhole::limits{1, 64u << 20});       // claims nest deeper than 1: refused
        std::string shallow = run(shared, p, c.claims);
        shared.set_limits(keyhole::limits{});
        keyhole::filter limited;
        limited.set_limits(keyhole::limits{1, 64u << 20});
        EXPECT_EQ(shallow, run(limited, p, c.claims)) << c.name << " (another depth limit)";
        EXPECT_EQ(run(shared, p, c.claims), expected) << c.name << " (after)";
        shared.forget_last_viewer();
        EXPECT_EQ(run(shared, p, c.claims), expected) << c.name << " (after forgetting the viewer)";
      }
      ++compared;
    }
  }
  EXPECT_GT(compared, 400);
}

TEST(Viewer, AudienceKeyAsWithClaims) {
  auto p = compile(keyhole_test::read_file(kTests / "cases/_policies/status-audience.json"));
  keyhole::filter f;
  for (const char* claims : {"{}", R"({"sub":"u1","orgs":["globex"]})", R"({"sub":"u2","groups":["staff"]})"})
    for (auto format : {keyhole::payload_format::statuspage, keyhole::payload_format::confluence}) {
      ASSERT_TRUE(f.audience_key(p, claims, format).ok());
      std::string direct(f.output());
      keyhole::status st;
      keyhole::viewer v = keyhole::viewer::compile(p, claims, st);
      ASSERT_TRUE(st.ok());
      ASSERT_TRUE(f.audience_key(v, format).ok());
      EXPECT_EQ(std::string(f.output()), direct) << claims;
    }
}

TEST(Viewer, OneViewerManyThreads) {
  auto p = compile(keyhole_test::read_file(kTests / "cases/_policies/status-audience.json"));
  keyhole::status st;
  keyhole::viewer v = keyhole::viewer::compile(p, R"({"sub":"u","orgs":["globex"],"groups":["staff"]})", st);
  ASSERT_TRUE(st.ok());
  std::string payload = keyhole_test::read_file(kTests / "fixtures/statuspage/github-summary-unresolved-incident-minor.json");
  keyhole::filter f;
  ASSERT_TRUE(f.run(v, payload.data(), payload.size(), payload.size(), keyhole::payload_format::automatic).ok());
  std::string expected(f.output());
  auto worker = [&](int* mismatches) {
    keyhole::filter local;
    for (int i = 0; i < 200; ++i) {
      keyhole::status s = local.run(v, payload.data(), payload.size(), payload.size(), keyhole::payload_format::automatic);
      if (!s.ok() || local.output() != expected) ++*mismatches;
    }
  };
  int a = 0, b = 0;
  std::thread t1(worker, &a), t2(worker, &b);
  t1.join();
  t2.join();
  EXPECT_EQ(a + b, 0);
}

TEST(Viewer, BadClaimsGiveNoViewer) {
  auto p = compile(R"({"keyhole":1,"status":{"default":{"allow":["everyone"]}}})");
  keyhole::status st;
  keyhole::viewer v = keyhole::viewer::compile(p, R"({"email":"a@b.example"})", st);
  EXPECT_FALSE(v.valid());
  EXPECT_EQ(st.code, keyhole::status_code::bad_claims);
  EXPECT_EQ(st.pointer, "/sub");
  keyhole::filter f;
  std::string payload = R"({"components":[]})";
  EXPECT_FALSE(f.run(v, payload.data(), payload.size(), payload.size(), keyhole::payload_format::automatic).ok());
}

// SPEC §5: status.json is answered from the filtered summary: its `page` and
// recomputed `status`, nothing else.
TEST(StatusJson, ProjectionOfTheFilteredSummary) {
  auto p = compile(R"({"keyhole":1,"status":{"default":{"allow":["everyone"]},
    "components":{"brv1bkgrwx7q":{"allow":["group:staff"],"inherit":false}}}})");
  keyhole::status st;
  keyhole::viewer v = keyhole::viewer::compile(p, "{}", st);
  std::string summary = keyhole_test::read_file(kTests / "fixtures/statuspage/github-summary-unresolved-incident-minor.json");
  keyhole::filter f;
  ASSERT_TRUE(f.run(v, summary.data(), summary.size(), summary.size(), keyhole::payload_format::statuspage).ok());
  std::string filtered(f.output());
  st = f.run(v, summary.data(), summary.size(), summary.size(), keyhole::payload_format::statuspage,
             keyhole::output_mode::status_json);
  ASSERT_TRUE(st.ok()) << st.message;
  std::string projected(f.output());
  EXPECT_EQ(projected.rfind("{\"page\":", 0), 0u) << projected;
  EXPECT_EQ(projected.find("\"components\""), std::string::npos);
  EXPECT_EQ(projected.find("\"incidents\""), std::string::npos);
  size_t status_at = filtered.find("\"status\":{\"indicator\"");
  ASSERT_NE(status_at, std::string::npos);
  std::string status_member = filtered.substr(status_at, filtered.find('}', status_at) - status_at + 1);
  EXPECT_NE(projected.find(status_member), std::string::npos) << projected;
  // Without components there is nothing to recompute the banner from.
  std::string incidents = keyhole_test::read_file(kTests / "fixtures/statuspage/github-incidents-50-with-updates.json");
  st = f.run(v, incidents.data(), incidents.size(), incidents.size(), keyhole::payload_format::statuspage,
             keyhole::output_mode::status_json);
  EXPECT_EQ(st.code, keyhole::status_code::payload_rejected);
  EXPECT_TRUE(f.output().empty());
}

TEST(StatusJson, RecomputesStatusFollowsThePolicy) {
  EXPECT_TRUE(compile(R"({"keyhole":1,"status":{"default":{"allow":["everyone"]}}})").recomputes_status());
  EXPECT_FALSE(compile(R"({"keyhole":1,"status":{"recompute-status":false}})").recomputes_status());
  EXPECT_TRUE(compile(R"({"keyhole":1})").recomputes_status());
}

}  // namespace
