#include "letter_case.h"

#include <cstdint>

namespace keyhole::detail {
namespace {

// Capitals in [first, last]: every code point (step 1), or every other one
// from `first` (step 2: the blocks that alternate capital, small).
struct capital_range {
  char32_t first, last;
  uint8_t step;
};
constexpr capital_range kCapitals[] = {
    {0x41, 0x5A, 1},     {0xC0, 0xD6, 1},     {0xD8, 0xDE, 1},     {0x100, 0x136, 2},   {0x139, 0x147, 2},
    {0x14A, 0x176, 2},   {0x178, 0x179, 1},   {0x17B, 0x17D, 2},   {0x386, 0x386, 1},   {0x388, 0x38A, 1},
    {0x38C, 0x38C, 1},   {0x38E, 0x38F, 1},   {0x391, 0x3A1, 1},   {0x3A3, 0x3AB, 1},   {0x400, 0x42F, 1},
    {0x460, 0x480, 2},   {0x48A, 0x4BE, 2},   {0x4C0, 0x4C1, 1},   {0x4C3, 0x4CD, 2},   {0x4D0, 0x52E, 2},
    {0x531, 0x556, 1},   {0x1E00, 0x1E94, 2}, {0x1E9E, 0x1E9E, 1}, {0x1EA0, 0x1EFE, 2}, {0x2126, 0x2126, 1},
    {0x212A, 0x212B, 1}, {0x2160, 0x216F, 1}, {0x24B6, 0x24CF, 1}, {0xFF21, 0xFF3A, 1},
};

bool is_capital(char32_t c) {
  for (const capital_range& r : kCapitals)
    if (c >= r.first && c <= r.last) return (c - r.first) % r.step == 0;
  return false;
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
