// Share-link bodies (SPEC §7): reading one and deciding whom it opens for.
// The public entry point is keyhole::share_grants (keyhole.h); these pieces are
// here so the tests can reach them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "json_tree.h"
#include "viewer.h"

namespace keyhole::detail {

struct share_body {
  std::vector<std::string> resources;  // grants as written, in the body's order
  std::vector<std::string> emails;     // ASCII-lower-cased
  std::vector<std::string> domains;    // normalise_domain()
  int64_t exp = 0;
};

// Fills `b` from the body tree; on error fills `pointer` and `message`.
bool parse_share_body(const json_tree& t, share_body& b, std::string& pointer, std::string& message);

// True when the link opens for this viewer at `now_seconds` (see keyhole.h).
bool share_opens_for(const share_body& b, const viewer& v, int64_t now_seconds);

}  // namespace keyhole::detail
