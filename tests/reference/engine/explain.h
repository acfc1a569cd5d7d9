// The explanation document of `keyhole explain` (docs/explain.md, version 1):
// per resource its kind, id, whether it is shown, each level of its chain in
// order with what matched, and the step that decided it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "filter_context.h"

namespace keyhole::detail {

constexpr int kExplainVersion = 1;

void explain_json(const std::vector<explained>& log, std::string_view format,
                  const std::vector<filter_context::withheld_field>& withheld, std::string& out);

}  // namespace keyhole::detail
