// Built inside the reference library, where `keyhole` names keyhole_reference.
#include "reference_filter.h"

#include "json_tree.h"
#include "keyhole/keyhole.h"

namespace reference_engine {

result run(std::string_view policy_json, std::string_view claims, std::string_view payload, bool status_json) {
  result r;
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(policy_json, st);
  if (!st.ok()) return r;
  r.policy_ok = true;
  keyhole::viewer v = keyhole::viewer::compile(p, claims, st);
  if (!st.ok()) {
    r.code = static_cast<int>(st.code);
    return r;
  }
  keyhole::filter f;
  st = f.run(v, payload.data(), payload.size(), payload.size(), keyhole::payload_format::automatic,
             status_json ? keyhole::output_mode::status_json : keyhole::output_mode::payload);
  r.code = static_cast<int>(st.code);
  if (st.ok()) r.output.assign(f.output().data(), f.output().size());
  return r;
}

bool tree_accepts(std::string_view text, size_t max_depth) {
  keyhole::detail::json_parser parser;
  keyhole::detail::json_tree tree;
  keyhole::detail::parse_error err;
  std::string buf;
  return keyhole::detail::parse_copy(parser, buf, text, max_depth, tree, err);
}

}  // namespace reference_engine
