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
// a name that finds no slot within `max_probe` goes to an ordered spill map
// instead, so every lookup costs at most max_probe probes plus O(log n),
// whatever the names, and nothing is ever refused. Natively and in
// WebAssembly the answers are the same (no output depends on the table's
// order). With a fair hash at half load a run that long does not happen by
// chance (about e^-49 per lookup at the default of 256).
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <string_view>
#include <vector>

#include "always_inline.h"
#include "text_words.h"

namespace keyhole::detail {

// Equal ids: the lengths, then the bytes. Not string_view's ==, which g++
// leaves as an out-of-line call to compare() (a three-way answer, ~35
// instructions) in the status filter's larger functions, on every id and
// name it meets again. Empty views may hold no pointer, which memcmp must
// not be given even for no bytes.
inline bool same_text(std::string_view a, std::string_view b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

class name_index {
 public:
  static constexpr uint32_t npos = UINT32_MAX;

  explicit name_index(size_t max_probe = 256) : max_probe_(max_probe) {}

  void clear() {
    names_.clear();
    slots_.clear();
    spill_.clear();
  }
  size_t size() const { return names_.size(); }
  // Room for `n` names without growing (so a filter that can count its ids
  // first rehashes nothing). Only ever enlarges an empty index.
  void reserve(size_t n) {
    if (!names_.empty()) return;
    size_t slots = 16;
    while (slots < 2 * (n + 1)) slots *= 2;
    if (slots > slots_.size()) slots_.assign(slots, slot{0, 0});
    names_.reserve(n);
  }
  // Names that found no slot within the probe bound (built to collide).
  size_t spilled() const { return spill_.size(); }
  std::string_view name(uint32_t i) const { return names_[i].text; }
  // Whether name `i` is `name`. A name of up to 16 bytes is compared by the
  // two words the entry keeps, read from `name`'s own bytes: not from the
  // text the entry names, which at 16 MB is a cache miss into the payload
  // for every id met again (a group's list, an incident's copies).
  bool holds(uint32_t i, std::string_view name) const { return names_[i].same(name); }

  // The index of `name`, added as size() when absent (`inserted` says which).
  uint32_t insert(std::string_view name, bool& inserted) { return insert(name, hash(name), inserted); }
  // The same with `h` = hash(name) computed by the caller, who may look the
  // name up in another index with it (every name_index hashes alike).
  // Inlined, as it was before an entry kept its words (name_index::entry):
  // the status filter's entry() calls it for every new id, and the call cost
  // more than the words saved (1% of a 64 KB filter natively); growing stays
  // out of line.
  KEYHOLE_ALWAYS_INLINE uint32_t insert(std::string_view name, uint64_t h, bool& inserted) {
    inserted = false;
    if ((names_.size() + 1) * 2 > slots_.size()) grow();
    uint32_t tag = tag_of(h);
    size_t i = h & mask();
    for (size_t probes = 0; probes < max_probe_; ++probes, i = (i + 1) & mask()) {
      slot& s = slots_[i];
      if (s.index == 0) {
        if (uint32_t spilled = spilled_find(name); spilled != npos) return spilled;
        names_.push_back(entry::of(name));
        s = slot{tag, static_cast<uint32_t>(names_.size())};
        inserted = true;
        return s.index - 1;
      }
      if (s.tag == tag && names_[s.index - 1].same(name)) return s.index - 1;
    }
    auto [it, fresh] = spill_.try_emplace(name, static_cast<uint32_t>(names_.size()));
    if (fresh) names_.push_back(entry::of(name));
    inserted = fresh;
    return it->second;
  }
  uint32_t find(std::string_view name) const { return find(name, hash(name)); }
  // Asks the CPU to fetch the slot a name of hash `h` probes first, so that
  // a run of lookups whose names are known ahead waits on memory once, not
  // once per name (at 16 MB the table has left the core's cache).
  void prefetch(uint64_t h) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[h & mask()]);
  }
  // Whether the table is past the size a core's L2 cache keeps (half of a
  // typical 1 MiB): below it the hash a prefetch needs costs more than the
  // wait it saves (benchmarks at 1 MB and 16 MB, docs/performance.md).
  // WebAssembly has no prefetch instruction: there it never pays.
  bool prefetch_pays() const {
#if defined(__wasm__)
    return false;
#else
    return slots_.size() * sizeof(slot) >= kPrefetchFromBytes;
#endif
  }
  static constexpr size_t kPrefetchFromBytes = 512 << 10;
  uint32_t find(std::string_view name, uint64_t h) const {
    if (slots_.empty()) return npos;
    uint32_t tag = tag_of(h);
    size_t i = h & mask();
    for (size_t probes = 0; probes < max_probe_; ++probes, i = (i + 1) & mask()) {
      const slot& s = slots_[i];
      if (s.index == 0) break;
      if (s.tag == tag && names_[s.index - 1].same(name)) return s.index - 1;
    }
    return spilled_find(name);
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
    if (n < 8) {  // bytes one by one: the name may end where its memory does
      uint64_t w = 0;
      for (size_t i = 0; i < n; ++i) w |= uint64_t(static_cast<unsigned char>(p[i])) << (8 * i);
      return mix(mix(h ^ w));
    }
    for (; n > 8; p += 8, n -= 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      h = mix(h ^ w);
    }
    // The last 8 bytes, overlapping the word before when the size is no
    // multiple of 8 (the size is in the seed, so no two names of different
    // lengths are confused): one fixed-size load, no byte loop.
    uint64_t w;
    std::memcpy(&w, p + n - 8, 8);
    return mix(mix(h ^ w));
  }

