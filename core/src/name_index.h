// Names → dense indexes (0, 1, 2… in insertion order), for the ids a filter
// looks up over and over: component ids per payload, rule names per policy.
//
// Open addressing with linear probing over a power-of-two table: one probe is
// usually one cache line, with no allocation per entry and no division, which
// std::unordered_map's node-per-entry design pays for on every lookup. The
// names are string_views: they must outlive the index.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace keyhole::detail {

class name_index {
 public:
  static constexpr uint32_t npos = UINT32_MAX;

  void clear() {
    names_.clear();
    slots_.clear();
  }
  size_t size() const { return names_.size(); }
  std::string_view name(uint32_t i) const { return names_[i]; }

  // The index of `name`, added as size() when absent (`inserted` says which).
  uint32_t insert(std::string_view name, bool& inserted) {
    if ((names_.size() + 1) * 2 > slots_.size()) grow();
    uint64_t h = hash(name);
    for (size_t i = h & mask();; i = (i + 1) & mask()) {
      slot& s = slots_[i];
      if (s.index == 0) {
        names_.push_back(name);
        s = slot{h, static_cast<uint32_t>(names_.size())};
        inserted = true;
        return s.index - 1;
      }
      if (s.hash == h && names_[s.index - 1] == name) {
        inserted = false;
        return s.index - 1;
      }
    }
  }
  uint32_t find(std::string_view name) const {
    if (slots_.empty()) return npos;
    uint64_t h = hash(name);
    for (size_t i = h & mask();; i = (i + 1) & mask()) {
      const slot& s = slots_[i];
      if (s.index == 0) return npos;
      if (s.hash == h && names_[s.index - 1] == name) return s.index - 1;
    }
  }

  // Word-at-a-time multiply-xorshift, seeded per process (the address of a
  // static, randomised by ASLR where there is one) so that a payload cannot
  // be built in advance to make every id collide. Lookups never depend on
  // the order of the table, so neither does any output.
  static uint64_t hash(std::string_view s) {
    constexpr uint64_t k = 0x9E3779B97F4A7C15ull;
    uint64_t h = seed() ^ (s.size() * k);
    const char* p = s.data();
    size_t n = s.size();
    for (; n >= 8; p += 8, n -= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      h = mix(h ^ w);
    }
    if (n) {
      uint64_t w = 0;
      std::memcpy(&w, p, n);
      h = mix(h ^ w ^ (uint64_t(n) << 59));
    }
    return mix(h);
  }

 private:
  struct slot {
    uint64_t hash;
    uint32_t index;  // 1 + the name's index; 0 for an empty slot
  };
  static uint64_t mix(uint64_t x) {
    x *= 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 31);
  }
  static uint64_t seed() {
    static const uint64_t s = mix(reinterpret_cast<uintptr_t>(&s) ^ 0x94D049BB133111EBull);
    return s;
  }
  size_t mask() const { return slots_.size() - 1; }
  void grow() {
    std::vector<slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, slot{0, 0});
    for (const slot& s : old) {
      if (s.index == 0) continue;
      size_t i = s.hash & mask();
      while (slots_[i].index != 0) i = (i + 1) & mask();
      slots_[i] = s;
    }
  }

  std::vector<std::string_view> names_;
  std::vector<slot> slots_;
};

}  // namespace keyhole::detail
