// `keyhole explain --output text`: the explanation document (docs/explain.md) as one line
// per resource: kind, id, name, shown or hidden, and the deciding step in words.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace keyhole_cli {

// One resource of an explanation document, as the authoring tools read it.
struct explained_resource {
  std::string kind, id, step, note;
  bool shown = false;
  bool redacted = false;  // mixed: redact
};

struct explanation {
  std::vector<explained_resource> resources;
  std::vector<std::string> withheld;  // "update.body: replaced"
};

// Reads the document `filter::explain` wrote. False (with `error`) when it is not one.
bool read_explanation(std::string_view explain_json, explanation& out, std::string& error);

// Display names by id, read from a payload best effort (an object's `name` or `title`,
// keyed by its `id` and, for JSM articles, `source.pageId`). Presentation only: nothing
// is decided from it. An unparsable payload gives no names.
using resource_names = std::unordered_map<std::string, std::string>;
resource_names collect_names(std::string_view payload);

// The lines for one explanation; `names` may be empty.
std::string explain_text(const explanation& e, const resource_names& names);

}  // namespace keyhole_cli
