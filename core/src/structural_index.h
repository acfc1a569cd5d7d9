// simdjson's stage 1, behind one adapter: the only core file that reaches
// into simdjson's internals. Stage 1 finds every structural character and the
// start of every scalar outside strings (its SIMD kernel is picked at run
// time), validates UTF-8 and rejects unescaped control characters in strings.
// Everything after that (grammar, depth, numbers, escapes, the node array)
// is Keyhole's own single pass: json_tree.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace simdjson::internal {
class dom_parser_implementation;
}

namespace keyhole::detail {

class json_parser {
 public:
  json_parser();
  ~json_parser();
  json_parser(const json_parser&) = delete;
  json_parser& operator=(const json_parser&) = delete;

  // Indexes `len` bytes at `data` (followed by at least padding() readable
  // bytes). False with a message when stage 1 rejects the text (bad UTF-8, an
  // unclosed string, a control character in a string, no token at all).
  bool index(const char* data, size_t len, std::string& message);
  // Text offsets of the tokens, in order; count() of them, then two copies of
  // the text length (simdjson's sentinels), so positions()[i + 1] is always
  // readable for i < count().
  const uint32_t* positions() const;
  uint32_t count() const;

  // Readable bytes the text must have past its end (simdjson's
  // SIMDJSON_PADDING; structural_index.cpp checks they agree).
  static constexpr size_t padding() { return 64; }

 private:
  std::unique_ptr<simdjson::internal::dom_parser_implementation> impl_;
  size_t capacity_ = 0;
};

// Copies `text` to `out` (room for text.size() bytes) without whitespace
// outside strings, with simdjson's SIMD minifier; returns the bytes written.
size_t minify_into(std::string_view text, char* out);

}  // namespace keyhole::detail
