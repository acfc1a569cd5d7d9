#include "policy_tests.h"

#include <map>
#include <optional>
#include <utility>

#include "explain_text.h"
#include "json_input.h"
#include "keyhole/keyhole.h"

namespace keyhole_cli {
namespace {

using simdjson::dom::element;
using kind_id = std::pair<std::string, std::string>;

constexpr const char* kKinds[] = {"component", "group", "incident", "maintenance", "article", "ancestor"};

bool known_kind(std::string_view k) {
  for (const char* c : kKinds) if (k == c) return true;
  return false;
}

struct payload_def {
  std::string name, path, pointer, bytes;
  keyhole::payload_format format = keyhole::payload_format::automatic;
};

struct viewer_def {
  std::string name, file, pointer, claims;  // pointer: prefix for claims errors ("" for a file)
  bool tried = false;
  keyhole::viewer compiled;
  keyhole::status st;
};

// What one viewer gets from one payload; computed once per pair.
struct outcome {
  bool done = false, claims_error = false;
  int exit = 0;
  keyhole::status st;
  std::string output;
  std::map<kind_id, int> states;  // 1 shown, 2 hidden, 3 both (an id seen twice)
  std::optional<std::string> indicator;
};

struct expectation {
  std::string pointer;
  std::vector<std::string> viewers, payloads;
  std::vector<kind_id> visible, hidden;
  std::optional<std::string> indicator;
  std::optional<int> exit;
  std::vector<std::string> contains, excludes;
  size_t checks() const {
    return visible.size() + hidden.size() + contains.size() + excludes.size() + (indicator ? 1 : 0) + (exit ? 1 : 0);
  }
};

std::string json_quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string status_text(const keyhole::status& st) {
  std::string m = st.message;
  if (st.offset >= 0) m = "byte " + std::to_string(st.offset) + ": " + m;
  return m;
}

struct runner {
  const std::string& path;
  const read_fn& read;
  test_report& rep;
  json_doc doc;
  keyhole::policy policy;
  std::map<std::string, viewer_def> viewers;
  std::map<std::string, payload_def> payloads;
  std::map<std::pair<std::string, std::string>, outcome> outcomes;
  keyhole::filter filter;
  bool errored = false;

  runner(const std::string& p, const read_fn& r, test_report& rep_) : path(p), read(r), rep(rep_) {}

  bool error(const std::string& file, const std::string& pointer, const std::string& message) {
    errored = true;
    for (const test_error& e : rep.errors)
      if (e.file == file && e.pointer == pointer && e.message == message) return false;
    rep.errors.push_back({file, pointer, message});
    return false;
  }
  bool here(const std::string& pointer, const std::string& message) { return error(path, pointer, message); }

  void pass() { ++rep.passed; }
  void fail(const std::string& v, const std::string& p, const std::string& message) {
    ++rep.failed;
    rep.failures.push_back({path, v, p, message});
  }

  bool read_named(const std::string& rel, const std::string& pointer, std::string& bytes, std::string& file) {
    file = resolve_path(path, rel);
    std::string why;
    if (!read(file, bytes, why)) return here(pointer, "cannot read " + file + (why.empty() ? "" : ": " + why));
    return true;
  }

  bool members(element obj, const std::string& pointer, std::initializer_list<std::string_view> allowed) {
    simdjson::dom::object o;
    if (obj.get_object().get(o)) return here(pointer, "must be an object");
    for (auto f : o) {
      bool ok = false;
      for (std::string_view a : allowed) ok = ok || f.key == a;
      if (ok) continue;
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return here(pointer + "/" + pointer_token(f.key), "unknown member (" + list + ")");
    }
    return true;
  }

  bool load_policy() {
    std::string_view rel;
    if (!as_string(doc.root["policy"], rel)) return here("/policy", "policy is the path of a policy file");
    std::string bytes, file;
    if (!read_named(std::string(rel), "/policy", bytes, file)) return false;
    keyhole::status st;
    policy = keyhole::policy::compile(bytes, st);
    if (!st.ok()) return error(file, st.pointer, st.message);
    return true;
  }

