#include "json_grammar.h"

#include <cstdint>
#include <cstring>

namespace keyhole::detail {

const char* describe(grammar_error e) {
  switch (e) {
    case grammar_error::none: return "no error";
    case grammar_error::structure: return "the JSON document has an improper structure";
    case grammar_error::not_container: return "the document is not a JSON object or array";
    case grammar_error::depth: return "the JSON document is too deep (too many nested objects and arrays)";
    case grammar_error::number: return "a number is not valid JSON";
    case grammar_error::string: return "a string has an invalid escape or an unpaired surrogate";
    case grammar_error::true_atom: return "something that looks like true is not true";
    case grammar_error::false_atom: return "something that looks like false is not false";
    case grammar_error::null_atom: return "something that looks like null is not null";
  }
  return "unknown error";
}

bool valid_number(std::string_view s) {
  size_t i = 0, n = s.size();
  auto digits = [&] {
    size_t start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < n && s[i] == '-') ++i;
  if (i >= n) return false;
  if (s[i] == '0') ++i;
  else if (!digits()) return false;
  if (i < n && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == n;
}

namespace {

// Four hex digits at p, or -1.
int32_t hex4(const char* p) {
  int32_t v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p[i];
    int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(char(cp));
  } else if (cp < 0x800) {
    out.push_back(char(0xC0 | (cp >> 6)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(char(0xE0 | (cp >> 12)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(char(0xF0 | (cp >> 18)));
    out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(char(0x80 | (cp & 0x3F)));
  }
}

// A \u escape at body[i] (the backslash): its code point, pairing a high
// surrogate with the \u low surrogate that must follow it. Advances i past it.
bool unicode_escape(std::string_view body, size_t& i, std::string& out) {
  if (i + 6 > body.size()) return false;
  int32_t cp = hex4(body.data() + i + 2);
  if (cp < 0) return false;
  i += 6;
  if (cp >= 0xDC00 && cp <= 0xDFFF) return false;  // a low surrogate first
  if (cp >= 0xD800 && cp < 0xDC00) {
    if (i + 6 > body.size() || body[i] != '\\' || body[i + 1] != 'u') return false;
    int32_t low = hex4(body.data() + i + 2);
    if (low < 0xDC00 || low > 0xDFFF) return false;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    i += 6;
  }
  append_utf8(uint32_t(cp), out);
  return true;
}

char simple_escape(char e) {
  switch (e) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return 0;
  }
}

}  // namespace

bool unescape_into(std::string_view body, std::string& out) {
  size_t length_at = out.size();
  out.append(sizeof(uint32_t), '\0');
  size_t i = 0;
  while (i < body.size()) {
    const char* slash = static_cast<const char*>(std::memchr(body.data() + i, '\\', body.size() - i));
    size_t stop = slash ? size_t(slash - body.data()) : body.size();
    out.append(body.data() + i, stop - i);
    i = stop;
    if (i == body.size()) break;
    if (i + 1 >= body.size()) return false;
    char e = body[i + 1];
    if (e == 'u') {
      if (!unicode_escape(body, i, out)) return false;
      continue;
    }
    char c = simple_escape(e);
    if (!c) return false;
    out.push_back(c);
    i += 2;
  }
  uint32_t len = uint32_t(out.size() - length_at - sizeof(uint32_t));
  std::memcpy(out.data() + length_at, &len, sizeof len);
  return true;
}

}  // namespace keyhole::detail
