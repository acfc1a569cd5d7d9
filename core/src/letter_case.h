// Whether a UTF-8 name holds a capital letter, for names that must be lower
// case (policy label names: Confluence folds every label, so a rule naming a
// label with a capital could never match). Internal to the core.
#pragma once

#include <string_view>

namespace keyhole::detail {

// A code point counts as a capital when lower-casing changes it (Unicode's
// case mappings, generated into letter_case_table.inc: every script's
// capitals and title-case letters, the Kelvin sign, Roman numerals, circled
// capitals). Malformed UTF-8 counts as a capital (not lower case).
bool has_capital_letter(std::string_view utf8);

}  // namespace keyhole::detail