  bool load_payload(std::string_view name, element v, const std::string& pointer) {
    payload_def p;
    p.name = name;
    p.pointer = pointer;
    std::string_view rel, fmt = "auto";
    if (v.is_object()) {
      if (!members(v, pointer, {"file", "format"})) return false;
      if (!as_string(v["file"], rel)) return here(pointer + "/file", "file is the path of a payload");
      if (v["format"].error() != simdjson::NO_SUCH_FIELD && !as_string(v["format"], fmt))
        return here(pointer + "/format", "format is auto, statuspage, confluence or jsm");
    } else if (!as_string(v, rel)) {
      return here(pointer, "a payload is a path, or {\"file\": path, \"format\": name}");
    }
    if (!keyhole::parse_format_name(fmt, p.format))
      return here(pointer + "/format", "unknown format '" + std::string(fmt) + "' (auto, statuspage, confluence, jsm)");
    if (!read_named(std::string(rel), v.is_object() ? pointer + "/file" : pointer, p.bytes, p.path)) return false;
    payloads.emplace(p.name, std::move(p));
    return true;
  }

  bool load_viewer(std::string_view name, element v, const std::string& pointer) {
    viewer_def d;
    d.name = name;
    std::string_view rel;
    if (v.is_object()) {
      d.file = path;
      d.pointer = pointer;
      d.claims = simdjson::minify(v);
    } else if (as_string(v, rel)) {
      if (!read_named(std::string(rel), pointer, d.claims, d.file)) return false;
    } else {
      return here(pointer, "a viewer is inline claims (an object) or the path of a claims file");
    }
    viewers.emplace(d.name, std::move(d));
    return true;
  }

  // "payloads" / "viewers": objects of name -> definition.
  bool load_map(const char* key, bool (runner::*load)(std::string_view, element, const std::string&)) {
    std::string pointer = std::string("/") + key;
    simdjson::dom::object o;
    if (doc.root[key].get_object().get(o)) return here(pointer, std::string(key) + " is an object of names");
    if (o.size() == 0) return here(pointer, std::string(key) + " names none");
    for (auto f : o)
      if (!(this->*load)(f.key, f.value, pointer + "/" + pointer_token(f.key))) return false;
    return true;
  }

  bool strings(element v, const std::string& pointer, std::vector<std::string>& out) {
    std::string_view s;
    if (as_string(v, s)) return out.emplace_back(s), true;
    simdjson::dom::array a;
    if (v.get_array().get(a)) return here(pointer, "must be a string or a list of strings");
    size_t i = 0;
    for (element e : a) {
      if (!as_string(e, s)) return here(pointer + "/" + std::to_string(i), "must be a string");
      out.emplace_back(s);
      ++i;
    }
    return true;
  }

  // Names in `names` must be defined in `defs`; none given means all of them.
  template <class Map>
  bool names_in(element x, const char* key, const std::string& pointer, const Map& defs, std::vector<std::string>& names) {
    element v;
    if (x[key].get(v) != simdjson::SUCCESS) {
      for (const auto& [name, d] : defs) names.push_back(name);
      return true;
    }
    if (!strings(v, pointer + "/" + key, names)) return false;
    for (size_t i = 0; i < names.size(); ++i)
      if (!defs.count(names[i]))
        return here(pointer + "/" + key + (v.is_array() ? "/" + std::to_string(i) : ""), "no " + std::string(key) + " named " + json_quoted(names[i]));
    return true;
  }

  bool kinds(element x, const char* key, const std::string& pointer, std::vector<kind_id>& out) {
    element v;
    if (x[key].get(v) != simdjson::SUCCESS) return true;
    simdjson::dom::object o;
    if (v.get_object().get(o)) return here(pointer + "/" + key, "an object of kind -> ids");
    for (auto f : o) {
      std::string at = pointer + "/" + key + "/" + pointer_token(f.key);
      if (!known_kind(f.key)) return here(at, "unknown kind (component, group, incident, maintenance, article, ancestor)");
      std::vector<std::string> ids;
      if (!strings(f.value, at, ids)) return false;
      for (std::string& id : ids) out.emplace_back(std::string(f.key), std::move(id));
    }
    return true;
  }

  bool read_checks(element x, expectation& e) {
    const std::string& p = e.pointer;
    if (!kinds(x, "visible", p, e.visible) || !kinds(x, "hidden", p, e.hidden)) return false;
    element v;
    if (x["indicator"].get(v) == simdjson::SUCCESS) {
      std::string_view s;
      if (!as_string(v, s)) return here(p + "/indicator", "indicator is a string (none, minor, major, critical, maintenance)");
      e.indicator = std::string(s);
    }
    if (x["exit"].get(v) == simdjson::SUCCESS) {
      int64_t n;
      if (v.get_int64().get(n) || (n != 0 && n != 2 && n != 3 && n != 4)) return here(p + "/exit", "exit is 0, 2, 3 or 4");
      e.exit = static_cast<int>(n);
    }
    if (x["contains"].get(v) == simdjson::SUCCESS && !strings(v, p + "/contains", e.contains)) return false;
    if (x["excludes"].get(v) == simdjson::SUCCESS && !strings(v, p + "/excludes", e.excludes)) return false;
    return true;
  }

