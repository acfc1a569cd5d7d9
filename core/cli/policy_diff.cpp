#include "policy_diff.h"

#include <map>
#include <utility>

#include "explain_text.h"
#include "json_input.h"
#include "keyhole/keyhole.h"

namespace keyhole_cli {
namespace {

using kind_id = std::pair<std::string, std::string>;

struct differ {
  const diff_request& req;
  const read_fn& read;
  diff_report& rep;
  keyhole::policy before, after;
  keyhole::payload_format format = keyhole::payload_format::automatic;
  keyhole::filter filter;

  differ(const diff_request& q, const read_fn& r, diff_report& rep_) : req(q), read(r), rep(rep_) {}

  bool error(const std::string& file, const std::string& pointer, const std::string& message) {
    rep.errors.push_back({file, pointer, message});
    return false;
  }

  bool load(const std::string& path, std::string& bytes) {
    std::string why;
    if (!read(path, bytes, why)) return error(path, "", "cannot read" + (why.empty() ? "" : ": " + why));
    return true;
  }

  bool compile(const std::string& path, keyhole::policy& p) {
    std::string bytes;
    if (!load(path, bytes)) return false;
    keyhole::status st;
    p = keyhole::policy::compile(bytes, st);
    return st.ok() || error(path, st.pointer, st.message);
  }

  // Per kind and id: shown anywhere in the payload under this viewer (an ancestor may be
  // listed once per shown article). Order of first appearance kept in `order`.
  bool shown_set(const keyhole::viewer& v, const named_file& payload, const std::string& bytes,
                 std::map<kind_id, bool>& shown, std::vector<kind_id>& order) {
    keyhole::status st = filter.explain(v, bytes.data(), bytes.size(), bytes.size(), format);
    if (!st.ok()) {
      std::string at = st.offset >= 0 ? "byte " + std::to_string(st.offset) + ": " : "";
      return error(payload.path, "", at + st.message);
    }
    explanation ex;
    std::string why;
    if (!read_explanation(filter.output(), ex, why)) return error(payload.path, "", "cannot explain: " + why);
    for (const explained_resource& r : ex.resources) {
      auto [it, fresh] = shown.try_emplace({r.kind, r.id}, r.shown);
      if (fresh) order.push_back(it->first);
      else it->second = it->second || r.shown;
    }
    return true;
  }

  bool viewers_of(const named_file& f, keyhole::viewer& old_v, keyhole::viewer& new_v) {
    std::string claims;
    if (!load(f.path, claims)) return false;
    keyhole::status st;
    old_v = keyhole::viewer::compile(before, claims, st);
    if (st.ok()) new_v = keyhole::viewer::compile(after, claims, st);
    return st.ok() || error(f.path, st.pointer, st.message);
  }

  void compare(const named_file& v, const named_file& p, const std::map<kind_id, bool>& was,
               const std::map<kind_id, bool>& now, const std::vector<kind_id>& order, const resource_names& names) {
    ++rep.pairs;
    std::map<kind_id, bool> done;  // `order` lists a resource once per explanation
    for (const kind_id& k : order) {
      if (!done.emplace(k, true).second) continue;
      auto o = was.find(k), n = now.find(k);
      bool old_shown = o != was.end() && o->second, new_shown = n != now.end() && n->second;
      if (old_shown == new_shown) continue;
      auto nm = names.find(k.second);
      rep.changes.push_back({v.name, p.name, k.first, k.second, nm == names.end() ? "" : nm->second, new_shown});
    }
  }

  void pair(const named_file& v, const keyhole::viewer& old_v, const keyhole::viewer& new_v, const named_file& p,
            const std::string& bytes, const resource_names& names) {
    std::map<kind_id, bool> was, now;
    std::vector<kind_id> order;
    if (!shown_set(new_v, p, bytes, now, order) || !shown_set(old_v, p, bytes, was, order)) return;
    compare(v, p, was, now, order, names);
  }

  void run() {
    if (!keyhole::parse_format_name(req.format, format)) return void(error("", "", "unknown format " + req.format));
    bool ok = compile(req.old_policy, before);
    if (!compile(req.new_policy, after) || !ok) return;
    std::vector<std::string> bodies(req.payloads.size());
    std::vector<resource_names> names(req.payloads.size());
    for (size_t i = 0; i < req.payloads.size(); ++i) {
      if (!load(req.payloads[i].path, bodies[i])) return;
      names[i] = collect_names(bodies[i]);
    }
    for (const named_file& v : req.viewers) {
      keyhole::viewer old_v, new_v;
      if (!viewers_of(v, old_v, new_v)) continue;
      for (size_t i = 0; i < req.payloads.size(); ++i) pair(v, old_v, new_v, req.payloads[i], bodies[i], names[i]);
    }
  }
};

void append_change_json(std::string& out, const diff_change& c) {
  out += "{\"viewer\":";
  append_json_string(out, c.viewer);
  out += ",\"payload\":";
  append_json_string(out, c.payload);
  out += ",\"kind\":";
  append_json_string(out, c.kind);
  out += ",\"id\":";
  append_json_string(out, c.id);
  out += ",\"name\":";
  append_json_string(out, c.name);
  out += c.visible ? ",\"change\":\"visible\"}" : ",\"change\":\"hidden\"}";
}

}  // namespace

void run_diff(const diff_request& req, const read_fn& read, diff_report& report) {
  differ d(req, read, report);
  d.run();
}

int diff_exit(const diff_report& r) {
  if (!r.errors.empty()) return 2;
  for (const diff_change& c : r.changes)
    if (c.visible) return 1;
  return 0;
}

std::string diff_text(const diff_report& r) {
  std::string out, last;
  size_t shown = 0;
  for (const diff_change& c : r.changes) {
    std::string head = "viewer " + c.viewer + " on " + c.payload + ":\n";
    if (head != last) out += last = head;
    out += c.visible ? "  + " : "  - ";
    out += c.kind + " " + c.id;
    if (!c.name.empty()) {
      out += " ";
      append_json_string(out, c.name);
    }
    out += c.visible ? " becomes visible\n" : " becomes hidden\n";
    shown += c.visible;
  }
  for (const test_error& e : r.errors)
    out += "ERROR " + e.file + ": " + (e.pointer.empty() ? "" : e.pointer + ": ") + e.message + "\n";
  out += std::to_string(shown) + " become visible, " + std::to_string(r.changes.size() - shown) + " become hidden (" +
         std::to_string(r.pairs) + " viewer/payload pairs)\n";
  return out;
}

std::string diff_json(const diff_report& r) {
  std::string out = "{\"pairs\":" + std::to_string(r.pairs) + ",\"changes\":[";
  for (size_t i = 0; i < r.changes.size(); ++i) {
    if (i) out += ",";
    append_change_json(out, r.changes[i]);
  }
  out += "],\"errors\":[";
  append_errors_json(out, r.errors);
  return out + "]}";
}

}  // namespace keyhole_cli
