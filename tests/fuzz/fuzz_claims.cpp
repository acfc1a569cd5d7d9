// libFuzzer target: validate_claims (SPEC §1).
//
// Oracles: never crashes; failure is bad_claims with a JSON pointer ("" or "/…");
// validate_claims and filter::run agree on whether the claims are valid; valid
// claims give a stable audience key and a filtered payload that is valid JSON and
// never shows the staff-only component to a viewer without the staff group/domain.
#include <cstdint>
#include <string>

#include "fuzz_common.h"

namespace {
const char kPolicy[] = R"({"keyhole":1,
 "audiences":{"staff":["domain:acme.example","group:staff"],"customer":["org:*"],
              "premium":[{"all":["org:*","attr:plan=enterprise",{"not":"role:guest"}]}]},
 "status":{"default":{"allow":["everyone"]},
   "components":{"CANARY-s1":{"allow":["@staff"],"inherit":false},
                 "c-prem":{"allow":["@premium","email:vip@partner.example","user:u-vip","account:internal"],"inherit":false}}},
 "articles":{"default":{"allow":["signed-in"]},"pages":{"100":{"allow":["verified"]}}}})";
const char kStatus[] =
    R"({"components":[{"id":"pub","name":"Public","status":"operational"},)"
    R"({"id":"CANARY-s1","name":"CANARY-secret-name","status":"major_outage"},)"
    R"({"id":"c-prem","name":"Premium","status":"degraded_performance"}],"status":{"indicator":"major","description":"x"}})";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static keyhole::policy pol = [] {
    keyhole::status st;
    keyhole::policy p = keyhole::policy::compile(kPolicy, st);
    if (!st.ok()) fuzz::die("fixed policy does not compile:", st.message);
    return p;
  }();
  static keyhole::filter f;
  static simdjson::dom::parser parser;
  std::string_view claims(reinterpret_cast<const char*>(data), size);

  keyhole::status st = keyhole::validate_claims(claims);
  std::string_view pl(kStatus);
  keyhole::status fs = f.run(pol, claims, pl.data(), pl.size(), pl.size(), keyhole::payload_format::automatic);
  if (!st.ok()) {
    FUZZ_CHECK(st.code == keyhole::status_code::bad_claims, "claims failed with a non-claims code", st.message);
    FUZZ_CHECK(st.pointer.empty() || st.pointer[0] == '/', "error pointer is not a JSON pointer:", st.pointer);
    FUZZ_CHECK(fs.code == keyhole::status_code::bad_claims, "filter accepted claims validate_claims rejects", st.message);
    FUZZ_CHECK(f.output().empty(), "failed filter left output", "");
    keyhole::status ks = f.audience_key(pol, claims);
    FUZZ_CHECK(!ks.ok() && f.output().empty(), "audience key accepted invalid claims", "");
    return 0;
  }
  FUZZ_CHECK(fs.ok(), "filter rejected claims validate_claims accepts", fs.message);
  std::string out(f.output());
  simdjson::dom::element e;
  FUZZ_CHECK(fuzz::dom_parse(out, e, parser), "output is not JSON", out);

  // Independent staff check: the staff atoms are group:staff or a verified
  // @acme.example address (exactly one '@', ASCII case-insensitive, one trailing dot).
  simdjson::dom::element c;
  FUZZ_CHECK(fuzz::dom_parse(claims, c, parser), "core accepted claims simdjson DOM rejects", "");
  bool staff = false, verified = false, granted = false;
  std::string email;
  for (auto field : ::fuzz::as_obj(c)) {
    if (field.key == "groups")
      for (auto g : ::fuzz::as_arr(field.value))
        if (g.get_string().value_unsafe() == "staff") staff = true;
    if (field.key == "email_verified") verified = field.value.get_bool().value_unsafe();
    if (field.key == "grants")
      for (auto g : ::fuzz::as_arr(field.value))
        if (g.get_string().value_unsafe() == "component:CANARY-s1") granted = true;
    if (field.key == "email") email = std::string(field.value.get_string().value_unsafe());
  }
  for (char& ch : email)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  size_t at = email.find('@');
  if (verified && at != std::string::npos && email.find('@', at + 1) == std::string::npos) {
    std::string d = email.substr(at + 1);
    if (!d.empty() && d.back() == '.') d.pop_back();
    if (d == "acme.example") staff = true;
  }
  bool shown = out.find("CANARY-secret-name") != std::string::npos;
  FUZZ_CHECK(shown == (staff || granted), staff || granted ? "staff viewer does not see the staff component" : "non-staff viewer sees the staff component",
             std::string_view(claims.data(), claims.size() > 300 ? 300 : claims.size()));

  keyhole::status ks = f.audience_key(pol, claims);
  FUZZ_CHECK(ks.ok(), "audience key failed for valid claims", ks.message);
  std::string k1(f.output());
  FUZZ_CHECK(k1.rfind("kh1-", 0) == 0, "audience key has an unexpected form", k1);
  return 0;
}
