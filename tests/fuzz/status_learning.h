// The status filter run two ways on one payload, for the checks of early
// learning (issue 13; early_learning_test.cpp, fuzz_learning.cpp): learnt as
// the tree is built (status_run as json_tree::build's observer, as keyhole.cpp
// runs it), or learnt after the parse (filter_statuspage over a built tree).
// Both must give the same answer, rejection reason and offset included. The
// parser is the caller's, so tiny windows can cut a small payload into many.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "audience.h"
#include "field_table.h"
#include "filter_context.h"
#include "json_tree.h"
#include "keyhole/keyhole.h"
#include "structural_index.h"
#include "viewer.h"

namespace keyhole_test {

// One run's answer; equal answers are the same answer.
struct status_answer {
  bool parsed = false;    // the tree was built (else `reason` is the parse error)
  bool ok = false;        // filtered (`output`), else rejected (`reason` at `offset`)
  bool refused = false;   // status.json refused: no status object to answer it from
  std::string output, reason;
  int64_t offset = -1;
  bool operator==(const status_answer&) const = default;
};

// A compiled policy and one viewer of it, matched as keyhole.cpp matches them.
class status_viewer {
 public:
  status_viewer(std::string_view policy_json, std::string_view claims_json) {
    keyhole::status st;
    policy_ = keyhole::policy::compile(policy_json, st);
    if (!st.ok()) return;
    std::string text = std::string(claims_json) + std::string(keyhole::detail::json_parser::padding(), ' ');
    keyhole::detail::json_parser parser;
    keyhole::detail::json_tree tree;
    keyhole::detail::parse_error err;
    std::string pointer, message;
    if (!tree.build(parser, text.data(), claims_json.size(), 64, err)) return;
    if (!keyhole::detail::parse_viewer(tree, who_, pointer, message)) return;
    m_.reset(*policy_.impl(), who_);
    ok_ = true;
  }
  status_viewer(const status_viewer&) = delete;
  status_viewer& operator=(const status_viewer&) = delete;
  bool ok() const { return ok_; }
  const keyhole::compiled_policy& policy() const { return *policy_.impl(); }
  const keyhole::detail::matcher& matcher() const { return m_; }

 private:
  keyhole::policy policy_;
  keyhole::detail::viewer who_;
  keyhole::detail::matcher m_;
  bool ok_ = false;
};

// Filters `payload` as a status page (summary or status.json output) for `v`,
// parsed by `parser`; `early`: learnt while the tree is built.
inline status_answer run_status(const status_viewer& v, std::string_view payload, keyhole::detail::json_parser& parser,
                                bool early, bool status_json) {
  using namespace keyhole::detail;
  std::string text = std::string(payload) + std::string(json_parser::padding(), ' ');
  json_tree tree;
  std::vector<edit_mark> marks;
  std::unordered_map<uint32_t, std::string> replacement;
  std::vector<key_state> key_check;
  std::vector<uint32_t> edited;
  filter_context c{.t = tree, .policy = v.policy(), .m = v.matcher(), .marks = marks, .replacement = replacement,
                   .key_check = key_check, .edited = edited};
  std::string written;
  c.out = &written;
  c.status_json = status_json;
  status_run learner(c);
  parse_error err;
  status_answer a;
  a.parsed = tree.build(parser, text.data(), payload.size(), 1024, err, &field_table::api(), early ? &learner : nullptr);
  if (!a.parsed) {
    a.reason = err.message;
    return a;
  }
  a.ok = learner.finish() == outcome::ok;
  a.refused = c.projection_refused;
  if (a.ok) a.output = written;
  else a.reason = c.reject_reason, a.offset = c.reject_offset;
  return a;
}

}  // namespace keyhole_test
