// `keyhole test`: policy test files (docs/policy-tests.md). A test file names a policy,
// payloads and viewers and states, per viewer and payload, what must be visible or hidden
// (by the explanation document's `resources[]`), the banner indicator, the exit code and
// strings that must or must not appear in the output. The runner is the one
// implementation: the CLI calls it with file reads, @keyhole/wasm (runPolicyTests)
// through its binding with the caller's reads. It decides nothing itself: every answer
// comes from the core's filter and explain.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace keyhole_cli {

// Reads a file a test file names (`path` already resolved against the test file's
// folder). False with `error` when it cannot.
using read_fn = std::function<bool(const std::string& path, std::string& bytes, std::string& error)>;

// A malformed test file, policy, viewer or payload: the file and the JSON pointer.
struct test_error {
  std::string file, pointer, message;
};

struct test_failure {
  std::string file, viewer, payload, message;
};

struct test_report {
  size_t passed = 0, failed = 0, files = 0;
  std::vector<test_failure> failures;
  std::vector<test_error> errors;
};

// `rel` resolved against the folder of `from` (absolute paths as they are).
std::string resolve_path(const std::string& from, const std::string& rel);

// Runs one test file, adding to `report`.
void run_test_file(const std::string& path, const read_fn& read, test_report& report);

// 0 all passed; 1 some expectation failed; 2 some file, viewer or payload is malformed.
int report_exit(const test_report& r);
// One `FAIL ...` line per failing expectation, `ERROR ...` per error, then the tally.
std::string report_text(const test_report& r);
// {"passed":N,"failed":M,"failures":[...],"errors":[...]}
std::string report_json(const test_report& r);
// Appends {"file","pointer","message"} objects (shared with keyhole diff).
void append_errors_json(std::string& out, const std::vector<test_error>& errors);

}  // namespace keyhole_cli
