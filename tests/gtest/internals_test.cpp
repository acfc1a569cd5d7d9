// Unit tests of two internals the filters lean on for both speed and safety:
// the name index (component ids, rule names) and the one-pass member reader
// that also enforces unique member names (SPEC §8). A wrong answer from either
// would show or hide the wrong thing, so they are tested on their own, beyond
// what the conformance cases reach.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "json_tree.h"
#include "letter_case.h"
#include "name_index.h"
#include "status_fields.h"
#include "simdjson.h"  // the DOM the tree must agree with (TreeGrammar probes)

namespace {

using keyhole::detail::json_tree;
using keyhole::detail::name_index;
using keyhole::detail::npos;
using keyhole::detail::field_table;
using keyhole::detail::kOtherField;
using keyhole::detail::kStructuralFields;
using keyhole::detail::sfield;

TEST(NameIndex, FindsWhatWasInsertedInOrder) {
  std::vector<std::string> names;
  for (int i = 0; i < 5000; ++i) names.push_back("cmp" + std::to_string(100000 + i));
  names.push_back("");
  names.push_back("a-name-longer-than-sixteen-bytes-1");
  names.push_back("a-name-longer-than-sixteen-bytes-2");  // differs only after byte 16
  name_index idx;
  for (size_t i = 0; i < names.size(); ++i) {
    bool inserted = false;
    EXPECT_EQ(idx.insert(names[i], inserted), i);
    EXPECT_TRUE(inserted);
  }
  ASSERT_EQ(idx.size(), names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(idx.find(names[i]), i) << names[i];
    EXPECT_EQ(idx.name(uint32_t(i)), names[i]);
    bool inserted = true;
    EXPECT_EQ(idx.insert(names[i], inserted), i);
    EXPECT_FALSE(inserted);
  }
  EXPECT_EQ(idx.find("cmp99999"), name_index::npos);
  EXPECT_EQ(idx.find("a-name-longer-than-sixteen-bytes-3"), name_index::npos);
  EXPECT_EQ(idx.find(std::string_view("cmp100000\0", 10)), name_index::npos);  // an embedded NUL is a different name
}

// holds() compares a name of 8 to 16 bytes by the two words its entry keeps
// (the first and last 8 bytes), not by the text: every byte must still count.
// The status filter asks it first for each id (the one after the last found),
// so a byte it missed would merge two components and their decisions.
TEST(NameIndex, HoldsTellsApartNamesDifferingInAnyOneByte) {
  std::vector<std::string> bases;
  for (size_t len = 0; len <= 20; ++len) {
    std::string b;
    for (size_t k = 0; k < len; ++k) b.push_back(char('a' + (k * 7 + len) % 26));
    bases.push_back(b);
  }
  name_index idx;
  bool inserted = false;
  for (const auto& b : bases) idx.insert(b, inserted);
  for (size_t i = 0; i < bases.size(); ++i) {
    std::string copy = bases[i];  // other memory, same bytes
    EXPECT_TRUE(idx.holds(uint32_t(i), copy)) << bases[i];
    for (size_t k = 0; k < copy.size(); ++k) {
      std::string other = copy;
      other[k] ^= 0x01;
      EXPECT_FALSE(idx.holds(uint32_t(i), other)) << "length " << copy.size() << ", byte " << k;
    }
    EXPECT_FALSE(idx.holds(uint32_t(i), copy + "x")) << "a longer name with the same start";
    if (!copy.empty()) EXPECT_FALSE(idx.holds(uint32_t(i), copy.substr(1))) << "a shorter name with the same end";
  }
  // Names in heap blocks of exactly their size (not a std::string's inline
  // buffer), so AddressSanitizer sees a word read past either end.
  name_index exact;
  std::vector<std::unique_ptr<char[]>> blocks;
  for (size_t len = 1; len <= 20; ++len) {
    blocks.emplace_back(new char[len]);
    std::memset(blocks.back().get(), 'a' + int(len), len);
    std::string_view name(blocks.back().get(), len);
    exact.insert(name, inserted);
    EXPECT_TRUE(exact.holds(uint32_t(len - 1), std::string(name)));
  }
  // Periodic names and names of NUL bytes (a short name's word is its bytes
  // and zeros: its length tells "a" from "a\0"), and entries that spilled (a
  // probe bound of one slot): their words are kept too.
  name_index spilling(1);
  std::vector<std::string> odd = {std::string(8, '\0'), std::string(12, '\0'), std::string(16, '\0'), "abababab", "ababababab",
                                  "abababababababab", std::string(1, '\0'), std::string(7, '\0'), std::string("a\0b", 3),
                                  std::string("a\0c", 3), std::string("\0ab", 3)};
  for (int k = 0; k < 64; ++k) odd.push_back("spill-" + std::to_string(1000000 + k));
  for (const auto& n : odd) spilling.insert(n, inserted);
  ASSERT_GT(spilling.spilled(), 0u);
  for (size_t i = 0; i < odd.size(); ++i)
    for (size_t j = 0; j < odd.size(); ++j) EXPECT_EQ(spilling.holds(uint32_t(i), odd[j]), i == j) << i << " " << j;
}

TEST(NameIndex, NamesPastTheProbeBoundSpillAndAreStillFound) {
  // With a bound of one slot, every collision spills: nothing is refused, and
  // every name keeps its index (the cost stays bounded for ids built to collide).
  name_index idx(1);
  bool inserted = false;
  std::vector<std::string> names;
  for (int i = 0; i < 200; ++i) names.push_back("id-" + std::to_string(i));
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(idx.insert(names[i], inserted), i);
    EXPECT_TRUE(inserted);
  }
  EXPECT_GT(idx.spilled(), 0u) << "200 names without one collision";
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(idx.find(names[i]), i) << names[i];
    EXPECT_EQ(idx.insert(names[i], inserted), i);
    EXPECT_FALSE(inserted);
  }
  EXPECT_EQ(idx.find("another"), name_index::npos);
  // With the default bound the same names all find a slot.
  name_index fair;
  for (const auto& n : names) fair.insert(n, inserted);
  EXPECT_EQ(fair.spilled(), 0u);
}

