#include "file_bytes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace keyhole_cli {
namespace {

// Grows the buffer to hold at least `want` bytes, keeping what was read.
void grow(file_bytes& b, size_t want) {
  size_t capacity = std::max(want, 2 * b.capacity);
  std::unique_ptr<char[]> bigger(new char[capacity]);  // uninitialised on purpose
  if (b.size) std::memcpy(bigger.get(), b.data.get(), b.size);
  b.data = std::move(bigger);
  b.capacity = capacity;
}

}  // namespace

bool read_file(const std::string& path, size_t padding, size_t limit, file_bytes& out) {
  int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  // A regular file's size is known: one buffer, one read. A pipe grows.
  struct stat info;
  size_t expected = 1 << 16;
  if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) expected = std::min<size_t>(size_t(info.st_size), limit) + 1;
  out = file_bytes{};
  grow(out, expected + padding);
  bool ok = true;
  while (out.size <= limit) {
    if (out.capacity - out.size < padding + 1) grow(out, out.size + padding + (1 << 16));
    ssize_t n = ::read(fd, out.data.get() + out.size, out.capacity - padding - out.size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    out.size += size_t(n);
  }
  if (fd != STDIN_FILENO) ::close(fd);
  std::memset(out.data.get() + out.size, 0, std::min(padding, out.capacity - out.size));
  return ok;
}

}  // namespace keyhole_cli
