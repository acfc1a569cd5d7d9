// A short text kept as two words, so that a text met again is compared with
// it without reading the bytes the first one stands in: at 16 MB those are a
// cache miss into the payload for every id and every component name that a
// group's list, an incident's copies or an update's affected entries repeat
// (issue 13: the per-MB cost at 16 MB against 1 MB).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace keyhole::detail {

// Texts of up to kMost bytes: a text of 8 to 16 bytes is its first and its
// last 8 (which overlap below 16); a shorter one is its bytes in `head`, read
// one by one (the text may end where its memory does). With the length, the
// words are the whole text, so equal words and lengths are equal texts.
struct text_words {
  static constexpr size_t kMost = 16;
  uint64_t head = 0, tail = 0;

  static constexpr bool fits(size_t size) { return size <= kMost; }
  // `s` must fit.
  static text_words of(std::string_view s) {
    text_words w;
    if (s.size() >= 8) {
      w.head = word(s.data());
      w.tail = word(s.data() + s.size() - 8);
    } else {
      w.head = short_word(s.data(), s.size());
    }
    return w;
  }
  // Whether `s`, of the same size as the text these words were made of, is
  // that text.
  bool same(std::string_view s) const {
    if (s.size() >= 8) return ((word(s.data()) ^ head) | (word(s.data() + s.size() - 8) ^ tail)) == 0;
    return short_word(s.data(), s.size()) == head;
  }

 private:
  static uint64_t word(const char* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  }
  static uint64_t short_word(const char* p, size_t n) {
    uint64_t w = 0;
    for (size_t i = 0; i < n; ++i) w |= uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
    return w;
  }
};

}  // namespace keyhole::detail
