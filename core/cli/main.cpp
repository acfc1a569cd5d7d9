// The `keyhole` command line (SPEC §9). All I/O of the project's native side
// lives here; the library only sees bytes.
//
// Exit codes: 0 done; 2 bad usage, policy or claims; 3 payload rejected;
// 4 the payload is one resource the viewer may not see; 5 internal error.
// Nothing is written to stdout unless the exit code is 0.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "authoring.h"
#include "file_bytes.h"
#include "keyhole/keyhole.h"

namespace {

using keyhole_cli::file_bytes;

const char* kUsage =
    "usage:\n"
    "  keyhole filter  --policy P.json [--claims C.json | --anonymous] [--format auto|statuspage|confluence|jsm]\n"
    "                  [--output payload|status-json] [--max-bytes N] [--max-depth N] [PAYLOAD|-]\n"
    "  keyhole explain (same options as filter; --output json|text, json by default)\n"
    "  keyhole check P.json\n"
    "  keyhole audience-key --policy P.json [--claims C.json | --anonymous] [--format auto|statuspage|confluence|jsm]\n"
    "  keyhole test [--format text|json] FILE|DIR...\n"
    "  keyhole diff --old P1.json --new P2.json --viewers DIR --payload FILE... [--format ...] [--output text|json]\n";

int usage(const std::string& why) {
  std::fprintf(stderr, "keyhole: %s\n%s", why.c_str(), kUsage);
  return 2;
}

void report(const std::string& file, const keyhole::status& st) {
  std::string where = file;
  if (!st.pointer.empty() || st.code == keyhole::status_code::bad_policy || st.code == keyhole::status_code::bad_claims)
    where += ": " + (st.pointer.empty() ? std::string("(document)") : st.pointer);
  if (st.offset >= 0) where += ": byte " + std::to_string(st.offset);
  std::fprintf(stderr, "keyhole: %s: %s\n", where.c_str(), st.message.c_str());
}

// One write of the whole output (stdio would cut it into buffer-sized ones);
// more only when the pipe takes part of it.
bool write_stdout(std::string_view s) {
  if (std::fflush(stdout) != 0) return false;
  while (!s.empty()) {
    ssize_t n = ::write(STDOUT_FILENO, s.data(), s.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    s.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

struct options {
  std::string cmd, policy_path, claims_path, format_name = "auto", output_name = "payload";
  bool anonymous = false;
  keyhole::limits lim;
  std::vector<std::string> positional;
};

// Parses argv[2..]; a non-zero return is the exit code of a usage error.
int parse_options(int argc, char** argv, options& o) {
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (a == "--policy") { if (!value(o.policy_path)) return usage("--policy needs a file"); }
    else if (a == "--claims") { if (!value(o.claims_path)) return usage("--claims needs a file"); }
    else if (a == "--anonymous") o.anonymous = true;
    else if (a == "--format") { if (!value(o.format_name)) return usage("--format needs a name"); }
    else if (a == "--output") { if (!value(o.output_name)) return usage("--output needs payload or status-json"); }
    else if (a == "--max-bytes" || a == "--max-depth") {
      std::string v;
      if (!value(v)) return usage(a + " needs a number");
      char* end = nullptr;
      unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (!end || *end || v.empty() || n == 0) return usage(a + " needs a positive number");
      (a == "--max-bytes" ? o.lim.max_payload_bytes : o.lim.max_depth) = static_cast<size_t>(n);
    } else if (a.size() > 1 && a[0] == '-' && a != "-") return usage("unknown option " + a);
    else o.positional.push_back(a);
  }
  return 0;
}

int load_policy(const std::string& path, keyhole::policy& p) {
  std::string text;  // read with room for the padding, then kept by the policy: no copy
  if (!keyhole_cli::read_text(path, keyhole::policy::padding_bytes(), 16u << 20, text)) {
    std::fprintf(stderr, "keyhole: %s: cannot read\n", path.c_str());
    return 2;
  }
  keyhole::status st;
  p = keyhole::policy::compile(std::move(text), st);
  if (!st.ok()) {
    report(path, st);
    return 2;
  }
  return 0;
}

int check(options& o) {
  if (o.positional.size() != 1 && o.policy_path.empty()) return usage("check takes one policy file");
  if (o.policy_path.empty()) o.policy_path = o.positional[0];
  keyhole::policy p;
  if (int rc = load_policy(o.policy_path, p)) return rc;
  return write_stdout("{\"ok\":true}") ? 0 : 2;
}

// The viewer of filter, explain and audience-key: claims read and matched once.
int load_viewer(const options& o, const keyhole::policy& p, keyhole::viewer& v) {
  file_bytes claims;
  std::string_view text = "{}";  // SPEC §9 shows the viewer as optional: anonymous
  if (!o.claims_path.empty()) {
    if (!keyhole_cli::read_file(o.claims_path, 0, 1u << 20, claims)) {
      std::fprintf(stderr, "keyhole: %s: cannot read\n", o.claims_path.c_str());
      return 2;
    }
    text = claims.view();
  }
  keyhole::status st;
  v = keyhole::viewer::compile(p, text, st);
  if (!st.ok()) {
    report(o.claims_path, st);
    return keyhole::exit_code(st.code);
  }
  return 0;
}

int run_payload(const options& o, const keyhole::viewer& v, keyhole::payload_format format, keyhole::output_mode mode) {
  if (o.positional.size() > 1) return usage("one payload at most");
  std::string path = o.positional.empty() ? "-" : o.positional[0];
  file_bytes payload;
  if (!keyhole_cli::read_file(path, keyhole::filter::padding(), o.lim.max_payload_bytes, payload)) {
    std::fprintf(stderr, "keyhole: %s: cannot read\n", path.c_str());
    return 3;
  }
  keyhole::filter f;
  f.set_limits(o.lim);
  keyhole::status st = o.cmd == "filter" ? f.run(v, payload.data.get(), payload.size, payload.capacity, format, mode)
                                         : f.explain(v, payload.data.get(), payload.size, payload.capacity, format);
  if (!st.ok()) {
    report(path, st);
    return keyhole::exit_code(st.code);
  }
  if (o.cmd != "explain" || o.output_name != "text") return write_stdout(f.output()) ? 0 : 2;
  std::string text, why;
  if (!keyhole_cli::explain_as_text(f.output(), payload.view(), text, why)) {
    std::fprintf(stderr, "keyhole: %s: %s\n", path.c_str(), why.c_str());
    return 5;
  }
  return write_stdout(text) ? 0 : 2;
}

// --output: payload|status-json for filter, json|text for explain.
bool output_known(const options& o) {
  if (o.cmd == "explain") return o.output_name == "payload" || o.output_name == "json" || o.output_name == "text";
  return o.output_name == "payload" || o.output_name == "status-json";
}

int filter_like(options& o) {
  if (o.policy_path.empty()) return usage("--policy is required");
  if (o.anonymous && !o.claims_path.empty()) return usage("give --claims FILE or --anonymous, not both");
  keyhole::payload_format format;
  if (!keyhole::parse_format_name(o.format_name, format)) return usage("unknown format " + o.format_name);
  if (!output_known(o)) return usage("unknown output " + o.output_name);
  keyhole::output_mode mode = o.output_name == "status-json" ? keyhole::output_mode::status_json : keyhole::output_mode::payload;
  keyhole::policy p;
  if (int rc = load_policy(o.policy_path, p)) return rc;
  keyhole::viewer v;
  if (int rc = load_viewer(o, p, v)) return rc;
  if (o.cmd != "audience-key") return run_payload(o, v, format, mode);
  if (!o.positional.empty()) return usage("audience-key takes no payload");
  keyhole::filter f;
  keyhole::status st = f.audience_key(v, format);
  if (!st.ok()) {
    report(o.claims_path, st);
    return keyhole::exit_code(st.code);
  }
  return write_stdout(f.output()) ? 0 : 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage("no command");
  options o;
  o.cmd = argv[1];
  if (o.cmd == "--help" || o.cmd == "-h" || o.cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (o.cmd == "--version") {
    std::printf("keyhole %s\n", keyhole::version());
    return 0;
  }
  if (o.cmd == "test") return keyhole_cli::test_command(argc, argv);
  if (o.cmd == "diff") return keyhole_cli::diff_command(argc, argv);
  if (int rc = parse_options(argc, argv, o)) return rc;
  if (o.cmd == "check") return check(o);
  if (o.cmd == "filter" || o.cmd == "explain" || o.cmd == "audience-key") return filter_like(o);
  return usage("unknown command " + o.cmd);
}
