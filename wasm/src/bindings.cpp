// Thin Embind layer over keyhole.h: no filtering logic lives here.
//
// Memory protocol (one copy in, one copy out):
//   1. JS asks for staging buffers owned here: `payloadBuffer(capacity)` (size + padding(),
//      so simdjson parses in place) and `textBuffer(capacity)` for the small documents
//      (policy, claims, share body). It writes UTF-8 bytes straight into wasm memory
//      (TextEncoder.encodeInto for strings, so a lone surrogate becomes U+FFFD exactly as
//      natively; finding W1) and passes addresses and lengths, never JS strings;
//   2. the entry points return the status code as a plain int (the hot path builds no JS
//      object); when it is not 0, lastStatus() gives {code, pointer, message, offset};
//   3. on code 0, JS reads output() (a typed_memory_view into the last result, valid until
//      the next call) and copies it out.
// Nothing here throws: this file is built with -fno-exceptions and the core returns
// status values. The core's catch-alls are inert under Emscripten's default
// (DISABLE_EXCEPTION_CATCHING=1), so an allocation failure inside it ends the instance;
// the JS wrapper turns that (and any trap) into KeyholeError "internal" and refuses
// further calls.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <string>
#include <string_view>

#include "keyhole/keyhole.h"

namespace {

using keyhole::status_code;

struct result {
  int code = 0;
  std::string pointer;
  std::string message;
  double offset = -1;   // a JS number (int64 would need BigInt)
  uint32_t handle = 0;  // the compiled policy or viewer, for compile_policy / compile_viewer only
};

result from_status(const keyhole::status& st) {
  result r;
  r.code = static_cast<int>(st.code);
  r.pointer = st.pointer;
  r.message = st.message;
  r.offset = static_cast<double>(st.offset);
  return r;
}

// The status of the last call that returns a code.
keyhole::status g_last;

int remember(keyhole::status st) {
  g_last = std::move(st);
  return static_cast<int>(g_last.code);
}

result last_status() { return from_status(g_last); }

// One filter per module instance (a wasm instance runs on one thread).
keyhole::filter& the_filter() {
  static keyhole::filter* f = new keyhole::filter();
  return *f;
}

// A buffer JS writes into; grows, never shrinks, until release().
struct staging {
  char* data = nullptr;
  size_t capacity = 0;

  uint32_t at_least(uint32_t wanted) {
    if (wanted > capacity) {
      release();
      data = static_cast<char*>(std::malloc(wanted));
      if (data == nullptr) return 0;
      capacity = wanted;
    }
    return static_cast<uint32_t>(reinterpret_cast<uintptr_t>(data));
  }
  void release() {
    std::free(data);
    data = nullptr;
    capacity = 0;
  }
};

staging g_payload, g_text;
std::string g_grants;  // the last shareGrants() result
bool g_output_is_grants = false;

uint32_t payload_buffer(uint32_t capacity) { return g_payload.at_least(capacity); }
uint32_t text_buffer(uint32_t capacity) { return g_text.at_least(capacity); }

void release_buffers() {
  g_payload.release();
  g_text.release();
  the_filter().forget_last_viewer();  // the last claims bytes too
}

const char* at(uint32_t address) { return reinterpret_cast<const char*>(static_cast<uintptr_t>(address)); }
std::string_view text(uint32_t address, uint32_t size) { return std::string_view(at(address), size); }

const keyhole::policy* as_policy(uint32_t handle) {
  return reinterpret_cast<const keyhole::policy*>(static_cast<uintptr_t>(handle));
}

result compile_policy(uint32_t address, uint32_t size) {
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(text(address, size), st);
  result r = from_status(st);
  if (st.ok() && p.valid()) {
    auto* owned = new (std::nothrow) keyhole::policy(std::move(p));
    if (owned == nullptr) {
      r.code = static_cast<int>(status_code::internal);
      r.message = "out of memory";
      return r;
    }
    r.handle = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(owned));
  } else if (st.ok()) {
    r.code = static_cast<int>(status_code::internal);
    r.message = "policy did not compile";
  }
  return r;
}

// The filter's last viewer keeps its policy and claims alive: a disposed
// policy goes now, not at the next call with another one.
void free_policy(uint32_t handle) {
  the_filter().forget_last_viewer();
  delete as_policy(handle);
}

bool recomputes_status(uint32_t handle) { return as_policy(handle)->recomputes_status(); }

const keyhole::viewer* as_viewer(uint32_t handle) {
  return reinterpret_cast<const keyhole::viewer*>(static_cast<uintptr_t>(handle));
}

// A compiled viewer shares ownership of the compiled policy (keyhole.h), so it stays
// valid after freePolicy() of the handle it was made from.
result compile_viewer(uint32_t policy, uint32_t claims, uint32_t claims_size) {
  keyhole::status st;
  keyhole::viewer v = keyhole::viewer::compile(*as_policy(policy), text(claims, claims_size), st);
  result r = from_status(st);
  if (!st.ok()) return r;
  auto* owned = v.valid() ? new (std::nothrow) keyhole::viewer(std::move(v)) : nullptr;
  if (owned == nullptr) {
    r.code = static_cast<int>(status_code::internal);
    r.message = v.valid() ? "out of memory" : "viewer did not compile";
    return r;
  }
  r.handle = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(owned));
  return r;
}

void free_viewer(uint32_t handle) { delete as_viewer(handle); }