TEST(NameIndex, EmptyIndexFindsNothing) {
  name_index idx;
  EXPECT_EQ(idx.find("x"), name_index::npos);
  EXPECT_EQ(idx.find(""), name_index::npos);
}

// Parses `json` (an object) for the member tests.
struct parsed {
  keyhole::detail::json_parser parser;
  std::string text;
  json_tree tree;
  explicit parsed(std::string json) : text(std::move(json)) {
    size_t len = text.size();
    text.append(keyhole::detail::json_parser::padding(), ' ');
    keyhole::detail::parse_error err;
    EXPECT_TRUE(tree.build(parser, text.data(), len, 64, err, &field_table::api())) << err.message;
  }
};

// The status filter's reader (status_fields.h): names classified into field
// numbers, duplicates found by bits for known names and by text for others.
uint8_t classify(const field_table& table, std::string_view name) {
  std::string padded(name);
  padded.append(32, '\0');  // as in a payload: readable past the name
  return table.classify(std::string_view(padded.data(), name.size()));
}

TEST(StatusFields, KnownNamesHaveTheirFieldAndNearMissesNone) {
  field_table table;
  table.build({});
  EXPECT_EQ(classify(table, "id"), uint8_t(sfield::id));
  EXPECT_EQ(classify(table, "group_id"), uint8_t(sfield::group_id));  // exactly eight bytes
  EXPECT_EQ(classify(table, "affected_components"), uint8_t(sfield::affected_components));
  EXPECT_EQ(classify(table, "scheduled_for"), uint8_t(sfield::scheduled_for));
  EXPECT_EQ(classify(table, "postmortem_notified_subscribers"), classify(table, "postmortem_notified_subscribers"));
  EXPECT_NE(classify(table, "postmortem_notified_subscribers"), kOtherField);  // past 24 bytes: compared as text
  for (std::string_view miss : std::initializer_list<std::string_view>{"", "i", "idx", "group_i", "group_idx", "affected_component", "affected_componentsx",
                                "postmortem_notified_subscriberz", std::string_view("id\0", 3), "ID"})
    EXPECT_EQ(classify(table, miss), kOtherField) << miss;
}

