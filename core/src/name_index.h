// Names → dense indexes (0, 1, 2… in insertion order), for the ids a filter
// looks up over and over: component ids per payload, rule names per policy.
//
// Open addressing with linear probing over a power-of-two table: one probe is
// usually one cache line, with no allocation per entry and no division, which
// std::unordered_map's node-per-entry design pays for on every lookup. The
// names are string_views: they must outlive the index.
//
// Hostile input: names built to collide would turn every lookup into a scan
// (quadratic time). The hash is seeded, but the seed cannot be secret where
// addresses are not randomised (WebAssembly), so probing is also bounded:
// past `max_probe` slots an insert fails and the index is `overflowed()`,
// and callers fail closed. With a fair hash at half load a run that long
// does not happen by chance (about e^-49 per lookup at the default of 256).
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

namespace keyhole::detail {

class name_index {
 public:
  static constexpr uint32_t npos = UINT32_MAX;

  explicit name_index(size_t max_probe = 256) : max_probe_(max_probe) {}

  void clear() {
    names_.clear();
    slots_.clear();
    overflowed_ = false;
  }
  // True once an insert has failed: lookups may then miss names.
  bool overflowed() const { return overflowed_; }
  size_t size() const { return names_.size(); }
  std::string_view name(uint32_t i) const { return names_[i]; }

  // The index of `name`, added as size() when absent (`inserted` says which);
  // npos when the index has overflowed (see above).
  uint32_t insert(std::string_view name, bool& inserted) {
    inserted = false;
    if (overflowed_) return npos;
    if ((names_.size() + 1) * 2 > slots_.size() && !grow()) return npos;
    uint64_t h = hash(name);
    size_t i = h & mask();
    for (size_t probes = 0; probes < max_probe_; ++probes, i = (i + 1) & mask()) {
      slot& s = slots_[i];
      if (s.index == 0) {
        names_.push_back(name);
        s = slot{h, static_cast<uint32_t>(names_.size())};
        inserted = true;
        return s.index - 1;
      }
      if (s.hash == h && names_[s.index - 1] == name) return s.index - 1;
    }
    overflowed_ = true;
    return npos;
  }
  uint32_t find(std::string_view name) const {
    if (slots_.empty()) return npos;
    uint64_t h = hash(name);
    size_t i = h & mask();
    for (size_t probes = 0; probes < max_probe_; ++probes, i = (i + 1) & mask()) {
      const slot& s = slots_[i];
      if (s.index == 0) return npos;
      if (s.hash == h && names_[s.index - 1] == name) return s.index - 1;
    }
    return npos;
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
  // Doubles the table; false (and overflowed) when a rehashed name would
  // land past the probe bound, so that no lookup can silently miss it.
  bool grow() {
    std::vector<slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, slot{0, 0});
    for (const slot& s : old) {
      if (s.index == 0) continue;
      size_t i = s.hash & mask();
      for (size_t probes = 0; slots_[i].index != 0; ++probes, i = (i + 1) & mask())
        if (probes + 1 >= max_probe_) {
          overflowed_ = true;
          return false;
        }
      slots_[i] = s;
    }
    return true;
  }

  std::vector<std::string_view> names_;
  std::vector<slot> slots_;
  size_t max_probe_;
  bool overflowed_ = false;
};

}  // namespace keyhole::detail
