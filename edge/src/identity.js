// Viewer identity: a JWT from `Authorization: Bearer` or a named cookie, verified with jose,
// mapped to SPEC §1 claims. Web-standard only.
import { jwtVerify, importSPKI, importJWK, importX509, createLocalJWKSet, createRemoteJWKSet, errors } from "jose";
import { findDuplicateMember } from "./json-duplicates.js";
import { verifiedTokens, TOKEN_CACHE_SECONDS } from "./token-cache.js";
import { readCookie } from "./auth/cookies.js";
import { b64urlDecode } from "./base64url.js";

export const SECTION1 = ["sub", "email", "email_verified", "groups", "orgs", "roles", "account", "attrs", "grants"];
const ASYMMETRIC = new Set(["RS256", "ES256", "EdDSA"]);
const SUPPORTED = new Set(["HS256", ...ASYMMETRIC]);
export const DEFAULT_MAX_TOKEN_BYTES = 8192;

/** Raised for any token problem; becomes a 401. `description` is safe to show (no token text). */
export class IdentityError extends Error {
  constructor(description, error = "invalid_token") {
    super(description);
    this.description = description;
    this.error = error;
  }
}

function getPath(obj, path) {
  if (typeof path === "function") return path(obj);
  const segs = Array.isArray(path) ? path : [path];
  let v = obj;
  for (const s of segs) {
    if (v === null || typeof v !== "object" || !Object.prototype.hasOwnProperty.call(v, s)) return undefined;
    v = v[s];
  }
  return v;
}

/**
 * Compiles the identity config:
 *  { algorithms: ["HS256", ...]              // required: only these are accepted
 *    hs256Secret: string | Uint8Array,       // for HS256
 *    publicKey: PEM (SPKI or X.509) | JWK    // one key for the asymmetric algorithms (or publicKeys: [...])
 *    jwks: {keys: [...]}, jwksUrl: "https://...", jwksCacheSeconds: 600,
 *    issuer, audience, clockToleranceSeconds: 30, requireExp: true,
 *    cookie: "keyhole_token", maxTokenBytes: 8192,
 *    claims: { sub: "sub", orgs: ["https://example.com/claims", "orgs"], ... },  // §1 name -> claim name or path
 *    trustTokenGrants: false }
 */
export function compileIdentity(cfg = {}) {
  const algorithms = cfg.algorithms ?? (cfg.hs256Secret ? ["HS256"] : []);
  for (const a of algorithms) if (!SUPPORTED.has(a)) throw new TypeError(`identity: unsupported algorithm ${a}`);
  const hs = algorithms.includes("HS256");
  const asym = algorithms.filter((a) => ASYMMETRIC.has(a));
  if (hs && !cfg.hs256Secret) throw new TypeError("identity: HS256 configured without hs256Secret");
  if (!hs && cfg.hs256Secret) throw new TypeError("identity: hs256Secret given but HS256 not in algorithms");
  if (asym.length && !cfg.publicKey && !cfg.publicKeys && !cfg.jwks && !cfg.jwksUrl) {
    throw new TypeError(`identity: ${asym.join(",")} configured without publicKey, jwks or jwksUrl`);
  }
  const secret = hs ? (typeof cfg.hs256Secret === "string" ? new TextEncoder().encode(cfg.hs256Secret) : cfg.hs256Secret) : null;
  if (secret && secret.length < 32) throw new TypeError("identity: hs256Secret must be at least 32 bytes");

  const jwks = cfg.jwks ? createLocalJWKSet(cfg.jwks) : null;
  const remote = cfg.jwksUrl
    ? createRemoteJWKSet(new URL(cfg.jwksUrl), {
        cacheMaxAge: (cfg.jwksCacheSeconds ?? 600) * 1000,
        cooldownDuration: 30_000,
        timeoutDuration: 5000,
      })
    : null;
  // Public keys, imported lazily per algorithm (a CryptoKey is bound to one algorithm).
  const pubSpecs = cfg.publicKeys ?? (cfg.publicKey ? [cfg.publicKey] : []);
  const imported = new Map();
  async function publicKeyFor(alg) {
    if (!imported.has(alg)) {
      imported.set(alg, (async () => {
        const keys = [];
        for (const spec of pubSpecs) {
          const k = typeof spec === "object" && spec.key !== undefined ? spec : { key: spec };
          if (k.alg && k.alg !== alg) continue;
          try {
            if (typeof k.key === "string" && k.key.includes("BEGIN CERTIFICATE")) keys.push(await importX509(k.key, alg));
            else if (typeof k.key === "string") keys.push(await importSPKI(k.key, alg));
            else keys.push(await importJWK(k.key, alg));
          } catch {
            // a key of another type: not usable with this algorithm
          }
        }
        return keys;
      })());
    }
    return imported.get(alg);
  }

  const options = {
    algorithms,
    issuer: cfg.issuer,
    audience: cfg.audience,
    clockTolerance: cfg.clockToleranceSeconds ?? 30,
    requiredClaims: cfg.requireExp === false ? [] : ["exp"],
  };
  const mapping = { ...Object.fromEntries(SECTION1.map((k) => [k, k])), ...(cfg.claims ?? {}) };
  const trustGrants = cfg.trustTokenGrants === true;
  const cookieName = cfg.cookie ?? "keyhole_token";
  const maxTokenBytes = cfg.maxTokenBytes ?? DEFAULT_MAX_TOKEN_BYTES;
  // Tokens verified in the last minute (token-cache.js): a viewer's next request skips jose.
  const verified = verifiedTokens({ maxAgeSeconds: cfg.tokenCacheSeconds ?? TOKEN_CACHE_SECONDS, clockToleranceSeconds: options.clockTolerance });

  async function verify(token) {
    const header = decodeHeader(token);
    const alg = header.alg;
    if (!algorithms.includes(alg)) throw new IdentityError("algorithm not accepted");
    if (alg === "HS256") return jwtVerify(token, secret, options);
    // Asymmetric: a JWKS (the header's kid selects; jose never fetches keys from the token)
    // or the configured public keys, tried in turn.
    if (jwks || remote) {
      try {
        return await jwtVerify(token, jwks ?? remote, options);
      } catch (e) {
        if (!(jwks && remote)) throw e;
        return jwtVerify(token, remote, options);
      }
    }
    const keys = await publicKeyFor(alg);
    let last = new IdentityError("no key for this algorithm");
    for (const k of keys) {
      try {
        return await jwtVerify(token, k, options);
      } catch (e) {
        last = e;
        if (!(e instanceof errors.JWSSignatureVerificationFailed)) break;
      }
    }
    throw last;
  }

  function tokenFrom(request) {
    const auth = request.headers.get("authorization");
    if (auth !== null) {
      const m = /^Bearer[ ]+([^\s]+)\s*$/i.exec(auth);
      if (!m) throw new IdentityError("Authorization must be a Bearer token", "invalid_request");
      return m[1];
    }
    // The JWT cookie is read only where JWTs are accepted: elsewhere a cookie planted by a
    // sibling site would turn a signed-in viewer's every request into a 401 (review O7).
    return cookieName && algorithms.length ? readCookie(request, cookieName) : null;
  }

  /** The viewer's SPEC §1 claims ({} when no token). Throws IdentityError. */
  async function claimsFor(request) {
    const token = tokenFrom(request);
    if (token === null) return { claims: {}, tokenPresent: false };
    if (token.length > maxTokenBytes) throw new IdentityError("token too large");
    if (!algorithms.length) throw new IdentityError("tokens are not accepted here");
    const known = verified.get(token);
    if (known) return { claims: known, tokenPresent: true };
    let payload;
    try {
      ({ payload } = await verify(token));
    } catch (e) {
      throw new IdentityError(describe(e));
    }
    rejectDuplicateMembers(token);
    const claims = mapClaims(payload);
    if (typeof claims.sub !== "string" || claims.sub === "") throw new IdentityError("token has no subject");
    verified.put(token, claims, payload.exp);
    return { claims, tokenPresent: true };
  }

  /** A verified token's (or ID token's) claims -> SPEC §1 members through `claims`. */
  function mapClaims(payload) {
    const claims = {};
    for (const name of SECTION1) {
      if (name === "grants" && !trustGrants) continue;
      const v = getPath(payload, mapping[name]);
      if (v !== undefined) claims[name] = v;
    }
    return claims;
  }

  return { claimsFor, mapClaims, cookieName, algorithms };
}