  bool read_expectation(element x, expectation& e) {
    if (!members(x, e.pointer, {"description", "viewer", "payload", "visible", "hidden", "indicator", "exit", "contains", "excludes"}))
      return false;
    return names_in(x, "viewer", e.pointer, viewers, e.viewers) && names_in(x, "payload", e.pointer, payloads, e.payloads) &&
           read_checks(x, e);
  }

  void explain_states(viewer_def& v, payload_def& p, outcome& o) {
    keyhole::status st = filter.explain(v.compiled, p.bytes.data(), p.bytes.size(), p.bytes.size(), p.format);
    explanation ex;
    std::string why;
    if (!st.ok() || !read_explanation(filter.output(), ex, why)) {
      error(p.path, "", "cannot explain: " + (st.ok() ? why : status_text(st)));
      return;
    }
    for (const explained_resource& r : ex.resources) o.states[{r.kind, r.id}] |= r.shown ? 1 : 2;
  }

  void read_banner(outcome& o) {
    json_doc out;
    std::string pointer, why;
    std::string_view s;
    if (parse_json(o.output, out, pointer, why) && as_string(out.root.at_pointer("/status/indicator"), s))
      o.indicator = std::string(s);
  }

  outcome& get(viewer_def& v, payload_def& p) {
    outcome& o = outcomes[{v.name, p.name}];
    if (o.done) return o;
    o.done = true;
    if (!v.tried) {
      v.tried = true;
      v.compiled = keyhole::viewer::compile(policy, v.claims, v.st);
    }
    if (!v.st.ok()) {
      o.claims_error = true;
      o.exit = keyhole::exit_code(v.st.code);
      o.st = v.st;
      return o;
    }
    o.st = filter.run(v.compiled, p.bytes.data(), p.bytes.size(), p.bytes.size(), p.format);
    o.exit = keyhole::exit_code(o.st.code);
    if (o.st.ok()) {
      o.output = filter.output();
      read_banner(o);
    }
    if (o.exit == 0 || o.exit == 4) explain_states(v, p, o);
    return o;
  }

  void check(bool ok, const viewer_def& v, const payload_def& p, const std::string& message) {
    if (ok) pass();
    else fail(v.name, p.name, message);
  }

  void check_ids(const expectation& e, const outcome& o, const viewer_def& v, const payload_def& p) {
    for (int want_shown = 1; want_shown >= 0; --want_shown) {
      for (const kind_id& k : want_shown ? e.visible : e.hidden) {
        std::string what = k.first + " " + k.second;
        auto it = o.states.find(k);
        if (o.exit != 0 && o.exit != 4) { fail(v.name, p.name, what + " not evaluated: exit " + std::to_string(o.exit)); continue; }
        if (it == o.states.end()) { fail(v.name, p.name, what + " is not in the payload's explanation"); continue; }
        const char* is = it->second == 1 ? "visible" : it->second == 2 ? "hidden" : "visible in one place, hidden in another";
        check(it->second == (want_shown ? 1 : 2), v, p, what + " " + is + ", expected " + (want_shown ? "visible" : "hidden"));
      }
    }
  }

  void check_output(const expectation& e, const outcome& o, const viewer_def& v, const payload_def& p) {
    if (e.exit) check(*e.exit == o.exit, v, p, "exit " + std::to_string(o.exit) + ", expected " + std::to_string(*e.exit));
    if (e.indicator) {
      std::string got = o.indicator ? *o.indicator : o.exit == 0 ? "no status.indicator in the output" : "no output: exit " + std::to_string(o.exit);
      check(o.indicator == e.indicator, v, p, "indicator " + got + ", expected " + *e.indicator);
    }
    for (const std::string& s : e.contains)
      check(o.output.find(s) != std::string::npos, v, p, "output lacks " + json_quoted(s) + (o.exit ? " (exit " + std::to_string(o.exit) + ")" : ""));
    for (const std::string& s : e.excludes) check(o.output.find(s) == std::string::npos, v, p, "output contains " + json_quoted(s));
  }

