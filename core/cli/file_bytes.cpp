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

// Reads `fd` whole into the buffer `room(want)` gives (at least `want` bytes,
// keeping those read so far), with `padding` bytes to spare after them; stops
// past `limit` bytes. A regular file's size is known: one buffer, one read. A
// pipe grows.
template <class Room>
bool read_all(int fd, size_t padding, size_t limit, size_t& size, Room room) {
  struct stat info;
  size_t expected = 1 << 16;
  if (fstat(fd, &info) == 0 && S_ISREG(info.st_mode)) expected = std::min<size_t>(size_t(info.st_size), limit) + 1;
  size = 0;
  size_t capacity = expected + padding;
  char* data = room(capacity);
  bool ok = true;
  while (size <= limit) {
    if (capacity - size < padding + 1) data = room(capacity = std::max(size + padding + (1 << 16), 2 * capacity));
    ssize_t n = ::read(fd, data + size, capacity - padding - size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ok = n == 0;
      break;
    }
    size += size_t(n);
  }
  if (fd != STDIN_FILENO) ::close(fd);
  return ok;
}

int open_input(const std::string& path) { return path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC); }

}  // namespace

bool read_file(const std::string& path, size_t padding, size_t limit, file_bytes& out) {
  int fd = open_input(path);
  if (fd < 0) return false;
  out = file_bytes{};
  bool ok = read_all(fd, padding, limit, out.size, [&out](size_t want) {
    grow(out, want);
    return out.data.get();
  });
  std::memset(out.data.get() + out.size, 0, std::min(padding, out.capacity - out.size));
  return ok;
}

bool read_text(const std::string& path, size_t padding, size_t limit, std::string& out) {
  int fd = open_input(path);
  if (fd < 0) return false;
  out.clear();
  size_t size = 0;
  // resize() zero-fills what read() then overwrites: the same pages, touched once more.
  bool ok = read_all(fd, padding, limit, size, [&out](size_t want) {
    out.resize(want);
    return out.data();
  });
  out.resize(size);  // keeps the capacity, so `padding` bytes can follow without a copy
  return ok;
}

}  // namespace keyhole_cli