 private:
  // Eight bytes, so a table for the ids of a 16 MB payload stays within a
  // core's L2 cache twice as long: the probe starts from the hash's low
  // bits, and its high half is kept to compare before the names.
  struct slot {
    uint32_t tag;    // the hash's high 32 bits
    uint32_t index;  // 1 + the name's index; 0 for an empty slot
  };
  static uint32_t tag_of(uint64_t h) { return uint32_t(h >> 32); }
  static uint64_t mix(uint64_t x) {
    x *= 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 31);
  }
  static uint64_t seed() {
    static const uint64_t s = mix(reinterpret_cast<uintptr_t>(&s) ^ 0x94D049BB133111EBull);
    return s;
  }
  size_t mask() const { return slots_.size() - 1; }
  uint32_t spilled_find(std::string_view name) const {
    if (spill_.empty()) return npos;
    auto it = spill_.find(name);
    return it == spill_.end() ? npos : it->second;
  }
  // Doubles the table; a rehashed name that lands past the probe bound is
  // spilled, so no lookup can miss it.
  [[gnu::noinline]] void grow() {
    std::vector<slot> old = std::move(slots_);
    slots_.assign(old.empty() ? 16 : old.size() * 2, slot{0, 0});
    for (const slot& s : old) {
      if (s.index == 0) continue;
      size_t i = hash(names_[s.index - 1].text) & mask();  // a slot keeps only the high half
      size_t probes = 0;
      for (; slots_[i].index != 0 && probes < max_probe_; ++probes) i = (i + 1) & mask();
      if (probes < max_probe_) slots_[i] = s;
      else spill_.emplace(names_[s.index - 1].text, s.index - 1);
    }
  }

  // A name and, when it has at most 16 bytes, those bytes as two words
  // (text_words.h): 32 bytes (24 in wasm32), so comparing one met again reads
  // this entry and the name's own bytes, nothing else.
  struct entry {
    std::string_view text;
    text_words words;
    static entry of(std::string_view s) {
      entry e{s, {}};
      if (text_words::fits(s.size())) e.words = text_words::of(s);
      return e;
    }
    bool same(std::string_view s) const {
      if (s.size() != text.size()) return false;
      return text_words::fits(s.size()) ? words.same(s) : same_text(text, s);
    }
  };
  std::vector<entry> names_;
  std::vector<slot> slots_;
  std::map<std::string_view, uint32_t> spill_;  // names built to collide
  size_t max_probe_;
};

}  // namespace keyhole::detail
