// Stage 1 of the parse, behind one adapter: the positions of every structural
// character and of the start of every scalar and string outside strings, found
// by Keyhole's own indexer (structural_indexer.h) one window of text at a time
// into a buffer of fixed size, so the index never grows with the text. The
// adapter also validates UTF-8 (simdjson's validator: this is the only core
// file that includes simdjson) and gives stage 1's verdict: a text is rejected
// exactly when simdjson's stage 1 rejects it (bad UTF-8, an unclosed string, a
// control character in a string, no token at all), with simdjson's message.
// Everything after that (grammar, depth, numbers, escapes, the node array) is
// Keyhole's own single pass: json_tree.cpp, which asks for the next window when
// it reaches the end of one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "structural_indexer.h"

namespace keyhole::detail {

class json_parser {
 public:
  // 256 KiB of text per window (a window's index, typically under 256 KiB,
  // stays in L2 beside it): measured against 4 KiB to 1 MiB in core/README.md.
  static constexpr size_t kDefaultWindowBytes = 256 << 10;
  // Windows cut before a byte that does not continue a UTF-8 sequence, so
  // each is validated on its own: at most 3 bytes shorter.
  static constexpr size_t kMinWindowBytes = 16;

  json_parser() : json_parser(kDefaultWindowBytes, block_kernel::simd) {}
  ~json_parser();
  json_parser(const json_parser&) = delete;
  json_parser& operator=(const json_parser&) = delete;

  // Tests only: tiny windows put strings, escapes and UTF-8 sequences across
  // window boundaries; the scalar kernel is the one the wasm-scalar build runs.
  static json_parser for_tests(size_t window_bytes, block_kernel kernel) { return json_parser(window_bytes, kernel); }

  // Starts indexing `len` bytes at `data` (read only up to data + len). No
  // window is indexed yet: call refill(0).
  void begin(const char* data, size_t len);

  // The buffered positions (text offsets, in order): count() of them. When
  // finished(), positions()[count()] and [count() + 1] hold the text length,
  // so the entry after any token is readable (simdjson's sentinels).
  const uint32_t* positions() const { return buf_.get(); }
  size_t count() const { return count_; }
  // Every window has been indexed: the buffer holds the text's last tokens.
  bool finished() const { return from_ == len_; }
  // Tokens indexed so far, over every window.
  size_t total() const { return total_; }
  // The text indexed so far ends here; no backslash stands in it from
  // backslash_free_from() on (windows are told apart by the indexer), so
  // the parse searches for escapes only where a window held one.
  size_t indexed() const { return from_; }
  size_t backslash_free_from() const { return backslash_free_from_; }
  // The same for whitespace outside strings (a compact text has none).
  size_t whitespace_free_from() const { return whitespace_free_from_; }

  // Drops the first `consumed` buffered entries, moves the rest to the front
  // and indexes windows until at least two entries are buffered or the text
  // is finished (a window holding only a long string or number yields none).
  void refill(size_t consumed);

  // Stage 1's verdict on the whole text, which first indexes whatever the
  // caller has not (a grammar error found early must not hide a stage-1
  // error later: simdjson reports those first). False, with simdjson's
  // message, when its stage 1 would reject the text.
  bool verdict(std::string& message);

  // Readable bytes the caller's text has past its end (simdjson's
  // SIMDJSON_PADDING: the tree's own reads past a token rely on it).
  static constexpr size_t padding() { return 64; }

 private:
  json_parser(size_t window_bytes, block_kernel kernel);
  void index_window();

  structural_indexer indexer_;
  size_t window_;
  std::unique_ptr<uint32_t[]> buf_;  // a window's entries and slack; small texts get a small one
  size_t buf_capacity_ = 0;
  const uint8_t* data_ = nullptr;
  size_t len_ = 0;
  size_t from_ = 0;   // the first byte not yet indexed
  size_t count_ = 0;  // entries in buf_
  size_t total_ = 0;
  size_t backslash_free_from_ = 0;
  size_t whitespace_free_from_ = 0;
  bool utf8_ok_ = true;
};

// Copies `text` to `out` (room for text.size() bytes) without whitespace
// outside strings, with simdjson's SIMD minifier; returns the bytes written.
size_t minify_into(std::string_view text, char* out);

}  // namespace keyhole::detail
