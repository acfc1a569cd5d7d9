// The fixed policies and personas the differential fuzz targets (fuzz_engines,
// fuzz_learning) filter every input with: status rules, mixed incidents,
// disclosure of the members other objects repeat, and knowledge-base rules.
#pragma once

namespace fuzz {

inline const char* const kPolicies[] = {
    R"({"keyhole":1,"audiences":{"staff":["domain:acme.example","group:staff"],"customer":["org:*"]},
 "status":{"default":{"allow":["everyone"]},
   "components":{"s1":{"allow":["@staff"],"inherit":false},"c-cust":{"allow":["@customer"],"inherit":false},
                 "g1":{"deny":["anonymous"]}},
   "incidents":{"visibility":"any-component","mixed":"redact","redact-text":"KH-REDACTED","rules":{"i1":{"deny":["everyone"]}}},
   "disclose":[{"field":"update.body","allow":["signed-in"],"replace":"KH-SIGN-IN"},
               {"field":"component.description","allow":["@staff"]}]},
 "articles":{"default":{"allow":["everyone"]},"pages":{"p1":{"allow":["@staff"],"inherit":false}},
   "disclose":[{"field":"article.excerpt","allow":["signed-in"],"replace":"KH-EXCERPT"}]}})",
    R"({"keyhole":1,"audiences":{"staff":["group:staff"]},
 "status":{"default":{"allow":["everyone"]},"components":{"s1":{"allow":["@staff"],"inherit":false}},
   "incidents":{"mixed":"hide"},"recompute-status":false},
 "articles":{"default":{"allow":["everyone"]},"spaces":{"SECRET":{"allow":["@staff"],"inherit":false}},
   "labels":{"internal":{"deny":["anonymous"]}},"parents":{"101":"100","102":"101"}}})",
    // Disclosure of what other objects repeat: ids, names, statuses (review S-F1, S-F4, S-F5).
    R"({"keyhole":1,"audiences":{"staff":["group:staff"]},
 "status":{"default":{"allow":["everyone"]},"components":{"s1":{"allow":["@staff"],"inherit":false}},
   "disclose":[{"field":"component.id","allow":["signed-in"],"replace":"KH-ID"},{"field":"group.id","allow":["@staff"]},
               {"field":"group.name","allow":["@staff"],"replace":"KH-GROUP"},{"field":"component.name","allow":["signed-in"]},
               {"field":"incident.status","allow":["signed-in"]},{"field":"incident.id","allow":["@staff"],"replace":"KH-INC"},
               {"field":"maintenance.status","allow":["@staff"],"replace":"KH-MS"},{"field":"update.status","allow":["@staff"]}]},
 "articles":{"default":{"allow":["everyone"]}}})",
};
inline const char* const kClaims[] = {
    "{}",
    R"({"sub":"u-1"})",
    R"({"sub":"g-1","email":"ann@globex.example","email_verified":true,"orgs":["globex"],"grants":["component:pub","article:100"]})",
    R"({"sub":"s-1","email":"sam@acme.example","email_verified":true,"groups":["staff"]})",
};

}  // namespace fuzz
