#include "json_tree.h"

#include <algorithm>
#include <array>

#include "json_grammar.h"

namespace keyhole::detail {

// Keyhole's stage 2: one pass over the structural indexes, in the order
// simdjson's own stage 2 walks them, so a document is rejected exactly when
// simdjson's DOM would reject it (the differential fuzz target checks it),
// except that numbers too large for a double are accepted: Keyhole copies
// number text, it never reads a value.
class tree_builder {
 public:
  tree_builder(json_tree& t, const uint32_t* positions, uint32_t count, size_t max_depth)
      : t_(t), text_(t.text_), at_(positions), count_(count), max_depth_(max_depth) {}

  bool run(std::string& message) {
    t_.nodes_.resize(count_);  // a node per token at most: ':' and ',' make none
    nodes_ = t_.nodes_.data();
    grammar_error e = walk();
    if (e != grammar_error::none) {
      message = std::string("invalid JSON: ") + describe(e);
      return false;
    }
    t_.nodes_.resize(size_);
    t_.compact_ = !ws_before_;
    return true;
  }

 private:
  enum class expect : uint8_t { value, key, after_value };

  // The state machine of RFC 8259 over tokens; a stack of open containers
  // replaces recursion, so depth costs heap, never stack.
  grammar_error walk() {
    expect state = expect::value;
    for (k_ = 0; k_ < count_; ++k_) {
      uint32_t at = at_[k_];
      char c = text_[at];
      ws_before_ |= at > 0 && is_ws(text_[at - 1]);
      grammar_error e = grammar_error::none;
      switch (state) {
        case expect::value: e = value(at, c, state); break;
        case expect::key: e = key(at, c, state); break;
        case expect::after_value: e = after_value(at, c, state); break;
      }
      if (e != grammar_error::none) return e;
    }
    if (!open_.empty() || state != expect::after_value) return grammar_error::structure;
    return grammar_error::none;
  }

  grammar_error value(uint32_t at, char c, expect& state) {
    if (c == '{' || c == '[') return open(at, c, state);
    if (open_.empty()) return grammar_error::not_container;  // a scalar root
    state = expect::after_value;
    return scalar(at, c);
  }

  grammar_error open(uint32_t at, char c, expect& state) {
    char close = c == '{' ? '}' : ']';
    uint32_t n = push(at, 0);
    if (k_ + 1 < count_ && text_[at_[k_ + 1]] == close) {  // empty: no depth, as in simdjson
      ++k_;
      push(at_[k_], 0);
      nodes_[n].link = size_;
      state = expect::after_value;
      return grammar_error::none;
    }
    if (open_.size() + 1 >= max_depth_) return grammar_error::depth;
    open_.push_back(n);
    state = c == '{' ? expect::key : expect::value;
    return grammar_error::none;
  }

  grammar_error key(uint32_t at, char c, expect& state) {
    if (c != '"') return grammar_error::structure;
    grammar_error e = string(at);
    if (e != grammar_error::none) return e;
    if (++k_ >= count_ || text_[at_[k_]] != ':') return grammar_error::structure;
    state = expect::value;
    return grammar_error::none;
  }

  grammar_error after_value(uint32_t at, char c, expect& state) {
    if (open_.empty()) return grammar_error::structure;  // a second root value
    uint32_t top = open_.back();
    bool object = text_[nodes_[top].pos] == '{';
    if (c == ',') {
      state = object ? expect::key : expect::value;
      return grammar_error::none;
    }
    if (c != (object ? '}' : ']')) return grammar_error::structure;
    push(at, 0);
    nodes_[top].link = size_;
    open_.pop_back();
    return grammar_error::none;
  }

  grammar_error scalar(uint32_t at, char c) {
    if (c == '"') return string(at);
    uint32_t len = token_length(at);
    push(at, len);
    std::string_view token(text_ + at, len);
    switch (c) {
      case 't': return token == "true" ? grammar_error::none : grammar_error::true_atom;
      case 'f': return token == "false" ? grammar_error::none : grammar_error::false_atom;
      case 'n': return token == "null" ? grammar_error::none : grammar_error::null_atom;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return valid_number(token) ? grammar_error::none : grammar_error::number;
        return grammar_error::structure;  // not a value
    }
  }

