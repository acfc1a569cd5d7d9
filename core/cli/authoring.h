// The policy authoring commands of the `keyhole` CLI: `test`, `diff`, and the text
// rendering of `explain --output text`. main.cpp dispatches to these.
#pragma once

#include <string>
#include <string_view>

namespace keyhole_cli {

// keyhole test [--format text|json] FILE|DIR...   (argv[2..])
int test_command(int argc, char** argv);
// keyhole diff --old P1 --new P2 --viewers DIR --payload FILE... [--format auto|...] [--output text|json]
int diff_command(int argc, char** argv);
// The text form of an explanation document for `payload`; false when `explain_json`
// is not one (then `error` says why).
bool explain_as_text(std::string_view explain_json, std::string_view payload, std::string& out, std::string& error);

}  // namespace keyhole_cli
