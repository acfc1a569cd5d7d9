// Keyhole's structural indexer: the positions of every structural character
// ({ } [ ] : ,) and of the start of every scalar and string outside strings,
// in text order, found 64 bytes at a time from the bit masks of simd_block.h.
// It computes what simdjson's stage 1 computes (json_string_scanner,
// json_escape_scanner, json_scanner and json_block in simdjson's
// generic/stage1; read, not copied) and gives the same positions, but over
// consecutive pieces of a text of any length (windows), carrying its state from
// one piece to the next, so the caller's index buffer is the size of a window,
// not of the text. UTF-8 is not its job: json_parser (structural_index.cpp)
// validates each window with simdjson.
#pragma once

#include <cstddef>
#include <cstdint>

namespace keyhole::detail {

// Which kernel runs: the fastest this CPU has (`simd`: on x86-64 AVX-512 or
// AVX2 when the CPU has them, chosen at run time, else SSE2; SIMD128 in wasm;
// the portable one where none exists). Tests also name each kernel, to hold
// every one against simdjson: the build's baseline SIMD one (SSE2 on x86-64),
// the portable scalar one, and the x86 ones (when the CPU runs them:
// structural_indexer::runs()).
enum class block_kernel : uint8_t { simd, baseline_simd, scalar, x86_avx2, x86_avx512 };

class structural_indexer {
 public:
  explicit structural_indexer(block_kernel kernel = block_kernel::simd);
  // Whether this CPU and build run `kernel` (else it stands for `simd`).
  static bool runs(block_kernel kernel);

  // Forgets every carried state: the next index() call starts a text.
  void reset() { carry_ = carry{}; }

  // Appends to `out` the positions (offset `base` plus the byte's place) of
  // the structurals among the `n` bytes at `p`, the text's next bytes after
  // those of the previous call; returns the new end of `out`. `out` must have
  // room for n + kSlack entries (a block's positions are written in groups).
  uint32_t* index(const uint8_t* p, size_t n, uint32_t base, uint32_t* out);

  // After the text's last byte: a string is still open (simdjson: UNCLOSED_STRING),
  // or a string held a byte below 0x20 (UNESCAPED_CHARS).
  bool unclosed_string() const { return carry_.in_string != 0; }
  bool control_in_string() const { return carry_.control_in_string != 0; }
  // Whether a byte from 0x80 on was indexed since the last call (an ASCII
  // window is valid UTF-8 without a check); clears the flag.
  bool take_non_ascii() { return take(carry_.non_ascii); }

  // The same for a backslash: the parse finds escapes from it, without a
  // search of its own through windows that hold none.
  bool take_backslash() { return take(carry_.backslash); }

  // And for whitespace outside strings: where a window has none, a token
  // ends where the next one begins.
  bool take_outside_whitespace() { return take(carry_.outside_whitespace); }

  static constexpr size_t kSlack = 64;

  struct carry;
  using index_fn = uint32_t* (*)(const uint8_t*, size_t, uint32_t, carry&, uint32_t*);

  struct carry {
    uint64_t in_string = 0;          // all ones while the last byte indexed was inside a string
    uint64_t next_is_escaped = 0;    // 1 when the last byte indexed was an escaping backslash
    uint64_t prev_scalar = 0;        // 1 when the last byte indexed was part of a non-string scalar
    uint64_t control_in_string = 0;  // nonzero once a string held a control character
    uint64_t non_ascii = 0;          // nonzero once a byte from 0x80 on was indexed (take_non_ascii)
    uint64_t backslash = 0;          // nonzero once a backslash was indexed (take_backslash)
    uint64_t outside_whitespace = 0;  // nonzero once whitespace outside a string was indexed
  };

 private:
  // Whether a flag was set since it was last taken; clears it.
  static bool take(uint64_t& flag) {
    bool seen = flag != 0;
    flag = 0;
    return seen;
  }

  index_fn index_;
  carry carry_;
};

}  // namespace keyhole::detail
