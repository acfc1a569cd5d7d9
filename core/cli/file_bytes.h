// One file's bytes, read once into a buffer with slack after them, so the
// library parses the payload where it lies (no copy, no zero-fill).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace keyhole_cli {

struct file_bytes {
  std::unique_ptr<char[]> data;
  size_t size = 0;      // bytes read
  size_t capacity = 0;  // allocated; at least size + the padding asked for
  std::string_view view() const { return std::string_view(data.get(), size); }
};

// Reads `path` ("-" is stdin) whole. Stops past `limit` bytes (enough to know
// the input is too large). False when the file cannot be opened or read.
bool read_file(const std::string& path, size_t padding, size_t limit, file_bytes& out);
// The same into a string of `size` bytes whose capacity has `padding` more
// (for keyhole::policy::compile(std::string&&), which keeps it).
bool read_text(const std::string& path, size_t padding, size_t limit, std::string& out);

}  // namespace keyhole_cli
