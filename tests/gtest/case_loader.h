// Loads the shared conformance cases (tests/cases/README.md) for GoogleTest.
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "simdjson.h"

namespace keyhole_test {

namespace fs = std::filesystem;

inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Removes whitespace outside strings: expected files may be pretty-printed,
// the output is always compact.
inline std::string minify(const std::string& s) {
  std::string out;
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      out.push_back(c);
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
      out.push_back(c);
    } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
      out.push_back(c);
    }
  }
  return out;
}

// Removes // comments outside strings, keeping each newline (the README's example
// case.json is commented). The same rule as parseCaseJson in the JS loader.
inline std::string strip_line_comments(const std::string& s) {
  std::string out;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      out.push_back(c);
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
      out.push_back(c);
    } else if (c == '/' && i + 1 < s.size() && s[i + 1] == '/') {
      while (i < s.size() && s[i] != '\n') ++i;
      out.push_back('\n');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

struct test_case {
  std::string name;  // area/case
  fs::path dir;
  std::string description, mode = "filter", format = "auto";
  std::string policy, payload, claims = "{}";
  bool has_policy = false, has_payload = false, has_expected = false;
  std::string expected;
  int exit = 0;
  bool has_pointer = false;
  std::string pointer;
  std::vector<std::string> canaries, contains, same_key_as, different_key_from;
  std::string load_error;
};

inline std::string element_text(simdjson::dom::element e) { return simdjson::minify(e); }

inline test_case load_case(const fs::path& dir, const fs::path& root) {
  test_case c;
  c.dir = dir;
  c.name = fs::relative(dir, root).generic_string();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  std::string text = read_file(dir / "case.json");
  if (parser.parse(text).get(doc)) {
    // Like the JS loader (tests/node/wasm-cases-lib.mjs parseCaseJson): a case.json
    // that is not JSON is read again with its // comments removed.
    text = strip_line_comments(text);
    if (parser.parse(text).get(doc)) {
      c.load_error = "case.json is not valid JSON";
      return c;
    }
  }
  auto str = [&](const char* key, std::string& out) {
    std::string_view v;
    if (!doc[key].get_string().get(v)) out = std::string(v);
  };
  str("description", c.description);
  str("mode", c.mode);
  str("format", c.format);
  int64_t exit_code;
  if (!doc["exit"].get_int64().get(exit_code)) c.exit = static_cast<int>(exit_code);
  std::string_view pv;
  if (!doc["pointer"].get_string().get(pv)) {
    c.has_pointer = true;
    c.pointer = std::string(pv);
  }
  auto list = [&](const char* key, std::vector<std::string>& out, bool as_json) {
    simdjson::dom::array arr;
    if (doc[key].get_array().get(arr)) return;
    for (auto e : arr) {
      std::string_view s;
      if (!as_json && !e.get_string().get(s)) out.emplace_back(s);
      else out.push_back(element_text(e));
    }
  };
  list("canaries", c.canaries, false);
  list("contains", c.contains, false);
  list("same_key_as", c.same_key_as, true);
  list("different_key_from", c.different_key_from, true);

  // policy: a path string, an inline object, or policy.json beside the case.
  simdjson::dom::element pe;
  std::string_view path;
  if (!doc["policy"].get(pe)) {
    if (!pe.get_string().get(path)) c.policy = read_file(dir / std::string(path));
    else c.policy = element_text(pe);
    c.has_policy = true;
  } else if (fs::exists(dir / "policy.json")) {
    c.policy = read_file(dir / "policy.json");
    c.has_policy = true;
  }
  simdjson::dom::element ce;
  if (!doc["claims"].get(ce)) {
    if (!ce.get_string().get(path)) c.claims = read_file(dir / std::string(path));
    else c.claims = element_text(ce);
  } else if (fs::exists(dir / "claims.json")) {
    c.claims = read_file(dir / "claims.json");
  }
  if (!doc["payload"].get_string().get(path)) {
    c.payload = read_file(dir / std::string(path));
    c.has_payload = true;
  } else if (fs::exists(dir / "payload.json")) {
    c.payload = read_file(dir / "payload.json");
    c.has_payload = true;
  }
  if (fs::exists(dir / "expected.json")) {
    c.expected = minify(read_file(dir / "expected.json"));
    c.has_expected = true;
  }
  return c;
}

// The case folders under root, found as the JS loader finds them (findCases): folders
// whose name starts with `_` (shared policies and claims) or `.` are skipped, and a
// folder holding case.json is a case (nothing below it is searched).
inline void find_case_dirs(const fs::path& dir, std::vector<fs::path>& out) {
  for (auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_directory()) continue;
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '_' || name[0] == '.') continue;
    if (fs::exists(entry.path() / "case.json")) out.push_back(entry.path());
    else find_case_dirs(entry.path(), out);
  }
}

inline std::vector<test_case> load_all_cases(const fs::path& root) {
  std::vector<test_case> out;
  if (!fs::exists(root)) return out;
  std::vector<fs::path> dirs;
  find_case_dirs(root, dirs);
  std::sort(dirs.begin(), dirs.end());
  for (auto& d : dirs) out.push_back(load_case(d, root));
  return out;
}

}  // namespace keyhole_test
