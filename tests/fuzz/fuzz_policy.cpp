// libFuzzer target: policy compile (SPEC §2–§4).
//
// Oracles: compile never crashes; a failure is bad_policy with a pointer that is
// "" or starts with "/"; a compiled policy can be used: filter a fixed status
// payload and a fixed knowledge-base payload for a few personas (valid JSON out
// on success, nothing out on failure) and compute audience keys (stable).
#include <cstdint>
#include <string>

#include "fuzz_common.h"

namespace {
const char kStatus[] =
    R"({"page":{"id":"p"},"components":[{"id":"pub","name":"Public","status":"operational","group_id":"g1"},)"
    R"({"id":"CANARY-s1","name":"CANARY-secret","status":"major_outage","group_id":"g1"},)"
    R"({"id":"g1","name":"Group","status":"major_outage","group":true,"components":["pub","CANARY-s1"]}],)"
    R"("incidents":[{"id":"i1","name":"Outage","status":"investigating","impact":"major",)"
    R"("components":[{"id":"CANARY-s1","name":"CANARY-secret","status":"major_outage"}],)"
    R"("incident_updates":[{"id":"u1","body":"text","affected_components":[{"code":"CANARY-s1","name":"CANARY-secret"}]}]}],)"
    R"("scheduled_maintenances":[],"status":{"indicator":"major","description":"Partial System Outage"}})";
const char kKb[] =
    R"({"results":[{"id":"100","type":"page","title":"Root","space":{"key":"KB"},"ancestors":[],)"
    R"("metadata":{"labels":{"results":[{"name":"internal"}]}}},)"
    R"({"id":"101","type":"page","title":"Child","space":{"key":"KB"},"ancestors":[{"id":"100","title":"Root"}],)"
    R"("metadata":{"labels":{"results":[]}},"excerpt":"e"}],"size":2,"totalSize":2,"_links":{}})";
const char* const kClaims[] = {
    "{}", R"({"sub":"u-1"})",
    R"({"sub":"g-1","email":"ann@globex.example","email_verified":true,"orgs":["globex"],"attrs":{"plan":"enterprise"},"grants":["article:101"]})",
    R"({"sub":"s-1","email":"Sam@Acme.example","email_verified":true,"groups":["staff"],"roles":["admin"],"account":"internal"})"};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static keyhole::filter f;
  static simdjson::dom::parser out_parser;
  std::string_view json(reinterpret_cast<const char*>(data), size);
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(json, st);
  if (!st.ok()) {
    FUZZ_CHECK(!p.valid(), "failed compile returned a policy", st.message);
    FUZZ_CHECK(st.code == keyhole::status_code::bad_policy, "compile failed with a non-policy code", st.message);
    FUZZ_CHECK(st.pointer.empty() || st.pointer[0] == '/', "error pointer is not a JSON pointer:", st.pointer);
    return 0;
  }
  FUZZ_CHECK(p.valid(), "successful compile returned no policy", "");
  for (const char* claims : kClaims) {
    for (const char* payload : {kStatus, kKb}) {
      std::string_view pl(payload);
      keyhole::status fs = f.run(p, claims, pl.data(), pl.size(), pl.size(), keyhole::payload_format::automatic);
      if (fs.ok()) {
        simdjson::dom::element e;
        FUZZ_CHECK(fuzz::dom_parse(f.output(), e, out_parser), "output is not JSON", f.output());
      } else {
        FUZZ_CHECK(f.output().empty(), "failed filter left output", fs.message);
        FUZZ_CHECK(fs.code == keyhole::status_code::payload_rejected || fs.code == keyhole::status_code::not_visible,
                   "unexpected filter status:", fs.message);
      }
      keyhole::status es = f.explain(p, claims, pl.data(), pl.size(), pl.size(), keyhole::payload_format::automatic);
      if (es.ok()) {
        simdjson::dom::element e;
        FUZZ_CHECK(fuzz::dom_parse(f.output(), e, out_parser), "explain output is not JSON", f.output());
      }
    }
    keyhole::status ks = f.audience_key(p, claims);
    FUZZ_CHECK(ks.ok(), "audience key failed for valid claims", ks.message);
    std::string k1(f.output());
    ks = f.audience_key(p, claims);
    FUZZ_CHECK(ks.ok() && f.output() == k1, "audience key not stable", k1);
  }
  // Compiling again gives an equivalent policy (same audience key).
  keyhole::status st2;
  keyhole::policy p2 = keyhole::policy::compile(json, st2);
  FUZZ_CHECK(st2.ok(), "second compile failed", st2.message);
  f.audience_key(p, "{}");
  std::string a(f.output());
  f.audience_key(p2, "{}");
  FUZZ_CHECK(a == f.output(), "recompiled policy has a different audience key", a);
  return 0;
}
