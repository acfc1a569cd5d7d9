#include "json_tree.h"

#include <algorithm>
#include <cstring>

namespace keyhole::detail {
namespace {

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

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
  sidx_.resize(size_);
  // Tape entries follow the tokens in order, except ':' and ','; a number
  // takes two tape words.
  uint32_t node = 0;
  for (uint32_t k = 0; k < n_structurals && node < size_; ++k) {
    char c = text_[structurals_[k]];
    if (c == ':' || c == ',') continue;
    sidx_[node] = k;
    char t = tag(node);
    node += (t == 'l' || t == 'u' || t == 'd') ? 2 : 1;
  }
  if (node != size_) {
    err.message = "internal error: tape and text disagree";
    size_ = 0;
    return false;
  }
  return true;
}

std::string_view json_tree::string_at(uint32_t n) const {
  size_t offset = static_cast<size_t>(tape_[n + 1] & simdjson::internal::JSON_VALUE_MASK);
  uint32_t len;
  std::memcpy(&len, strings_ + offset, sizeof len);
  return std::string_view(reinterpret_cast<const char*>(strings_ + offset + sizeof len), len);
}

std::string_view json_tree::raw(uint32_t n) const {
  uint32_t begin = pos(n);
  uint32_t stop = structurals_[sidx_[n] + 1];  // the next token, or the end of the text
  if (stop > text_len_) stop = static_cast<uint32_t>(text_len_);
  while (stop > begin && is_ws(text_[stop - 1])) --stop;
  return std::string_view(text_ + begin, stop - begin);
}

std::string_view json_tree::span(uint32_t n) const {
  char c = tag(n);
  if (c != '{' && c != '[') return raw(n);
  uint32_t close = end(n) - 1;  // the closing bracket's tape entry
  uint32_t begin = pos(n);
  return std::string_view(text_ + begin, pos(close) + 1 - begin);
}

uint32_t json_tree::first_child(uint32_t n) const {
  char c = tag(n);
  if (c == '{') return tag(n + 1) == '}' ? npos : n + 2;
  if (c == '[') return tag(n + 1) == ']' ? npos : n + 1;
  return npos;
}

uint32_t json_tree::next_sibling(uint32_t parent, uint32_t c) const {
  uint32_t e = end(c);
  if (tag(parent) == '{') return tag(e) == '}' ? npos : e + 1;
  return tag(e) == ']' ? npos : e;
}

size_t json_tree::child_count(uint32_t n) const {
  size_t count = 0;
  for (uint32_t c = first_child(n); c != npos; c = next_sibling(n, c)) ++count;
  return count;
}

uint32_t json_tree::member(uint32_t obj, std::string_view k) const {
  if (!is_object(obj)) return npos;
  for (uint32_t c = first_child(obj); c != npos; c = next_sibling(obj, c))
    if (key(c) == k) return c;
  return npos;
}

bool json_tree::unique_keys(uint32_t obj) const {
  // Read each name once; compare lengths before bytes. Objects the filter reads
  // are small, so pairwise beats hashing; large ones are sorted instead.
  constexpr size_t kSmall = 48;
  std::string_view small[kSmall];
  std::vector<std::string_view> large;
  size_t n = 0;
  for (uint32_t c = first_child(obj); c != npos; c = next_sibling(obj, c)) {
    std::string_view k = key(c);
    if (n < kSmall) {
      for (size_t i = 0; i < n; ++i)
        if (small[i].size() == k.size() && small[i] == k) return false;
      small[n++] = k;
    } else {
      large.push_back(k);
      ++n;
    }
  }
  if (large.empty()) return true;
  large.insert(large.end(), small, small + kSmall);
  std::sort(large.begin(), large.end());
  return std::adjacent_find(large.begin(), large.end()) == large.end();
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
