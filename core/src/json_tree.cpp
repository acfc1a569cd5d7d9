#include "json_tree.h"

#include <algorithm>
#include <array>

#include "always_inline.h"
#include "json_grammar.h"

namespace keyhole::detail {

// Keyhole's stage 2: one pass over the structural positions, in the order
// simdjson's own stage 2 walks them, so a document is rejected exactly when
// simdjson's DOM would reject it (the differential fuzz target checks it),
// except that numbers too large for a double are accepted: Keyhole copies
// number text, it never reads a value. The positions arrive a window at a time
// (json_parser): at_[0, n_) is the buffer, of which the first ready_ tokens
// also have their next position buffered (the last one of an unfinished
// window does not, so it waits for the next refill).
class tree_builder {
 public:
  tree_builder(json_tree& t, json_parser& parser, size_t max_depth, const field_table* names)
      : t_(t), parser_(parser), text_(t.text_), at_(parser.positions()), max_depth_(max_depth),
        next_backslash_(find_backslash(0)), names_(names), open_(t.open_) {
    open_.clear();
  }

  bool run(std::string& message) {
    refill();
    grammar_error e = walk();
    if (e != grammar_error::none) {
      message = std::string("invalid JSON: ") + describe(e);
      return false;
    }
    t_.size_ = static_cast<uint32_t>(size_);
    t_.compact_ = compact();
    return true;
  }

 private:
  // RFC 8259 over tokens, as simdjson's stage 2 walks them (one label per
  // state, so each token costs one dispatch); a stack of open containers
  // replaces recursion, so depth costs heap, never stack. Inside an object
  // and inside an array the states are apart (object_next / array_next), so
  // a member's or an element's value is followed without asking which
  // container holds it: only a close asks (after_close). k_ is the token
  // being read; every path that moves to a token first checks next() (which
  // refills at a window's end).
  grammar_error walk() {
    grammar_error e;
    char c;
    if (n_ == 0) return grammar_error::structure;
    first_pos_ = at_[0];
    c = text_[at_[0]];  // whitespace before the root is outside every span
    if (c == '[') goto open_array;
    if (c != '{') return grammar_error::not_container;  // a scalar root
  open_object:  // token k_ is '{'
    e = open('{');
    if (e != grammar_error::none) return e;
    if (just_closed_) goto after_close;
  object_key:  // the next token is a member name, then ':' and its value
    if (!next() || token() != '"') return grammar_error::structure;
    e = string();
    if (e != grammar_error::none) return e;
    if (names_) classify_name(size_ - 1);
    if (!next() || token() != ':') return grammar_error::structure;
    if (!next()) return grammar_error::structure;
    c = token();
    if (c == '{') goto open_object;
    if (c == '[') goto open_array;
    e = scalar(c);
    if (e != grammar_error::none) return e;
  object_next:  // the token after a member's value
    if (!next()) return grammar_error::structure;
    c = token();
    if (c == ',') goto object_key;
    if (c != '}') return grammar_error::structure;
    close();
    goto after_close;
  open_array:  // token k_ is '['
    e = open('[');
    if (e != grammar_error::none) return e;
    if (just_closed_) goto after_close;
  array_value:  // the next token is an element
    if (!next()) return grammar_error::structure;
    c = token();
    if (c == '{') goto open_object;
    if (c == '[') goto open_array;
    e = scalar(c);
    if (e != grammar_error::none) return e;
  array_next:  // the token after an element
    if (!next()) return grammar_error::structure;
    c = token();
    if (c == ',') goto array_value;
    if (c != ']') return grammar_error::structure;
    close();
  after_close:  // a container closed: continue in the one holding it
    if (open_.empty()) return next_exists() ? grammar_error::structure : grammar_error::none;
    if (in_object()) goto object_next;
    goto array_next;
  }

  KEYHOLE_ALWAYS_INLINE char token() const { return text_[at_[k_]]; }

  // Moves to the next token; false when the text has none. Inline: it runs
  // once per token, and refills once per window.
  KEYHOLE_ALWAYS_INLINE bool next() { return ++k_ < ready_ || (!parser_.finished() && refill()); }
  // After the root: whether any token follows it.
  bool next_exists() {
    if (++k_ < n_) return true;
    return !parser_.finished() && refill();
  }

  // The window's tokens from k_ on stay, the next window's follow them;
  // the node array grows to hold a node for each. True when token k_ (now 0)
  // is ready.
  bool refill() {
    parser_.refill(k_);
    k_ = 0;
    n_ = parser_.count();
    ready_ = parser_.finished() ? n_ : n_ - 1;
    reserve(size_ + n_);
    return k_ < ready_;
  }