TEST(StatusFields, PolicyNamesGetFieldsUntilTheyRunOut) {
  std::vector<std::string> names;
  for (int i = 0; i < 150; ++i) names.push_back("withheld_member_" + std::to_string(i));
  std::vector<std::string_view> views(names.begin(), names.end());
  views.push_back("description");  // already a field: no second number
  field_table table;
  table.build(views);
  EXPECT_TRUE(table.overflowed());
  std::vector<uint8_t> seen;
  size_t other = 0;
  for (const std::string& n : names) {
    uint8_t f = classify(table, n);
    EXPECT_EQ(f, table.classify_bounded(n)) << n;
    if (f == kOtherField) ++other;
    else seen.push_back(f);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());  // one number per name
  EXPECT_GT(other, 0u);
  EXPECT_GT(seen.size(), 50u);
}

TEST(StatusFields, ReadObjectFindsFieldsAndRejectsDuplicates) {
  field_table table;
  table.build({"custom"});
  uint32_t at[kStructuralFields];
  {
    parsed p(R"({"id":"c1","zz":1,"group_id":"g","custom":2,"yy":[{}],"status":"operational"})");
    ASSERT_TRUE(keyhole::detail::read_object(p.tree, table, 0, at));
    EXPECT_EQ(p.tree.str(at[size_t(sfield::id)]), "c1");
    EXPECT_EQ(p.tree.str(at[size_t(sfield::group_id)]), "g");
    EXPECT_EQ(at[size_t(sfield::components)], npos);
    EXPECT_EQ(p.tree.member_fields()[at[size_t(sfield::status)]], sfield::status);
    // The policy's name, unknown to the tree, is settled in place.
    uint32_t custom = p.tree.member(0, "custom");
    EXPECT_EQ(uint8_t(p.tree.member_fields()[custom]), classify(table, "custom"));
    EXPECT_NE(uint8_t(p.tree.member_fields()[custom]), kOtherField);
  }
  {
    // Names written with escapes are classified by their unescaped text.
    parsed p(R"({"\u0069d":"c1","st\u0061tus":"operational","cust\u006Fm":1})");
    EXPECT_EQ(uint8_t(p.tree.member_fields()[2]), keyhole::detail::kUnreadField);
    ASSERT_TRUE(keyhole::detail::read_object(p.tree, table, 0, at));
    EXPECT_EQ(p.tree.str(at[size_t(sfield::id)]), "c1");
    EXPECT_EQ(p.tree.member_fields()[at[size_t(sfield::status)]], sfield::status);
    EXPECT_EQ(uint8_t(p.tree.member_fields()[p.tree.member(0, "custom")]), classify(table, "custom"));
  }
  for (const char* json : {R"({"id":1,"\u0069d":2})", R"({"zz":1,"yy":2,"zz":3})", R"({"custom":1,"a":2,"custom":3})",
                           R"({"custom":1,"a":2,"cust\u006Fm":3})",
                           R"({"postmortem_notified_subscribers":1,"postmortem_notified_subscribers":2})"}) {
    parsed p(json);
    EXPECT_FALSE(keyhole::detail::read_object(p.tree, table, 0, at)) << json;
  }
  std::string many = "{";  // unknown names past the pairwise window, one repeated
  for (int i = 0; i < 40; ++i) many += "\"u" + std::to_string(i) + "\":0,";
  many += "\"u7\":1}";
  parsed p(many);
  EXPECT_FALSE(keyhole::detail::read_object(p.tree, table, 0, at));
}

TEST(Members, FindsSeveralInOnePass) {
  parsed p(R"({"id":"c1","name":"n","group_id":"g","status":"operational","components":["a"]})");
  static constexpr std::string_view names[] = {"id", "group_id", "group", "components"};
  uint32_t found[4];
  ASSERT_TRUE(p.tree.members(0, names, found));
  EXPECT_EQ(p.tree.str(found[0]), "c1");
  EXPECT_EQ(p.tree.str(found[1]), "g");
  EXPECT_EQ(found[2], npos);
  EXPECT_TRUE(p.tree.is_array(found[3]));
  EXPECT_EQ(p.tree.str(p.tree.member(0, "status")), "operational");
  EXPECT_EQ(p.tree.member(0, "statu"), npos);
  EXPECT_EQ(p.tree.member(0, std::string_view("status\0", 7)), npos);
  EXPECT_EQ(p.tree.member(0, "components-and-more"), npos);
}

