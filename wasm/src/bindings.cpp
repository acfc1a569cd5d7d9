// Thin Embind layer over keyhole.h: no filtering logic lives here.
//
// Memory protocol (one copy in, one copy out):
//   1. JS asks for a payload buffer of `size + padding()` bytes (reused across calls,
//      owned here), writes the payload bytes into wasm memory at that address;
//   2. JS calls filter/explain with the address, size and capacity and gets the status
//      code back (a plain int, so the hot path builds no JS object); when it is not 0,
//      lastStatus() gives the tagged result {code, pointer, message, offset};
//   3. on code 0, JS reads output() (a typed_memory_view into the filter's own
//      buffer, valid until the next call) and copies it out.
// Nothing here throws: this file is built with -fno-exceptions and the core returns
// status values. The core's catch-alls are inert under Emscripten's default
// (DISABLE_EXCEPTION_CATCHING=1), so an allocation failure inside it would end the
// instance; the JS wrapper turns that into an Error and refuses further calls.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>

#include "keyhole/keyhole.h"

namespace {

struct result {
  int code = 0;
  std::string pointer;
  std::string message;
  double offset = -1;   // a JS number (int64 would need BigInt)
  uint32_t handle = 0;  // the compiled policy, for compile_policy only
};

result from_status(const keyhole::status& st) {
  result r;
  r.code = static_cast<int>(st.code);
  r.pointer = st.pointer;
  r.message = st.message;
  r.offset = static_cast<double>(st.offset);
  return r;
}

// The status of the last filter/explain/audienceKey/validateClaims call.
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

// The payload buffer JS writes into; grows, never shrinks, until release_buffer().
char* g_buffer = nullptr;
size_t g_capacity = 0;

uint32_t buffer(uint32_t capacity) {
  if (capacity > g_capacity) {
    std::free(g_buffer);
    g_capacity = 0;
    g_buffer = static_cast<char*>(std::malloc(capacity));
    if (g_buffer == nullptr) return 0;
    g_capacity = capacity;
  }
  return reinterpret_cast<uintptr_t>(g_buffer);
}

void release_buffer() {
  std::free(g_buffer);
  g_buffer = nullptr;
  g_capacity = 0;
}

const keyhole::policy* as_policy(uint32_t handle) {
  return reinterpret_cast<const keyhole::policy*>(static_cast<uintptr_t>(handle));
}

result compile_policy(const std::string& text) {
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(text, st);
  result r = from_status(st);
  if (st.ok() && p.valid()) {
    auto* owned = new (std::nothrow) keyhole::policy(std::move(p));
    if (owned == nullptr) {
      r.code = static_cast<int>(keyhole::status_code::bad_policy);
      r.message = "out of memory";
      return r;
    }
    r.handle = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(owned));
  } else if (st.ok()) {
    r.code = static_cast<int>(keyhole::status_code::bad_policy);
    r.message = "policy did not compile";
  }
  return r;
}

void free_policy(uint32_t handle) { delete as_policy(handle); }

// Format names are parsed by the core; JS caches the number per name.
int format_code(const std::string& name) {
  keyhole::payload_format fmt;
  return keyhole::parse_format_name(name, fmt) ? static_cast<int>(fmt) : -1;
}

int run_filter(uint32_t handle, const std::string& claims, uint32_t data, uint32_t size,
               uint32_t capacity, int format) {
  return remember(the_filter().run(*as_policy(handle), claims,
                                   reinterpret_cast<const char*>(static_cast<uintptr_t>(data)),
                                   size, capacity, static_cast<keyhole::payload_format>(format)));
}

int run_explain(uint32_t handle, const std::string& claims, uint32_t data, uint32_t size,
                uint32_t capacity, int format) {
  return remember(the_filter().explain(*as_policy(handle), claims,
                                       reinterpret_cast<const char*>(static_cast<uintptr_t>(data)),
                                       size, capacity, static_cast<keyhole::payload_format>(format)));
}

int audience_key(uint32_t handle, const std::string& claims) {
  return remember(the_filter().audience_key(*as_policy(handle), claims));
}

int validate_claims(const std::string& claims) { return remember(keyhole::validate_claims(claims)); }

void set_limits(double max_depth, double max_payload_bytes) {
  keyhole::limits l;
  l.max_depth = static_cast<size_t>(max_depth);
  l.max_payload_bytes = static_cast<size_t>(max_payload_bytes);
  the_filter().set_limits(l);
}

// A view of the last output; JS copies it out before the next call.
emscripten::val output() {
  std::string_view out = the_filter().output();
  return emscripten::val(emscripten::typed_memory_view(
      out.size(), reinterpret_cast<const unsigned char*>(out.data())));
}

uint32_t padding() { return static_cast<uint32_t>(keyhole::filter::padding()); }
std::string version() { return keyhole::version(); }

}  // namespace

EMSCRIPTEN_BINDINGS(keyhole) {
  using namespace emscripten;
  value_object<result>("Result")
      .field("code", &result::code)
      .field("pointer", &result::pointer)
      .field("message", &result::message)
      .field("offset", &result::offset)
      .field("handle", &result::handle);
  function("compilePolicy", &compile_policy);
  function("freePolicy", &free_policy);
  function("buffer", &buffer);
  function("releaseBuffer", &release_buffer);
  function("filter", &run_filter);
  function("explain", &run_explain);
  function("audienceKey", &audience_key);
  function("validateClaims", &validate_claims);
  function("lastStatus", &last_status);
  function("formatCode", &format_code);
  function("setLimits", &set_limits);
  function("output", &output);
  function("padding", &padding);
  function("version", &version);
}
