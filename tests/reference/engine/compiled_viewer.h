// A viewer read and matched against one policy (keyhole::viewer's state).
#pragma once

#include <memory>

#include "audience.h"
#include "keyhole/keyhole.h"
#include "policy_model.h"
#include "viewer.h"

namespace keyhole {

class compiled_viewer {
 public:
  compiled_viewer() = default;
  compiled_viewer(const compiled_viewer&) = delete;  // `m` points at `who`
  compiled_viewer& operator=(const compiled_viewer&) = delete;

  std::shared_ptr<const compiled_policy> policy;  // kept alive by the viewer
  detail::viewer who;
  detail::matcher m;
};

namespace detail {

// SPEC §10: the audience key of a matched viewer for a payload format.
// Empty when the policy's canonical hash could not be computed.
std::string audience_key_of(const compiled_policy& p, const viewer& who, const matcher& m, payload_format format);

}  // namespace detail
}  // namespace keyhole