TEST(Members, DuplicatesAreFoundWhateverTheirLength) {
  // Short, exactly eight bytes, long with a shared prefix, and escaped forms.
  for (const char* json : {R"({"id":1,"x":2,"id":3})", R"({"abcdefgh":1,"abcdefgh":2})",
                           R"({"created_at_x":1,"name":2,"created_at_x":3})", R"({"id":1,"\u0069d":2})",
                           R"({"a\u0000":1,"b":2,"a\u0000":3})"}) {
    parsed p(json);
    EXPECT_FALSE(p.tree.unique_keys(0)) << json;
  }
  for (const char* json : {R"({"created_at":1,"created_by":2})", R"({"a":1,"a\u0000":2})",
                           R"({"abcdefgh":1,"abcdefghi":2})", R"({"long-prefix-name-1":1,"long-prefix-name-2":2})", R"({})"}) {
    parsed p(json);
    EXPECT_TRUE(p.tree.unique_keys(0)) << json;
  }
}

TEST(Members, DuplicatesFoundInLargeObjects) {
  // Past the pairwise window (48 names) the check sorts; a duplicate on
  // either side of the boundary must be seen.
  for (int dup_at : {10, 47, 48, 100}) {
    std::string json = "{";
    for (int i = 0; i < 120; ++i) json += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
    json += "\"k" + std::to_string(dup_at) + "\":0}";
    parsed p(json);
    EXPECT_FALSE(p.tree.unique_keys(0)) << dup_at;
  }
  std::string json = "{";
  for (int i = 0; i < 120; ++i) json += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
  json += "}";
  parsed p(json);
  EXPECT_TRUE(p.tree.unique_keys(0));
}

}  // namespace

namespace {
// Whether the core's tree accepts `json` (depth limit `depth`).
bool tree_accepts(std::string json, size_t depth = 64) {
  keyhole::detail::json_parser parser;
  json_tree tree;
  size_t len = json.size();
  json.append(keyhole::detail::json_parser::padding(), '\0');
  keyhole::detail::parse_error err;
  return tree.build(parser, json.data(), len, depth, err);
}
}  // namespace

// The grammar simdjson's stage 2 checked, now checked by Keyhole's own pass:
// every kind of token, good and bad (the differential tests cover the rest).
TEST(TreeGrammar, AcceptsWhatJsonAllows) {
  for (const char* json : {"{}", "[]", " [ ] ", "[[],{}]", R"({"a":[1,-0.5e+3,true,false,null,"x"]})",
                           R"(["\u0000","\ud83d\ude00","\"\\\/\b\f\n\r\t"])", "[1e400]",
                           "[123456789012345678901234567890]", "\xEF\xBB\xBF[1]", "[\"\xC3\xA9\"]"}) {
    EXPECT_TRUE(tree_accepts(json)) << json;
  }
}

TEST(TreeGrammar, RejectsWhatJsonDoesNot) {
  for (const char* json : {"", " ", "1", "\"s\"", "[1,]", "[,1]", R"({"a":1,})", R"({"a" 1})", R"({"a":})",
                           R"({1:2})", "[1 2]", "[] []", "[01]", "[-]", "[1.]", "[.5]", "[1e]", "[+1]",
                           "[tru]", "[truex]", "[nul]", "[falsey]", R"(["\x"])", R"(["\u12"])",
                           R"(["\ud800"])", R"(["\udc00"])", R"(["\ud800\u0041"])", "[\"a\"\"b\"]",
                           "[\"a\"b]", "{\"a\":1]", "[1}", "[", "]", "\xEF\xBB\xBF\xEF\xBB\xBF[1]",
                           "[\"\xC3\"]", "[\"\x01\"]"}) {
    EXPECT_FALSE(tree_accepts(json)) << json;
  }
}

TEST(TreeGrammar, DepthCountsNonEmptyContainersAsSimdjsonDid) {
  EXPECT_TRUE(tree_accepts("[[1]]", 3));
  EXPECT_FALSE(tree_accepts("[[[1]]]", 3));
  EXPECT_TRUE(tree_accepts("[[[]]]", 3));  // an empty container does not count
}

