#include <algorithm>

#include "filter_context.h"

namespace keyhole::detail {
namespace {

struct writer {
  const json_tree& t;
  const std::vector<uint8_t>& marks;
  const std::unordered_map<uint32_t, std::string>& replacement;
  const std::vector<uint32_t>& edited;  // sorted
  std::string& out;

  bool untouched(uint32_t n) const {
    auto it = std::lower_bound(edited.begin(), edited.end(), n);
    return it == edited.end() || *it >= t.end(n);
  }

  // Copies text as written minus whitespace outside strings (SIMD minify).
  void copy_compact(std::string_view text) {
    if (t.compact()) {
      out.append(text);
      return;
    }
    size_t at = out.size();
    out.resize(at + text.size());
    size_t written = 0;
    if (simdjson::minify(text.data(), text.size(), out.data() + at, written)) written = 0;
    out.resize(at + written);
  }

  void node(uint32_t n) {
    if (marks[n] == 2) {
      out += replacement.at(n);
      return;
    }
    jtype type = t.type(n);
    if (type != jtype::object && type != jtype::array) {
      out.append(t.raw(n));  // a token as written has no whitespace outside strings
      return;
    }
    if (untouched(n)) {
      copy_compact(t.span(n));
      return;
    }
    bool object = type == jtype::object;
    out.push_back(object ? '{' : '[');
    bool first = true;
    for (uint32_t c = t.first_child(n); c != npos; c = t.next_sibling(n, c)) {
      if (marks[c] == 1) continue;
      if (!first) out.push_back(',');
      first = false;
      if (object) {
        out.append(t.raw_key(c));
        out.push_back(':');
      }
      node(c);
    }
    out.push_back(object ? '}' : ']');
  }
};

}  // namespace

void emit(const json_tree& t, const std::vector<uint8_t>& marks,
          const std::unordered_map<uint32_t, std::string>& replacement, std::vector<uint32_t>& edited,
          std::string& out) {
  out.clear();
  if (t.empty()) return;
  std::sort(edited.begin(), edited.end());
  writer w{t, marks, replacement, edited, out};
  w.node(0);
}

void filter_context::plan_disclosure(const std::vector<disclose_entry>& entries) {
  withheld.clear();
  for (size_t i = 0; i < entries.size(); ++i) {
    const disclose_entry& e = entries[i];
    bool seen = false;
    for (size_t j = 0; j < i && !seen; ++j) seen = entries[j].kind == e.kind && entries[j].member == e.member;
    if (seen) continue;  // the field's fate was settled at its first entry
    // All entries on one field must be satisfied; the first unmet one decides.
    for (size_t j = i; j < entries.size(); ++j) {
      const disclose_entry& f = entries[j];
      if (f.kind != e.kind || f.member != e.member || m.eval(f.allow)) continue;
      withheld.push_back(withheld_field{e.kind, e.member, &f});
      break;
    }
  }
}

void filter_context::disclose(std::string_view kind, uint32_t obj, std::string_view only_member) {
  if (withheld.empty() || !t.is_object(obj)) return;
  for (const withheld_field& w : withheld) {
    if (w.kind != kind || (!only_member.empty() && w.member != only_member)) continue;
    uint32_t member = t.member(obj, w.member);
    if (member == npos || t.is_null(member)) continue;
    if (w.decider->has_replace) replace(member, w.decider->replace_raw);
    else drop(member);
  }
}

}  // namespace keyhole::detail
