// Compiles a policy document (SPEC §4) into a compiled_policy, rejecting
// anything unknown with the JSON pointer of the offending value.
#pragma once
#include <string>

#include "json_tree.h"
#include "policy_model.h"

namespace keyhole::detail {

bool compile_policy(const json_tree& t, compiled_policy& out, std::string& pointer, std::string& message);

// Canonical text of a JSON value: members sorted by name, strings re-escaped
// minimally, numbers as written, no whitespace.
void canonical_json(const json_tree& t, uint32_t node, std::string& out);

}  // namespace keyhole::detail