TEST(TreeGrammar, EscapedNamesAreComparedUnescaped) {
  parsed p(R"({"a\nb":1,"\u0069d":"x\"y","plain":"v"})");
  EXPECT_EQ(p.tree.str(p.tree.member(0, "id")), "x\"y");
  EXPECT_EQ(p.tree.raw(p.tree.member(0, "id")), R"("x\"y")");
  EXPECT_NE(p.tree.member(0, "a\nb"), npos);
  EXPECT_EQ(p.tree.str(p.tree.member(0, "plain")), "v");
  EXPECT_TRUE(p.tree.compact());
  parsed spaced(R"({ "a" : [ 1 , 2 ] })");
  EXPECT_FALSE(spaced.tree.compact());
  EXPECT_EQ(spaced.tree.span(spaced.tree.member(0, "a")), "[ 1 , 2 ]");
}

// Probes from the security review of the tree (json_tree.cpp): it must accept
// exactly what simdjson's DOM accepted, and every node's bytes must be the
// token's, since the writer copies them (a wrong length copies bytes that are
// not the token; a wrong compact() skips minifying).
namespace {

std::string minified(std::string_view text) {
  std::string out(text.size(), '\0');
  size_t written = 0;
  if (simdjson::minify(text.data(), text.size(), out.data(), written)) return "<minify failed>";
  out.resize(written);
  return out;
}

// The subtree at n written back from its tokens alone (raw scalars and names).
void rewrite(const json_tree& t, uint32_t n, std::string& out) {
  bool object = t.is_object(n);
  if (!object && !t.is_array(n)) {
    out += t.raw(n);
    return;
  }
  out.push_back(object ? '{' : '[');
  for (uint32_t c = t.first_child(n); c != npos; c = t.next_sibling(n, c)) {
    if (out.back() != '{' && out.back() != '[') out.push_back(',');
    if (object) (out += t.raw_key(c)) += ':';
    rewrite(t, c, out);
  }
  out.push_back(object ? '}' : ']');
}

// Every node's span, minified, is what its tokens rewrite to; every string
// (names too) unescapes as simdjson's DOM does.
void expect_same_tree(const json_tree& t, uint32_t n, simdjson::dom::element e, const std::string& doc) {
  std::string tokens;
  rewrite(t, n, tokens);
  ASSERT_EQ(minified(t.span(n)), tokens) << doc;
  if (e.is_object()) {
    ASSERT_TRUE(t.is_object(n)) << doc;
    uint32_t c = t.first_child(n);
    simdjson::dom::object fields = e.get_object().value_unsafe();  // named: iterators borrow it
    for (auto field : fields) {
      ASSERT_NE(c, npos) << doc;
      ASSERT_EQ(t.key(c), field.key) << doc;
      expect_same_tree(t, c, field.value, doc);
      c = t.next_sibling(n, c);
    }
    ASSERT_EQ(c, npos) << doc;
  } else if (e.is_array()) {
    ASSERT_TRUE(t.is_array(n)) << doc;
    uint32_t c = t.first_child(n);
    simdjson::dom::array items = e.get_array().value_unsafe();
    for (auto item : items) {
      ASSERT_NE(c, npos) << doc;
      expect_same_tree(t, c, item, doc);
      c = t.next_sibling(n, c);
    }
    ASSERT_EQ(c, npos) << doc;
  } else if (e.is_string()) {
    ASSERT_TRUE(t.is_string(n)) << doc;
    ASSERT_EQ(t.str(n), e.get_string().value_unsafe()) << doc;
  }
}

// Parses `doc` with the tree and with simdjson's DOM: both accept it or both
// reject it, and when they accept, the trees agree (expect_same_tree) and
// compact() is true exactly when the root has no whitespace outside strings.
bool agrees_with_dom(keyhole::detail::json_parser& parser, simdjson::dom::parser& dom, const std::string& doc,
                     size_t depth) {
  std::string text = doc + std::string(keyhole::detail::json_parser::padding(), '\0');
  json_tree tree;
  keyhole::detail::parse_error err;
  bool ours = tree.build(parser, text.data(), doc.size(), depth, err);
  simdjson::dom::element root;
  bool theirs = !dom.parse(text.data(), doc.size(), false).get(root) && (root.is_object() || root.is_array());
  EXPECT_EQ(ours, theirs) << doc << " (tree: " << (ours ? "accepted" : err.message) << ")";
  if (!ours || !theirs) return false;
  expect_same_tree(tree, 0, root, doc);
  std::string_view span = tree.span(0);
  EXPECT_EQ(tree.compact(), minified(span) == span) << doc;
  return true;
}

// Every string of 1 to `max_len` bytes over `alphabet`, between `prefix` and
// `suffix`, through agrees_with_dom; returns how many were accepted.
size_t compare_with_dom(std::string_view alphabet, size_t max_len, std::string_view prefix = "",
                        std::string_view suffix = "", size_t depth = 64) {
  keyhole::detail::json_parser parser;
  simdjson::dom::parser dom;
  EXPECT_FALSE(dom.allocate(4096, depth));
  size_t accepted = 0;
  std::vector<size_t> digit;
  for (size_t len = 1; len <= max_len; ++len) {
    digit.assign(len, 0);
    for (bool more = true; more;) {
      std::string doc(prefix);
      for (size_t d : digit) doc.push_back(alphabet[d]);
      doc += suffix;
      accepted += agrees_with_dom(parser, dom, doc, depth);
      size_t p = len;
      while (p > 0 && ++digit[p - 1] == alphabet.size()) digit[--p] = 0;
      more = p > 0;
    }
  }
  return accepted;
}

}  // namespace

