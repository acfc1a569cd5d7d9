// The two cookies of sign-in: the session the edge issues after a verified OIDC callback
// (the viewer's SPEC §1 claims, sealed, bounded lifetime) and the sign-in transaction that
// carries state, nonce and PKCE verifier from /auth/login to /auth/callback (10 minutes).
import { sealer, SEALED_MAX_BYTES } from "./sealed.js";
import { readCookie, cookieText, clearCookieText } from "./cookies.js";

export const DEFAULT_SESSION_TTL = 8 * 3600;
export const MAX_SESSION_TTL = 30 * 86400;
export const TRANSACTION_TTL = 600;
export const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "[::1]"];

/** Secure cookies unless the redirect URI is http on loopback (the demo, the tests). */
export function securedBy(redirectUri) {
  const u = new URL(redirectUri);
  return !(u.protocol === "http:" && LOOPBACK_HOSTS.includes(u.hostname));
}

/** What a cookie of `kind` ("session", "signin-transaction") is sealed for: this provider and
 *  client only, so an edge that shares the secret but signs in through another provider (a
 *  staging IdP, another tenant) cannot open it (review finding O1). */
export const sealPurpose = (kind, { issuer, clientId }) => JSON.stringify([kind, issuer, clientId]);

/** sessionCookies(oidc config) -> { session: {...}, transaction: {...}, secure } */
export function sessionCookies(cfg) {
  const secure = securedBy(cfg.redirectUri);
  // __Host-: the browser only keeps it when Secure, Path=/ and no Domain (no subdomain can set it).
  const sessionName = cfg.sessionCookie ?? (secure ? "__Host-keyhole_session" : "keyhole_session");
  // __Host- for the sign-in cookie too (so Path=/): a sibling subdomain can set a __Secure-
  // cookie for the parent domain, and so plant its own sign-in for a victim's browser to finish
  // (login CSRF; review finding O4). Plain names only on loopback http.
  const txName = secure ? "__Host-keyhole_signin" : "keyhole_signin";
  const txPath = secure ? "/" : "/auth/";
  const ttl = cfg.sessionTtlSeconds ?? DEFAULT_SESSION_TTL;
  const sessionBox = sealer(cfg.sessionSecret, sealPurpose("session", cfg));
  const txBox = sealer(cfg.sessionSecret, sealPurpose("signin-transaction", cfg));
  return {
    secure,
    session: {
      name: sessionName,
      /** -> { claims, display } or null: absent, forged, tampered or expired all read as no session. */
      async read(request) {
        // Never older than the lifetime configured now (a shortened one ends longer sessions: O6).
        const p = await sessionBox.open(readCookie(request, sessionName), { maxAgeSeconds: ttl });
        if (!p || !p.c || typeof p.c !== "object" || Array.isArray(p.c) || typeof p.c.sub !== "string") return null;
        return { claims: p.c, display: typeof p.n === "string" ? p.n : p.c.sub };
      },
      async issue(claims, display) {
        const value = await sessionBox.seal({ c: claims, n: display }, ttl);
        if (value.length > SEALED_MAX_BYTES) return null; // too many claims for a cookie: the caller refuses the sign-in
        return cookieText(sessionName, value, { maxAge: ttl, secure });
      },
      clear: () => clearCookieText(sessionName, { secure }),
    },
    transaction: {
      async read(request) { return txBox.open(readCookie(request, txName)); },
      async issue(tx) { return cookieText(txName, await txBox.seal(tx, TRANSACTION_TTL), { maxAge: TRANSACTION_TTL, path: txPath, secure }); },
      clear: () => clearCookieText(txName, { path: txPath, secure }),
    },
  };
}
