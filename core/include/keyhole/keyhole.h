// Keyhole public C++ API.
//
// The core is free of I/O and of Emscripten: every entry point takes bytes and
// returns bytes plus a status value. No exception escapes this API (results are
// values, so the same calls can sit behind the WebAssembly boundary).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace keyhole {

// Status of a call. The numeric values are stable: the CLI maps them to exit
// codes and the WebAssembly layer to Error.code strings.
enum class status_code : int {
  ok = 0,
  bad_policy = 1,   // CLI exit 2, JS code "policy"
  bad_claims = 2,   // CLI exit 2, JS code "claims"
  payload_rejected = 3,  // CLI exit 3, JS code "payload"
  not_visible = 4,  // CLI exit 4, JS code "not-visible"
  bad_usage = 5,    // CLI exit 2, JS code "usage" (e.g. unknown format name)
  internal = 6,     // CLI exit 5, JS code "internal": a failure inside Keyhole, not the input's
};

// The CLI exit code for a status (SPEC §9): 0 done; 2 bad usage, policy or
// claims; 3 payload rejected; 4 the payload is one resource the viewer may not see.
int exit_code(status_code c) noexcept;

// What went wrong, where. `pointer` is a JSON pointer into the policy or claims
// document ("" when it does not apply); `offset` is a byte offset into the payload
// when the parser knows it (otherwise -1).
struct status {
  status_code code = status_code::ok;
  std::string pointer;
  std::string message;
  int64_t offset = -1;
  bool ok() const noexcept { return code == status_code::ok; }
};

// Payload formats. `automatic` detects from the top-level members.
enum class payload_format : int { automatic = 0, statuspage = 1, confluence = 2, jsm = 3 };

// Parses "auto" | "statuspage" | "confluence" | "jsm"; false when unknown.
bool parse_format_name(std::string_view name, payload_format& out) noexcept;

struct limits {
  size_t max_depth = 1024;              // nesting depth of any JSON document
  size_t max_payload_bytes = 64u << 20; // payloads above this fail closed
};

class compiled_policy;  // opaque, defined in the library
class compiled_viewer;  // opaque, defined in the library

// What filter::run() writes: the filtered payload, or, from a status payload
// that carries components, its status.json projection (SPEC §5: `status.json`
// "the edge answers from the filtered summary.json"): the root's `page` and
// recomputed `status` only.
enum class output_mode : int { payload = 0, status_json = 1 };

// An immutable, compiled policy. Cheap to copy (shared ownership); safe to use
// from many threads at once.
class policy {
 public:
  policy() = default;
  // Compiles a policy document (SPEC §4). On failure `st` names the JSON pointer.
  static policy compile(std::string_view json, status& st) noexcept;
  // The same, keeping `json` itself as the policy's copy of its text (no copy
  // when its capacity has room for padding_bytes() more).
  static policy compile(std::string&& json, status& st) noexcept;
  static policy compile(const char* json, status& st) noexcept { return compile(std::string_view(json), st); }
  // The slack after the text that parsing it in place needs.
  static size_t padding_bytes() noexcept;
  bool valid() const noexcept { return impl_ != nullptr; }
  const compiled_policy* impl() const noexcept { return impl_.get(); }
  // SPEC §5 `recompute-status` (default true): whether banners and group
  // statuses are recomputed from what the viewer sees.
  bool recomputes_status() const noexcept;

 private:
  friend class viewer;
  std::shared_ptr<const compiled_policy> impl_;
};

// A viewer's claims read (SPEC §1) and matched against one policy's atoms and
// audiences once, for any number of filter, explain and audience-key calls.
// Immutable and thread-safe like the policy, which it keeps alive.
class viewer {
 public:
  viewer() = default;
  static viewer compile(const policy& p, std::string_view claims_json, status& st) noexcept;
  bool valid() const noexcept { return impl_ != nullptr; }
  const compiled_viewer* impl() const noexcept { return impl_.get(); }

