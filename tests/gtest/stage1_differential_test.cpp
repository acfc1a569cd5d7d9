// Keyhole's structural indexer (core/src/structural_indexer.cpp, driven a
// window at a time by json_parser) held against simdjson's stage 1 on the same
// bytes: the same positions in the same order, and the same verdict (rejects
// exactly when simdjson's stage 1 rejects, with the same error), for both block
// kernels and windows small enough that strings, escapes, scalars, UTF-8
// sequences and control characters straddle block and window boundaries. Then
// the tree built through tiny windows must equal the tree built through one.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "json_tree.h"
#include "payload_gen.h"
#include "simdjson.h"  // the reference: simdjson's own stage 1

namespace {

using keyhole::detail::block_kernel;
using keyhole::detail::json_parser;
using keyhole::detail::json_tree;
using keyhole::detail::field_table;

struct stage1_result {
  std::string error;  // empty when accepted
  std::vector<uint32_t> positions;
};

// simdjson's stage 1 (the kernel it picks at run time) over `text`.
stage1_result simdjson_stage1(const std::string& text) {
  static std::unique_ptr<simdjson::internal::dom_parser_implementation> impl;
  static size_t capacity = 0;
  if (!impl || capacity < text.size()) {
    impl.reset();
    size_t want = std::max<size_t>(text.size(), 4096);
    EXPECT_FALSE(simdjson::get_active_implementation()->create_dom_parser_implementation(want, 64, impl));
    capacity = want;
  }
  simdjson::padded_string padded(text);
  stage1_result r;
  auto e = impl->stage1(reinterpret_cast<const uint8_t*>(padded.data()), text.size(), simdjson::stage1_mode::regular);
  if (e) {
    r.error = std::string("invalid JSON: ") + simdjson::error_message(e);
    return r;
  }
  r.positions.assign(impl->structural_indexes.get(), impl->structural_indexes.get() + impl->n_structural_indexes);
  return r;
}

// Keyhole's indexer over `text`, window by window, every position collected.
stage1_result own_stage1(const std::string& text, size_t window, block_kernel kernel) {
  json_parser parser = json_parser::for_tests(window, kernel);
  // Only `text.size()` bytes: the indexer must not need the caller's padding.
  std::unique_ptr<char[]> exact(new char[text.size() + 1]);
  std::memcpy(exact.get(), text.data(), text.size());
  parser.begin(exact.get(), text.size());
  stage1_result r;
  for (parser.refill(0);; parser.refill(parser.count())) {
    r.positions.insert(r.positions.end(), parser.positions(), parser.positions() + parser.count());
    if (parser.finished()) {
      EXPECT_EQ(parser.positions()[parser.count()], text.size());  // the sentinels
      EXPECT_EQ(parser.positions()[parser.count() + 1], text.size());
      break;
    }
  }
  EXPECT_EQ(r.positions.size(), parser.total());
  if (!parser.verdict(r.error)) r.positions.clear();
  return r;
}

// Every kernel this machine runs (the x86 ones only on a CPU that has them).
std::vector<block_kernel> kernels() {
  std::vector<block_kernel> out;
  for (block_kernel k : {block_kernel::simd, block_kernel::baseline_simd, block_kernel::scalar, block_kernel::x86_avx2,
                         block_kernel::x86_avx512})
    if (keyhole::detail::structural_indexer::runs(k)) out.push_back(k);
  return out;
}

const char* kernel_name(block_kernel k) {
  switch (k) {
    case block_kernel::simd: return "best";
    case block_kernel::baseline_simd: return "baseline SIMD";
    case block_kernel::scalar: return "scalar";
    case block_kernel::x86_avx2: return "AVX2";
    case block_kernel::x86_avx512: return "AVX-512";
  }
  return "?";
}

constexpr size_t kWindows[] = {16, 64, 65, 127, 192, json_parser::kDefaultWindowBytes};

// 1 when simdjson accepts the text (so positions were compared), else 0;
// every mismatch is a test failure naming the text.
size_t expect_same_stage1(const std::string& text, const std::string& what) {
  stage1_result want = simdjson_stage1(text);
  for (block_kernel kernel : kernels()) {
    for (size_t window : kWindows) {
      stage1_result got = own_stage1(text, window, kernel);
      std::string where = what + " (window " + std::to_string(window) + ", " + kernel_name(kernel) + " kernel)";
      EXPECT_EQ(got.error, want.error) << where;
      if (got.error.empty() && want.error.empty()) {
        EXPECT_EQ(got.positions.size(), want.positions.size()) << where;
        EXPECT_TRUE(got.positions == want.positions) << where;
      }
    }
  }
  return want.error.empty() ? 1 : 0;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::filesystem::path> json_files(const char* folder) {
  std::vector<std::filesystem::path> out;
  for (auto& e : std::filesystem::recursive_directory_iterator(std::string(KEYHOLE_TESTS_DIR) + "/" + folder))
    if (e.is_regular_file() && e.path().extension() == ".json") out.push_back(e.path());
  return out;
}

// Bytes that matter to stage 1, weighted towards what crosses boundaries
// badly: quotes, backslash runs, control characters, UTF-8 lead and
// continuation bytes, operators, whitespace and scalar letters.
const std::string kAlphabet = std::string("\"\\\\\\{}[]:,  \t\n\r") + std::string("\x01\x0c\x1a\x1f\x7f\0", 6) + "ae1-.tn" +
                              "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\xC0\xFF\xED\xA0\x80";

std::string mutate(std::string s, std::mt19937& rng) {
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  size_t edits = 1 + rng() % 6;
  for (size_t i = 0; i < edits; ++i) {
    size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 4) {
      case 0: s.insert(at, 1, kAlphabet[pick(rng)]); break;
      case 1: if (at < s.size()) s.erase(at, 1 + rng() % 3); break;
      case 2: if (at < s.size()) s[at] = kAlphabet[pick(rng)]; break;
      default: s.insert(at, std::string(1 + rng() % 70, "\\\" a1\xC3"[rng() % 6])); break;  // a run across a block
    }
  }
  return s;
}

TEST(Stage1Differential, EveryKernelThisCpuRunsIsCompared) {
  std::string names;
  for (block_kernel k : kernels()) names += std::string(" ") + kernel_name(k);
  std::printf("kernels compared:%s\n", names.c_str());
  EXPECT_GE(kernels().size(), 3u);  // best, baseline SIMD and scalar everywhere
}

TEST(Stage1Differential, EveryCaseAndFixtureIndexesAsSimdjsonDoes) {
  size_t compared = 0;
  for (const char* folder : {"cases", "fixtures"})
    for (auto& p : json_files(folder)) compared += expect_same_stage1(read_file(p), p.string());
  EXPECT_GT(compared, 1500u);
  std::printf("compared positions of %zu accepted files\n", compared);
}

TEST(Stage1Differential, GeneratedPayloadsIndexAsSimdjsonDoes) {
  for (size_t bytes : {size_t(4) << 10, size_t(64) << 10, size_t(300) << 10}) {
    expect_same_stage1(keyhole_bench::status_summary(bytes), "status " + std::to_string(bytes));
    expect_same_stage1(keyhole_bench::confluence_search(bytes), "confluence " + std::to_string(bytes));
  }
}

TEST(Stage1Differential, BoundaryStraddlersIndexAsSimdjsonDoes) {
  // Every run length from 0 to 200 of each construct, so each lands on every
  // offset of a 64-byte block and of the tiny windows.
  size_t compared = 0;
  for (size_t n = 0; n <= 200; ++n) {
    std::string pad(n, ' ');
    for (std::string doc : {
             "[\"" + std::string(n, '\\') + "\"]", "[\"" + std::string(n, '\\') + "\\\"]",
             pad + "{\"k\":\"" + std::string(n, 'x') + "\\\"\\\\\"}", pad + "[" + std::string(n, '1') + "]",
             pad + "[\"" + std::string(n % 60, 'a') + "\xE2\x82\xAC\xF0\x9F\x98\x80\"]",
             pad + "[\"" + std::string(n % 70, 'a') + "\x01\"]", pad + "[\"" + std::string(n % 70, 'a'),
             pad + "[tru" + std::string(n % 3, 'e') + " \"a\"true" + pad + "1\"b\"]", pad + "[\"\xC3\"]",
             pad + std::string(n % 5, '\xA9') + "[]", pad, pad + "\"" + std::string(n, '\\') + "\"x",
             // simdjson's x86 kernels take 0x0C and 0x1A for ',' and ':' (simd_block.h).
             pad + "[" + std::string(n % 9, '\0') + "\x0c 1\x1a\"a\"" + std::string(n % 3, '\x1a') + "tru\x0c]"})
      compared += expect_same_stage1(doc, "straddler n=" + std::to_string(n) + ": " + doc.substr(0, 80));
  }
  EXPECT_GT(compared, 1000u);  // of 2412, the others rejected (the verdict compared)
  std::printf("compared positions of %zu accepted straddlers\n", compared);
}

TEST(Stage1Differential, RandomAndMutatedInputsIndexAsSimdjsonDoes) {
  std::mt19937 rng(1301);
  std::vector<std::string> seeds;
  for (auto& p : json_files("cases")) {
    std::string s = read_file(p);
    if (s.size() < 4096) seeds.push_back(s);
  }
  seeds.push_back(keyhole_bench::status_summary(2000));
  ASSERT_FALSE(seeds.empty());
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  size_t accepted = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string doc;
    if (i % 3 == 0) {
      size_t len = rng() % 400;
      for (size_t k = 0; k < len; ++k) doc.push_back(kAlphabet[pick(rng)]);
    } else {
      doc = mutate(seeds[rng() % seeds.size()], rng);
    }
    accepted += expect_same_stage1(doc, "random #" + std::to_string(i));
    if (HasFailure()) return;  // one failing input is enough to read
  }
  // Both verdicts are compared on every input; positions on those accepted.
  EXPECT_GT(accepted, 300u);
  std::printf("compared positions of %zu accepted random inputs of 3000\n", accepted);
}

