// Which atoms of a compiled policy one viewer matches, found from the
// viewer's side (issue 13: policy size must not cost per call). Every atom
// the viewer could match has one canonical text (atom_text); those texts are
// looked up in the policy's table of atom texts, so matching costs the
// viewer's claims, not the policy's atoms. atom_matches() (audience.h) stays
// the rule for one atom; AtomLookup tests hold the two equal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "policy_model.h"
#include "viewer.h"

namespace keyhole::detail {

// The canonical text of an atom ("group:staff", "domain:*.acme.example",
// "attr:plan=gold"): the one place it is spelled, for the compiler (equal
// atoms share one index) and for the lookup below. `key` is used by attr only.
void atom_text(atom_kind kind, std::string_view key, std::string_view value, std::string& out);

// matched[i] = 1 when the viewer matches atom i of `p`, else 0.
void match_atoms(const compiled_policy& p, const viewer& v, std::vector<uint8_t>& matched);

}  // namespace keyhole::detail