  void reserve(size_t nodes) {
    if (t_.capacity_ < nodes) grow(nodes);
    if (names_ && !t_.fields_) t_.fields_.reset(new sfield[t_.capacity_ + 1]);
    nodes_ = t_.nodes_.get();
    tags_ = t_.tags_.get();
    fields_ = t_.fields_.get();
  }
  void grow(size_t nodes) {
    // Half as much again: a text's node count is not known until its end.
    // A fresh tree starts from a guess of a node per 16 bytes of text.
    size_t want = std::max({nodes, t_.capacity_ + t_.capacity_ / 2, t_.capacity_ ? 0 : t_.text_len_ / 16});
    std::unique_ptr<json_tree::node[]> n(new json_tree::node[want]);  // not zeroed: every slot used is written
    std::unique_ptr<json_tree::tag_byte[]> tags(new json_tree::tag_byte[want]);
    if (size_) {
      std::memcpy(n.get(), t_.nodes_.get(), size_ * sizeof(json_tree::node));
      std::memcpy(tags.get(), t_.tags_.get(), size_);
    }
    if (names_ && t_.fields_) {  // the entry past the last node may hold a name's field already
      std::unique_ptr<sfield[]> fields(new sfield[want + 1]);
      std::memcpy(fields.get(), t_.fields_.get(), size_ + 1);
      t_.fields_ = std::move(fields);
    } else {
      t_.fields_.reset();  // allocated again at its new size when a build asks
    }
    t_.nodes_ = std::move(n);
    t_.tags_ = std::move(tags);
    t_.capacity_ = want;
  }

  // The field of the name just read (node n), stored by its value's node,
  // which comes next: the name's bytes are in cache now, and no later step
  // reads them to classify. A name holding an escape is left to the reader
  // (its text is not the name).
  KEYHOLE_ALWAYS_INLINE void classify_name(size_t n) {
    const json_tree::node& x = nodes_[n];
    fields_[n + 1] = x.link & json_tree::kEscaped
                         ? sfield::unread
                         : sfield(names_->classify_api(std::string_view(text_ + x.pos + 1, x.link - 2)));
  }

  // True when no whitespace stands between the root's first and last byte
  // outside strings, so every span can be copied as it is: then the tokens
  // (one byte each, but strings and scalars, whose lengths were summed)
  // exactly fill that range. The last token is the root's closing bracket,
  // the last node.
  bool compact() const {
    size_t range = size_t(nodes_[size_ - 1].pos) + 1 - first_pos_;
    // Nodes are strings, scalars and two brackets per container; the tokens
    // that make no node (',' and ':') are one byte each too.
    size_t one_byte_tokens = (parser_.total() - size_) + 2 * containers_;
    return scalar_bytes_ + one_byte_tokens == range;
  }
  bool in_object() const { return open_.back() & kObjectBit; }

  // Opens a container at token k_; an empty one ({} or []) is closed at once
  // and, as in simdjson, does not count towards the depth. Token k_ is
  // ready, so the one after it is buffered when there is one.
  grammar_error open(char c) {
    uint32_t n = push(at_[k_], 0);
    ++containers_;
    char close = c == '{' ? '}' : ']';
    just_closed_ = k_ + 1 < n_ && text_[at_[k_ + 1]] == close;
    if (just_closed_) {
      ++k_;
      push(at_[k_], 0);
      nodes_[n].link = static_cast<uint32_t>(size_);
      return grammar_error::none;
    }
    if (open_.size() + 1 >= max_depth_) return grammar_error::depth;
    open_.push_back(c == '{' ? n | kObjectBit : n);
    return grammar_error::none;
  }
  void close() {
    push(at_[k_], 0);
    nodes_[open_.back() & ~kObjectBit].link = static_cast<uint32_t>(size_);
    open_.pop_back();
  }

  KEYHOLE_ALWAYS_INLINE grammar_error scalar(char c) {
    if (c == '"') return string();
    uint32_t at = at_[k_];
    uint32_t len = token_length(at);
    push(at, len);
    const char* p = text_ + at;
    switch (c) {
      case 't': return len == 4 && std::memcmp(p, "true", 4) == 0 ? grammar_error::none : grammar_error::true_atom;
      case 'f': return len == 5 && std::memcmp(p, "false", 5) == 0 ? grammar_error::none : grammar_error::false_atom;
      case 'n': return len == 4 && std::memcmp(p, "null", 4) == 0 ? grammar_error::none : grammar_error::null_atom;
      default:
        if (c == '-' || (c >= '0' && c <= '9'))
          return valid_number(std::string_view(p, len)) ? grammar_error::none : grammar_error::number;
        return grammar_error::structure;  // not a value
    }
  }

