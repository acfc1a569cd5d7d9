// Who is asking: the verified JWT's claims (identity.js), plus the grants of a share link the
// edge verified itself (share.js). A bad token is a 401 response, never "anonymous".
import { compileIdentity, IdentityError } from "./identity.js";
import { shareVerifier, verifyShareToken, grantsFor } from "./share.js";
import { unauthorized } from "./responses.js";

/** viewerResolver(config, ready, session) (ready() -> { kh }: the loaded core, for share links;
 *  session: the sign-in session cookie reader, auth/session.js, when identity.oidc is set)
 *  -> { shareParam, shareHeader, resolve(request, shareToken, info) } */
export function viewerResolver(config, ready, session = null) {
  const identity = compileIdentity(config.identity ?? {});
  const share = config.share?.secret ? shareVerifier(config.share.secret) : null;
  const clockSkew = config.identity?.clockToleranceSeconds ?? 30;

  /** -> { claims, display, viaSession } or { response } (401). A Bearer token or the JWT cookie comes
   *  first; without either, the edge's own session cookie (one that does not open is anonymous). */
  async function resolve(request, shareToken, info) {
    let claims, tokenPresent, display, viaSession = false;
    try {
      ({ claims, tokenPresent } = await identity.claimsFor(request));
    } catch (e) {
      if (!(e instanceof IdentityError)) throw e;
      info.error = e.description;
      return { response: unauthorized(e.error, e.description) };
    }
    if (!tokenPresent && session) {
      const s = await session.read(request);
      if (s) {
        ({ claims, display } = s);
        viaSession = true;
      }
    }
    if (share && shareToken && claims.sub) {
      const body = await verifyShareToken(share, shareToken);
      const granted = grantsFor(body, claims, Date.now() / 1000, clockSkew, (await ready()).kh);
      if (granted.length) claims = { ...claims, grants: [...new Set([...(claims.grants ?? []), ...granted])] };
      info.share = granted.length ? "granted" : body ? "not-for-viewer" : "invalid";
    } else if (shareToken) {
      info.share = share ? "anonymous" : "disabled";
    }
    return { claims, display, viaSession };
  }

  return {
    resolve,
    mapClaims: identity.mapClaims, // for ID tokens (auth/): the same identity.claims mapping
    shareParam: config.share?.param ?? "share",
    shareHeader: (config.share?.header ?? "x-keyhole-share").toLowerCase(),
  };
}
