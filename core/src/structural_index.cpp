#include "structural_index.h"

#include "simdjson.h"

namespace keyhole::detail {

json_parser::json_parser() = default;
json_parser::~json_parser() = default;

static_assert(json_parser::padding() >= simdjson::SIMDJSON_PADDING, "stage 1 reads this far past the text");

bool json_parser::index(const char* data, size_t len, std::string& message) {
  if (len > simdjson::SIMDJSON_MAXSIZE_BYTES) {
    message = "invalid JSON: the document is too large";
    return false;
  }
  // Capacity only grows, so one parser reused across calls allocates once
  // for the largest text it has seen. Depth is Keyhole's (json_tree).
  constexpr size_t kUnusedDepth = 1;
  if (!impl_ || capacity_ < len) {
    size_t want = len < 4096 ? 4096 : len;
    std::unique_ptr<simdjson::internal::dom_parser_implementation> fresh;
    auto e = simdjson::get_active_implementation()->create_dom_parser_implementation(want, kUnusedDepth, fresh);
    if (e) {
      message = simdjson::error_message(e);
      return false;
    }
    impl_ = std::move(fresh);
    capacity_ = want;
  }
  auto e = impl_->stage1(reinterpret_cast<const uint8_t*>(data), len, simdjson::stage1_mode::regular);
  if (e) {
    message = std::string("invalid JSON: ") + simdjson::error_message(e);
    return false;
  }
  return true;
}

const uint32_t* json_parser::positions() const { return impl_->structural_indexes.get(); }
uint32_t json_parser::count() const { return impl_->n_structural_indexes; }

size_t minify_into(std::string_view text, char* out) {
  size_t written = 0;
  if (simdjson::minify(text.data(), text.size(), out, written)) return 0;
  return written;
}

}  // namespace keyhole::detail
