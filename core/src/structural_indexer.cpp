#include "structural_indexer.h"

#include <bit>
#include <cstring>

#include "simd_block.h"

namespace keyhole::detail {

namespace {

constexpr uint64_t kOddBits = 0xAAAAAAAAAAAAAAAAull;

// Bit i set when an odd number of bits at or below i are set: inside a string
// from its opening quote up to (not including) its closing one. Shifts and
// xors, where simdjson uses a carry-less multiply (PCLMUL / PMULL).
inline uint64_t prefix_xor(uint64_t x) {
  x ^= x << 1;
  x ^= x << 2;
  x ^= x << 4;
  x ^= x << 8;
  x ^= x << 16;
  x ^= x << 32;
  return x;
}

// The baseline x86-64 has no POPCNT instruction (and the release build must
// run on one without a CPU check); wasm and CPUs that have it use theirs.
inline int count_ones(uint64_t x) {
#if defined(__POPCNT__) || defined(__wasm__) || defined(__aarch64__)
  return std::popcount(x);
#else
  x = x - ((x >> 1) & 0x5555555555555555ull);
  x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
  x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Full;
  return int((x * 0x0101010101010101ull) >> 56);
#endif
}

// Writes base + the place of every set bit, lowest first. The first eight
// are written whatever the count (a branch per bit costs more than a few
// spare stores into the caller's slack); countr_zero(0) is 64, so spare
// entries are harmless values past the block.
inline uint32_t* flatten(uint64_t bits, uint32_t base, uint32_t* out) {
  if (bits == 0) return out;
  int count = count_ones(bits);
  for (int i = 0; i < 8; ++i) {
    out[i] = base + uint32_t(std::countr_zero(bits));
    bits &= bits - 1;
  }
  if (count > 8) {
    for (int i = 8; i < 16; ++i) {
      out[i] = base + uint32_t(std::countr_zero(bits));
      bits &= bits - 1;
    }
    for (int i = 16; i < count; ++i) {
      out[i] = base + uint32_t(std::countr_zero(bits));
      bits &= bits - 1;
    }
  }
  return out + count;
}

// One block: the first `valid` bytes of `m` are text (64 but for a text's or
// a window's last block, whose other bytes are spaces). Every step below only
// carries information from lower bits to higher ones (shifts left, a
// subtraction's borrow, the prefix xor), so bits past `valid` never change
// those below, and the state carried on is read at bit valid - 1.
inline uint32_t* index_block(const block_masks& m, size_t valid, uint32_t base, structural_indexer::carry& s,
                             uint32_t* out) {
  const unsigned last = unsigned(valid - 1);
  // Escapes (json_escape_scanner::next): a backslash escapes the next byte
  // unless it is itself escaped; runs of backslashes alternate. Adding the
  // odd bits to the run's starts and subtracting the run sorts runs starting
  // on even and odd bytes apart in one carry chain.
  uint64_t potential_escape = m.backslash & ~s.next_is_escaped;
  uint64_t escape_and_terminal = (((potential_escape << 1) | kOddBits) - potential_escape) ^ kOddBits;
  uint64_t escaped = escape_and_terminal ^ (m.backslash | s.next_is_escaped);
  uint64_t escape = escape_and_terminal & m.backslash;
  s.next_is_escaped = (escape >> last) & 1;
  // Strings (json_string_scanner::next): unescaped quotes toggle in_string,
  // which holds the opening quote and the body but not the closing quote.
  uint64_t quote = m.quote & ~escaped;
  uint64_t in_string = prefix_xor(quote) ^ s.in_string;
  s.in_string = uint64_t(int64_t(in_string << (63 - last)) >> 63);
  // Scalars (json_scanner::next, json_block::structural_start): a byte that
  // is neither an operator nor whitespace starts a token unless it follows a
  // non-quote scalar byte; nothing inside a string after its quote counts.
  uint64_t scalar = ~(m.op | m.whitespace);
  uint64_t nonquote_scalar = scalar & ~quote;
  uint64_t follows_nonquote_scalar = (nonquote_scalar << 1) | s.prev_scalar;
  s.prev_scalar = (nonquote_scalar >> last) & 1;
  uint64_t string_tail = in_string ^ quote;
  uint64_t structurals = (m.op | (scalar & ~follows_nonquote_scalar)) & ~string_tail;
  if (valid < 64) structurals &= (uint64_t(1) << valid) - 1;
  // The padding is spaces, never a control character.
  s.control_in_string |= m.control & in_string;
  return flatten(structurals, base, out);
}

template <class Block>
uint32_t* index_with(const uint8_t* p, size_t n, uint32_t base, structural_indexer::carry& s, uint32_t* out) {
  size_t i = 0;
  for (; i + 64 <= n; i += 64) out = index_block(Block::classify(p + i), 64, base + uint32_t(i), s, out);
  if (i < n) {
    // simdjson pads the text's last block with spaces the same way.
    uint8_t rest[64];
    std::memset(rest, ' ', sizeof rest);
    std::memcpy(rest, p + i, n - i);
    out = index_block(Block::classify(rest), n - i, base + uint32_t(i), s, out);
  }
  return out;
}

}  // namespace

uint32_t* structural_indexer::index(const uint8_t* p, size_t n, uint32_t base, uint32_t* out) {
  if (kernel_ == block_kernel::scalar) return index_with<scalar_block>(p, n, base, carry_, out);
  return index_with<simd_block>(p, n, base, carry_, out);
}

}  // namespace keyhole::detail
