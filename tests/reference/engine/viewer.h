// The viewer, parsed and checked from a claims document (SPEC §1).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "json_tree.h"

namespace keyhole::detail {

struct viewer {
  bool signed_in = false;
  std::string sub;
  bool has_email = false;
  std::string email_lower;   // ASCII-lower-cased address
  bool email_verified = false;
  bool has_domain = false;   // exactly one '@'
  std::string domain;        // lower-cased, one trailing dot removed
  std::vector<std::string> groups, orgs, roles;  // sorted, unique
  bool has_account = false;
  std::string account;
  std::vector<std::pair<std::string, std::vector<std::string>>> attrs;  // sorted by key; values sorted, unique
  std::vector<std::string> grants;  // "kind:id", sorted and unique

  // SPEC §1: the email can match `email:`/`domain:` atoms and share links (§7) only
  // for a signed-in viewer, verified, and with exactly one '@'. One rule for both.
  bool email_matchable() const { return signed_in && email_verified && has_domain; }
  bool has_grant(std::string_view kind, std::string_view id) const;
  bool in_group(std::string_view g) const;
};

// Fills `v` from the claims tree; on error fills `pointer` and `message`.
bool parse_viewer(const json_tree& t, viewer& v, std::string& pointer, std::string& message);

std::string ascii_lower(std::string_view s);
// A domain as SPEC §1 compares it: ASCII-lower-cased (never Unicode case folding, so
// U+212A KELVIN SIGN stays itself), one trailing dot removed.
std::string normalise_domain(std::string_view d);
// "component:", "incident:", "maintenance:" or "article:" and a non-empty id (SPEC §1).
bool valid_grant(std::string_view g);
// True (with `key`, for the error pointer) when a member of object `obj` repeats an
// earlier member's name.
bool first_duplicate_key(const json_tree& t, uint32_t obj, std::string_view& key);
// JSON pointer escaping of one reference token (~ → ~0, / → ~1).
std::string pointer_token(std::string_view key);

}  // namespace keyhole::detail
