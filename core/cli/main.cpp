// The `keyhole` command line (SPEC §9). All I/O of the project's native side
// lives here; the library only sees bytes.
//
// Exit codes: 0 done; 2 bad usage, policy or claims; 3 payload rejected;
// 4 the payload is one resource the viewer may not see. Nothing is written to
// stdout unless the exit code is 0.
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "keyhole/keyhole.h"

namespace {

const char* kUsage =
    "usage:\n"
    "  keyhole filter  --policy P.json [--claims C.json | --anonymous] [--format auto|statuspage|confluence|jsm]\n"
    "                  [--max-bytes N] [--max-depth N] [PAYLOAD|-]\n"
    "  keyhole explain (same options as filter)\n"
    "  keyhole check P.json\n"
    "  keyhole audience-key --policy P.json [--claims C.json | --anonymous] [--format auto|statuspage|confluence|jsm]\n";

int usage(const std::string& why) {
  std::fprintf(stderr, "keyhole: %s\n%s", why.c_str(), kUsage);
  return 2;
}

// Reads a whole file ("-" is stdin) leaving `padding` spare bytes after it, so
// the payload is parsed where it lies.
bool read_all(const std::string& path, std::string& out, size_t padding, size_t limit) {
  FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (!f) return false;
  out.clear();
  // A regular file's size is known: reserve once instead of doubling (and
  // copying) the buffer all the way up.
  struct stat info;
  if (f != stdin && fstat(fileno(f), &info) == 0 && S_ISREG(info.st_mode))
    out.reserve(std::min<size_t>(size_t(info.st_size), limit + 1) + padding);
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    out.append(buf, n);
    if (out.size() > limit) break;  // enough to know it is too large
  }
  bool ok = !std::ferror(f);
  if (f != stdin) std::fclose(f);
  out.reserve(out.size() + padding);
  return ok;
}

void report(const std::string& file, const keyhole::status& st) {
  std::string where = file;
  if (!st.pointer.empty() || st.code == keyhole::status_code::bad_policy || st.code == keyhole::status_code::bad_claims)
    where += ": " + (st.pointer.empty() ? std::string("(document)") : st.pointer);
  if (st.offset >= 0) where += ": byte " + std::to_string(st.offset);
  std::fprintf(stderr, "keyhole: %s: %s\n", where.c_str(), st.message.c_str());
}

bool write_stdout(std::string_view s) {
  if (std::fwrite(s.data(), 1, s.size(), stdout) != s.size()) return false;
  return std::fflush(stdout) == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return usage("no command");
  std::string cmd = argv[1];
  if (cmd == "--help" || cmd == "-h" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (cmd == "--version") {
    std::printf("keyhole %s\n", keyhole::version());
    return 0;
  }
  std::string policy_path, claims_path, payload_path, format_name = "auto";
  bool anonymous = false;
  keyhole::limits lim;
  std::vector<std::string> positional;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (a == "--policy") { if (!value(policy_path)) return usage("--policy needs a file"); }
    else if (a == "--claims") { if (!value(claims_path)) return usage("--claims needs a file"); }
    else if (a == "--anonymous") anonymous = true;
    else if (a == "--format") { if (!value(format_name)) return usage("--format needs a name"); }
    else if (a == "--max-bytes" || a == "--max-depth") {
      std::string v;
      if (!value(v)) return usage(a + " needs a number");
      char* end = nullptr;
      unsigned long long n = std::strtoull(v.c_str(), &end, 10);
      if (!end || *end || v.empty() || n == 0) return usage(a + " needs a positive number");
      (a == "--max-bytes" ? lim.max_payload_bytes : lim.max_depth) = static_cast<size_t>(n);
    } else if (a.size() > 1 && a[0] == '-' && a != "-") return usage("unknown option " + a);
    else positional.push_back(a);
  }

  std::string policy_text;
  auto load_policy = [&](keyhole::policy& p) -> int {
    if (!read_all(policy_path, policy_text, 0, 16u << 20)) {
      std::fprintf(stderr, "keyhole: %s: cannot read\n", policy_path.c_str());
      return 2;
    }
    keyhole::status st;
    p = keyhole::policy::compile(policy_text, st);
    if (!st.ok()) {
      report(policy_path, st);
      return 2;
    }
    return 0;
  };

  if (cmd == "check") {
    if (positional.size() != 1 && policy_path.empty()) return usage("check takes one policy file");
    if (policy_path.empty()) policy_path = positional[0];
    keyhole::policy p;
    if (int rc = load_policy(p)) return rc;
    return write_stdout("{\"ok\":true}") ? 0 : 2;
  }

  if (cmd != "filter" && cmd != "explain" && cmd != "audience-key") return usage("unknown command " + cmd);
  if (policy_path.empty()) return usage("--policy is required");
  // SPEC §9 shows the viewer as optional: without --claims the viewer is anonymous.
  if (anonymous && !claims_path.empty()) return usage("give --claims FILE or --anonymous, not both");
  if (claims_path.empty()) anonymous = true;
  keyhole::payload_format format;
  if (!keyhole::parse_format_name(format_name, format)) return usage("unknown format " + format_name);

  keyhole::policy p;
  if (int rc = load_policy(p)) return rc;
  std::string claims = "{}";
  if (!anonymous && !read_all(claims_path, claims, 0, 1u << 20)) {
    std::fprintf(stderr, "keyhole: %s: cannot read\n", claims_path.c_str());
    return 2;
  }
  keyhole::filter f;
  f.set_limits(lim);

  if (cmd == "audience-key") {
    if (!positional.empty()) return usage("audience-key takes no payload");
    keyhole::status st = f.audience_key(p, claims, format);
    if (!st.ok()) {
      report(claims_path, st);
      return keyhole::exit_code(st.code);
    }
    return write_stdout(f.output()) ? 0 : 2;
  }

  if (positional.size() > 1) return usage("one payload at most");
  std::string payload_path_used = positional.empty() ? "-" : positional[0];
  std::string payload;
  if (!read_all(payload_path_used, payload, keyhole::filter::padding(), lim.max_payload_bytes)) {
    std::fprintf(stderr, "keyhole: %s: cannot read\n", payload_path_used.c_str());
    return 3;
  }
  keyhole::status st = cmd == "filter"
                           ? f.run(p, claims, payload.data(), payload.size(), payload.capacity(), format)
                           : f.explain(p, claims, payload.data(), payload.size(), payload.capacity(), format);
  if (!st.ok()) {
    report(st.code == keyhole::status_code::bad_claims ? claims_path : payload_path_used, st);
    return keyhole::exit_code(st.code);
  }
  return write_stdout(f.output()) ? 0 : 2;
}