// The tree built through tiny windows (and the scalar kernel) must be the
// tree built through the default one: the same nodes, spans, strings, the
// same compactness, and the same error when it fails.
void expect_same_tree_through_windows(const std::string& doc, const std::string& what) {
  std::string text = doc + std::string(json_parser::padding(), '\0');
  json_parser whole;
  json_tree want;
  keyhole::detail::parse_error want_err;
  bool ok = want.build(whole, text.data(), doc.size(), 64, want_err);
  for (block_kernel kernel : kernels()) {
    for (size_t window : {size_t(16), size_t(64), size_t(65), size_t(127), size_t(192)}) {
      json_parser parser = json_parser::for_tests(window, kernel);
      json_tree got;
      keyhole::detail::parse_error err;
      std::string where = what + " (window " + std::to_string(window) + ")";
      ASSERT_EQ(got.build(parser, text.data(), doc.size(), 64, err), ok) << where << ": " << err.message;
      if (!ok) {
        EXPECT_EQ(err.message, want_err.message) << where;
        continue;
      }
      ASSERT_EQ(got.size(), want.size()) << where;
      EXPECT_EQ(got.compact(), want.compact()) << where;
      for (uint32_t n = 0; n < want.size(); ++n) {
        ASSERT_EQ(got.offset_of(n), want.offset_of(n)) << where << " node " << n;
        ASSERT_EQ(got.type(n), want.type(n)) << where << " node " << n;
        ASSERT_EQ(got.span(n), want.span(n)) << where << " node " << n;
        if (want.is_string(n)) ASSERT_EQ(got.str(n), want.str(n)) << where << " node " << n;
      }
    }
  }
}