  // A string token runs from its quote to its closing quote: stage 1 has
  // matched the quotes, and anything after the closing one but whitespace
  // would have started a token of its own.
  grammar_error string(uint32_t at) {
    uint32_t len = token_length(at);
    uint32_t n = push(at, len);
    const char* body = text_ + at + 1;
    size_t body_len = len - 2;
    if (!std::memchr(body, '\\', body_len)) return grammar_error::none;
    nodes_[n].link |= json_tree::kEscaped;
    t_.escaped_.emplace_back(n, static_cast<uint32_t>(t_.unescaped_.size()));
    return unescape_into(std::string_view(body, body_len), t_.unescaped_) ? grammar_error::none : grammar_error::string;
  }

  uint32_t token_length(uint32_t at) const {
    uint32_t stop = at_[k_ + 1];  // the next token, or (sentinel) the text's end
    while (stop > at && is_ws(text_[stop - 1])) --stop;
    return stop - at;
  }

  uint32_t push(uint32_t at, uint32_t link) {
    nodes_[size_] = json_tree::node{at, link};
    return size_++;
  }

  static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

  json_tree& t_;
  const char* text_;
  const uint32_t* at_;
  uint32_t count_;
  size_t max_depth_;
  json_tree::node* nodes_ = nullptr;
  uint32_t size_ = 0;
  uint32_t k_ = 0;
  bool ws_before_ = false;
  std::vector<uint32_t> open_;  // open containers, innermost last
};

bool json_tree::build(json_parser& parser, const char* data, size_t len, size_t max_depth, parse_error& err) {
  nodes_.clear();
  escaped_.clear();
  unescaped_.clear();
  // simdjson's parser skips a byte-order mark; so does Keyhole, keeping
  // offsets its own. A second mark is not JSON.
  if (len >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
    data += 3;
    len -= 3;
    if (len >= 3 && std::memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
      err.message = "invalid JSON: a second byte-order mark";
      return false;
    }
  }
  if (len > kLengthMask) {
    err.message = "invalid JSON: the document is too large";
    return false;
  }
  text_ = data;
  text_len_ = len;
  if (!parser.index(data, len, err.message)) return false;
  tree_builder b(*this, parser.positions(), parser.count(), max_depth);
  if (!b.run(err.message)) {
    nodes_.clear();
    return false;
  }
  unescaped_.append(8, '\0');  // first_word() may read a whole word past a name
  return true;
}

std::string_view json_tree::unescaped_at(uint32_t n) const {
  auto it = std::lower_bound(escaped_.begin(), escaped_.end(), n,
                             [](const std::pair<uint32_t, uint32_t>& e, uint32_t x) { return e.first < x; });
  uint32_t len;
  std::memcpy(&len, unescaped_.data() + it->second, sizeof len);
  return std::string_view(unescaped_.data() + it->second + sizeof len, len);
}

std::string_view json_tree::span(uint32_t n) const {
  char c = tag(n);
  if (c != '{' && c != '[') return raw(n);
  uint32_t close = end(n) - 1;  // the closing bracket's node
  uint32_t begin = nodes_[n].pos;
  return std::string_view(text_ + begin, nodes_[close].pos + 1 - begin);
}

size_t json_tree::child_count(uint32_t n) const {
  size_t count = 0;
  for (uint32_t c = first_child(n); c != npos; c = next_sibling(n, c)) ++count;
  return count;
}

namespace {
// A name's first eight bytes, zero-filled past its end, so most unequal names
// differ in one integer comparison. Reading eight bytes is safe: a name is
// either in the text, which the caller pads, or in unescaped_, which ends in
// eight spare bytes.
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

bool parse_copy(json_parser& parser, std::string& buf, std::string_view json, size_t max_depth,
                json_tree& tree, parse_error& err) {
  buf.assign(json);
  buf.append(json_parser::padding(), '\0');
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
