// Share links (SPEC §7). The edge verifies the HMAC; the core reads the signed body
// and decides, with the viewer's own email code (viewer.cpp), whether it opens. One
// rule for the `email:`/`domain:` atoms and for links: ASCII case folding only, so
// a look-alike such as U+212A KELVIN SIGN never turns into "k" (finding E3).
#include "share_link.h"

#include <algorithm>
#include <charconv>
#include <new>

#include "keyhole/keyhole.h"

#include "no_throw.h"

namespace keyhole::detail {

namespace {

struct body_reader {
  const json_tree& t;
  std::string& pointer;
  std::string& message;

  bool fail(std::string p, std::string m) {
    pointer = std::move(p);
    message = "share body: " + std::move(m);
    return false;
  }

  // A list of non-empty strings, each passed through `normalise`.
  template <class Normalise>
  bool strings(uint32_t node, const std::string& p, std::vector<std::string>& out, Normalise normalise) {
    if (!t.is_array(node)) return fail(p, "must be an array of strings");
    size_t i = 0;
    for (uint32_t c = t.first_child(node); c != npos; c = t.next_sibling(node, c), ++i) {
      std::string item = p + "/" + std::to_string(i);
      if (!t.is_string(c) || t.str(c).empty()) return fail(item, "must be a non-empty string");
      out.push_back(normalise(t.str(c)));
      if (out.back().empty()) return fail(item, "must not be empty once normalised");
    }
    return true;
  }

  // JSON integers only: "1.7e9" or 1e3 would be a guess at what the minter meant.
  bool integer(uint32_t node, const std::string& p, int64_t& out) {
    if (t.type(node) != jtype::number) return fail(p, "must be an integer (UNIX seconds)");
    std::string_view raw = t.raw(node);
    auto [end, ec] = std::from_chars(raw.data(), raw.data() + raw.size(), out);
    if (ec != std::errc() || end != raw.data() + raw.size()) return fail(p, "must be an integer (UNIX seconds)");
    return true;
  }

  bool member(std::string_view k, uint32_t c, share_body& b, bool& has_id) {
    std::string p = "/" + pointer_token(k);
    auto keep = [](std::string_view s) { return std::string(s); };
    if (k == "id") {
      if (!t.is_string(c) || t.str(c).empty()) return fail(p, "id must be a non-empty string");
      has_id = true;
      return true;
    }
    if (k == "resources") {
      if (!strings(c, p, b.resources, keep)) return false;
      for (size_t i = 0; i < b.resources.size(); ++i)
        if (!valid_grant(b.resources[i]))
          return fail(p + "/" + std::to_string(i), "a resource must be component:, incident:, maintenance: or article: and an id");
      return true;
    }
    if (k == "emails") return strings(c, p, b.emails, ascii_lower);
    if (k == "domains") return strings(c, p, b.domains, normalise_domain);
    if (k == "exp") return integer(c, p, b.exp);
    return fail(p, "unknown member");
  }
};

}  // namespace

bool parse_share_body(const json_tree& t, share_body& b, std::string& pointer, std::string& message) {
  body_reader r{t, pointer, message};
  b = share_body{};
  if (!t.is_object(0)) return r.fail("", "must be a JSON object");
  std::string_view duplicate;
  if (first_duplicate_key(t, 0, duplicate)) return r.fail("/" + pointer_token(duplicate), "duplicate member");
  bool has_id = false;
  for (uint32_t c = t.first_child(0); c != npos; c = t.next_sibling(0, c))
    if (!r.member(t.key(c), c, b, has_id)) return false;
  if (!has_id) return r.fail("/id", "id is required");
  if (t.member(0, "exp") == npos) return r.fail("/exp", "exp is required");
  if (b.resources.empty()) return r.fail("/resources", "at least one resource is required");
  if (b.emails.empty() && b.domains.empty()) return r.fail("", "emails or domains must list someone");
  return true;
}

bool share_opens_for(const share_body& b, const viewer& v, int64_t now_seconds) {
  if (!v.email_matchable() || !(now_seconds < b.exp)) return false;
  auto listed = [](const std::vector<std::string>& xs, const std::string& x) {
    return std::find(xs.begin(), xs.end(), x) != xs.end();
  };
  return listed(b.emails, v.email_lower) || listed(b.domains, v.domain);
}

}  // namespace keyhole::detail

namespace keyhole {

namespace {

status failure(status_code c, std::string pointer, std::string message) {
  status s;
  s.code = c;
  s.pointer = std::move(pointer);
  s.message = std::move(message);
  return s;
}

// Parses `json` (a small document) with `parser`, into `tree` borrowing `buf`.
bool parse_small(detail::json_parser& parser, std::string& buf, std::string_view json,
                 detail::json_tree& tree, std::string& message) {
  detail::parse_error err;
  if (detail::parse_copy(parser, buf, json, 1024, tree, err)) return true;
  message = err.message;
  return false;
}

}  // namespace

status share_grants(std::string_view claims_json, std::string_view token_body_json,
                    int64_t now_seconds, std::string& grants_json) noexcept {
  using namespace detail;
  KEYHOLE_TRY {
    grants_json = "[]";
    json_parser parser;
    std::string claims_buf, body_buf, pointer, message;
    json_tree claims, body;
    detail::viewer v;
    if (!parse_small(parser, claims_buf, claims_json, claims, message))
      return failure(status_code::bad_claims, "", "claims: " + message);
    if (!parse_viewer(claims, v, pointer, message)) return failure(status_code::bad_claims, pointer, message);
    // The claims tree borrows the parser's tape; the viewer holds copies, so reuse it.
    share_body b;
    if (!parse_small(parser, body_buf, token_body_json, body, message))
      return failure(status_code::bad_claims, "", "share body: " + message);
    if (!parse_share_body(body, b, pointer, message)) return failure(status_code::bad_claims, pointer, message);
    if (!share_opens_for(b, v, now_seconds)) return {};
    grants_json = "[";
    for (size_t i = 0; i < b.resources.size(); ++i) {
      if (i) grants_json.push_back(',');
      append_json_string(grants_json, b.resources[i]);
    }
    grants_json.push_back(']');
    return {};
  } KEYHOLE_CATCH_ALL {
    grants_json = "[]";
    return failure(status_code::internal, "", "internal error while reading a share link");
  }
}

}  // namespace keyhole
