#include "json_tree.h"

namespace keyhole::detail {
namespace {

using simdjson::ondemand::json_type;

bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim_right(std::string_view s) {
  while (!s.empty() && is_ws(s.back())) s.remove_suffix(1);
  return s;
}

// RFC 8259 number grammar. The text is kept as written, so any valid number
// (1e400, 30-digit integers, -0) passes through without a float round-trip.
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
    ++i;
    size_t start = i;
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

// One scan of a raw string token: control characters make it invalid; without
// a backslash its unescaped value is simply the text between the quotes, so
// simdjson's unescaping copy can be skipped.
enum class string_scan { invalid, plain, escaped };
string_scan scan_string(std::string_view raw) {
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') return string_scan::invalid;
  bool escaped = false;
  for (unsigned char c : raw) {
    if (c < 0x20) return string_scan::invalid;
    if (c == '\\') escaped = true;
  }
  return escaped ? string_scan::escaped : string_scan::plain;
}

}  // namespace

uint32_t json_tree::push(jtype t) {
  jnode n{};
  n.type = t;
  n.raw_key = pending_raw_key_;
  n.key = pending_key_;
  pending_raw_key_ = {};
  pending_key_ = {};
  nodes_.push_back(n);
  return static_cast<uint32_t>(nodes_.size() - 1);
}

bool json_tree::walk(simdjson::ondemand::value v, size_t depth, parse_error& err) {
  auto fail = [&](const char* what, const char* at) {
    err.message = what;
    err.offset = at ? at - base_ : -1;
    return false;
  };
  std::string_view token = v.raw_json_token();
  json_type t;
  if (v.type().get(t)) return fail("invalid JSON value", token.data());
  switch (t) {
    case json_type::object: {
      if (depth >= max_depth_) return fail("nesting deeper than the limit", token.data());
      simdjson::ondemand::object obj;
      if (v.get_object().get(obj)) return fail("invalid object", token.data());
      uint32_t idx = push(jtype::object);
      for (auto field_result : obj) {
        simdjson::ondemand::field field;
        if (std::move(field_result).get(field)) return fail("invalid object member", token.data());
        std::string_view raw_key = trim_right(field.key_raw_json_token());
        std::string_view key;
        string_scan scan = scan_string(raw_key);
        if (scan == string_scan::invalid) return fail("invalid member name", raw_key.data());
        if (scan == string_scan::plain) key = raw_key.substr(1, raw_key.size() - 2);
        else if (field.unescaped_key(false).get(key)) return fail("invalid member name", raw_key.data());
        pending_raw_key_ = raw_key;
        pending_key_ = key;
        if (!walk(field.value(), depth + 1, err)) return false;
      }
      nodes_[idx].end = size();
      return true;
    }
    case json_type::array: {
      if (depth >= max_depth_) return fail("nesting deeper than the limit", token.data());
      simdjson::ondemand::array arr;
      if (v.get_array().get(arr)) return fail("invalid array", token.data());
      uint32_t idx = push(jtype::array);
      for (auto element : arr) {
        simdjson::ondemand::value ev;
        if (std::move(element).get(ev)) return fail("invalid array element", token.data());
        if (!walk(ev, depth + 1, err)) return false;
      }
      nodes_[idx].end = size();
      return true;
    }
    case json_type::string: {
      std::string_view raw = trim_right(token);
      std::string_view s;
      string_scan scan = scan_string(raw);
      if (scan == string_scan::invalid) return fail("invalid string", token.data());
      if (scan == string_scan::plain) {
        // Consume the value even though its text is already known: an unconsumed
        // string is skipped by On-Demand, which takes a following ':' for a key
        // and would accept ["a", "b": 1].
        simdjson::ondemand::raw_json_string consumed;
        if (v.get_raw_json_string().get(consumed)) return fail("invalid string", token.data());
        s = raw.substr(1, raw.size() - 2);
      } else if (v.get_string(false).get(s)) {
        return fail("invalid string", token.data());
      }
      uint32_t idx = push(jtype::string);
      nodes_[idx].raw = raw;
      nodes_[idx].str = s;
      nodes_[idx].end = idx + 1;
      return true;
    }
    case json_type::number: {
      std::string_view raw = trim_right(token);
      if (!valid_number(raw)) return fail("invalid number", token.data());
      uint32_t idx = push(jtype::number);
      nodes_[idx].raw = raw;
      nodes_[idx].end = idx + 1;
      return true;
    }
    case json_type::boolean:
    case json_type::null: {
      std::string_view raw = trim_right(token);
      jtype jt;
      if (raw == "true") jt = jtype::true_value;
      else if (raw == "false") jt = jtype::false_value;
      else if (raw == "null") jt = jtype::null_value;
      else return fail("invalid literal", token.data());
      uint32_t idx = push(jt);
      nodes_[idx].raw = raw;
      nodes_[idx].end = idx + 1;
      return true;
    }
    default:
      return fail("invalid JSON value", token.data());
  }
}

bool json_tree::build(simdjson::ondemand::parser& parser, simdjson::padded_string_view json,
                      size_t max_depth, parse_error& err) {
  nodes_.clear();
  pending_raw_key_ = pending_key_ = {};
  max_depth_ = max_depth;
  base_ = json.data();
  simdjson::ondemand::document doc;
  auto error = parser.iterate(json).get(doc);
  if (error) {
    err.message = std::string("invalid JSON: ") + simdjson::error_message(error);
    return false;
  }
  simdjson::ondemand::value root;
  json_type t;
  if (doc.type().get(t) || (t != json_type::object && t != json_type::array)) {
    err.message = "the document is not a JSON object or array";
    return false;
  }
  if (doc.get_value().get(root)) {
    err.message = "invalid JSON";
    return false;
  }
  if (!walk(root, 0, err)) {
    if (err.message.empty()) err.message = "invalid JSON";
    return false;
  }
  if (!doc.at_end()) {
    err.message = "unexpected content after the JSON document";
    const char* loc = nullptr;
    if (!doc.current_location().get(loc)) err.offset = loc - base_;
    return false;
  }
  return true;
}

size_t json_tree::child_count(uint32_t i) const {
  size_t n = 0;
  for (uint32_t c = first_child(i); c != npos; c = next_sibling(i, c)) ++n;
  return n;
}

uint32_t json_tree::member(uint32_t obj, std::string_view key) const {
  if (!is_object(obj)) return npos;
  for (uint32_t c = first_child(obj); c != npos; c = next_sibling(obj, c))
    if (nodes_[c].key == key) return c;
  return npos;
}

bool json_tree::unique_keys(uint32_t obj) const {
  for (uint32_t a = first_child(obj); a != npos; a = next_sibling(obj, a))
    for (uint32_t b = next_sibling(obj, a); b != npos; b = next_sibling(obj, b))
      if (nodes_[a].key == nodes_[b].key) return false;
  return true;
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