/** The text of one base64url segment of a JWS, decoded as canonical base64url and strict
 *  UTF-8 (throws otherwise). A leading byte-order mark is refused too: RFC 7519 claims are
 *  a JSON object, and jose's decoder would drop the mark and read the rest (review round
 *  12: such a token was accepted), so one token has one spelling. */
function segmentText(seg) {
  const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(b64urlDecode(seg));
  if (text.startsWith("\uFEFF")) throw new Error("byte-order mark");
  return text;
}

/**
 * Finding J1: jose reads the header and payload with JSON.parse, which keeps the last of two
 * members of the same name, so `"sub":"u-anon","sub":"u-staff"` would be the staff viewer.
 * A verified token that repeats a member anywhere is refused (SPEC §1: an error, never a guess).
 */
function rejectDuplicateMembers(token) {
  const [header, payload] = token.split(".");
  let where;
  try {
    where = findDuplicateMember(segmentText(header)) ?? findDuplicateMember(segmentText(payload));
  } catch {
    throw new IdentityError("malformed token");
  }
  if (where) throw new IdentityError("token repeats a member");
}

function decodeHeader(token) {
  const dot = token.indexOf(".");
  if (dot <= 0 || token.split(".").length !== 3) throw new IdentityError("malformed token");
  try {
    // One spelling per token: padding or unused bits set in any segment are refused, though
    // jose would read the same bytes (base64url.js).
    for (const seg of token.split(".")) b64urlDecode(seg);
    const h = JSON.parse(segmentText(token.slice(0, dot)));
    if (!h || typeof h !== "object" || typeof h.alg !== "string") throw new Error();
    return h;
  } catch {
    throw new IdentityError("malformed token");
  }
}

function describe(e) {
  if (e instanceof IdentityError) return e.description;
  switch (e?.code) {
    case "ERR_JWT_EXPIRED": return "token expired";
    case "ERR_JWT_CLAIM_VALIDATION_FAILED": return `token ${e.claim ?? "claim"} check failed`;
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED": return "signature verification failed";
    case "ERR_JOSE_ALG_NOT_ALLOWED": return "algorithm not accepted";
    case "ERR_JWKS_NO_MATCHING_KEY": return "no matching key";
    case "ERR_JWKS_MULTIPLE_MATCHING_KEYS": return "ambiguous key";
    case "ERR_JWKS_TIMEOUT": return "key set unavailable";
    default: return "invalid token";
  }
}
