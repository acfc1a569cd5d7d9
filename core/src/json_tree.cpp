#include "json_tree.h"

#include <algorithm>
#include <array>
#include <bit>

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
  tree_builder(json_tree& t, json_parser& parser, size_t max_depth, const field_table* names, build_observer* observer)
      : t_(t), parser_(parser), text_(t.text_), at_(parser.positions()), max_depth_(max_depth),
        next_backslash_(find_backslash(0)), names_(names), observer_(observer), open_(t.open_) {
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
  // What every token reads and writes, held in a local of walk() so that it
  // stays in registers: as members, each store into a node made the compiler
  // load them again. Written back to the members (sync_out) before anything
  // that is not inlined reads them (refill, unescaping), read again after.
  // The text and the positions are in it too: a tag or field byte stored
  // may alias any member (a byte type), never a local whose address is not
  // taken, so nothing here is passed to a function that is not inlined.
  struct cursor {
    size_t k, ready, size, next_backslash, scalar_bytes, whitespace_free_from;
    const char* text;
    const uint32_t* at;
    json_tree::node* nodes;
    json_tree::tag_byte* tags;
    sfield* fields;
  };
  cursor load() const {
    return cursor{k_, ready_, size_, next_backslash_, scalar_bytes_, parser_.whitespace_free_from(),
                  text_, at_, nodes_, tags_, fields_};
  }
  void store(const cursor& c) {
    k_ = c.k, ready_ = c.ready, size_ = c.size, next_backslash_ = c.next_backslash, scalar_bytes_ = c.scalar_bytes;
  }

  // RFC 8259 over tokens, as simdjson's stage 2 walks them (one label per
  // state, so each token costs one dispatch); a stack of open containers
  // replaces recursion, so depth costs heap, never stack. Inside an object
  // and inside an array the states are apart (object_next / array_next), so
  // a member's or an element's value is followed without asking which
  // container holds it: only a close asks (after_close). c.k is the token
  // being read; every path that moves to a token first checks next() (which
  // refills at a window's end).
  grammar_error walk() {
    if (n_ == 0) return grammar_error::structure;
    cursor c = load();
    grammar_error e;
    char ch;
    first_pos_ = c.at[0];
    ch = c.text[c.at[0]];  // whitespace before the root is outside every span
    if (ch == '[') goto open_array;
    if (ch != '{') return grammar_error::not_container;  // a scalar root
  open_object:  // token c.k is '{'
    e = open(c, '{');
    if (e != grammar_error::none) return e;
    if (just_closed_) goto after_close;
  object_key:  // the next token is a member name, then ':' and its value
    if (!next(c) || token(c) != '"') return grammar_error::structure;
    e = member_name(c);
    if (e != grammar_error::none) return e;
    if (!next(c) || token(c) != ':') return grammar_error::structure;
    if (!next(c)) return grammar_error::structure;
    ch = token(c);
    if (ch == '{') goto open_object;
    if (ch == '[') goto open_array;
    e = scalar(c, ch);
    if (e != grammar_error::none) return e;
  object_next:  // the token after a member's value
    if (!next(c)) return grammar_error::structure;
    ch = token(c);
    if (ch == ',') goto object_key;
    if (ch != '}') return grammar_error::structure;
    close(c);
    goto after_close;
  open_array:  // token c.k is '['
    e = open(c, '[');
    if (e != grammar_error::none) return e;
    if (just_closed_) goto after_close;
  array_value:  // the next token is an element
    if (!next(c)) return grammar_error::structure;
    ch = token(c);
    if (ch == '{') goto open_object;
    if (ch == '[') goto open_array;
    e = scalar(c, ch);
    if (e != grammar_error::none) return e;
  array_next:  // the token after an element
    if (!next(c)) return grammar_error::structure;
    ch = token(c);
    if (ch == ',') goto array_value;
    if (ch != ']') return grammar_error::structure;
    close(c);
  after_close:  // a container closed: continue in the one holding it
    if (!open_.empty()) {
      if (in_object()) goto object_next;
      goto array_next;
    }
    store(c);
    return next_exists() ? grammar_error::structure : grammar_error::none;
  }

  KEYHOLE_ALWAYS_INLINE char token(const cursor& c) const { return c.text[c.at[c.k]]; }

  // Moves to the next token; false when the text has none. Inline: it runs
  // once per token, and refills once per window.
  KEYHOLE_ALWAYS_INLINE bool next(cursor& c) {
    if (++c.k < c.ready) return true;
    if (parser_.finished()) return false;
    store(c);
    bool ready = refill();
    c = load();
    return ready;
  }
  // After the root: whether any token follows it.
  bool next_exists() {
    if (++k_ < n_) return true;
    return !parser_.finished() && refill();
  }

  // The window's tokens from k_ on stay, the next window's follow them;
  // the node array grows to hold a node for each. True when token k_ (now 0)
  // is ready.
  bool refill() {
    if (observer_ && size_ != 0) tell_observer();
    parser_.refill(k_);
    k_ = 0;
    n_ = parser_.count();
    ready_ = parser_.finished() ? n_ : n_ - 1;
    reserve(size_ + n_);
    return k_ < ready_;
  }

  // What is complete so far (build_observer), before the next window can
  // move the nodes.
  void tell_observer() {
    uint32_t member = open_.size() > 1 ? open_[1] & ~kObjectBit : npos;
    uint32_t element = open_.size() > 2 ? open_[2] & ~kObjectBit : npos;
    observer_->window_built(static_cast<uint32_t>(size_), member, element);
  }

  void reserve(size_t nodes) {
    if (t_.capacity_ < nodes) grow(nodes);
    if (names_ && !t_.fields_) t_.fields_.reset(new sfield[t_.capacity_ + 1]);
    nodes_ = t_.nodes_.get();
    tags_ = t_.tags_.get();
    fields_ = t_.fields_.get();
  }
  void grow(size_t nodes) {
    size_t want = room_for(nodes);
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

  // A text's node count is not known until its end. A fresh tree holds the
  // first window's tokens (no fewer than their nodes); after that the count
  // is projected from the nodes built so far and the bytes they stand in (a
  // status page or a policy is much alike throughout), plus the buffered
  // window's tokens, for which every refill needs room. So a large text
  // grows its arrays about once, when its first window is done, copying only
  // that window's nodes: it once started from a node per 16 bytes and grew
  // by half, and at 16 MB copied 10 MB of nodes and held both arrays at once.
  // A text denser than projected grows again, by a quarter at least, so
  // growth stays geometric.
  size_t room_for(size_t need) const {
    if (t_.capacity_ == 0 || size_ == 0) return need;
    size_t built_bytes = size_t(nodes_[size_ - 1].pos) + 1;
    size_t projected = size_t(uint64_t(size_) * t_.text_len_ / built_bytes) + (need - size_);
    return std::max({need, projected, t_.capacity_ + t_.capacity_ / 4});
  }

  // A member's name (token c.k) and, when the tree classifies names, its
  // field, stored by its value's node, which comes next: the name's bytes
  // are in cache now, and no later step reads them to classify. Its place
  // and length come from string() in registers, not back from the node just
  // stored, which would lengthen the chain from the name's bytes to the
  // store. A name holding an escape is left to the reader (its text is not
  // the name).
  KEYHOLE_ALWAYS_INLINE grammar_error member_name(cursor& c) {
    string_token s;
    grammar_error e = string(c, s);
    if (e != grammar_error::none || !names_) return e;
    c.fields[c.size] = s.escaped ? sfield::unread
                                 : sfield(names_->classify_api(std::string_view(c.text + s.at + 1, s.len - 2)));
    return e;
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

  // Opens a container at token c.k; an empty one ({} or []) is closed at
  // once and, as in simdjson, does not count towards the depth. Token c.k is
  // ready, so the one after it is buffered when there is one.
  KEYHOLE_ALWAYS_INLINE grammar_error open(cursor& c, char bracket) {
    uint32_t n = push(c, c.at[c.k], 0);
    ++containers_;
    char close = bracket == '{' ? '}' : ']';
    just_closed_ = c.k + 1 < n_ && c.text[c.at[c.k + 1]] == close;
    if (just_closed_) {
      ++c.k;
      push(c, c.at[c.k], 0);
      c.nodes[n].link = static_cast<uint32_t>(c.size);
      return grammar_error::none;
    }
    if (open_.size() + 1 >= max_depth_) return grammar_error::depth;
    open_.push_back(bracket == '{' ? n | kObjectBit : n);
    return grammar_error::none;
  }
  KEYHOLE_ALWAYS_INLINE void close(cursor& c) {
    push(c, c.at[c.k], 0);
    c.nodes[open_.back() & ~kObjectBit].link = static_cast<uint32_t>(c.size);
    open_.pop_back();
  }

  KEYHOLE_ALWAYS_INLINE grammar_error scalar(cursor& c, char ch) {
    if (ch == '"') return string(c);
    uint32_t at = c.at[c.k];
    uint32_t len = token_length(c, at);
    push(c, at, len);
    const char* p = c.text + at;
    switch (ch) {
      case 't': return len == 4 && first4(p) == word4("true") ? grammar_error::none : grammar_error::true_atom;
      case 'f': return len == 5 && first4(p) == word4("fals") && p[4] == 'e' ? grammar_error::none : grammar_error::false_atom;
      case 'n': return len == 4 && first4(p) == word4("null") ? grammar_error::none : grammar_error::null_atom;
      default:
        if (ch == '-' || (ch >= '0' && ch <= '9'))
          return valid_number(std::string_view(p, len)) ? grammar_error::none : grammar_error::number;
        return grammar_error::structure;  // not a value
    }
  }

  // An atom's first four bytes as one integer (the text is padded past its
  // end). Not memcmp: WebAssembly's compiler does not expand a memcmp of
  // constant length, so each atom cost a call there.
  static uint32_t first4(const char* p) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
  }
  static constexpr uint32_t word4(const char (&s)[5]) {
    static_assert(std::endian::native == std::endian::little, "atoms are compared as little-endian words");
    return uint32_t(uint8_t(s[0])) | uint32_t(uint8_t(s[1])) << 8 | uint32_t(uint8_t(s[2])) << 16 |
           uint32_t(uint8_t(s[3])) << 24;
  }

  // A string token runs from its quote to its closing quote: stage 1 has
  // matched the quotes, and anything after the closing one but whitespace
  // would have started a token of its own. Whether it holds an escape is
  // one comparison with the next backslash of the text (find_backslash).
  struct string_token {
    uint32_t at = 0, len = 0;  // its opening quote, its length with both quotes
    bool escaped = false;
  };
  KEYHOLE_ALWAYS_INLINE grammar_error string(cursor& c) {
    string_token unused;
    return string(c, unused);
  }
  KEYHOLE_ALWAYS_INLINE grammar_error string(cursor& c, string_token& s) {
    uint32_t at = c.at[c.k];
    uint32_t len = token_length(c, at);
    uint32_t n = push(c, at, len);
    s.at = at, s.len = len;
    // Asked again when the last answer lies before the string, or inside it
    // but is only a bound found before later windows were indexed (no
    // backslash stands there; the padding past the text is readable).
    if (c.next_backslash < at || (c.next_backslash < at + len && c.text[c.next_backslash] != '\\'))
      c.next_backslash = find_backslash(at);
    if (c.next_backslash >= at + len) return grammar_error::none;
    s.escaped = true;
    c.nodes[n].link |= json_tree::kEscaped;
    c.next_backslash = find_backslash(at + len);
    return escaped_string(n, at, len);
  }
  // The rare string with an escape: unescaped apart (json_tree::unescaped_at).
  grammar_error escaped_string(uint32_t n, uint32_t at, uint32_t len) {
    t_.escaped_.emplace_back(n, static_cast<uint32_t>(t_.unescaped_.size()));
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

  // A scalar or string token runs to the next token (c.k is ready, so its
  // position is buffered; the end sentinel for the last), less the
  // whitespace before it: none when no window from the token on holds
  // whitespace outside strings (the parser knows; the usual case).
  KEYHOLE_ALWAYS_INLINE uint32_t token_length(cursor& c, uint32_t at) {
    uint32_t stop = c.at[c.k + 1];
    if (at < c.whitespace_free_from)
      while (stop > at && kWhitespace[static_cast<unsigned char>(c.text[stop - 1])]) --stop;
    c.scalar_bytes += stop - at;
    return stop - at;
  }

  KEYHOLE_ALWAYS_INLINE uint32_t push(cursor& c, uint32_t at, uint32_t link) {
    c.nodes[c.size] = json_tree::node{at, link};
    c.tags[c.size] = json_tree::tag_byte(c.text[at]);
    return static_cast<uint32_t>(c.size++);
  }

  static constexpr std::array<bool, 256> kWhitespace = [] {
    std::array<bool, 256> t{};
    t[' '] = t['\t'] = t['\n'] = t['\r'] = true;
    return t;
  }();
  // Set in an open container's entry of open_ when it is an object (node
  // indexes stay below 2^31: the text is shorter than that).
  static constexpr uint32_t kObjectBit = 0x80000000u;

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
  build_observer* observer_;
  std::vector<uint32_t>& open_;  // open containers (node | kObjectBit), innermost last
};

bool json_tree::build(json_parser& parser, const char* data, size_t len, size_t max_depth, parse_error& err,
                      const field_table* names, build_observer* observer) {
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
  tree_builder b(*this, parser, max_depth, names, observer);
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
