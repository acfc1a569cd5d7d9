// Embind entry points for the policy authoring runner (core/cli/policy_tests.*,
// policy_diff.*): the same C++ the `keyhole test` / `keyhole diff` commands run, with
// the files read by a JavaScript callback. wasm/policy-tests.js is the public side.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>
#include <vector>

#include "json_input.h"
#include "policy_diff.h"
#include "policy_tests.h"

namespace {

using emscripten::val;

// `read(path)` returns the file's bytes (a Uint8Array) or, when it cannot, a string
// saying why (policy-tests.js wraps the caller's reader so nothing throws through here).
keyhole_cli::read_fn reader_of(val read) {
  return [read](const std::string& path, std::string& bytes, std::string& error) {
    val r = read(path);
    if (r.isString()) {
      error = r.as<std::string>();
      return false;
    }
    size_t n = r["length"].as<size_t>();
    bytes.resize(n);
    val view(emscripten::typed_memory_view(n, reinterpret_cast<unsigned char*>(bytes.data())));
    view.call<void>("set", r);
    return true;
  };
}

std::string with_text(const std::string& json, const std::string& text, int exit_code) {
  std::string out = "{\"exitCode\":" + std::to_string(exit_code) + ",\"report\":" + json + ",\"text\":";
  keyhole_cli::append_json_string(out, text);
  return out + "}";
}

std::string run_policy_tests(val paths, val read) {
  keyhole_cli::read_fn reader = reader_of(read);
  keyhole_cli::test_report report;
  for (const std::string& p : emscripten::vecFromJSArray<std::string>(paths)) keyhole_cli::run_test_file(p, reader, report);
  return with_text(keyhole_cli::report_json(report), keyhole_cli::report_text(report), keyhole_cli::report_exit(report));
}

std::vector<keyhole_cli::named_file> named(val names, val paths) {
  std::vector<std::string> n = emscripten::vecFromJSArray<std::string>(names);
  std::vector<std::string> p = emscripten::vecFromJSArray<std::string>(paths);
  std::vector<keyhole_cli::named_file> out;
  for (size_t i = 0; i < n.size() && i < p.size(); ++i) out.push_back({n[i], p[i]});
  return out;
}

std::string diff_policies(std::string old_policy, std::string new_policy, val viewer_names, val viewer_paths,
                          val payload_names, val payload_paths, std::string format, val read) {
  keyhole_cli::diff_request req{old_policy, new_policy, named(viewer_names, viewer_paths),
                                named(payload_names, payload_paths), format};
  keyhole_cli::diff_report report;
  keyhole_cli::run_diff(req, reader_of(read), report);
  return with_text(keyhole_cli::diff_json(report), keyhole_cli::diff_text(report), keyhole_cli::diff_exit(report));
}

}  // namespace

EMSCRIPTEN_BINDINGS(keyhole_policy_tests) {
  emscripten::function("runPolicyTests", &run_policy_tests);
  emscripten::function("diffPolicies", &diff_policies);
}
