// What Keyhole's stage 2 checks in a token, and how it names what is wrong:
// the parts of RFC 8259 that simdjson's stage 1 leaves to stage 2.
#pragma once

#include <string>
#include <string_view>

namespace keyhole::detail {

enum class grammar_error : uint8_t {
  none,
  structure,      // a token where the grammar allows none of its kind
  not_container,  // the root is a scalar
  depth,          // nested deeper than the limit
  number,         // not an RFC 8259 number
  string,         // a bad escape or an unpaired surrogate
  true_atom,
  false_atom,
  null_atom,
};

const char* describe(grammar_error e);

// RFC 8259 number grammar (any magnitude: values are never read).
bool valid_number(std::string_view s);

// Appends the 4-byte length and the unescaped bytes of a string's body (the
// text between its quotes) to `out`. False on an escape JSON does not have or
// a surrogate without its pair, as simdjson's DOM rejects them.
bool unescape_into(std::string_view body, std::string& out);

}  // namespace keyhole::detail
