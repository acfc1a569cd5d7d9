// keyhole::share_grants (SPEC §7) and the email rule it shares with the
// `email:`/`domain:` atoms (SPEC §1): findings E3 (Unicode case folding let a
// look-alike address use a link) and C2 (an email without exactly one '@').
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "keyhole/keyhole.h"

namespace {

constexpr int64_t kNow = 1700000000;
const char* kMikeLink = R"({"id":"l1","resources":["article:888"],"emails":["Mike@Partner.example"],"exp":1800000000})";
const char* kDomainLink = R"({"id":"l2","resources":["article:888","component:c1"],"domains":["KK.example."],"exp":1800000000})";

std::string verified(const std::string& email, const char* sub = "u1") {
  return std::string(R"({"sub":")") + sub + R"(","email":)" + email + R"(,"email_verified":true})";
}

// The grants, or "error <code>: <pointer> <message>".
std::string grants(const std::string& claims, const std::string& body, int64_t now = kNow) {
  std::string out = "unchanged";
  keyhole::status st = keyhole::share_grants(claims, body, now, out);
  if (!st.ok()) {
    EXPECT_EQ(out, "[]") << "no grants on error";
    return "error " + std::to_string(int(st.code)) + ": " + st.pointer + " " + st.message;
  }
  return out;
}

TEST(ShareGrants, ListedVerifiedEmailGetsTheResourcesAsciiCaseInsensitively) {
  EXPECT_EQ(grants(verified(R"("mike@partner.example")"), kMikeLink), R"(["article:888"])");
  EXPECT_EQ(grants(verified(R"("MIKE@PARTNER.EXAMPLE")"), kMikeLink), R"(["article:888"])");
}

TEST(ShareGrants, KelvinSignIsNotK) {
  // U+212A KELVIN SIGN, escaped and as raw UTF-8: JavaScript's toLowerCase() made it "k".
  EXPECT_EQ(grants(verified(R"("mi\u212Ae@partner.example")"), kMikeLink), "[]");
  EXPECT_EQ(grants(verified("\"mi\xE2\x84\xAA" "e@partner.example\""), kMikeLink), "[]");
  EXPECT_EQ(grants(verified(R"("eve@\u212Ak.example")"), kDomainLink), "[]");
  EXPECT_EQ(grants(verified(R"("eve@k\u212A.example")"), kDomainLink), "[]");
  // And the other way round: a Kelvin sign listed in the link matches no ASCII "k".
  const char* kelvin_listed = R"({"id":"l","resources":["article:1"],"emails":["mi\u212Ae@partner.example"],"domains":["\u212Ak.example"],"exp":1800000000})";
  EXPECT_EQ(grants(verified(R"("mike@partner.example")"), kelvin_listed), "[]");
  EXPECT_EQ(grants(verified(R"("kay@kk.example")"), kelvin_listed), "[]");
}

TEST(ShareGrants, DomainLinkNormalisesOneTrailingDotOnBothSides) {
  const std::string both = R"(["article:888","component:c1"])";
  EXPECT_EQ(grants(verified(R"("kay@kk.example")"), kDomainLink), both);
  EXPECT_EQ(grants(verified(R"("Kay@KK.Example.")"), kDomainLink), both);
  EXPECT_EQ(grants(verified(R"("kay@kk.example..")"), kDomainLink), "[]") << "one dot only";
  EXPECT_EQ(grants(verified(R"("kay@sub.kk.example")"), kDomainLink), "[]") << "exactly the domain";
  EXPECT_EQ(grants(verified(R"("kay@kk.example.evil.test")"), kDomainLink), "[]");
}

TEST(ShareGrants, EmailNeedsExactlyOneAt) {
  const char* link = R"({"id":"l","resources":["article:1"],"emails":["root","a@b@kk.example","\"ops@corp\"@kk.example"],"domains":["kk.example"],"exp":1800000000})";
  EXPECT_EQ(grants(verified(R"("root")"), link), "[]") << "no @: listed verbatim, still no match";
  EXPECT_EQ(grants(verified(R"("a@b@kk.example")"), link), "[]") << "two @";
  EXPECT_EQ(grants(verified(R"("\"ops@corp\"@kk.example")"), link), "[]") << "quoted local part with @";
  EXPECT_EQ(grants(verified(R"("ok@kk.example")"), link), R"(["article:1"])");
}

TEST(ShareGrants, OnlyForSignedInVerifiedViewersBeforeExp) {
  EXPECT_EQ(grants(R"({"sub":"u1","email":"mike@partner.example","email_verified":false})", kMikeLink), "[]");
  EXPECT_EQ(grants(R"({"sub":"u1","email":"mike@partner.example"})", kMikeLink), "[]") << "verification not stated";
  EXPECT_EQ(grants("{}", kMikeLink), "[]") << "anonymous";
  EXPECT_EQ(grants(R"({"sub":"u1","email_verified":true})", kMikeLink), "[]") << "no email";
  const std::string mike = verified(R"("mike@partner.example")");
  EXPECT_EQ(grants(mike, kMikeLink, 1800000000 - 1), R"(["article:888"])");
  EXPECT_EQ(grants(mike, kMikeLink, 1800000000), "[]") << "now == exp is expired";
  EXPECT_EQ(grants(mike, kMikeLink, 1900000000), "[]");
}

TEST(ShareGrants, MalformedBodiesAreErrors) {
  const std::string mike = verified(R"("mike@partner.example")");
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"not json", ""},
      {R"(["article:1"])", ""},
      {R"({"id":"l","resources":["article:1"],"emails":["a@b"],"exp":1800000000,"extra":1})", "/extra"},
      {R"({"id":"l","resources":["article:1"],"emails":["a@b"],"exp":1800000000,"exp":1900000000})", "/exp"},
      {R"({"id":"l","resources":["article:1"],"emails":["a@b"],"exp":"1800000000"})", "/exp"},
      {R"({"id":"l","resources":["article:1"],"emails":["a@b"],"exp":1.8e9})", "/exp"},
      {R"({"id":"l","resources":["article:1"],"emails":["a@b"]})", "/exp"},
      {R"({"id":"","resources":["article:1"],"emails":["a@b"],"exp":1800000000})", "/id"},
      {R"({"resources":["article:1"],"emails":["a@b"],"exp":1800000000})", "/id"},
      {R"({"id":"l","resources":["page:1"],"emails":["a@b"],"exp":1800000000})", "/resources/0"},
      {R"({"id":"l","resources":["article:"],"emails":["a@b"],"exp":1800000000})", "/resources/0"},
      {R"({"id":"l","resources":[],"emails":["a@b"],"exp":1800000000})", "/resources"},
      {R"({"id":"l","resources":"article:1","emails":["a@b"],"exp":1800000000})", "/resources"},
      {R"({"id":"l","resources":["article:1"],"emails":"a@b","exp":1800000000})", "/emails"},
      {R"({"id":"l","resources":["article:1"],"emails":[null],"exp":1800000000})", "/emails/0"},
      {R"({"id":"l","resources":["article:1"],"domains":["."],"exp":1800000000})", "/domains/0"},
      {R"({"id":"l","resources":["article:1"],"emails":[],"exp":1800000000})", ""},
  };
  for (const auto& [body, pointer] : bad) {
    std::string out;
    keyhole::status st = keyhole::share_grants(mike, body, kNow, out);
    EXPECT_EQ(st.code, keyhole::status_code::bad_claims) << body;
    EXPECT_EQ(st.pointer, pointer) << body;
    EXPECT_EQ(st.message.rfind("share body:", 0), 0u) << body << ": " << st.message;
    EXPECT_EQ(out, "[]");
  }
}