TEST(Stage1Differential, TreesBuiltThroughTinyWindowsEqualTheWholeTextsTree) {
  for (const char* folder : {"cases", "fixtures"})
    for (auto& p : json_files(folder)) expect_same_tree_through_windows(read_file(p), p.string());
  expect_same_tree_through_windows(keyhole_bench::status_summary(100 << 10), "status 100 KB");
  expect_same_tree_through_windows(keyhole_bench::confluence_search(100 << 10, 40), "confluence depth 40");
  // Empty containers, a long string and a long number across window ends,
  // and errors found before and after the end of the first window.
  for (size_t n = 0; n < 140; n += 3) {
    std::string pad(n, ' ');
    for (std::string doc : {pad + "{\"a\":[]," + pad + "\"b\":{}," + pad + "\"c\":[[],{}]}",
                            "[\"" + std::string(n * 7, 'x') + "\"," + std::string(n * 5 + 1, '7') + "]",
                            "[" + pad + "]", "{" + pad + "}", pad + "[1,]" + pad + "\"", pad + "[1 2]" + pad + "\x01",
                            pad + "[" + pad + "] x", "[\"" + pad + "\"]" + pad + "]", pad + "[\"\\q\"]" + pad + "\xFF"})
      expect_same_tree_through_windows(doc, "n=" + std::to_string(n) + ": " + doc.substr(0, 60));
  }
}