  // A string token runs from its quote to its closing quote: stage 1 has
  // matched the quotes, and anything after the closing one but whitespace
  // would have started a token of its own. Whether it holds an escape is
  // one comparison with the next backslash of the text (find_backslash).
  KEYHOLE_ALWAYS_INLINE grammar_error string() {
    uint32_t at = at_[k_];
    uint32_t len = token_length(at);
    uint32_t n = push(at, len);
    // Asked again when the last answer lies before the string, or inside it
    // but is only a bound found before later windows were indexed (no
    // backslash stands there; the padding past the text is readable).
    if (next_backslash_ < at || (next_backslash_ < at + len && text_[next_backslash_] != '\\'))
      next_backslash_ = find_backslash(at);
    if (next_backslash_ >= at + len) return grammar_error::none;
    nodes_[n].link |= json_tree::kEscaped;
    t_.escaped_.emplace_back(n, static_cast<uint32_t>(t_.unescaped_.size()));
    next_backslash_ = find_backslash(at + len);
    std::string_view body(text_ + at + 1, len - 2);
    return unescape_into(body, t_.unescaped_) ? grammar_error::none : grammar_error::string;
  }

  // The first backslash at or after `from`, or a bound below which there is
  // none: the end of the text indexed so far, when no window from `from` on
  // held one (the usual case, at no cost). string() asks again for a string
  // past the bound or across it; asked for a string, the bound is past its
  // end (the token after it is indexed).
  size_t find_backslash(size_t from) const {
    if (from >= parser_.backslash_free_from()) return parser_.indexed();
    size_t len = t_.text_len_;
    const void* p = from < len ? std::memchr(text_ + from, '\\', len - from) : nullptr;
    return p ? size_t(static_cast<const char*>(p) - text_) : SIZE_MAX;
  }

  // A scalar or string token runs to the next token (k_ is ready, so its
  // position is buffered; the end sentinel for the last), less the
  // whitespace before it: none when no window from the token on holds
  // whitespace outside strings (the parser knows; the usual case).
  KEYHOLE_ALWAYS_INLINE uint32_t token_length(uint32_t at) {
    uint32_t stop = at_[k_ + 1];
    if (at < parser_.whitespace_free_from())
      while (stop > at && kWhitespace[static_cast<unsigned char>(text_[stop - 1])]) --stop;
    scalar_bytes_ += stop - at;
    return stop - at;
  }

  KEYHOLE_ALWAYS_INLINE uint32_t push(uint32_t at, uint32_t link) {
    nodes_[size_] = json_tree::node{at, link};
    tags_[size_] = json_tree::tag_byte(text_[at]);
    return static_cast<uint32_t>(size_++);
  }

  static constexpr std::array<bool, 256> kWhitespace = [] {
    std::array<bool, 256> t{};
    t[' '] = t['\t'] = t['\n'] = t['\r'] = true;
    return t;
  }();
  // Set in an open container's entry of open_ when it is an object (node
  // indexes stay below 2^31: the text is shorter than that).
  static constexpr uint32_t kObjectBit = 0x80000000u;

  // Counters are size_t, not uint32_t, so the compiler knows a store into a
  // node (uint32_t fields) cannot change them, and keeps them in registers.
  json_tree& t_;
  json_parser& parser_;
  const char* text_;
  const uint32_t* at_;  // the parser's buffer (it never moves during a text)
  size_t n_ = 0;        // entries in it
  size_t ready_ = 0;    // of which these have their next position buffered too
  size_t max_depth_;
  size_t next_backslash_;  // offset of the first backslash not yet accounted for
  json_tree::node* nodes_ = nullptr;
  json_tree::tag_byte* tags_ = nullptr;
  const field_table* names_;  // classifies member names when given
  sfield* fields_ = nullptr;
  size_t size_ = 0;
  size_t k_ = 0;
  uint32_t first_pos_ = 0;  // the root's first byte
  size_t containers_ = 0;     // objects and arrays, and
  size_t scalar_bytes_ = 0;  // the bytes of strings and scalars (see compact())
  bool just_closed_ = false;    // open() met an empty container
  std::vector<uint32_t>& open_;  // open containers (node | kObjectBit), innermost last
};

bool json_tree::build(json_parser& parser, const char* data, size_t len, size_t max_depth, parse_error& err,
                      const field_table* names) {
  size_ = 0;
  classified_ = names != nullptr;
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
  parser.begin(data, len);
  tree_builder b(*this, parser, max_depth, names);
  bool built = b.run(err.message);
  // Stage 1's errors come first, as in simdjson, which finds them all before
  // its stage 2 starts: a grammar error early in the text does not hide them.
  if (!parser.verdict(err.message) || !built) {
    size_ = 0;
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
  // The bytes a name of each length keeps of a word (little-endian on every
  // target): a table, not a branch on the length.
  static constexpr uint64_t kKeep[9] = {0,          0xFF,           0xFFFF,           0xFFFFFF,           0xFFFFFFFF,
                                        0xFFFFFFFFFFull, 0xFFFFFFFFFFFFull, 0xFFFFFFFFFFFFFFull, ~0ull};
  uint64_t w;
  std::memcpy(&w, k.data(), 8);
  return w & kKeep[k.size() < 8 ? k.size() : 8];
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

void append_compact(const json_tree& t, std::string_view text, std::string& out) {
  if (t.compact()) {
    out.append(text);
    return;
  }
  size_t at = out.size();
  out.resize(at + text.size());
  out.resize(at + minify_into(text, out.data() + at));
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
