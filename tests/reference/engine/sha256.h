// SHA-256 (FIPS 180-4), used for the audience key: stable across builds and
// platforms, no dependency.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace keyhole::detail {

class sha256 {
 public:
  sha256();
  void update(std::string_view data);
  std::array<uint8_t, 32> finish();

 private:
  void block(const uint8_t* p);
  uint32_t h_[8];
  uint8_t buf_[64];
  size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

std::string to_hex(const uint8_t* p, size_t n);

}  // namespace keyhole::detail
