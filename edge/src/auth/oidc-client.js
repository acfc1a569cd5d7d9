// The OpenID Connect relying party's protocol steps, through oauth4webapi (Web fetch and
// crypto.subtle only, so it runs in workerd as in Node): discovery from the issuer URL, the
// authorization request (code flow, PKCE S256, state, nonce), and the callback: state, code
// exchange, ID token claims (iss, aud, exp, iat, nonce, azp) and its signature against the
// provider's JWKS. Every failure is an OidcError with a kind (auth-pages.js words it).
import * as oauth from "oauth4webapi";
import { findDuplicateMember } from "../json-duplicates.js";

/** Why a sign-in failed; each kind has its own page and status code. */
export const FAILURE = Object.freeze({
  PROVIDER_DOWN: "provider-down",       // discovery, token endpoint or JWKS unreachable or 5xx
  NO_TRANSACTION: "no-transaction",     // callback without (or with an expired) sign-in cookie
  STATE: "state-mismatch",              // the response's state is not this browser's
  PROVIDER_REFUSED: "provider-refused", // the provider answered with error= (e.g. access_denied)
  CODE_REJECTED: "code-rejected",       // the token endpoint refused the code (replayed, expired)
  ID_TOKEN: "id-token-invalid",         // signature, issuer, audience, expiry, nonce, ...
  CLAIMS: "claims-invalid",             // the mapped claims do not fit SPEC §1
  TOO_LARGE: "session-too-large",       // the claims do not fit in a cookie
});

export class OidcError extends Error {
  constructor(kind, detail) {
    super(`${kind}${detail ? `: ${detail}` : ""}`);
    this.kind = kind;
  }
}

const isNetwork = (e) => e instanceof TypeError || e?.name === "TimeoutError" || e?.name === "AbortError";
const upstreamStatus = (e) => e?.status ?? e?.cause?.status ?? e?.response?.status;

/** oidcClient(oidc config, { fetch, clockToleranceSeconds }) -> { authorizationUrl(tx), redeem(url, tx), discover() } */
export function oidcClient(cfg, { fetch: fetchFn, clockToleranceSeconds = 30 } = {}) {
  const issuer = new URL(cfg.issuer);
  const jwks = {}; // oauth4webapi keeps the provider's JWKS here between callbacks
  const rp = {
    cfg, clockToleranceSeconds,
    client: { client_id: cfg.clientId, [oauth.clockTolerance]: clockToleranceSeconds },
    clientAuth: cfg.clientAuth === "client_secret_post" ? oauth.ClientSecretPost(cfg.clientSecret)
      : cfg.clientAuth === "none" ? oauth.None() : oauth.ClientSecretBasic(cfg.clientSecret),
    options: () => ({
      [oauth.customFetch]: fetchFn ?? ((...a) => fetch(...a)),
      // http issuers are accepted only on loopback (config check), for the local provider
      [oauth.allowInsecureRequests]: issuer.protocol === "http:",
      [oauth.jwksCache]: jwks,
      signal: AbortSignal.timeout(cfg.timeoutMs ?? 10_000),
    }),
  };
  let metadata = null; // Promise of the discovery document; a failure is not kept

  function discover() {
    return (metadata ??= (async () => {
      const res = await oauth.discoveryRequest(issuer, { ...rp.options(), algorithm: "oidc" });
      return oauth.processDiscoveryResponse(issuer, res);
    })().catch((e) => { metadata = null; throw new OidcError(FAILURE.PROVIDER_DOWN, `discovery: ${e?.message ?? e}`); }));
  }

  return {
    discover,
    authorizationUrl: async (tx) => authorizationUrl(rp, await discover(), tx),
    redeem: async (callbackUrl, tx) => redeem(rp, await discover(), callbackUrl, tx),
  };
}

