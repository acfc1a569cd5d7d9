// "Did you mean" for policy errors: the nearest valid name by edit distance (optimal
// string alignment: insertions, deletions, substitutions and adjacent transpositions,
// ASCII case folded), when one is close enough to be a typo. Only for messages: the
// JSON pointer of an error never changes.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace keyhole::detail {

inline size_t edit_distance(std::string_view a, std::string_view b) {
  auto low = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
  const size_t n = a.size(), m = b.size();
  std::vector<size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = j;
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = low(a[i - 1]) == low(b[j - 1]) ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && low(a[i - 1]) == low(b[j - 2]) && low(a[i - 2]) == low(b[j - 1]))
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[m];
}

// The nearest candidate within reach (1 edit for short names, 2 from five characters,
// never as many as the candidate is long), else "". Names longer than 64 characters are
// not compared (a policy may be large; a typo is short).
template <class Names>
std::string nearest_name(std::string_view got, const Names& candidates) {
  if (got.size() > 64) return {};
  size_t reach = got.size() >= 5 ? 2 : 1, best = reach + 1;
  std::string_view pick;
  for (std::string_view c : candidates) {
    if (c.size() > 64 || c == got) continue;
    size_t d = edit_distance(got, c);
    if (d < best && d < c.size()) best = d, pick = c;
  }
  return std::string(pick);
}

inline std::string did_you_mean_text(const std::string& name) {
  return name.empty() ? std::string() : " \u2014 did you mean '" + name + "'?";
}

// " — did you mean 'x'?" (with `prefix` before the name), or "".
template <class Names>
std::string did_you_mean(std::string_view got, const Names& candidates, std::string_view prefix = "") {
  std::string pick = nearest_name(got, candidates);
  return pick.empty() ? pick : did_you_mean_text(std::string(prefix) + pick);
}

}  // namespace keyhole::detail
