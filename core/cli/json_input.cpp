#include "json_input.h"

#include <set>
#include <vector>

namespace keyhole_cli {
namespace {

// Depth-first over every object, iteratively (documents nest up to simdjson's limit).
bool find_duplicate(simdjson::dom::element root, std::string& pointer) {
  struct frame { simdjson::dom::element e; std::string at; };
  std::vector<frame> stack{{root, ""}};
  while (!stack.empty()) {
    frame f = std::move(stack.back());
    stack.pop_back();
    simdjson::dom::object o;
    simdjson::dom::array a;
    if (f.e.get_object().get(o) == simdjson::SUCCESS) {
      std::set<std::string_view> seen;
      for (auto field : o) {
        std::string at = f.at + "/" + pointer_token(field.key);
        if (!seen.insert(field.key).second) { pointer = at; return true; }
        stack.push_back(frame{field.value, std::move(at)});
      }
    } else if (f.e.get_array().get(a) == simdjson::SUCCESS) {
      size_t i = 0;
      for (simdjson::dom::element v : a) stack.push_back(frame{v, f.at + "/" + std::to_string(i++)});
    }
  }
  return false;
}

}  // namespace

bool parse_json(std::string_view bytes, json_doc& doc, std::string& pointer, std::string& message) {
  auto err = doc.parser.parse(bytes.data(), bytes.size(), true).get(doc.root);
  if (err) {
    pointer.clear();
    message = std::string("not valid JSON: ") + simdjson::error_message(err);
    return false;
  }
  if (find_duplicate(doc.root, pointer)) {
    message = "duplicate member";
    return false;
  }
  return true;
}

std::string pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

void append_json_string(std::string& out, std::string_view s) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else if (c == '\r') out += "\\r";
    else if (c < 0x20) { out += "\\u00"; out += hex[c >> 4]; out += hex[c & 15]; }
    else out += static_cast<char>(c);
  }
  out += '"';
}

}  // namespace keyhole_cli