/** The provider's authorization URL for this transaction ({ state, nonce, verifier }). */
async function authorizationUrl({ cfg }, as, tx) {
  const url = new URL(as.authorization_endpoint);
  const p = url.searchParams;
  p.set("client_id", cfg.clientId);
  p.set("redirect_uri", cfg.redirectUri);
  p.set("response_type", "code");
  p.set("scope", (cfg.scopes ?? ["openid", "email", "profile"]).join(" "));
  p.set("state", tx.state);
  p.set("nonce", tx.nonce);
  p.set("code_challenge", await oauth.calculatePKCECodeChallenge(tx.verifier));
  p.set("code_challenge_method", "S256");
  if (cfg.prompt) p.set("prompt", cfg.prompt);
  return url;
}

/** The callback URL's code, redeemed: -> the ID token's verified claims. */
async function redeem(rp, as, callbackUrl, tx) {
  if (callbackUrl.searchParams.get("state") !== tx.state) throw new OidcError(FAILURE.STATE);
  let params;
  try {
    params = oauth.validateAuthResponse(as, rp.client, callbackUrl, tx.state);
  } catch (e) {
    if (e instanceof oauth.AuthorizationResponseError) throw new OidcError(FAILURE.PROVIDER_REFUSED, e.error);
    throw new OidcError(FAILURE.STATE, e?.message);
  }
  let response;
  try {
    response = await oauth.authorizationCodeGrantRequest(as, rp.client, rp.clientAuth, params, rp.cfg.redirectUri, tx.verifier, rp.options());
  } catch (e) {
    throw new OidcError(FAILURE.PROVIDER_DOWN, `token endpoint: ${e?.message ?? e}`);
  }
  return verifiedClaims(rp, as, response, tx);
}

async function verifiedClaims(rp, as, response, tx) {
  try {
    const result = await oauth.processAuthorizationCodeResponse(as, rp.client, response, { expectedNonce: tx.nonce, requireIdToken: true });
    // The claims are checked above; the signature here, with the key from the provider's jwks_uri.
    await oauth.validateApplicationLevelSignature(as, response, rp.options());
    const claims = oauth.getValidatedIdTokenClaims(result);
    // A token issued in the future (beyond the clock tolerance) was not issued for this sign-in.
    if (claims.iat > Date.now() / 1000 + rp.clockToleranceSeconds) throw new OidcError(FAILURE.ID_TOKEN, "iat in the future");
    // oauth4webapi checks azp only when aud lists several audiences; OIDC Core 3.1.3.7: when
    // present it is this client (review finding O3).
    if (claims.azp !== undefined && claims.azp !== rp.cfg.clientId) throw new OidcError(FAILURE.ID_TOKEN, "azp is another client");
    rejectDuplicateMembers(result.id_token);
    return claims;
  } catch (e) {
    throw classified(e);
  }
}

/**
 * JSON.parse keeps the last of two members of one name, so `"email_verified":false,
 * "email_verified":true` would be a verified viewer: as for JWTs (finding J1), an ID token
 * that repeats a member anywhere is refused (SPEC §1: an error, never a guess; review O2).
 */
function rejectDuplicateMembers(idToken) {
  const text = (segment) => new TextDecoder("utf-8", { fatal: true }).decode(base64urlBytes(segment));
  const [header, payload] = String(idToken).split(".");
  const where = findDuplicateMember(text(header)) ?? findDuplicateMember(text(payload));
  if (where) throw new OidcError(FAILURE.ID_TOKEN, `ID token repeats the member ${where}`);
}

const base64urlBytes = (segment) => Uint8Array.from(atob(segment.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

/** An error of the token response's processing, as a failure kind. */
function classified(e) {
  if (e instanceof OidcError) return e;
  if (e instanceof oauth.ResponseBodyError) {
    return e.status >= 500 ? new OidcError(FAILURE.PROVIDER_DOWN, `token endpoint ${e.status}`) : new OidcError(FAILURE.CODE_REJECTED, e.error);
  }
  if (isNetwork(e) || upstreamStatus(e) >= 500) return new OidcError(FAILURE.PROVIDER_DOWN, e?.message);
  return new OidcError(FAILURE.ID_TOKEN, e?.code ?? e?.message);
}

export const newTransaction = (returnTo) => ({
  state: oauth.generateRandomState(), nonce: oauth.generateRandomNonce(), verifier: oauth.generateRandomCodeVerifier(), returnTo,
});
