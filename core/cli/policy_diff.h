// `keyhole diff`: what a policy change reveals, and to whom. For every viewer and payload
// both policies are explained by the core; a resource shown under the new policy and not
// under the old one "becomes visible", the reverse "becomes hidden". A review gate: the
// exit code is 1 when anything becomes visible to anyone. Shared with @keyhole/wasm
// (diffPolicies) like the test runner.
#pragma once

#include <string>
#include <vector>

#include "policy_tests.h"

namespace keyhole_cli {

struct named_file {
  std::string name, path;
};

struct diff_request {
  std::string old_policy, new_policy;  // paths
  std::vector<named_file> viewers;     // claims files
  std::vector<named_file> payloads;
  std::string format = "auto";
};

struct diff_change {
  std::string viewer, payload, kind, id, name;
  bool visible = false;  // true: becomes visible; false: becomes hidden
};

struct diff_report {
  size_t pairs = 0;
  std::vector<diff_change> changes;
  std::vector<test_error> errors;
};

void run_diff(const diff_request& req, const read_fn& read, diff_report& report);
// 2 some input is malformed; 1 something becomes visible to someone; 0 otherwise.
int diff_exit(const diff_report& r);
std::string diff_text(const diff_report& r);
std::string diff_json(const diff_report& r);

}  // namespace keyhole_cli
