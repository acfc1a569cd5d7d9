// Unit tests of two internals the filters lean on for both speed and safety:
// the name index (component ids, rule names) and the one-pass member reader
// that also enforces unique member names (SPEC §8). A wrong answer from either
// would show or hide the wrong thing, so they are tested on their own, beyond
// what the conformance cases reach.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "json_tree.h"
#include "name_index.h"

namespace {

using keyhole::detail::json_tree;
using keyhole::detail::name_index;
using keyhole::detail::npos;

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
    EXPECT_TRUE(tree.build(parser, text.data(), len, 64, err)) << err.message;
  }
};

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
