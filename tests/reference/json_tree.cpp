#include "json_tree.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>

namespace keyhole::detail {
namespace {

// RFC 8259 number grammar.
bool valid_number(std::string_view s) {
  size_t i = 0, n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (s[i] >= '1' && s[i] <= '9') {
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    size_t start = ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  return i == n;
}

bool number_char(char c) { return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'; }

// A copy of the text in which every valid number outside strings becomes "0"
// padded with spaces to the same length. simdjson rejects numbers it cannot
// hold (1e400, 30-digit integers) although they are valid JSON; Keyhole never
// reads number values (it copies their text), so it parses this copy for
// structure and keeps every offset, and the original text, unchanged.
void neutralise_numbers(const char* data, size_t len, std::string& out) {
  out.assign(data, len);
  out.append(simdjson::SIMDJSON_PADDING, ' ');
  bool in_string = false;
  for (size_t i = 0; i < len; ++i) {
    char c = out[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
      continue;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      size_t j = i;
      while (j < len && number_char(out[j])) ++j;
      if (valid_number(std::string_view(out.data() + i, j - i))) {
        out[i] = '0';
        for (size_t k = i + 1; k < j; ++k) out[k] = ' ';
      }
      i = j - 1;
    }
  }
}

}  // namespace

bool json_tree::build(simdjson::dom::parser& parser, const char* data, size_t len, size_t max_depth,
                      parse_error& err) {
  size_ = 0;
  sidx_.clear();
  // simdjson skips a byte-order mark; skip it here so offsets stay ours.
  if (len >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
    data += 3;
    len -= 3;
    // simdjson would skip a second one too (and shift every offset): one mark
    // may start a document, a second is not JSON.
    if (len >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
      err.message = "invalid JSON: a second byte-order mark";
      return false;
    }
  }
  if (parser.max_depth() != max_depth || parser.capacity() < len) {
    if (auto e = parser.allocate(std::max(len, parser.capacity()), max_depth)) {
      err.message = simdjson::error_message(e);
      return false;
    }
  }
  simdjson::dom::element root;
  auto e = parser.parse(data, len, false).get(root);
  if (e == simdjson::BIGINT_ERROR || e == simdjson::NUMBER_ERROR) {
    neutralise_numbers(data, len, scratch_);
    e = parser.parse(scratch_.data(), len, false).get(root);
  }
  if (e) {
    err.message = std::string("invalid JSON: ") + simdjson::error_message(e);
    return false;
  }
  if (!root.is_object() && !root.is_array()) {
    err.message = "the document is not a JSON object or array";
    return false;
  }
  tape_ = parser.doc.tape.get();
  strings_ = parser.doc.string_buf.get();
  text_ = data;
  text_len_ = len;
  structurals_ = parser.implementation->structural_indexes.get();
  uint32_t n_structurals = parser.implementation->n_structural_indexes;
  // tape[0] is the root marker; it names the index just past the closing root
  // marker, so the nodes are tape entries 1 .. that - 2.
  uint32_t after = static_cast<uint32_t>(tape_[0] & simdjson::internal::JSON_VALUE_MASK);
  size_ = after - 2;
  sidx_.resize(size_ + 1);  // + 1: the loop below writes one slot ahead
  // Tape entries follow the tokens in order, except ':' and ',', and a
  // token's first byte tells how many tape words it takes: a number (a '-'
  // or a digit) two, every other token one. So the loop needs neither the
  // tape nor a branch: the separators' pattern is too irregular to predict,
  // and this runs once per token. On locals: a store through sidx_ could
  // otherwise alias the members the loop reads.
  static constexpr auto kTapeWords = [] {  // first byte of a structural → tape words
    std::array<uint8_t, 256> t{};
    for (auto& x : t) x = 1;
    t[':'] = t[','] = 0;
    t['-'] = 2;
    for (int c = '0'; c <= '9'; ++c) t[c] = 2;
    return t;
  }();
  static constexpr auto kIsWs = [] {
    std::array<uint8_t, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = is_ws(static_cast<char>(c));
    return t;
  }();
  const uint32_t* structurals = structurals_;
  const unsigned char* text = reinterpret_cast<const unsigned char*>(text_);
  uint32_t* out = sidx_.data();
  const uint32_t size = size_;
  uint32_t node = 0;
  uint32_t ws_before = 0;  // structurals preceded by whitespace (outside strings)
  for (uint32_t k = 0; k < n_structurals && node < size; ++k) {
    uint32_t at = structurals[k];
    out[node] = k;
    node += kTapeWords[text[at]];
    ws_before |= at > 0 ? kIsWs[text[at - 1]] : 0;
  }
  // Whitespace outside strings always runs up to the next structural, so
  // none before any of them means every span is already compact.
  compact_ = ws_before == 0;
#ifndef NDEBUG
  // Debug and fuzz builds check the mapping node by node: every tape tag
  // against the byte its token starts with.
  for (uint32_t n = 0; node == size_ && n < size_; n += kTapeWords[text[pos(n)]]) {
    char c = static_cast<char>(text[pos(n)]), t = tag(n);
    bool number = t == 'l' || t == 'u' || t == 'd';
    bool same = number ? (c == '-' || (c >= '0' && c <= '9')) : c == t;  // { [ } ] " t f n
    if (!same) std::abort();
  }
#endif
  if (node != size_) {
    err.message = "internal error: tape and text disagree";
    size_ = 0;
    return false;
  }
  return true;
}

std::string_view json_tree::span(uint32_t n) const {
  char c = tag(n);
  if (c != '{' && c != '[') return raw(n);
  uint32_t close = end(n) - 1;  // the closing bracket's tape entry
  uint32_t begin = pos(n);
  return std::string_view(text_ + begin, pos(close) + 1 - begin);
}

size_t json_tree::child_count(uint32_t n) const {
  size_t count = 0;
  for (uint32_t c = first_child(n); c != npos; c = next_sibling(n, c)) ++count;
  return count;
}

namespace {
// A name's first eight bytes, zero-filled past its end, so most unequal names
// differ in one integer comparison. Reading eight bytes is safe: simdjson's
// string buffer ends in SIMDJSON_PADDING spare bytes after the last string.
uint64_t first_word(std::string_view k) {
  uint64_t w;
  std::memcpy(&w, k.data(), 8);
  if (k.size() < 8) w &= (uint64_t(1) << (8 * k.size())) - 1;  // little-endian on every target
  return w;
}
// One of 64 bits, chosen by a first word (multiplicative hashing).
uint64_t bloom_bit(uint64_t word) { return uint64_t(1) << ((word * 0x9E3779B97F4A7C15ull) >> 58); }
// The same for a name the caller gives, which has no such padding.
uint64_t first_word_bounded(std::string_view k) {
  uint64_t w = 0;
  std::memcpy(&w, k.data(), k.size() < 8 ? k.size() : 8);
  return w;
}
// Equal names, given their first words: the rest is compared only past 8 bytes.
bool same_name(uint64_t word_a, std::string_view a, uint64_t word_b, std::string_view b) {
  return word_a == word_b && a.size() == b.size() && (a.size() <= 8 || a == b);
}
}  // namespace

uint32_t json_tree::member(uint32_t obj, std::string_view k) const {
  if (!is_object(obj)) return npos;
  uint64_t want = first_word_bounded(k);
  for (uint32_t c = first_child(obj); c != npos; c = next_sibling(obj, c)) {
    std::string_view name = key(c);
    if (same_name(first_word(name), name, want, k)) return c;
  }
  return npos;
}

bool json_tree::members(uint32_t obj, const std::string_view* names, uint32_t* found, size_t n) const {
  uint64_t want[8];  // n <= 8: the public template checks it
  uint64_t want_bits = 0;
  for (size_t i = 0; i < n; ++i) {
    found[i] = npos;
    want[i] = first_word_bounded(names[i]);
    want_bits |= bloom_bit(want[i]);
  }
  if (!is_object(obj)) return true;
  // Objects the filter reads are small, so pairwise beats hashing; large
  // ones are sorted instead.
  constexpr size_t kSmall = 48;
  struct seen_name {  // trivial, so the array below costs nothing to set up
    uint64_t word;
    const char* data;
    size_t size;
    std::string_view name() const { return std::string_view(data, size); }
  };
  seen_name small[kSmall];
  uint64_t seen_bits = 0;
  std::vector<std::string_view> large;
  size_t count = 0;
  for (uint32_t c = first_child(obj); c != npos; c = next_sibling(obj, c)) {
    std::string_view k = key(c);
    uint64_t w = first_word(k);
    // One bit per first word: equal names set the same bit, so the name
    // loop and the pairwise pass run only when the bit says they might match.
    uint64_t bit = bloom_bit(w);
    if (want_bits & bit)
      for (size_t i = 0; i < n; ++i)
        if (same_name(want[i], names[i], w, k)) found[i] = c;
    if (count < kSmall) {
      if (seen_bits & bit)
        for (size_t i = 0; i < count; ++i)
          if (same_name(small[i].word, small[i].name(), w, k)) return false;
      seen_bits |= bit;
      small[count++] = seen_name{w, k.data(), k.size()};
    } else {
      large.push_back(k);
      ++count;
    }
  }
  if (large.empty()) return true;
  for (const seen_name& s : small) large.push_back(s.name());
  std::sort(large.begin(), large.end());
  return std::adjacent_find(large.begin(), large.end()) == large.end();
}

uint32_t json_tree::first_duplicate(uint32_t obj) const {
  std::vector<std::pair<std::string_view, uint32_t>> names;
  for (uint32_t c = first_child(obj); c != npos; c = next_sibling(obj, c)) names.emplace_back(key(c), c);
  std::stable_sort(names.begin(), names.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  uint32_t first = npos;
  for (size_t i = 1; i < names.size(); ++i)
    if (names[i].first == names[i - 1].first) first = std::min(first, names[i].second);
  return first;
}

bool parse_copy(simdjson::dom::parser& parser, std::string& buf, std::string_view json, size_t max_depth,
                json_tree& tree, parse_error& err) {
  buf.assign(json);
  buf.append(simdjson::SIMDJSON_PADDING, '\0');
  return tree.build(parser, buf.data(), json.size(), max_depth, err);
}

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out.push_back(hex[c >> 4]);
          out.push_back(hex[c & 15]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
}

}  // namespace keyhole::detail
