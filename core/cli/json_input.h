// Small JSON documents the CLI's authoring tools read (test files, explain documents,
// payloads for names): parsed with simdjson's DOM, duplicate member names refused, errors
// as a JSON pointer and a message. No I/O here, so the WebAssembly build links it too.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

namespace keyhole_cli {

struct json_doc {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
};

// Parses `bytes` into `doc`. False with `pointer` / `message` set when the text is not
// JSON or some object repeats a member name (the pointer names the repeat).
bool parse_json(std::string_view bytes, json_doc& doc, std::string& pointer, std::string& message);

// One JSON pointer reference token ("~" -> "~0", "/" -> "~1").
std::string pointer_token(std::string_view key);

// Appends `s` as a JSON string literal.
void append_json_string(std::string& out, std::string_view s);

// The string at `e`, or false.
inline bool as_string(simdjson::dom::element e, std::string_view& out) {
  return e.get_string().get(out) == simdjson::SUCCESS;
}
inline bool as_string(simdjson::simdjson_result<simdjson::dom::element> e, std::string_view& out) {
  return e.get_string().get(out) == simdjson::SUCCESS;
}

}  // namespace keyhole_cli