 private:
  std::shared_ptr<const compiled_viewer> impl_;
};

// A reusable filter. It owns its parser and output buffers, so repeated calls
// do not allocate once warm. Not thread-safe: one per thread.
class filter {
 public:
  filter();
  ~filter();
  filter(const filter&) = delete;
  filter& operator=(const filter&) = delete;

  void set_limits(const limits& l) noexcept;
  // run()/explain()/audience_key() with a policy and claims keep the viewer
  // they read last (a repeat of the same policy and claims bytes reuses it),
  // and with it that policy and those claims bytes: this lets them go now.
  void forget_last_viewer() noexcept;

  // Filters `payload` for the viewer described by `claims_json` ("{}" is the
  // anonymous viewer). When `capacity >= size + padding()` the bytes are parsed
  // in place (no copy); otherwise they are copied into an internal padded buffer.
  // On success output() holds the filtered, compact JSON.
  status run(const policy& p, std::string_view claims_json, const char* payload,
             size_t size, size_t capacity, payload_format format) noexcept;
  // The same for a compiled viewer (no claims to read), optionally writing the
  // status.json projection instead of the payload.
  status run(const viewer& v, const char* payload, size_t size, size_t capacity, payload_format format,
             output_mode mode = output_mode::payload) noexcept;

  // Like run(), but output() holds the explanation document (JSON): for every
  // resource, whether it is shown and the rule levels and atoms that decided it.
  status explain(const policy& p, std::string_view claims_json, const char* payload,
                 size_t size, size_t capacity, payload_format format) noexcept;
  status explain(const viewer& v, const char* payload, size_t size, size_t capacity,
                 payload_format format) noexcept;

  // The audience key (SPEC §10) of a viewer under a policy into output().
  // `format` is the payload format the key is for (the edge passes its
  // route's): status formats are decided by atoms and grants alone, while
  // knowledge-base formats (and `automatic`, which may be either) are also
  // decided by a payload's embedded restrictions, which name `sub` and groups.
  status audience_key(const policy& p, std::string_view claims_json,
                      payload_format format = payload_format::automatic) noexcept;
  status audience_key(const viewer& v, payload_format format = payload_format::automatic) noexcept;

  // Valid until the next call on this filter.
  std::string_view output() const noexcept;

  // Bytes of slack the parser needs after the payload to parse it in place.
  static size_t padding() noexcept;

  struct state;  // internal

 private:
  std::unique_ptr<state> state_;
};

// Checks a claims document alone (SPEC §1).
status validate_claims(std::string_view claims_json) noexcept;

const char* version() noexcept;

// Share links (SPEC §7), the eligibility rule in one place for every front end.
// The caller has already verified the token's signature; this reads what it signed.
// `token_body_json`: {"id": non-empty string, "resources": non-empty ["kind:id", ...]
// (grants as in SPEC §1), "emails": [string, ...], "domains": [string, ...] (at least one
// of the two non-empty), "exp": integer UNIX seconds}. Unknown or duplicate members
// and wrong types are errors. On success `grants_json` is a JSON array: the body's
// `resources` when the viewer (`claims_json`, SPEC §1) is signed in, has
// `email_verified: true` and an email with exactly one '@', `now_seconds < exp`, and
// the email, ASCII-lower-cased, equals a listed email (ASCII-lower-cased) or its domain
// (SPEC §1: after the '@', lower-cased, one trailing dot removed) equals a listed
// domain (the same normalisation); otherwise "[]". The same email code decides the
// `email:` and `domain:` atoms, so a link and a policy never disagree on a viewer.
// Errors: bad_claims with a pointer into the claims, or bad_claims with a pointer
// into the body and a message starting "share body:"; internal when out of memory.
status share_grants(std::string_view claims_json, std::string_view token_body_json,
                    int64_t now_seconds, std::string& grants_json) noexcept;

}  // namespace keyhole
