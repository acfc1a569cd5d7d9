// The public API (keyhole.h): parsing, format detection, dispatch and output.
// Every entry point is noexcept; allocation failure is the only exception the
// standard library can throw here, and it is turned into a status.
#include "keyhole/keyhole.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <optional>

#include "compiled_viewer.h"
#include "explain.h"
#include "filter_context.h"
#include "policy_compile.h"
#include "section_atoms.h"
#include "sha256.h"

#include "no_throw.h"

namespace keyhole {

using namespace detail;

struct filter::state {
  json_parser payload_parser;
  json_parser small_parser;  // claims
  json_tree payload, claims;
  std::string padded;     // payload copy when the caller gave no slack
  std::string small_buf;  // claims copy (always small)
  std::vector<edit_mark> marks;
  std::vector<key_state> key_check;
  std::vector<uint32_t> edited;
  std::unordered_map<uint32_t, std::string> replacement;
  std::string output;
  limits lim;
  detail::viewer who;
  matcher m;
  // What `who` and `m` were read from (load_viewer): the policy (held, so
  // its address cannot be reused while compared), the claims bytes and the
  // depth limit they were read under. An invalid policy: nothing read.
  policy viewer_policy;
  std::string viewer_claims;
  size_t viewer_depth = 0;
  std::vector<explained> log;
};

namespace {

constexpr size_t kPadding = json_parser::padding();

status make(status_code c, std::string pointer, std::string message, int64_t offset = -1) {
  status s;
  s.code = c;
  s.pointer = std::move(pointer);
  s.message = std::move(message);
  s.offset = offset;
  return s;
}

// Reads and matches the claims into s.who and s.m. A viewer depends on the
// policy and the claims bytes only, so a repeat of the last call's pair is
// not read and matched again: a policy's atoms cost once per viewer, not
// once per call (issue 13), for callers that pass claims, not a viewer.
status load_viewer(filter::state& s, const policy& p, std::string_view claims_json) {
  if (s.viewer_policy.impl() == p.impl() && s.viewer_depth == s.lim.max_depth && s.viewer_claims == claims_json)
    return {};
  s.viewer_policy = policy{};  // nothing read until this read succeeds
  parse_error err;
  if (!parse_copy(s.small_parser, s.small_buf, claims_json, s.lim.max_depth, s.claims, err))
    return make(status_code::bad_claims, "", "claims: " + err.message);
  std::string pointer, message;
  if (!parse_viewer(s.claims, s.who, pointer, message)) return make(status_code::bad_claims, pointer, message);
  s.m.reset(*p.impl(), s.who);
  s.viewer_policy = p;
  s.viewer_claims.assign(claims_json);
  s.viewer_depth = s.lim.max_depth;
  return {};
}

enum class detected { unknown, statuspage, confluence, jsm };

detected detect(const json_tree& t) {
  if (!t.is_object(0)) return detected::unknown;
  bool status = false, jsm = false, confluence = false;
  for (uint32_t c = t.first_child(0); c != npos; c = t.next_sibling(0, c)) {
    std::string_view k = t.key(c);
    // Confluence content has a string `status` ("current"); Statuspage's is an object.
    if (k == "page" || k == "incident_updates" || k == "components" || k == "incidents" ||
        k == "scheduled_maintenances" || (k == "status" && t.is_object(c)))
      status = true;
    else if (k == "values") jsm = true;
    else if (k == "results") confluence = true;
  }
  if (status + jsm + confluence != 1) {
    // A single content object (v1 or v2 page) has an id and a title or type.
    if (!status && !jsm && !confluence && t.member(0, "id") != npos &&
        (t.member(0, "title") != npos || t.member(0, "type") != npos || t.member(0, "spaceId") != npos))
      return detected::confluence;
    return detected::unknown;
  }
  return status ? detected::statuspage : jsm ? detected::jsm : detected::confluence;
}

}  // namespace

bool parse_format_name(std::string_view name, payload_format& out) noexcept {
  if (name == "auto") out = payload_format::automatic;
  else if (name == "statuspage") out = payload_format::statuspage;
  else if (name == "confluence") out = payload_format::confluence;
  else if (name == "jsm") out = payload_format::jsm;
  else return false;
  return true;
}

const char* version() noexcept { return "0.1.0"; }

int exit_code(status_code c) noexcept {
  switch (c) {
    case status_code::ok: return 0;
    case status_code::payload_rejected: return 3;
    case status_code::not_visible: return 4;
    case status_code::internal: return 5;
    default: return 2;
  }
}

policy policy::compile(std::string_view json, status& st) noexcept {
  std::string copy;
  KEYHOLE_TRY {
    copy.reserve(json.size() + kPadding);
    copy.assign(json);
  } KEYHOLE_CATCH_ALL {
    st = make(status_code::internal, "", "internal error while compiling the policy");
    return policy();
  }
  return compile(std::move(copy), st);
}

size_t policy::padding_bytes() noexcept { return kPadding; }

policy policy::compile(std::string&& json_text, status& st) noexcept {
  policy result;
  KEYHOLE_TRY {
    // The policy's own copy of its text (kept for canonical_hash(), and the
    // rule maps' names point into it) is the one parsed: padded while
    // compiling, trimmed after.
    auto compiled = std::make_shared<compiled_policy>();
    compiled->source = std::move(json_text);
    const size_t length = compiled->source.size();
    compiled->source.append(kPadding, '\0');
    json_parser parser;
    json_tree tree;
    parse_error err;
    bool parsed = tree.build(parser, compiled->source.data(), length, 1024, err);
    if (!parsed) {
      st = make(status_code::bad_policy, "", "policy: " + err.message);
      return result;
    }
    std::string pointer, message;
    bool compiled_ok = compile_policy(tree, *compiled, pointer, message);
    if (compiled_ok) collect_section_atoms(*compiled);
    compiled->source.resize(length);  // no reallocation: the tree is not used again
    if (!compiled_ok) {
      st = make(status_code::bad_policy, pointer, message);
      return result;
    }
    result.impl_ = std::move(compiled);
    st = {};
  } KEYHOLE_CATCH_ALL {
    st = make(status_code::internal, "", "internal error while compiling the policy");
    result.impl_.reset();
  }
  return result;
}

bool policy::recomputes_status() const noexcept { return impl_ && impl_->status.recompute_status; }

keyhole::viewer keyhole::viewer::compile(const policy& p, std::string_view claims_json, status& st) noexcept {
  keyhole::viewer result;
  KEYHOLE_TRY {
    if (!p.valid()) {
      st = make(status_code::bad_policy, "", "no compiled policy");
      return result;
    }
    json_parser parser;
    std::string buf;
    json_tree tree;
    parse_error err;
    if (!parse_copy(parser, buf, claims_json, 1024, tree, err)) {
      st = make(status_code::bad_claims, "", "claims: " + err.message);
      return result;
    }
    auto cv = std::make_shared<compiled_viewer>();
    std::string pointer, message;
    if (!parse_viewer(tree, cv->who, pointer, message)) {
      st = make(status_code::bad_claims, pointer, message);
      return result;
    }
    cv->policy = p.impl_;
    cv->m.reset(*cv->policy, cv->who);
    result.impl_ = std::move(cv);
    st = {};
  } KEYHOLE_CATCH_ALL {
    st = make(status_code::internal, "", "internal error while reading claims");
    result.impl_.reset();
  }
  return result;
}

status validate_claims(std::string_view claims_json) noexcept {
  KEYHOLE_TRY {
    json_parser parser;
    std::string buf;
    json_tree tree;
    parse_error err;
    if (!parse_copy(parser, buf, claims_json, 1024, tree, err))
      return make(status_code::bad_claims, "", "claims: " + err.message);
    detail::viewer v;
    std::string pointer, message;
    if (!parse_viewer(tree, v, pointer, message)) return make(status_code::bad_claims, pointer, message);
    return {};
  } KEYHOLE_CATCH_ALL {
    return make(status_code::internal, "", "internal error while reading claims");
  }
}

filter::filter() : state_(new (std::nothrow) state) {}
filter::~filter() = default;

void filter::set_limits(const limits& l) noexcept {
  if (state_) state_->lim = l;
}

void filter::forget_last_viewer() noexcept {
  if (!state_) return;
  state_->viewer_policy = policy{};
  state_->viewer_claims.clear();
  state_->viewer_claims.shrink_to_fit();
  state_->small_buf.clear();
  state_->small_buf.shrink_to_fit();
}

size_t filter::padding() noexcept { return kPadding; }

std::string_view filter::output() const noexcept { return state_ ? std::string_view(state_->output) : std::string_view(); }

namespace {

// What one call asks for.
struct call {
  const compiled_policy& policy;
  const matcher& m;
  payload_format format;
  output_mode mode;
  bool explaining;
};

status run_parsed(filter::state& s, const call& k, filter_context& c, status_run* status, size_t size);

status run_filter(filter::state& s, const call& k, const char* payload, size_t size, size_t capacity) {
  s.output.clear();
  s.log.clear();
  if (size > s.lim.max_payload_bytes)
    return make(status_code::payload_rejected, "", "payload larger than the limit of " +
                                                       std::to_string(s.lim.max_payload_bytes) + " bytes");
  const char* data = payload;
  if (capacity < size + kPadding) {
    s.padded.assign(payload, size);
    s.padded.append(kPadding, '\0');
    data = s.padded.data();
    capacity = s.padded.size();
  }
  parse_error err;
  // Member names are classified as they are read, for the status filter. A
  // payload the caller names a knowledge base (the edge passes its route's
  // format) skips that; detected automatically, it pays a lookup per name.
  bool knowledge_base = k.format == payload_format::confluence || k.format == payload_format::jsm;
  const field_table* names = knowledge_base ? nullptr : &field_table::api();
  filter_context c{s.payload, k.policy, k.m, k.explaining, k.explaining ? &s.log : nullptr, {}, {}, -1,
                   s.marks, s.replacement, s.key_check, false, s.edited};
  // A payload that may be a status page is learnt as its tree is built (status_run).
  std::optional<status_run> status;
  if (!knowledge_base) status.emplace(c);
  if (!s.payload.build(s.payload_parser, data, size, s.lim.max_depth, err, names, status ? &*status : nullptr))
    return make(status_code::payload_rejected, "", "payload: " + err.message);
  return run_parsed(s, k, c, status ? &*status : nullptr, size);
}

status run_parsed(filter::state& s, const call& k, filter_context& c, status_run* status, size_t size) {
  payload_format format = k.format;
  bool explaining = k.explaining;

  detected kind = detect(s.payload);
  switch (format) {
    case payload_format::automatic: break;
    case payload_format::statuspage:
      if (kind != detected::statuspage) kind = detected::unknown;
      break;
    case payload_format::confluence:
      if (kind != detected::confluence) kind = detected::unknown;
      break;
    case payload_format::jsm:
      if (kind != detected::jsm) kind = detected::unknown;
      break;
  }
  if (kind == detected::unknown) return make(status_code::payload_rejected, "", "payload: unknown or mismatched format");

  outcome o;
  if (kind == detected::statuspage) {
    // Written as decided: no edit marks, no duplicate-check states per node.
    c.out = &s.output;
    c.status_json = k.mode == output_mode::status_json;
    c.format_name = "statuspage";
    o = status ? status->finish() : filter_statuspage(c);
  } else {
    s.marks.assign(s.payload.size(), edit_mark::keep);
    s.replacement.clear();
    s.key_check.assign(s.payload.size(), key_state::unchecked);
    s.edited.clear();
    c.format_name = kind == detected::jsm ? "jsm" : "confluence";
    o = filter_knowledge_base(c);
  }
  if (o == outcome::rejected)
    return make(status_code::payload_rejected, "", "payload: " + c.reject_reason, c.reject_offset);
  if (explaining) {
    explain_json(s.log, c.format_name, c.withheld, s.output);
    return {};
  }
  if (o == outcome::not_visible) return make(status_code::not_visible, "", "the payload is one resource the viewer may not see");
  if (k.mode == output_mode::status_json && (kind != detected::statuspage || c.projection_refused))
    return make(status_code::payload_rejected, "", "payload: status.json is answered from a status payload with components and a status object (summary.json)");
  if (kind == detected::statuspage) return {};  // written by the filter
  s.output.reserve(size);
  emit(s.payload, s.marks, s.replacement, s.edited, s.output);
  return {};
}

}  // namespace

namespace {

// Runs `body` with no exception escaping and no output left behind on failure.
template <class Body>
status guarded(filter::state* s, Body&& body) noexcept {
  if (!s) return make(status_code::internal, "", "out of memory");
  KEYHOLE_TRY {
    status st = body(*s);
    if (!st.ok()) s->output.clear();
    return st;
  } KEYHOLE_CATCH_ALL {
    s->output.clear();
    return make(status_code::internal, "", "internal error");
  }
}

// A call with claims: read them for this call only.
status with_claims(filter::state& s, const policy& p, std::string_view claims_json, const char* payload, size_t size,
                   size_t capacity, payload_format format, bool explaining) {
  s.output.clear();
  if (!p.valid()) return make(status_code::bad_policy, "", "no compiled policy");
  status vs = load_viewer(s, p, claims_json);
  if (!vs.ok()) return vs;
  return run_filter(s, call{*p.impl(), s.m, format, output_mode::payload, explaining}, payload, size, capacity);
}

status with_viewer(filter::state& s, const keyhole::viewer& v, const char* payload, size_t size, size_t capacity,
                   payload_format format, output_mode mode, bool explaining) {
  s.output.clear();
  if (!v.valid()) return make(status_code::bad_claims, "", "no compiled viewer");
  const compiled_viewer& cv = *v.impl();
  return run_filter(s, call{*cv.policy, cv.m, format, mode, explaining}, payload, size, capacity);
}

}  // namespace

status filter::run(const policy& p, std::string_view claims_json, const char* payload, size_t size, size_t capacity,
                   payload_format format) noexcept {
  return guarded(state_.get(), [&](state& s) { return with_claims(s, p, claims_json, payload, size, capacity, format, false); });
}

status filter::explain(const policy& p, std::string_view claims_json, const char* payload, size_t size,
                       size_t capacity, payload_format format) noexcept {
  return guarded(state_.get(), [&](state& s) { return with_claims(s, p, claims_json, payload, size, capacity, format, true); });
}

status filter::run(const keyhole::viewer& v, const char* payload, size_t size, size_t capacity, payload_format format,
                   output_mode mode) noexcept {
  return guarded(state_.get(), [&](state& s) { return with_viewer(s, v, payload, size, capacity, format, mode, false); });
}

status filter::explain(const keyhole::viewer& v, const char* payload, size_t size, size_t capacity,
                       payload_format format) noexcept {
  return guarded(state_.get(),
                 [&](state& s) { return with_viewer(s, v, payload, size, capacity, format, output_mode::payload, true); });
}

status filter::audience_key(const policy& p, std::string_view claims_json, payload_format format) noexcept {
  if (!state_) return make(status_code::internal, "", "out of memory");
  KEYHOLE_TRY {
    state_->output.clear();
    if (!p.valid()) return make(status_code::bad_policy, "", "no compiled policy");
    status vs = load_viewer(*state_, p, claims_json);
    if (!vs.ok()) return vs;
    state_->output = audience_key_of(*p.impl(), state_->who, state_->m, format);
    if (state_->output.empty()) return make(status_code::internal, "", "internal error: the policy's hash");
    return {};
  } KEYHOLE_CATCH_ALL {
    return make(status_code::internal, "", "internal error");
  }
}

status filter::audience_key(const keyhole::viewer& v, payload_format format) noexcept {
  if (!state_) return make(status_code::internal, "", "out of memory");
  KEYHOLE_TRY {
    state_->output.clear();
    if (!v.valid()) return make(status_code::bad_claims, "", "no compiled viewer");
    const compiled_viewer& cv = *v.impl();
    state_->output = audience_key_of(*cv.policy, cv.who, cv.m, format);
    if (state_->output.empty()) return make(status_code::internal, "", "internal error: the policy's hash");
    return {};
  } KEYHOLE_CATCH_ALL {
    return make(status_code::internal, "", "internal error");
  }
}

}  // namespace keyhole
