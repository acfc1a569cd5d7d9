#include "authoring.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <vector>

#include "explain_text.h"
#include "file_bytes.h"
#include "policy_diff.h"
#include "policy_tests.h"

namespace keyhole_cli {
namespace {

namespace fs = std::filesystem;

const char* kTestUsage = "usage: keyhole test [--format text|json] FILE|DIR...   (a DIR: every *.test.json below it)\n";
const char* kDiffUsage =
    "usage: keyhole diff --old P1.json --new P2.json --viewers DIR --payload FILE... [--format auto|statuspage|confluence|jsm]\n"
    "                    [--output text|json]\n";

int usage(const char* text, const std::string& why) {
  std::fprintf(stderr, "keyhole: %s\n%s", why.c_str(), text);
  return 2;
}

bool read_whole(const std::string& path, std::string& bytes, std::string& error) {
  file_bytes b;
  if (!read_file(path, 0, 256u << 20, b)) return error = "no such file or not readable", false;
  bytes.assign(b.data.get(), b.size);
  return true;
}

// The report is the answer: on exit 0 and 1 it goes to stdout; on exit 2 (something is
// malformed) nothing is written to stdout (SPEC §9) and the whole report goes to stderr.
int emit(int rc, const std::string& text) {
  std::FILE* to = rc == 2 ? stderr : stdout;
  if (std::fwrite(text.data(), 1, text.size(), to) != text.size() || std::fflush(to) != 0) return 2;
  return rc;
}

// Test files named on the command line: files as given, folders searched for *.test.json
// (sorted, so runs are reproducible).
bool expand_tests(const std::string& arg, std::vector<std::string>& out) {
  std::error_code ec;
  if (!fs::is_directory(arg, ec)) return out.push_back(arg), true;
  std::vector<std::string> found;
  for (auto it = fs::recursive_directory_iterator(arg, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (it->is_regular_file(ec) && name.size() > 10 && name.ends_with(".test.json")) found.push_back(it->path().string());
  }
  if (ec) return false;
  std::sort(found.begin(), found.end());
  out.insert(out.end(), found.begin(), found.end());
  return true;
}

bool viewers_in(const std::string& dir, std::vector<named_file>& out) {
  std::error_code ec;
  for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    fs::path p = it->path();
    if (p.extension() == ".json" && it->is_regular_file(ec)) out.push_back({p.stem().string(), p.string()});
  }
  std::sort(out.begin(), out.end(), [](const named_file& a, const named_file& b) { return a.name < b.name; });
  return !ec;
}

struct diff_options {
  diff_request req;
  std::string viewers_dir, output = "text";
};

int parse_diff(int argc, char** argv, diff_options& o) {
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    bool has = i + 1 < argc;
    if (a == "--old" && has) o.req.old_policy = argv[++i];
    else if (a == "--new" && has) o.req.new_policy = argv[++i];
    else if (a == "--viewers" && has) o.viewers_dir = argv[++i];
    else if (a == "--format" && has) o.req.format = argv[++i];
    else if (a == "--output" && has) o.output = argv[++i];
    else if (a == "--payload" && has) {
      while (i + 1 < argc && std::string_view(argv[i + 1]).substr(0, 2) != "--") o.req.payloads.push_back({argv[i + 1], argv[i + 1]}), ++i;
    } else return usage(kDiffUsage, "unknown option or missing value: " + a);
  }
  if (o.req.old_policy.empty() || o.req.new_policy.empty()) return usage(kDiffUsage, "--old and --new are required");
  if (o.viewers_dir.empty() || o.req.payloads.empty()) return usage(kDiffUsage, "--viewers and --payload are required");
  if (o.output != "text" && o.output != "json") return usage(kDiffUsage, "unknown output " + o.output);
  return 0;
}

}  // namespace

int test_command(int argc, char** argv) {
  std::string format = "text";
  std::vector<std::string> files;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--format" || a == "--output") {
      if (i + 1 >= argc) return usage(kTestUsage, a + " needs text or json");
      format = argv[++i];
    } else if (!expand_tests(a, files)) {
      return usage(kTestUsage, "cannot list " + a);
    }
  }
  if (format != "text" && format != "json") return usage(kTestUsage, "unknown format " + format);
  if (argc <= 2) return usage(kTestUsage, "no test files");
  test_report report;
  for (const std::string& f : files) run_test_file(f, read_whole, report);
  if (files.empty()) report.errors.push_back({argv[argc - 1], "", "no *.test.json files found"});
  int rc = report_exit(report);
  return emit(rc, format == "json" ? report_json(report) + "\n" : report_text(report));
}

int diff_command(int argc, char** argv) {
  diff_options o;
  if (int rc = parse_diff(argc, argv, o)) return rc;
  if (!viewers_in(o.viewers_dir, o.req.viewers)) return usage(kDiffUsage, "cannot list " + o.viewers_dir);
  if (o.req.viewers.empty()) return usage(kDiffUsage, "no *.json claims files in " + o.viewers_dir);
  diff_report report;
  run_diff(o.req, read_whole, report);
  int rc = diff_exit(report);
  return emit(rc, o.output == "json" ? diff_json(report) + "\n" : diff_text(report));
}

bool explain_as_text(std::string_view explain_json, std::string_view payload, std::string& out, std::string& error) {
  explanation e;
  if (!read_explanation(explain_json, e, error)) return false;
  out = explain_text(e, collect_names(payload));
  return true;
}

}  // namespace keyhole_cli