  void apply(const expectation& e, viewer_def& v, payload_def& p) {
    outcome& o = get(v, p);
    if (o.claims_error && e.exit != 2) {
      error(v.file, v.pointer + o.st.pointer, "claims of viewer " + v.name + ": " + o.st.message);
      return;
    }
    if ((o.exit == 3 && e.exit != 3) || o.exit == 5) {
      error(p.path, "", status_text(o.st) + " (payload " + p.name + " of " + path + ")");
      return;
    }
    check_ids(e, o, v, p);
    check_output(e, o, v, p);
  }

  void run_expectations() {
    simdjson::dom::array list;
    element v;
    if (doc.root["expect"].get(v) != simdjson::SUCCESS) return void(fail("", "", "no expectations"));
    if (v.get_array().get(list)) return void(here("/expect", "expect is a list"));
    if (list.size() == 0) return void(fail("", "", "no expectations"));
    std::vector<expectation> all;
    size_t i = 0;
    for (element x : list) {
      expectation e;
      e.pointer = "/expect/" + std::to_string(i++);
      if (!read_expectation(x, e)) return;
      if (e.checks() == 0) return void(here(e.pointer, "an expectation checks nothing"));
      all.push_back(std::move(e));
    }
    for (const expectation& e : all)
      for (const std::string& vn : e.viewers)
        for (const std::string& pn : e.payloads) apply(e, viewers.at(vn), payloads.at(pn));
  }

  void run() {
    std::string bytes, why, pointer;
    if (!read(path, bytes, why)) return void(error(path, "", "cannot read" + (why.empty() ? "" : ": " + why)));
    if (!parse_json(bytes, doc, pointer, why)) return void(here(pointer, why));
    if (!members(doc.root, "", {"keyhole-test", "description", "policy", "payloads", "viewers", "expect"})) return;
    int64_t version;
    if (doc.root["keyhole-test"].get_int64().get(version) || version != 1) return void(here("/keyhole-test", "keyhole-test: 1 is required"));
    if (!load_policy() || !load_map("payloads", &runner::load_payload) || !load_map("viewers", &runner::load_viewer)) return;
    run_expectations();
  }
};

void append_failure_json(std::string& out, const test_failure& f) {
  out += "{\"file\":";
  append_json_string(out, f.file);
  out += ",\"viewer\":";
  append_json_string(out, f.viewer);
  out += ",\"payload\":";
  append_json_string(out, f.payload);
  out += ",\"message\":";
  append_json_string(out, f.message);
  out += "}";
}

}  // namespace

std::string resolve_path(const std::string& from, const std::string& rel) {
  if (!rel.empty() && rel[0] == '/') return rel;
  size_t slash = from.rfind('/');
  return slash == std::string::npos ? rel : from.substr(0, slash + 1) + rel;
}

void run_test_file(const std::string& path, const read_fn& read, test_report& report) {
  ++report.files;
  runner r(path, read, report);
  r.run();
}

int report_exit(const test_report& r) { return !r.errors.empty() ? 2 : r.failed ? 1 : 0; }

std::string report_text(const test_report& r) {
  std::string out;
  for (const test_failure& f : r.failures) {
    if (f.viewer.empty()) out += "FAIL " + f.file + ": " + f.message + "\n";
    else out += "FAIL viewer " + f.viewer + " on " + f.payload + ": " + f.message + " (" + f.file + ")\n";
  }
  for (const test_error& e : r.errors)
    out += "ERROR " + e.file + ": " + (e.pointer.empty() ? "" : e.pointer + ": ") + e.message + "\n";
  out += std::to_string(r.passed) + " passed, " + std::to_string(r.failed) + " failed";
  if (!r.errors.empty()) out += ", " + std::to_string(r.errors.size()) + (r.errors.size() == 1 ? " error" : " errors");
  return out + "\n";
}

void append_errors_json(std::string& out, const std::vector<test_error>& errors) {
  for (size_t i = 0; i < errors.size(); ++i) {
    out += i ? ",{\"file\":" : "{\"file\":";
    append_json_string(out, errors[i].file);
    out += ",\"pointer\":";
    append_json_string(out, errors[i].pointer);
    out += ",\"message\":";
    append_json_string(out, errors[i].message);
    out += "}";
  }
}

std::string report_json(const test_report& r) {
  std::string out = "{\"passed\":" + std::to_string(r.passed) + ",\"failed\":" + std::to_string(r.failed) +
                    ",\"files\":" + std::to_string(r.files) + ",\"failures\":[";
  for (size_t i = 0; i < r.failures.size(); ++i) {
    if (i) out += ",";
    append_failure_json(out, r.failures[i]);
  }
  out += "],\"errors\":[";
  append_errors_json(out, r.errors);
  return out + "]}";
}

}  // namespace keyhole_cli
