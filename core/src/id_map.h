// Page ids → values, for the knowledge-base filter, whose ids the payload
// chooses: ids built to collide in std::hash (MurmurHash, natively and in
// WebAssembly) made every std::unordered_map lookup scan one bucket (review
// round 5, F2: 16,000 items took 24 s in WebAssembly). name_index numbers
// each id with bounded probing and an ordered spill, so a lookup costs at
// most its probe bound plus O(log n) whatever the ids; the values live in a
// deque, so a reference to one stays valid while later ids are added.
#pragma once

#include <deque>
#include <string_view>
#include <utility>

#include "name_index.h"

namespace keyhole::detail {

template <class T>
class id_map {
 public:
  T* find(std::string_view id) {
    uint32_t i = index_.find(id);
    return i == name_index::npos ? nullptr : &values_[i];
  }
  const T* find(std::string_view id) const {
    uint32_t i = index_.find(id);
    return i == name_index::npos ? nullptr : &values_[i];
  }
  // The value of `id`, made (value-initialised) when absent; `second` says so.
  std::pair<T&, bool> try_emplace(std::string_view id) {
    bool inserted = false;
    uint32_t i = index_.insert(id, inserted);
    if (inserted) values_.emplace_back();
    return {values_[i], inserted};
  }
  T& operator[](std::string_view id) { return try_emplace(id).first; }

 private:
  name_index index_;
  std::deque<T> values_;  // by the index's number: every new id appends one
};

}  // namespace keyhole::detail
