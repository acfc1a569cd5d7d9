#include "structural_index.h"

#include <algorithm>
#include <cstring>

#include "simdjson.h"

namespace keyhole::detail {

static_assert(json_parser::padding() >= simdjson::SIMDJSON_PADDING, "callers pad texts for simdjson's minifier too");

json_parser::json_parser(size_t window_bytes, block_kernel kernel)
    : indexer_(kernel), window_(std::max(window_bytes, kMinWindowBytes)) {}
json_parser::~json_parser() = default;

void json_parser::begin(const char* data, size_t len) {
  // Room for a window's positions (one per byte at most), the entries a
  // refill keeps, the indexer's slack and the two sentinels.
  size_t want = std::min(window_, len) + structural_indexer::kSlack + 8;
  if (buf_capacity_ < want) {
    buf_.reset(new uint32_t[want]);
    buf_capacity_ = want;
  }
  indexer_.reset();
  data_ = reinterpret_cast<const uint8_t*>(data);
  len_ = len;
  from_ = count_ = total_ = backslash_free_from_ = whitespace_free_from_ = 0;
  utf8_ok_ = true;
  if (len_ == 0) buf_[0] = buf_[1] = 0;
}

namespace {
bool continues_utf8(uint8_t c) { return (c & 0xC0) == 0x80; }
}  // namespace

void json_parser::index_window() {
  size_t to = std::min(len_, from_ + window_);
  // A valid sequence never spans the cut; an invalid text stays invalid in
  // one of the two windows (a run of more than three continuation bytes is).
  for (int back = 0; back < 3 && to < len_ && continues_utf8(data_[to]); ++back) --to;
  size_t n = to - from_;
  uint32_t* end = indexer_.index(data_ + from_, n, uint32_t(from_), buf_.get() + count_);
  // The indexer saw every byte: a window of ASCII alone is valid UTF-8.
  if (indexer_.take_non_ascii()) utf8_ok_ &= simdjson::validate_utf8(reinterpret_cast<const char*>(data_ + from_), n);
  if (indexer_.take_backslash()) backslash_free_from_ = to;
  if (indexer_.take_outside_whitespace()) whitespace_free_from_ = to;
  size_t found = size_t(end - buf_.get()) - count_;
  count_ += found;
  total_ += found;
  from_ = to;
}

void json_parser::refill(size_t consumed) {
  size_t kept = count_ - consumed;
  std::memmove(buf_.get(), buf_.get() + consumed, kept * sizeof(uint32_t));
  count_ = kept;
  while (count_ < 2 && from_ < len_) index_window();
  if (finished()) buf_[count_] = buf_[count_ + 1] = uint32_t(len_);
}

bool json_parser::verdict(std::string& message) {
  while (from_ < len_) {
    count_ = 0;  // positions no longer wanted: only the carried state and the errors
    index_window();
  }
  // simdjson's order (json_structural_indexer::finish): the string left
  // open, then control characters, then no token, then UTF-8.
  simdjson::error_code e = simdjson::SUCCESS;
  if (len_ > simdjson::SIMDJSON_MAXSIZE_BYTES) e = simdjson::CAPACITY;
  else if (len_ == 0) e = simdjson::EMPTY;
  else if (indexer_.unclosed_string()) e = simdjson::UNCLOSED_STRING;
  else if (indexer_.control_in_string()) e = simdjson::UNESCAPED_CHARS;
  else if (total_ == 0) e = simdjson::EMPTY;
  else if (!utf8_ok_) e = simdjson::UTF8_ERROR;
  if (e == simdjson::SUCCESS) return true;
  message = std::string("invalid JSON: ") + simdjson::error_message(e);
  return false;
}

size_t minify_into(std::string_view text, char* out) {
  size_t written = 0;
  if (simdjson::minify(text.data(), text.size(), out, written)) return 0;
  return written;
}

}  // namespace keyhole::detail