TEST(TreeGrammar, EveryShortDocumentIsAcceptedExactlyWhenSimdjsonAcceptsIt) {
  // Structure, whitespace, a NUL and a backslash outside strings.
  EXPECT_GT(compare_with_dom(std::string_view("{}[]\":,1 \0\\", 11), 5), 80u);
  // Escapes and surrogates inside a string, and inside a name.
  EXPECT_GT(compare_with_dom("\\ud8c0F\"", 5, "[\"", "\"]"), 1000u);
  EXPECT_GT(compare_with_dom("\\u8cb0F\"", 5, "[\"\\ud", "\"]"), 100u);  // lone and paired surrogates
  EXPECT_GT(compare_with_dom("\\u0CD1\"", 6, "{\"\\uD83D", "\":1}"), 0u);
  // Numbers and literals (at most five bytes: no number leaves double range).
  EXPECT_GT(compare_with_dom("0-1.eE+", 5, "[", "]"), 100u);
  EXPECT_GT(compare_with_dom("trufalsen", 5, "[", "]"), 2u);
  // Whitespace of every kind between tokens and bytes >= 0x80 outside strings.
  EXPECT_GT(compare_with_dom("[]{}\":\t\n\r \xC3\xA9", 5), 50u);
  // Depth: the limit (3) reached with and without empty containers.
  EXPECT_GT(compare_with_dom("[]{}\":1", 6, "[", "]", 3), 50u);
}

TEST(TreeGrammar, SurrogatePairsAndLongDocumentsAgreeWithSimdjson) {
  keyhole::detail::json_parser parser;
  simdjson::dom::parser dom;
  ASSERT_FALSE(dom.allocate(1 << 20, 64));
  // A high surrogate needs a low one right after it: both halves' ranges.
  for (const char* json : {R"(["\ud83d\ude00"])", R"(["\uD800\uDC00"])", R"(["\udbff\udfff"])", R"(["\ud83d\ue000"])",
                           R"(["\ud83d\udbff"])", R"(["\ud83d\ud83d"])", R"(["\ud83d\\ude00"])", R"(["\ud83d\u00e9"])",
                           R"(["\ud83d\uDE0"])", R"(["\ud83d\u"])", R"({"\ud83d\ude00":"\udfff"})", R"(["\uDFFF\uD800"])"}) {
    agrees_with_dom(parser, dom, json, 64);
  }
  // Strings, escapes and whitespace runs across stage 1's 64-byte blocks (the
  // integers stay within 19 digits: past that the DOM refuses what the tree
  // accepts by design, as it never reads a number's value).
  size_t accepted = 0;
  for (size_t n = 0; n < 200; n += 7) {
    std::string pad(n, 'a'), ws(n, ' ');
    for (std::string doc : {"{\"k\":\"" + pad + "\\\"\"}", "{\"k\":\"" + pad + "\\\\\"}", "[" + ws + "]",
                            "{" + ws + "\"" + pad + "\"" + ws + ":" + ws + "[" + ws + "1" + ws + "]" + ws + "}",
                            "[\"" + std::string(n, '\\') + "\"]", "[" + std::string(n % 19 + 1, '1') + ws + "]"})
      accepted += agrees_with_dom(parser, dom, doc, 64);
  }
  EXPECT_GT(accepted, 100u);
}