// Builds `doc` through every kernel and the window sizes that put tokens,
// escapes and whitespace across window ends (classifying member names, as
// the payload's tree does), and hands each tree to `check` with a
// description of how it was built.
template <class Check>
void for_each_windowed_tree(const std::string& doc, Check check) {
  std::string text = doc + std::string(json_parser::padding(), '\0');
  for (block_kernel kernel : kernels()) {
    for (size_t window : {size_t(16), size_t(64), size_t(100), json_parser::kDefaultWindowBytes}) {
      json_parser parser = json_parser::for_tests(window, kernel);
      json_tree tree;
      keyhole::detail::parse_error err;
      std::string where = "window " + std::to_string(window) + ": " + doc.substr(0, 80);
      ASSERT_TRUE(tree.build(parser, text.data(), doc.size(), 64, err, &field_table::api()))
          << err.message << " in " << where;
      check(tree, text, where);
    }
  }
}

// Escapes are found only in windows where the indexer saw a backslash (the
// parse searches nowhere else): strings with escapes after runs of windows
// without any, straddling window ends, and clean strings after them read
// back unescaped as written, through every window size and kernel.
TEST(Stage1Differential, EscapesAfterWindowsWithoutBackslashesAreUnescaped) {
  for (size_t n = 0; n < 300; n += 7) {
    std::string clean(n, 'x');
    std::string doc = "[\"" + clean + "\",\"p\\\"q\",\"" + clean + "\",\"\\u00e9" + clean + "\",\"" + clean +
                      "\\\\\",{\"k\\/\":\"" + clean + "\"}]";
    const std::string want[] = {clean, "p\"q", clean, "\xC3\xA9" + clean, clean + "\\", "k/", clean};
    for_each_windowed_tree(doc, [&](const json_tree& tree, const std::string&, const std::string& where) {
      std::vector<std::string> got;
      for (uint32_t k = 0; k < tree.size(); ++k)
        if (tree.is_string(k)) got.push_back(std::string(tree.str(k)));
      ASSERT_EQ(got, std::vector<std::string>(std::begin(want), std::end(want))) << where;
    });
  }
}

// A string without escapes is read in place, never copied, even when it
// runs across the bound an earlier string's search left (found by review:
// a 10 MiB clean value after a short name was copied whole).
TEST(Stage1Differential, CleanStringsAcrossWindowsAreReadInPlace) {
  for (size_t n : {size_t(10), size_t(16), size_t(100), size_t(305), size_t(3) << 20}) {  // around the windows
    std::string doc = "{\"a\":\"" + std::string(n, 'x') + "\",\"b\\n\":\"" + std::string(n, 'y') + "\",\"c\":\"" +
                      std::string(n, 'z') + "\"}";
    for_each_windowed_tree(doc, [&](const json_tree& tree, const std::string& text, const std::string& where) {
      for (uint32_t k = 0; k < tree.size(); ++k) {
        if (!tree.is_string(k)) continue;
        std::string_view v = tree.str(k);
        bool in_text = v.data() >= text.data() && v.data() + v.size() <= text.data() + doc.size();
        EXPECT_EQ(in_text, v != "b\n") << where << ", n " << n << ", string " << k << " (" << v.size() << " bytes)";
      }
    });
  }
}

