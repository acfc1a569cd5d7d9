#include "letter_case.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

namespace keyhole::detail {
namespace {

// Capitals in [first, last]: every code point (step 1), or every other one
// from `first` (step 2: the blocks that alternate capital, small). The table
// is generated from Unicode's case mappings (toolchains/gen-letter-case.py).
struct capital_range {
  char32_t first, last;
  uint8_t step;
};
constexpr capital_range kCapitals[] = {
#include "letter_case_table.inc"
};

bool is_capital(char32_t c) {
  // The last run starting at or before c (runs are in order, apart).
  const capital_range* r = std::upper_bound(std::begin(kCapitals), std::end(kCapitals), c,
                                            [](char32_t x, const capital_range& run) { return x < run.first; });
  if (r == std::begin(kCapitals)) return false;
  --r;
  return c <= r->last && (c - r->first) % r->step == 0;
}

// The code point at s[i], advancing i; U+FFFFFFFF when malformed.
char32_t next_code_point(std::string_view s, size_t& i) {
  unsigned char b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80) return b;
  int extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : -1;
  if (extra < 0 || i + size_t(extra) > s.size()) return 0xFFFFFFFF;
  char32_t c = b & (0x3F >> extra);
  for (int k = 0; k < extra; ++k) {
    unsigned char n = static_cast<unsigned char>(s[i++]);
    if ((n & 0xC0) != 0x80) return 0xFFFFFFFF;
    c = (c << 6) | (n & 0x3F);
  }
  return c;
}

}  // namespace

bool has_capital_letter(std::string_view utf8) {
  for (size_t i = 0; i < utf8.size();) {
    char32_t c = next_code_point(utf8, i);
    if (c == 0xFFFFFFFF || is_capital(c)) return true;
  }
  return false;
}

}  // namespace keyhole::detail