TEST(TreeGrammar, ALargeTextGetsRoomForAboutItsNodes) {
  // Room is projected from the nodes of the windows built (json_tree.cpp
  // room_for), with a window's tokens to spare; the tree is the same at
  // every window size.
  std::string doc = "[";
  while (doc.size() < (1u << 20)) doc += "1,23,\"ab\",[],";
  doc += "0]";
  std::string padded = doc + std::string(keyhole::detail::json_parser::padding(), ' ');
  keyhole::detail::parse_error err;
  json_tree whole;
  keyhole::detail::json_parser parser;
  ASSERT_TRUE(whole.build(parser, padded.data(), doc.size(), 64, err)) << err.message;
  size_t window_tokens = keyhole::detail::json_parser::kDefaultWindowBytes * 9 / 13;  // 9 tokens in 13 bytes
  EXPECT_GE(whole.capacity(), whole.size());
  EXPECT_LE(whole.capacity(), whole.size() + whole.size() / 16 + window_tokens) << "nodes " << whole.size();
  for (size_t window : {16u, 4096u, 65536u}) {
    auto small = keyhole::detail::json_parser::for_tests(window, keyhole::detail::block_kernel::simd);
    json_tree t;
    ASSERT_TRUE(t.build(small, padded.data(), doc.size(), 64, err)) << window;
    ASSERT_EQ(t.size(), whole.size()) << window;
    for (uint32_t n = 0; n < t.size(); n += 997) EXPECT_EQ(t.span(n), whole.span(n)) << window;
    EXPECT_LE(t.capacity(), t.size() + t.size() / 4 + window) << "window " << window;
  }
}

TEST(TreeGrammar, PaddingBytesNeverChangeTheTree) {
  // What follows the text (the caller's padding) may be anything: a tree
  // built over NULs and one built over quotes, backslashes and brackets
  // must not differ in any answer.
  for (std::string doc : {std::string(R"({"a":"b"})"), std::string(R"({"\u0061":1,"a\u0000":2})"),
                          std::string("[1,-2e5,true ]  "), std::string(R"({"k":"\\"})"), std::string("[\"x"),
                          std::string("{\"a\":[{ }]"), std::string("[1e5"), std::string("[\"\xC3\"]")}) {
    std::string zeros = doc + std::string(keyhole::detail::json_parser::padding(), '\0');
    std::string junk = doc;
    while (junk.size() < zeros.size()) junk += "\"\\]}\xBF ";
    junk.resize(zeros.size());
    keyhole::detail::json_parser p1, p2;
    json_tree a, b;
    keyhole::detail::parse_error e1, e2;
    bool ok_a = a.build(p1, zeros.data(), doc.size(), 64, e1);
    bool ok_b = b.build(p2, junk.data(), doc.size(), 64, e2);
    ASSERT_EQ(ok_a, ok_b) << doc;
    if (!ok_a) continue;
    ASSERT_EQ(a.size(), b.size()) << doc;
    EXPECT_EQ(a.compact(), b.compact()) << doc;
    for (uint32_t n = 0; n < a.size(); ++n) {
      EXPECT_EQ(a.span(n), b.span(n)) << doc << " node " << n;
      if (a.is_string(n)) EXPECT_EQ(a.str(n), b.str(n)) << doc << " node " << n;
    }
    if (a.is_object(0))
      for (uint32_t c = a.first_child(0); c != npos; c = a.next_sibling(0, c))
        EXPECT_EQ(b.member(0, a.key(c)), a.member(0, a.key(c))) << doc;
  }
}

