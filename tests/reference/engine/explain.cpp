#include "explain.h"

namespace keyhole::detail {
namespace {

struct json_out {
  std::string& out;
  void str(std::string_view s) { append_json_string(out, s); }
  void key(std::string_view k) {
    if (out.back() != '{') out.push_back(',');
    str(k);
    out.push_back(':');
  }
  void member(std::string_view k, std::string_view v) { key(k), str(v); }
  void member(std::string_view k, const char* v) { member(k, std::string_view(v)); }
  void member(std::string_view k, bool v) { key(k), out += v ? "true" : "false"; }
  void list(std::string_view k, const std::vector<std::string>& xs) {
    key(k);
    out.push_back('[');
    for (size_t i = 0; i < xs.size(); ++i) {
      if (i) out.push_back(',');
      str(xs[i]);
    }
    out.push_back(']');
  }
};

void levels(json_out& j, const decision& d) {
  j.key("levels");
  j.out.push_back('[');
  for (size_t i = 0; i < d.trace.size(); ++i) {
    const level_trace& l = d.trace[i];
    if (i) j.out.push_back(',');
    j.out.push_back('{');
    j.member("level", l.name);
    j.member("reset", l.reset);
    j.member("allow", l.allow);
    j.member("deny", l.deny);
    j.list("allowed_by", l.allow_items);
    j.list("denied_by", l.deny_items);
    j.out.push_back('}');
  }
  j.out.push_back(']');
}

// The step that decided a resource, read off its levels with SPEC §3: a deny
// sticks (the first denying level decides); otherwise an allow after the last
// reset shows it (the innermost such level is named), else a grant; else
// nothing allowed it (or the last reset withheld an earlier allow).
void decided_by(json_out& j, const explained& e) {
  j.key("decided_by");
  j.out.push_back('{');
  if (!e.fail_closed.empty()) {
    j.member("step", "fail-closed");
    j.member("reason", e.fail_closed);
  } else if (e.group) {
    j.member("step", "group");
  } else if (e.mixed == mixed_mode::hide) {
    j.member("step", "mixed");
    j.member("policy", "hide");
  } else if (e.d.denied) {
    j.member("step", "deny");
    for (const level_trace& l : e.d.trace)
      if (l.deny) {
        j.member("level", l.name);
        j.list("by", l.deny_items);
        break;
      }
  } else {
    const level_trace* allow = nullptr;
    const level_trace* reset = nullptr;
    for (const level_trace& l : e.d.trace) {
      if (l.reset) allow = nullptr, reset = &l;
      if (l.allow) allow = &l;
    }
    if (allow) {
      j.member("step", "allow");
      j.member("level", allow->name);
      j.list("by", allow->allow_items);
    } else if (e.d.granted) {
      j.member("step", "grant");
    } else {
      j.member("step", "not-allowed");
      if (reset) j.member("reset_at", reset->name);
    }
  }
  j.out.push_back('}');
}

void resource(json_out& j, const explained& e) {
  j.out.push_back('{');
  j.member("kind", e.kind);
  j.member("id", e.id);
  j.member("shown", e.shown);
  levels(j, e.d);
  j.member("grant", e.d.granted);
  decided_by(j, e);
  if (e.mixed == mixed_mode::redact) j.member("mixed", "redact");
  if (!e.note.empty()) j.member("note", e.note);
  j.out.push_back('}');
}

}  // namespace

void explain_json(const std::vector<explained>& log, std::string_view format,
                  const std::vector<filter_context::withheld_field>& withheld, std::string& out) {
  out.clear();
  json_out j{out};
  out.push_back('{');
  j.key("explain");
  out += std::to_string(kExplainVersion);
  j.member("format", format);
  // Disclosure: the fields this viewer does not get, for every object of the kind.
  j.key("withheld");
  out.push_back('[');
  for (size_t i = 0; i < withheld.size(); ++i) {
    if (i) out.push_back(',');
    out.push_back('{');
    j.member("field", std::string(withheld[i].kind) + "." + std::string(withheld[i].member));
    j.member("action", withheld[i].decider->has_replace ? "replace" : "remove");
    out.push_back('}');
  }
  out.push_back(']');
  j.key("resources");
  out.push_back('[');
  for (size_t i = 0; i < log.size(); ++i) {
    if (i) out.push_back(',');
    resource(j, log[i]);
  }
  out += "]}";
}

}  // namespace keyhole::detail
