// Whether a UTF-8 name holds a capital letter, for names that must be lower
// case (policy label names: Confluence folds every label, so a rule naming a
// label with a capital could never match). Internal to the core.
#pragma once

#include <string_view>

namespace keyhole::detail {

// ASCII A–Z, and the capitals of Latin-1, Latin Extended-A and Additional,
// Greek, Cyrillic, Armenian, the letterlike symbols that fold to letters
// (Ω U+2126, the Kelvin sign U+212A, Å U+212B), Roman numerals, circled and
// fullwidth Latin capitals. Malformed UTF-8 counts as a capital (not lower case).
bool has_capital_letter(std::string_view utf8);

}  // namespace keyhole::detail
