#include "viewer.h"

#include <algorithm>

namespace keyhole::detail {

std::string ascii_lower(std::string_view s) {
  std::string r(s);
  for (char& c : r)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return r;
}

std::string normalise_domain(std::string_view d) {
  std::string r = ascii_lower(d);
  if (!r.empty() && r.back() == '.') r.pop_back();
  return r;
}

bool first_duplicate_key(const json_tree& t, uint32_t obj, std::string_view& key) {
  if (t.unique_keys(obj)) return false;
  uint32_t dup = t.first_duplicate(obj);  // n log n: claims may be large
  if (dup != npos) key = t.key(dup);
  return true;
}

bool valid_grant(std::string_view g) {
  size_t colon = g.find(':');
  if (colon == std::string_view::npos || colon + 1 >= g.size()) return false;
  std::string_view kind = g.substr(0, colon);
  return kind == "component" || kind == "incident" || kind == "maintenance" || kind == "article";
}

std::string pointer_token(std::string_view key) {
  std::string r;
  for (char c : key) {
    if (c == '~') r += "~0";
    else if (c == '/') r += "~1";
    else r.push_back(c);
  }
  return r;
}

bool viewer::has_grant(std::string_view kind, std::string_view id) const {
  if (grants.empty()) return false;  // most viewers: no string to build per resource
  std::string g;
  g.reserve(kind.size() + 1 + id.size());
  g.append(kind).push_back(':');
  g.append(id);
  return std::binary_search(grants.begin(), grants.end(), g);
}

bool viewer::in_group(std::string_view g) const {
  return std::binary_search(groups.begin(), groups.end(), g);
}

namespace {

struct claims_reader {
  const json_tree& t;
  std::string& pointer;
  std::string& message;

  bool fail(std::string p, std::string m) {
    pointer = std::move(p);
    message = std::move(m);
    return false;
  }

  bool string_list(uint32_t node, const std::string& p, std::vector<std::string>& out) {
    if (!t.is_array(node)) return fail(p, "must be an array of strings");
    size_t i = 0;
    for (uint32_t c = t.first_child(node); c != npos; c = t.next_sibling(node, c), ++i) {
      if (!t.is_string(c)) return fail(p + "/" + std::to_string(i), "must be a string");
      out.emplace_back(t.str(c));
    }
    return true;
  }
};

}  // namespace

bool parse_viewer(const json_tree& t, viewer& v, std::string& pointer, std::string& message) {
  claims_reader r{t, pointer, message};
  v = viewer{};
  if (!t.is_object(0)) return r.fail("", "claims must be a JSON object");
  std::string_view duplicate;
  if (first_duplicate_key(t, 0, duplicate)) return r.fail("/" + pointer_token(duplicate), "duplicate member");
  bool any = false, has_sub = false;
  for (uint32_t c = t.first_child(0); c != npos; c = t.next_sibling(0, c)) {
    any = true;
    std::string_view k = t.key(c);
    std::string p = "/" + pointer_token(k);
    if (k == "sub") {
      if (!t.is_string(c) || t.str(c).empty()) return r.fail(p, "sub must be a non-empty string");
      v.sub = std::string(t.str(c));
      has_sub = true;
    } else if (k == "email") {
      if (!t.is_string(c)) return r.fail(p, "email must be a string");
      v.has_email = true;
      v.email_lower = ascii_lower(t.str(c));
    } else if (k == "email_verified") {
      if (t.type(c) != jtype::true_value && t.type(c) != jtype::false_value)
        return r.fail(p, "email_verified must be true or false");
      v.email_verified = t.type(c) == jtype::true_value;
    } else if (k == "groups") {
      if (!r.string_list(c, p, v.groups)) return false;
    } else if (k == "orgs") {
      if (!r.string_list(c, p, v.orgs)) return false;
    } else if (k == "roles") {
      if (!r.string_list(c, p, v.roles)) return false;
    } else if (k == "account") {
      if (!t.is_string(c)) return r.fail(p, "account must be a string");
      v.has_account = true;
      v.account = std::string(t.str(c));
    } else if (k == "attrs") {
      if (!t.is_object(c)) return r.fail(p, "attrs must be an object");
      if (!t.unique_keys(c)) return r.fail(p, "duplicate attribute");
      for (uint32_t a = t.first_child(c); a != npos; a = t.next_sibling(c, a)) {
        std::string ap = p + "/" + pointer_token(t.key(a));
        std::vector<std::string> values;
        if (t.is_string(a)) values.emplace_back(t.str(a));
        else if (!r.string_list(a, ap, values)) return r.fail(ap, "an attribute must be a string or a list of strings");
        v.attrs.emplace_back(std::string(t.key(a)), std::move(values));
      }
    } else if (k == "grants") {
      if (!r.string_list(c, p, v.grants)) return false;
      for (size_t i = 0; i < v.grants.size(); ++i)
        if (!valid_grant(v.grants[i]))
          return r.fail(p + "/" + std::to_string(i), "a grant must be component:, incident:, maintenance: or article: and an id");
    } else {
      return r.fail(p, "unknown claims member");
    }
  }
  if (any && !has_sub) return r.fail("/sub", "claims with any member must have sub");
  v.signed_in = has_sub;
  if (v.has_email) {
    size_t at = v.email_lower.find('@');
    if (at != std::string::npos && v.email_lower.find('@', at + 1) == std::string::npos) {
      v.has_domain = true;
      v.domain = normalise_domain(std::string_view(v.email_lower).substr(at + 1));
    }
  }
  // Sorted sets: membership is a binary search, so a viewer with many groups
  // against a payload or policy naming many costs n log n, not n·m.
  auto sort_set = [](std::vector<std::string>& list) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  };
  for (auto* list : {&v.groups, &v.orgs, &v.roles}) sort_set(*list);
  for (auto& [key, values] : v.attrs) sort_set(values);
  std::sort(v.attrs.begin(), v.attrs.end());  // keys are unique: by key
  std::sort(v.grants.begin(), v.grants.end());
  v.grants.erase(std::unique(v.grants.begin(), v.grants.end()), v.grants.end());
  return true;
}

}  // namespace keyhole::detail
