// Prints what the C++ case loader (tests/gtest/case_loader.h) finds under a cases
// folder, one line per case: name, then mode, format, exit and the load error (empty
// when the case.json was read), tab-separated. cmake/case-loader-parity.mjs compares
// this with the JS loader (tests/node/wasm-cases-lib.mjs).
#include <cstdio>

#include "case_loader.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: keyhole_list_cases CASES_DIR\n");
    return 2;
  }
  for (const auto& c : keyhole_test::load_all_cases(argv[1]))
    std::printf("%s\t%s\t%s\t%d\t%s\n", c.name.c_str(), c.mode.c_str(), c.format.c_str(), c.exit,
                c.load_error.c_str());
  return 0;
}