TEST(ShareGrants, BadClaimsAreClaimsErrorsWhateverTheBody) {
  std::string out;
  keyhole::status st = keyhole::share_grants(R"({"sub":"a","sub":"b"})", kMikeLink, kNow, out);
  EXPECT_EQ(st.code, keyhole::status_code::bad_claims);
  EXPECT_EQ(st.pointer, "/sub");
  st = keyhole::share_grants(R"({"sub":"a","email_verified":"true"})", kMikeLink, kNow, out);
  EXPECT_EQ(st.code, keyhole::status_code::bad_claims);
  EXPECT_EQ(st.pointer, "/email_verified");
  EXPECT_EQ(keyhole::exit_code(st.code), 2);
}

TEST(ShareGrants, InternalStatusHasItsOwnExitCode) {
  EXPECT_EQ(static_cast<int>(keyhole::status_code::internal), 6);
  EXPECT_EQ(keyhole::exit_code(keyhole::status_code::internal), 5);
}

// The property behind E3 and C2: for every viewer, a link listing an address opens
// exactly when the policy atom `email:<address>` matches (and the same for domains).
bool atom_shows(const std::string& atom, const std::string& claims) {
  keyhole::status st;
  std::string policy = R"({"keyhole":1,"articles":{"pages":{"1":{"allow":[")" + atom + R"("]}}}})";
  keyhole::policy p = keyhole::policy::compile(policy, st);
  EXPECT_TRUE(st.ok()) << atom << ": " << st.message;
  keyhole::filter f;
  std::string page = R"({"id":"1","type":"page","title":"t"})";
  st = f.run(p, claims, page.data(), page.size(), page.size(), keyhole::payload_format::confluence);
  EXPECT_TRUE(st.ok() || st.code == keyhole::status_code::not_visible) << st.message;
  return st.ok();
}

TEST(ShareGrants, AgreesWithEmailAndDomainAtoms) {
  const std::vector<std::string> emails = {
      R"("mike@partner.example")", R"("MIKE@partner.EXAMPLE")", R"("mi\u212Ae@partner.example")",
      R"("root")", R"("ROOT")", R"("\"ops@corp\"@partner.example")", R"("mike@partner.example.")",
      R"("x@\u212Ak.example")", R"("x@kk.example")", R"("x@KK.example.")", R"("a@b@kk.example")"};
  const std::vector<std::pair<std::string, std::string>> listed = {
      {"email", "mike@partner.example"}, {"email", "root"}, {"email", "\\\"ops@corp\\\"@partner.example"},
      {"domain", "kk.example"}, {"domain", "partner.example"}};
  for (const auto& e : emails) {
    for (bool is_verified : {true, false}) {
      std::string claims = R"({"sub":"u","email":)" + e + R"(,"email_verified":)" + (is_verified ? "true" : "false") + "}";
      for (const auto& [kind, value] : listed) {
        std::string body = R"({"id":"l","resources":["article:1"],")" + kind + R"(s":[")" + value + R"("],"exp":1800000000})";
        bool opens = grants(claims, body) != "[]";
        EXPECT_EQ(opens, atom_shows(kind + ":" + value, claims)) << claims << " vs " << kind << ":" << value;
      }
    }
  }
}

TEST(EmailAtoms, NeedExactlyOneAt) {  // C2
  EXPECT_FALSE(atom_shows("email:root", R"({"sub":"y","email":"ROOT","email_verified":true})"));
  EXPECT_FALSE(atom_shows("email:\\\"ops@corp\\\"@acme.example",
                          R"({"sub":"x","email":"\"ops@corp\"@acme.example","email_verified":true})"));
  EXPECT_TRUE(atom_shows("email:ops@acme.example", R"({"sub":"x","email":"OPS@acme.example","email_verified":true})"));
}

}  // namespace