TEST(TreeGrammar, TokensKeepTheirExactBytesAmidWhitespace) {
  parsed p("\xEF\xBB\xBF \t{ \"a\" :\r\n\"x y\" , \"\\u0062\" : [ 1 , -2.5e3\t, true , { } , [ ] , \"z\" ] }\n");
  const json_tree& t = p.tree;
  EXPECT_FALSE(t.compact());
  EXPECT_EQ(t.span(0), "{ \"a\" :\r\n\"x y\" , \"\\u0062\" : [ 1 , -2.5e3\t, true , { } , [ ] , \"z\" ] }");
  uint32_t a = t.member(0, "a");
  EXPECT_EQ(t.raw(a), "\"x y\"");
  EXPECT_EQ(t.raw_key(a), "\"a\"");
  uint32_t b = t.member(0, "b");
  ASSERT_TRUE(t.is_array(b));
  EXPECT_EQ(t.raw_key(b), "\"\\u0062\"");
  EXPECT_EQ(t.span(b), "[ 1 , -2.5e3\t, true , { } , [ ] , \"z\" ]");
  std::vector<std::string_view> items;
  for (uint32_t c = t.first_child(b); c != npos; c = t.next_sibling(b, c)) items.push_back(t.span(c));
  EXPECT_EQ(items, (std::vector<std::string_view>{"1", "-2.5e3", "true", "{ }", "[ ]", "\"z\""}));
  // compact() is about whitespace outside strings, inside the root only.
  EXPECT_TRUE(parsed(R"({"a":"x y","b":[" "]})").tree.compact());
  EXPECT_TRUE(parsed(" \n{\"a\":[]}\r\n ").tree.compact());
  EXPECT_TRUE(parsed("\xEF\xBB\xBF{\"a\":{}}").tree.compact());
  EXPECT_FALSE(parsed(R"({"a":[ ]})").tree.compact());
  EXPECT_FALSE(parsed(R"({"a":{ }})").tree.compact());
  EXPECT_FALSE(parsed(R"({"a":"x" })").tree.compact());
  EXPECT_FALSE(parsed(R"({"a" :1})").tree.compact());
}

TEST(TreeGrammar, DepthLimitIsExactWithAndWithoutEmptyContainers) {
  // Limit 4: three non-empty containers nest; a fourth is refused unless
  // empty (simdjson never counted an empty container), whitespace or not.
  for (const char* json : {"[[[1]]]", "[[[[]]]]", "[[[[ ]]]]", "[[[{}]]]", "[[[{ }]]]", "[[{\"a\":[ ]}]]",
                           "[[[1]],[[[]]],{\"a\":{\"b\":{}}}]"}) {
    EXPECT_TRUE(tree_accepts(json, 4)) << json;
  }
  for (const char* json : {"[[[[1]]]]", "[[[{\"a\":1}]]]", "[[[[[]]]]]", "[[[1]],[[[2]]]]", "[[{\"a\":[ 1 ]}]]",
                           "[[[[ ],[1]]]]"}) {
    EXPECT_FALSE(tree_accepts(json, 4)) << json;
  }
}

// Policy label names must be lower case (letter_case.h): capitals of the
// common scripts are found, small letters and other characters are not.
TEST(LetterCase, CapitalsOfCommonScriptsAreFound) {
  using keyhole::detail::has_capital_letter;
  for (const char* capital : {"A", "geheim-\xC3\x84", "\xC4\xB0nternal", "secret-\xE2\x84\xAA", "\xEF\xBC\xB3" "ecret",
                              "\xCE\xA3", "\xD0\x96", "\xC5\xB9", "\xC5\x81", "\xE1\xBA\x9E", "\xC3",
                              "secret-\xC8\x98", "m\xE1\xBA\xADt-\xC6\xA0", "\xC7\x84", "\xE1\xBC\x88",
                              "\xF0\x90\x90\x80"})
    EXPECT_TRUE(has_capital_letter(capital)) << capital;
  for (const char* small : {"", "internal", "\xC3\xBC" "ber", "\xC3\x9F", "\xC4\xB1", "\xC5\xBF" "ecret", "\xCF\x83",
                            "\xD0\xB6", "\xC5\xBA", "\xC5\x82", "\xEF\xBD\x93", "team:faq-2", "\xE6\x97\xA5\xE6\x9C\xAC"})
    EXPECT_FALSE(has_capital_letter(small)) << small;
}