// Format names are parsed by the core; JS caches the number per name.
int format_code(const std::string& name) {
  keyhole::payload_format fmt;
  return keyhole::parse_format_name(name, fmt) ? static_cast<int>(fmt) : -1;
}

int run_filter(uint32_t handle, uint32_t claims, uint32_t claims_size, uint32_t data, uint32_t size,
               uint32_t capacity, int format) {
  g_output_is_grants = false;
  return remember(the_filter().run(*as_policy(handle), text(claims, claims_size), at(data), size, capacity,
                                   static_cast<keyhole::payload_format>(format)));
}

int run_explain(uint32_t handle, uint32_t claims, uint32_t claims_size, uint32_t data, uint32_t size,
                uint32_t capacity, int format) {
  g_output_is_grants = false;
  return remember(the_filter().explain(*as_policy(handle), text(claims, claims_size), at(data), size, capacity,
                                       static_cast<keyhole::payload_format>(format)));
}

// `format`: the payload format the key is for (knowledge-base keys also cover sub and groups).
int audience_key(uint32_t handle, uint32_t claims, uint32_t claims_size, int format) {
  g_output_is_grants = false;
  return remember(the_filter().audience_key(*as_policy(handle), text(claims, claims_size),
                                            static_cast<keyhole::payload_format>(format)));
}

// `mode`: keyhole::output_mode (0 payload, 1 status.json).
int viewer_filter(uint32_t handle, uint32_t data, uint32_t size, uint32_t capacity, int format, int mode) {
  g_output_is_grants = false;
  return remember(the_filter().run(*as_viewer(handle), at(data), size, capacity,
                                   static_cast<keyhole::payload_format>(format),
                                   static_cast<keyhole::output_mode>(mode)));
}

int viewer_explain(uint32_t handle, uint32_t data, uint32_t size, uint32_t capacity, int format) {
  g_output_is_grants = false;
  return remember(the_filter().explain(*as_viewer(handle), at(data), size, capacity,
                                       static_cast<keyhole::payload_format>(format)));
}

int viewer_audience_key(uint32_t handle, int format) {
  g_output_is_grants = false;
  return remember(the_filter().audience_key(*as_viewer(handle), static_cast<keyhole::payload_format>(format)));
}

int validate_claims(uint32_t claims, uint32_t claims_size) {
  return remember(keyhole::validate_claims(text(claims, claims_size)));
}

// `now_seconds` is a JS number: JS passes a finite integer (it floors and checks).
int share_grants(uint32_t claims, uint32_t claims_size, uint32_t body, uint32_t body_size, double now_seconds) {
  g_output_is_grants = true;
  if (!std::isfinite(now_seconds)) {
    g_grants = "[]";
    return remember({status_code::bad_usage, "", "now must be a finite number of seconds", -1});
  }
  return remember(keyhole::share_grants(text(claims, claims_size), text(body, body_size),
                                        static_cast<int64_t>(now_seconds), g_grants));
}

void set_limits(double max_depth, double max_payload_bytes) {
  keyhole::limits l;
  l.max_depth = static_cast<size_t>(max_depth);
  l.max_payload_bytes = static_cast<size_t>(max_payload_bytes);
  the_filter().set_limits(l);
}

// A view of the last output; JS copies it out before the next call.
emscripten::val output() {
  std::string_view out = g_output_is_grants ? std::string_view(g_grants) : the_filter().output();
  return emscripten::val(emscripten::typed_memory_view(out.size(), reinterpret_cast<const unsigned char*>(out.data())));
}

uint32_t padding() { return static_cast<uint32_t>(keyhole::filter::padding()); }
std::string version() { return keyhole::version(); }

}  // namespace

EMSCRIPTEN_BINDINGS(keyhole) {
  using namespace emscripten;
  // The JS error codes, named here from the core's enum so index.js keeps no copy.
  enum_<status_code>("StatusCode")
      .value("ok", status_code::ok)
      .value("policy", status_code::bad_policy)
      .value("claims", status_code::bad_claims)
      .value("payload", status_code::payload_rejected)
      .value("not-visible", status_code::not_visible)
      .value("usage", status_code::bad_usage)
      .value("internal", status_code::internal);
  value_object<result>("Result")
      .field("code", &result::code)
      .field("pointer", &result::pointer)
      .field("message", &result::message)
      .field("offset", &result::offset)
      .field("handle", &result::handle);
  function("compilePolicy", &compile_policy);
  function("freePolicy", &free_policy);
  // The output modes, named from the core's enum like the status codes.
  enum_<keyhole::output_mode>("OutputMode")
      .value("payload", keyhole::output_mode::payload)
      .value("status-json", keyhole::output_mode::status_json);
  function("recomputesStatus", &recomputes_status);
  function("compileViewer", &compile_viewer);
  function("freeViewer", &free_viewer);
  function("viewerFilter", &viewer_filter);
  function("viewerExplain", &viewer_explain);
  function("viewerAudienceKey", &viewer_audience_key);
  function("payloadBuffer", &payload_buffer);
  function("textBuffer", &text_buffer);
  function("releaseBuffers", &release_buffers);
  function("filter", &run_filter);
  function("explain", &run_explain);
  function("audienceKey", &audience_key);
  function("validateClaims", &validate_claims);
  function("shareGrants", &share_grants);
  function("lastStatus", &last_status);
  function("formatCode", &format_code);
  function("setLimits", &set_limits);
  function("output", &output);
  function("padding", &padding);
  function("version", &version);
}
