#include "filter_context.h"

namespace keyhole::detail {
namespace {

void emit_node(const json_tree& t, const std::vector<uint8_t>& marks,
               const std::unordered_map<uint32_t, std::string>& replacement, uint32_t i, std::string& out) {
  if (marks[i] == 2) {
    out += replacement.at(i);
    return;
  }
  const jnode& n = t[i];
  if (n.type == jtype::object || n.type == jtype::array) {
    bool object = n.type == jtype::object;
    out.push_back(object ? '{' : '[');
    bool first = true;
    for (uint32_t c = t.first_child(i); c != npos; c = t.next_sibling(i, c)) {
      if (marks[c] == 1) continue;
      if (!first) out.push_back(',');
      first = false;
      if (object) {
        out.append(t[c].raw_key);
        out.push_back(':');
      }
      emit_node(t, marks, replacement, c, out);
    }
    out.push_back(object ? '}' : ']');
    return;
  }
  out.append(n.raw);
}

}  // namespace

void emit(const json_tree& t, const std::vector<uint8_t>& marks,
          const std::unordered_map<uint32_t, std::string>& replacement, std::string& out) {
  out.clear();
  if (!t.empty()) emit_node(t, marks, replacement, 0, out);
}

void filter_context::disclose(const std::vector<disclose_entry>& entries, std::string_view kind, uint32_t obj) {
  if (entries.empty() || !t.is_object(obj)) return;
  // Entries are grouped by member: all on one member must be satisfied; the
  // first unmet one decides between removal and its replacement.
  for (size_t i = 0; i < entries.size(); ++i) {
    const disclose_entry& e = entries[i];
    if (e.kind != kind) continue;
    bool first_for_member = true;
    for (size_t j = 0; j < i; ++j)
      if (entries[j].kind == kind && entries[j].member == e.member) first_for_member = false;
    if (!first_for_member) continue;
    uint32_t member = t.member(obj, e.member);
    if (member == npos || t.is_null(member)) continue;
    for (size_t j = i; j < entries.size(); ++j) {
      const disclose_entry& f = entries[j];
      if (f.kind != kind || f.member != e.member) continue;
      if (m.eval(f.allow)) continue;
      if (f.has_replace) replace(member, f.replace_raw);
      else drop(member);
      break;
    }
  }
}

}  // namespace keyhole::detail
