// SPEC §10 as a property: viewers with equal audience keys for a format get
// byte-identical output for every payload of that format, over random claims,
// several policies (with and without an articles section, embedded
// restrictions on and off) and payloads whose read restrictions name random
// users and groups (finding E2).
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "case_loader.h"
#include "keyhole/keyhole.h"

namespace {

namespace fs = std::filesystem;
const fs::path kTests(KEYHOLE_TESTS_DIR);

const char* kPolicies[] = {
    // status only: embedded restrictions still apply to knowledge-base payloads
    R"({"keyhole":1,"status":{"default":{"allow":["everyone"]},"components":{"c1":{"allow":["group:staff"],"inherit":false}}}})",
    // combined, restrictions on (the default)
    R"({"keyhole":1,"audiences":{"staff":["domain:acme.example","group:staff"]},
        "status":{"default":{"allow":["everyone"]},"components":{"c1":{"allow":["@staff"],"inherit":false}}},
        "articles":{"default":{"allow":["everyone"]},"spaces":{"SEC":{"allow":["@staff"],"inherit":false}}}})",
    // combined, restrictions off
    R"({"keyhole":1,"status":{"default":{"allow":["signed-in"]}},
        "articles":{"default":{"allow":["org:*"]},"embedded-restrictions":false}})",
};

// A v1 list whose pages restrict reading to a few users and groups.
std::string restricted_list(std::mt19937& rng) {
  std::string out = "{\"results\":[";
  for (int i = 0; i < 6; ++i) {
    if (i) out += ",";
    std::string users, groups;
    if (rng() % 2) users = "{\"accountId\":\"u" + std::to_string(rng() % 6) + "\"}";
    if (rng() % 2) groups = "{\"name\":\"g" + std::to_string(rng() % 3) + "\"}";
    out += "{\"id\":\"" + std::to_string(700 + i) + "\",\"type\":\"page\",\"title\":\"p" + std::to_string(i) +
           "\",\"space\":{\"key\":\"" + (i % 3 ? "KB" : "SEC") + "\"},\"ancestors\":[],"
           "\"restrictions\":{\"read\":{\"restrictions\":{\"user\":{\"results\":[" + users +
           "]},\"group\":{\"results\":[" + groups + "]}}}}}";
  }
  return out + "],\"size\":6}";
}

std::string random_claims(std::mt19937& rng) {
  if (rng() % 6 == 0) return "{}";
  std::string c = "{\"sub\":\"u" + std::to_string(rng() % 6) + "\"";
  if (rng() % 2) c += std::string(",\"email\":\"x@") + (rng() % 2 ? "acme" : "globex") + ".example\",\"email_verified\":true";
  if (rng() % 2) c += ",\"groups\":[\"g" + std::to_string(rng() % 3) + "\"" + (rng() % 4 ? "" : ",\"staff\"") + "]";
  if (rng() % 3 == 0) c += ",\"orgs\":[\"globex\"]";
  if (rng() % 4 == 0) c += ",\"grants\":[\"article:70" + std::to_string(rng() % 6) + "\",\"component:c1\"]";
  return c + "}";
}

struct format_payloads {
  keyhole::payload_format format;
  std::vector<std::string> payloads;
};

std::vector<format_payloads> payloads_by_format(std::mt19937& rng) {
  format_payloads status{keyhole::payload_format::statuspage, {}}, kb{keyhole::payload_format::confluence, {}},
      jsm{keyhole::payload_format::jsm, {}};
  for (auto& e : fs::directory_iterator(kTests / "fixtures" / "statuspage"))
    if (e.path().extension() == ".json") status.payloads.push_back(keyhole_test::read_file(e.path()));
  for (auto& e : fs::directory_iterator(kTests / "fixtures" / "kb")) {
    if (e.path().extension() != ".json") continue;
    bool is_jsm = e.path().filename().string().find("jsm") != std::string::npos;
    (is_jsm ? jsm : kb).payloads.push_back(keyhole_test::read_file(e.path()));
  }
  for (int i = 0; i < 4; ++i) kb.payloads.push_back(restricted_list(rng));
  return {status, kb, jsm};
}

std::string output_of(keyhole::filter& f, const keyhole::policy& p, const std::string& claims, const std::string& payload,
                      keyhole::payload_format format) {
  keyhole::status st = f.run(p, claims, payload.data(), payload.size(), payload.size(), format);
  return st.ok() ? std::string(f.output()) : "<" + std::to_string(int(st.code)) + ">";
}

