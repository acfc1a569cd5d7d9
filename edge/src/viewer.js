// Who is asking: the verified JWT's claims (identity.js), plus the grants of a share link the
// edge verified itself (share.js). A bad token is a 401 response, never "anonymous".
import { compileIdentity, IdentityError } from "./identity.js";
import { shareVerifier, verifyShareToken, grantsFor } from "./share.js";
import { unauthorized } from "./responses.js";

/** viewerResolver(config, ready) (ready() -> { kh }: the loaded core, for share links) -> { shareParam, shareHeader, resolve(request, shareToken, info) } */
export function viewerResolver(config, ready) {
  const identity = compileIdentity(config.identity ?? {});
  const share = config.share?.secret ? shareVerifier(config.share.secret) : null;
  const clockSkew = config.identity?.clockToleranceSeconds ?? 30;

  /** -> { claims } or { response } (401). */
  async function resolve(request, shareToken, info) {
    let claims;
    try {
      ({ claims } = await identity.claimsFor(request));
    } catch (e) {
      if (!(e instanceof IdentityError)) throw e;
      info.error = e.description;
      return { response: unauthorized(e.error, e.description) };
    }
    if (share && shareToken && claims.sub) {
      const body = await verifyShareToken(share, shareToken);
      const granted = grantsFor(body, claims, Date.now() / 1000, clockSkew, (await ready()).kh);
      if (granted.length) claims = { ...claims, grants: [...new Set([...(claims.grants ?? []), ...granted])] };
      info.share = granted.length ? "granted" : body ? "not-for-viewer" : "invalid";
    } else if (shareToken) {
      info.share = share ? "anonymous" : "disabled";
    }
    return { claims };
  }

  return {
    resolve,
    shareParam: config.share?.param ?? "share",
    shareHeader: (config.share?.header ?? "x-keyhole-share").toLowerCase(),
  };
}
