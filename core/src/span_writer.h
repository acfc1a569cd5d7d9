// Writes a filtered payload as the filter decides it (no edit marks, no
// second walk): a kept subtree is copied as its span, and inside a container
// being rewritten every run of consecutive kept children is copied as one
// span, separators included. Output is compact whatever the input's layout:
// when the text has whitespace outside strings, copies are minified.
#pragma once

#include <string>
#include <string_view>

#include "json_tree.h"

namespace keyhole::detail {

class span_writer {
 public:
  span_writer(const json_tree& t, std::string& out) : t_(t), out_(out) {}

  // A container being written: whether it is an object, whether a child
  // was written yet, and the run of kept children not yet copied.
  struct list {
    bool object;
    bool first = true;
    uint32_t run_first = npos;  // the run of kept children not yet copied:
    uint32_t run_last = npos;   // to the end of this child, or (npos) to run_end
    const char* run_end = nullptr;
  };

  list open(uint32_t container) {
    bool object = t_.is_object(container);
    out_.push_back(object ? '{' : '[');
    return list{object};
  }
  void close(list& l) {
    flush(l);
    out_.push_back(l.object ? '}' : ']');
  }
  // Child `c` (a member's value node, or an element) is kept as written.
  void keep(list& l, uint32_t c) {
    if (l.run_first == npos) l.run_first = c;
    l.run_last = c;
  }
  // Children from `first` on, up to text position `end` (the end of a
  // child's value), are kept as written.
  void keep_until(list& l, uint32_t first, const char* end) {
    if (l.run_first == npos) l.run_first = first;
    l.run_last = npos;
    l.run_end = end;
  }
  // Child `c` is left out.
  void skip(list& l) { flush(l); }
  // Child `c` is written by the caller: the separator and, in an object,
  // its name as written are written here; the value follows.
  void start(list& l, uint32_t c) {
    flush(l);
    separate(l);
    if (l.object) {
      out_.append(t_.raw_key(c));
      out_.push_back(':');
    }
  }
  void text(std::string_view s) { out_.append(s); }
  // Node `n` as written (compactly).
  void copy(uint32_t n) { copy_compact(t_.span(n)); }

 private:
  void separate(list& l) {
    if (!l.first) out_.push_back(',');
    l.first = false;
  }
  void flush(list& l) {
    if (l.run_first == npos) return;
    separate(l);
    const char* begin = l.object ? t_.raw_key(l.run_first).data() : t_.raw(l.run_first).data();
    const char* end = l.run_end;
    if (l.run_last != npos) {
      std::string_view last = t_.span(l.run_last);
      end = last.data() + last.size();
    }
    copy_compact(std::string_view(begin, size_t(end - begin)));
    l.run_first = npos;
  }
  void copy_compact(std::string_view text) { append_compact(t_, text, out_); }

  const json_tree& t_;
  std::string& out_;
};

}  // namespace keyhole::detail