// A token ends where the next begins, less the whitespace before it; the
// parse skips that trim where the indexer saw no whitespace outside strings
// from the token on. Tokens before, after and across windows with and
// without such whitespace read back as written, in every window size.
TEST(Stage1Differential, TokensEndBeforeWhitespaceInAnyWindow) {
  for (size_t n = 0; n < 200; n += 9) {
    std::vector<std::string> want;
    std::string doc = "[";
    auto add = [&](const std::string& token, const std::string& after) {
      doc += token + after + ",";
      want.push_back(token);
    };
    for (size_t i = 0; i < n; ++i) add(std::to_string(i), "");           // compact windows
    add("\"" + std::string(n, 's') + " \"", "  ");                        // a string ending in a space, then spaces
    add("-1.5e3", "\n\t");
    for (size_t i = 0; i < n; ++i) add("true", "");
    add("null", std::string(n, ' '));
    add("\"x\"", "\r\n");
    doc += "false ]";
    want.push_back("false");
    for_each_windowed_tree(doc, [&](const json_tree& tree, const std::string&, const std::string& where) {
      std::vector<std::string> got;
      for (uint32_t k = 1; k < tree.size(); ++k)
        if (!tree.is_container(k) && tree.type(k) != keyhole::detail::jtype::end) got.push_back(std::string(tree.raw(k)));
      ASSERT_EQ(got, want) << where << ", n " << n;
      EXPECT_FALSE(tree.compact());
    });
  }
}

// Member names are classified as the tree is built (json_tree::build with
// names): each object member's field is its name's, by the value's node,
// through every window size and kernel; a name written with an escape is
// left unread for the reader. Texts that end on a name fail without
// writing past the tree (the field of a name's value is stored before the
// value is read; ASan and the fuzzers watch that).
TEST(Stage1Differential, MemberNamesAreClassifiedAsTheTreeIsBuilt) {
  const field_table& api = field_table::api();
  auto check = [&](const json_tree& tree, const std::string&, const std::string& where) {
    ASSERT_NE(tree.member_fields(), nullptr) << where;
    size_t members = 0;
    for (uint32_t k = 0; k < tree.size(); ++k) {
      if (!tree.is_object(k)) continue;
      for (uint32_t m = tree.first_child(k); m != keyhole::detail::npos; m = tree.next_member(m), ++members) {
        bool escaped = tree.raw_key(m).find('\\') != std::string_view::npos;
        std::string name(tree.key(m));
        name.append(32, '\0');  // classify_api reads whole words past the name
        uint8_t want = escaped ? keyhole::detail::kUnreadField : api.classify_api(std::string_view(name.data(), tree.key(m).size()));
        ASSERT_EQ(uint8_t(tree.member_fields()[m]), want) << where << ", member " << m << " " << tree.raw_key(m);
      }
    }
    EXPECT_GT(members, 0u) << where;
  };
  for (const char* folder : {"cases", "fixtures"})
    for (auto& p : json_files(folder)) {
      std::string doc = read_file(p);
      json_parser parser;
      json_tree tree;
      keyhole::detail::parse_error err;
      std::string text = doc + std::string(json_parser::padding(), '\0');
      if (tree.build(parser, text.data(), doc.size(), 64, err) && tree.is_object(0) && tree.first_child(0) != keyhole::detail::npos)
        for_each_windowed_tree(doc, check);
    }
  for_each_windowed_tree(keyhole_bench::status_summary(100 << 10), check);
  for (size_t n = 0; n < 120; n += 11) {
    std::string pad(n, ' ');
    for_each_windowed_tree("{" + pad + "\"id\":1,\"\\u0069d\":2," + pad + "\"group_id\":{\"status\":[{\"code\":" + pad +
                               "null}]},\"affected_components\":0,\"" + std::string(n, 'q') + "\":1}",
                           check);
    for (std::string doc : {"{" + pad + "\"id\"", "{\"a\":1," + pad + "\"status\"", "[{" + pad + "\"name\":"}) {
      std::string text = doc + std::string(json_parser::padding(), '\0');
      for (size_t window : {size_t(16), size_t(64)}) {
        json_parser parser = json_parser::for_tests(window, keyhole::detail::block_kernel::scalar);
        json_tree tree;
        keyhole::detail::parse_error err;
        EXPECT_FALSE(tree.build(parser, text.data(), doc.size(), 64, err, &api)) << doc;
      }
    }
  }
}

}  // namespace
