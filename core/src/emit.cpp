// The writer: the payload with the filters' edits applied, compactly.
#include <algorithm>

#include "filter_context.h"

namespace keyhole::detail {
namespace {

struct writer {
  const json_tree& t;
  const std::vector<edit_mark>& marks;
  const std::unordered_map<uint32_t, std::string>& replacement;
  const std::vector<uint32_t>& edited;  // sorted
  std::string& out;

  // The writer visits nodes in increasing order (depth first), so the next
  // edit at or after a node is found by moving a cursor, not by searching.
  size_t next_edit = 0;
  bool untouched(uint32_t n) {
    while (next_edit < edited.size() && edited[next_edit] < n) ++next_edit;
    return next_edit == edited.size() || edited[next_edit] >= t.end(n);
  }

  // Copies text as written minus whitespace outside strings (SIMD minify).
  void copy_compact(std::string_view text) { append_compact(t, text, out); }

  // An edited container being written: where its walk stands.
  struct frame {
    uint32_t node;
    uint32_t next;  // the next child to write, or npos
    bool object;
    bool first = true;
    const char* run_begin = nullptr;  // a run of untouched members not yet copied
    const char* run_end = nullptr;
  };

  void separate(frame& f) {
    if (!f.first) out.push_back(',');
    f.first = false;
  }
  void flush(frame& f) {
    if (!f.run_begin) return;
    separate(f);
    copy_compact(std::string_view(f.run_begin, size_t(f.run_end - f.run_begin)));
    f.run_begin = nullptr;
  }

  // Writes node n; true when it is an edited container whose children the
  // caller must now walk (pushed as a frame), so no recursion follows the
  // payload's depth (a deep payload costs heap, not stack, here and in wasm).
  bool open(uint32_t n, std::vector<frame>& stack) {
    if (marks[n] == edit_mark::replace) {
      out += replacement.at(n);
      return false;
    }
    jtype type = t.type(n);
    if (type != jtype::object && type != jtype::array) {
      out.append(t.raw(n));  // a token as written has no whitespace outside strings
      return false;
    }
    if (untouched(n)) {
      copy_compact(t.span(n));
      return false;
    }
    bool object = type == jtype::object;
    out.push_back(object ? '{' : '[');
    stack.push_back(frame{n, t.first_child(n), object});
    return true;
  }

  // Inside an edited object, each run of consecutive untouched members is
  // copied in one go with the separators between them (most edited objects
  // lose or change one or two members), instead of token by token.
  void write(uint32_t root) {
    std::vector<frame> stack;
    if (!open(root, stack)) return;
    while (!stack.empty()) {
      frame& f = stack.back();
      if (f.next == npos) {
        flush(f);
        out.push_back(f.object ? '}' : ']');
        stack.pop_back();
        continue;
      }
      uint32_t c = f.next;
      f.next = t.next_sibling(f.node, c);
      if (marks[c] == edit_mark::drop) {
        flush(f);
        continue;
      }
      if (marks[c] == edit_mark::keep && untouched(c)) {
        std::string_view value = t.span(c);
        if (!f.run_begin) f.run_begin = f.object ? t.raw_key(c).data() : value.data();
        f.run_end = value.data() + value.size();
        continue;
      }
      flush(f);
      separate(f);
      if (f.object) {
        out.append(t.raw_key(c));
        out.push_back(':');
      }
      open(c, stack);  // may push: `f` is not used after this
    }
  }
};

}  // namespace

void emit(const json_tree& t, const std::vector<edit_mark>& marks,
          const std::unordered_map<uint32_t, std::string>& replacement, std::vector<uint32_t>& edited,
          std::string& out) {
  out.clear();
  if (t.empty()) return;
  std::sort(edited.begin(), edited.end());
  writer w{t, marks, replacement, edited, out};
  w.write(0);
}

}  // namespace keyhole::detail
