#include "explain_text.h"

#include <vector>

#include "json_input.h"

namespace keyhole_cli {
namespace {

using simdjson::dom::element;

std::string str_member(element e, std::string_view key) {
  std::string_view s;
  if (e[key].get_string().get(s) != simdjson::SUCCESS) return {};
  return std::string(s);
}

// "space:HR" -> "space HR"; "components" -> "affected components".
std::string level_words(std::string_view level) {
  if (level == "components") return "affected components";
  std::string out(level);
  size_t colon = out.find(':');
  if (colon != std::string::npos) out[colon] = ' ';
  return out;
}

std::string joined_by(element decided) {
  std::string out;
  simdjson::dom::array by;
  if (decided["by"].get_array().get(by) != simdjson::SUCCESS) return out;
  for (element b : by) {
    std::string_view s;
    if (!as_string(b, s)) continue;
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

// The deciding step in words (docs/explain.md, `decided_by`).
std::string step_words(element decided, bool shown) {
  std::string step = str_member(decided, "step");
  std::string level = level_words(str_member(decided, "level"));
  std::string by = joined_by(decided);
  by = by.empty() ? "" : " (" + by + ")";
  if (step == "allow") return "allow at " + level + by;
  if (step == "deny") return "deny at " + level + by;
  if (step == "grant") return "allow by grant";
  if (step == "not-allowed") {
    std::string reset = str_member(decided, "reset_at");
    return reset.empty() ? "hidden: no level allows" : "hidden: not allowed after inherit: false at " + level_words(reset);
  }
  if (step == "fail-closed") return "hidden: " + str_member(decided, "reason");
  if (step == "mixed") return "hidden: mixed: " + str_member(decided, "policy") + " (an affected component is hidden)";
  if (step == "group") return shown ? "group: a component of it is shown" : "group: no component of it is shown";
  return step.empty() ? "(no deciding step)" : step;
}

bool read_resource(element r, explained_resource& out) {
  std::string_view kind, id;
  bool shown = false;
  if (!as_string(r["kind"], kind) || !as_string(r["id"], id) || r["shown"].get_bool().get(shown)) return false;
  out.kind = kind;
  out.id = id;
  out.shown = shown;
  out.note = str_member(r, "note");
  out.redacted = str_member(r, "mixed") == "redact";
  element decided;
  out.step = r["decided_by"].get(decided) == simdjson::SUCCESS ? step_words(decided, shown) : "(no deciding step)";
  return true;
}

std::string id_text(element e) {
  std::string_view s;
  if (as_string(e, s)) return std::string(s);
  int64_t i;
  if (e.get_int64().get(i) == simdjson::SUCCESS) return std::to_string(i);
  uint64_t u;
  if (e.get_uint64().get(u) == simdjson::SUCCESS) return std::to_string(u);
  return {};
}

void name_object(simdjson::dom::object o, resource_names& names) {
  std::string_view name;
  if (!as_string(o["name"], name) && !as_string(o["title"], name)) return;
  element id;
  if (o["id"].get(id) == simdjson::SUCCESS) {
    std::string k = id_text(id);
    if (!k.empty()) names.try_emplace(k, std::string(name));
  }
  std::string_view page;
  if (as_string(o.at_pointer("/source/pageId"), page)) names.try_emplace(std::string(page), std::string(name));
}

}  // namespace

bool read_explanation(std::string_view explain_json, explanation& out, std::string& error) {
  json_doc doc;
  std::string pointer;
  if (!parse_json(explain_json, doc, pointer, error)) return false;
  simdjson::dom::array resources;
  if (doc.root["resources"].get_array().get(resources)) return error = "not an explanation document", false;
  for (element r : resources) {
    explained_resource res;
    if (!read_resource(r, res)) return error = "an explained resource lacks kind, id or shown", false;
    out.resources.push_back(std::move(res));
  }
  simdjson::dom::array withheld;
  if (doc.root["withheld"].get_array().get(withheld) == simdjson::SUCCESS) {
    for (element w : withheld)
      out.withheld.push_back(str_member(w, "field") + ": " + (str_member(w, "action") == "replace" ? "replaced" : "removed"));
  }
  return true;
}

resource_names collect_names(std::string_view payload) {
  resource_names names;
  json_doc doc;
  if (doc.parser.parse(payload.data(), payload.size(), true).get(doc.root)) return names;
  std::vector<element> stack{doc.root};
  while (!stack.empty()) {
    element e = stack.back();
    stack.pop_back();
    simdjson::dom::object o;
    simdjson::dom::array a;
    if (e.get_object().get(o) == simdjson::SUCCESS) {
      name_object(o, names);
      // Reverse order, so the first occurrence in the document is named first.
      std::vector<element> kids;
      for (auto f : o) kids.push_back(f.value);
      stack.insert(stack.end(), kids.rbegin(), kids.rend());
    } else if (e.get_array().get(a) == simdjson::SUCCESS) {
      std::vector<element> kids(a.begin(), a.end());
      stack.insert(stack.end(), kids.rbegin(), kids.rend());
    }
  }
  return names;
}

std::string explain_text(const explanation& e, const resource_names& names) {
  std::string out;
  for (const explained_resource& r : e.resources) {
    out += r.kind + " " + (r.id.empty() ? std::string("\"\"") : r.id);
    if (auto it = names.find(r.id); it != names.end() && !r.id.empty()) {
      out += " ";
      append_json_string(out, it->second);
    }
    out += r.shown ? " shown: " : " hidden: ";
    // "hidden: hidden: reason" reads badly: the step's own prefix goes.
    std::string_view step = r.step;
    if (!r.shown && step.substr(0, 8) == "hidden: ") step.remove_prefix(8);
    out += step;
    if (r.redacted) out += "; updates redacted (mixed: redact)";
    if (!r.note.empty()) out += " (" + r.note + ")";
    out += "\n";
  }
  for (const std::string& w : e.withheld) out += "withheld " + w + "\n";
  return out;
}

}  // namespace keyhole_cli
