// The public API (keyhole.h): parsing, format detection, dispatch and output.
// Every entry point is noexcept; allocation failure is the only exception the
// standard library can throw here, and it is turned into a status.
#include "keyhole/keyhole.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "explain.h"
#include "filter_context.h"
#include "policy_compile.h"
#include "sha256.h"

// Where exceptions exist (native), allocation failure becomes a status; built
// with -fno-exceptions (WebAssembly) there is nothing to catch and it aborts
// the instance, which the JS layer reports and refuses further calls.
#if defined(__cpp_exceptions) || defined(__EXCEPTIONS)
#define KEYHOLE_TRY try
#define KEYHOLE_CATCH_ALL catch (...)
#else
#define KEYHOLE_TRY if (true)
#define KEYHOLE_CATCH_ALL else
#endif

namespace keyhole {

using namespace detail;

struct filter::state {
  simdjson::dom::parser payload_parser;
  simdjson::dom::parser small_parser;  // claims
  json_tree payload, claims;
  std::string padded;     // payload copy when the caller gave no slack
  std::string small_buf;  // claims copy (always small)
  std::vector<uint8_t> marks;
  std::vector<uint8_t> key_check;
  std::vector<uint32_t> edited;
  std::unordered_map<uint32_t, std::string> replacement;
  std::string output;
  limits lim;
  viewer who;
  matcher m;
  std::vector<explained> log;
};

namespace {

constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

status make(status_code c, std::string pointer, std::string message, int64_t offset = -1) {
  status s;
  s.code = c;
  s.pointer = std::move(pointer);
  s.message = std::move(message);
  s.offset = offset;
  return s;
}

status load_viewer(filter::state& s, const policy& p, std::string_view claims_json) {
  parse_error err;
  if (!parse_copy(s.small_parser, s.small_buf, claims_json, s.lim.max_depth, s.claims, err))
    return make(status_code::bad_claims, "", "claims: " + err.message);
  std::string pointer, message;
  if (!parse_viewer(s.claims, s.who, pointer, message)) return make(status_code::bad_claims, pointer, message);
  s.m.reset(*p.impl(), s.who);
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
  policy result;
  KEYHOLE_TRY {
    simdjson::dom::parser parser;
    std::string buf;
    json_tree tree;
    parse_error err;
    if (!parse_copy(parser, buf, json, 1024, tree, err)) {
      st = make(status_code::bad_policy, "", "policy: " + err.message);
      return result;
    }
    auto compiled = std::make_shared<compiled_policy>();
    std::string pointer, message;
    compiled->source.assign(json);
    if (!compile_policy(tree, *compiled, pointer, message)) {
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

status validate_claims(std::string_view claims_json) noexcept {
  KEYHOLE_TRY {
    simdjson::dom::parser parser;
    std::string buf;
    json_tree tree;
    parse_error err;
    if (!parse_copy(parser, buf, claims_json, 1024, tree, err))
      return make(status_code::bad_claims, "", "claims: " + err.message);
    viewer v;
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

size_t filter::padding() noexcept { return kPadding; }

std::string_view filter::output() const noexcept { return state_ ? std::string_view(state_->output) : std::string_view(); }

namespace {

status run_filter(filter::state& s, const policy& p, std::string_view claims_json, const char* payload, size_t size,
                  size_t capacity, payload_format format, bool explaining) {
  s.output.clear();
  s.log.clear();
  if (!p.valid()) return make(status_code::bad_policy, "", "no compiled policy");
  status vs = load_viewer(s, p, claims_json);
  if (!vs.ok()) return vs;
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
  if (!s.payload.build(s.payload_parser, data, size, s.lim.max_depth, err))
    return make(status_code::payload_rejected, "", "payload: " + err.message);

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

  s.marks.assign(s.payload.size(), 0);
  s.replacement.clear();
  s.key_check.assign(s.payload.size(), 0);
  s.edited.clear();
  filter_context c{s.payload, *p.impl(), s.m, explaining, explaining ? &s.log : nullptr, {}, {}, -1,
                   s.marks, s.replacement, s.key_check, false, s.edited};
  outcome o;
  if (kind == detected::statuspage) {
    c.format_name = "statuspage";
    o = filter_statuspage(c);
  } else {
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
  s.output.reserve(size);
  emit(s.payload, s.marks, s.replacement, s.edited, s.output);
  return {};
}

}  // namespace

namespace {

// Runs the filter (or the explanation) with no exception escaping and no
// output left behind on failure.
status guarded(filter::state* s, const policy& p, std::string_view claims_json, const char* payload, size_t size,
               size_t capacity, payload_format format, bool explaining) noexcept {
  if (!s) return make(status_code::internal, "", "out of memory");
  KEYHOLE_TRY {
    status st = run_filter(*s, p, claims_json, payload, size, capacity, format, explaining);
    if (!st.ok()) s->output.clear();
    return st;
  } KEYHOLE_CATCH_ALL {
    s->output.clear();
    return make(status_code::internal, "", "internal error");
  }
}

}  // namespace

status filter::run(const policy& p, std::string_view claims_json, const char* payload, size_t size, size_t capacity,
                   payload_format format) noexcept {
  return guarded(state_.get(), p, claims_json, payload, size, capacity, format, false);
}

status filter::explain(const policy& p, std::string_view claims_json, const char* payload, size_t size,
                       size_t capacity, payload_format format) noexcept {
  return guarded(state_.get(), p, claims_json, payload, size, capacity, format, true);
}

status filter::audience_key(const policy& p, std::string_view claims_json, payload_format format) noexcept {
  if (!state_) return make(status_code::internal, "", "out of memory");
  KEYHOLE_TRY {
    state_->output.clear();
    if (!p.valid()) return make(status_code::bad_policy, "", "no compiled policy");
    status vs = load_viewer(*state_, p, claims_json);
    if (!vs.ok()) return vs;
    const compiled_policy& cp = *p.impl();
    if (cp.canonical_hash().empty()) return make(status_code::internal, "", "internal error: the policy's hash");
    // Hash of: the policy's canonical content, the matched atoms, the grants,
    // and (when payload restrictions can name the viewer) sub and groups.
    sha256 h;
    auto field = [&](std::string_view s) {
      std::string len = std::to_string(s.size()) + ":";
      h.update(len);
      h.update(s);
    };
    field("keyhole-audience-v1");
    field(cp.canonical_hash());
    std::vector<std::string> matched;
    for (uint32_t i = 0; i < cp.atoms.size(); ++i)
      if (state_->m.atom_matched(i)) matched.push_back(cp.atoms[i].text);
    std::sort(matched.begin(), matched.end());
    field("atoms");
    for (auto& a : matched) field(a);
    field("grants");
    for (auto& g : state_->who.grants) field(g);
    // Embedded restrictions are on by default, with or without an articles
    // section: a knowledge-base payload's read restrictions can then decide
    // by sub and groups, so they are part of its key (finding E2). Status
    // payloads carry none, so their key stays per audience.
    if (cp.articles.embedded_restrictions && format != payload_format::statuspage) {
      field("restrictions");
      field(state_->who.signed_in ? state_->who.sub : std::string());
      std::vector<std::string> groups = state_->who.groups;
      std::sort(groups.begin(), groups.end());
      groups.erase(std::unique(groups.begin(), groups.end()), groups.end());
      for (auto& g : groups) field(g);
    }
    auto d = h.finish();
    state_->output = "kh1-" + to_hex(d.data(), 16);
    return {};
  } KEYHOLE_CATCH_ALL {
    return make(status_code::internal, "", "internal error");
  }
}

}  // namespace keyhole