TEST(AudienceKeyProperty, EqualKeysMeanEqualBytesForEveryFormat) {
  std::mt19937 rng(20261201);
  auto formats = payloads_by_format(rng);
  keyhole::filter f;
  int compared = 0;
  for (const char* text : kPolicies) {
    keyhole::status st;
    keyhole::policy p = keyhole::policy::compile(text, st);
    ASSERT_TRUE(st.ok()) << st.message;
    for (const format_payloads& fp : formats) {
      std::map<std::string, std::pair<std::string, std::vector<std::string>>> seen;  // key → claims, outputs
      for (int i = 0; i < 150; ++i) {
        std::string claims = random_claims(rng);
        ASSERT_TRUE(f.audience_key(p, claims, fp.format).ok()) << claims;
        std::string key(f.output());
        std::vector<std::string> outs;
        for (const std::string& payload : fp.payloads) outs.push_back(output_of(f, p, claims, payload, fp.format));
        auto [it, fresh] = seen.try_emplace(key, claims, outs);
        if (fresh) continue;
        ++compared;
        ASSERT_EQ(it->second.second, outs) << "same key " << key << " for " << it->second.first << " and " << claims;
      }
    }
  }
  EXPECT_GT(compared, 200);
}

// Status payloads carry no restrictions: under a combined policy the status
// key stays per audience, while the knowledge-base key is per user.
TEST(AudienceKeyProperty, StatusKeyIgnoresSubUnderACombinedPolicy) {
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(kPolicies[1], st);
  ASSERT_TRUE(st.ok());
  keyhole::filter f;
  auto key = [&](const char* claims, keyhole::payload_format format) {
    EXPECT_TRUE(f.audience_key(p, claims, format).ok());
    return std::string(f.output());
  };
  const char* ann = R"({"sub":"ann","groups":["beta"]})";
  const char* bob = R"({"sub":"bob","groups":["beta"]})";
  EXPECT_EQ(key(ann, keyhole::payload_format::statuspage), key(bob, keyhole::payload_format::statuspage));
  EXPECT_NE(key(ann, keyhole::payload_format::confluence), key(bob, keyhole::payload_format::confluence));
  EXPECT_NE(key(ann, keyhole::payload_format::jsm), key(bob, keyhole::payload_format::jsm));
  EXPECT_NE(key(ann, keyhole::payload_format::automatic), key(bob, keyhole::payload_format::automatic));
}

// Each format's key covers the atoms and grants of the section that decides it
// (issue 12): an organisation that only the articles section names, or an
// article grant, does not split the status key.
TEST(AudienceKeyProperty, KeysCoverTheirOwnSectionOnly) {
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(R"({"keyhole":1,
    "status":{"default":{"allow":["everyone"]},"components":{"c1":{"allow":["group:ops"],"inherit":false}}},
    "articles":{"default":{"allow":["org:globex"]},"embedded-restrictions":false}})", st);
  ASSERT_TRUE(st.ok()) << st.message;
  keyhole::filter f;
  auto key = [&](const char* claims, keyhole::payload_format format) {
    EXPECT_TRUE(f.audience_key(p, claims, format).ok());
    return std::string(f.output());
  };
  const char* plain = R"({"sub":"a"})";
  const char* globex = R"({"sub":"b","orgs":["globex"],"grants":["article:7"]})";
  const char* ops = R"({"sub":"c","groups":["ops"],"grants":["component:c9"]})";
  EXPECT_EQ(key(plain, keyhole::payload_format::statuspage), key(globex, keyhole::payload_format::statuspage));
  EXPECT_NE(key(plain, keyhole::payload_format::confluence), key(globex, keyhole::payload_format::confluence));
  EXPECT_NE(key(plain, keyhole::payload_format::statuspage), key(ops, keyhole::payload_format::statuspage));
  EXPECT_EQ(key(plain, keyhole::payload_format::confluence), key(ops, keyhole::payload_format::confluence));
  EXPECT_NE(key(plain, keyhole::payload_format::automatic), key(globex, keyhole::payload_format::automatic));
  EXPECT_NE(key(plain, keyhole::payload_format::automatic), key(ops, keyhole::payload_format::automatic));
}

}  // namespace
