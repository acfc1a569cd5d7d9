// Which atoms each policy section can consult (SPEC §10 per section): the
// audience key of a payload covers the atoms of the section that decides its
// format only, so a combined policy caches status pages per status audience.
#pragma once

#include "policy_model.h"

namespace keyhole::detail {

// Fills p.status_atoms and p.article_atoms (sorted atom indexes reachable from
// each section's rules and disclosure entries, through named audiences).
// Linear in the policy: each expression is visited once per section.
void collect_section_atoms(compiled_policy& p);

}  // namespace keyhole::detail
