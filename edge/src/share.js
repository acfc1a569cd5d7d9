// Share links (SPEC §7): a token is base64url(compact JSON body) "." base64url(HMAC-SHA256
// over exactly those JSON bytes, with the edge's secret). Web-standard only (crypto.subtle).
//
// Body: {"id": "...", "resources": ["article:98765"], "emails": [...], "domains": [...], "exp": UNIX_SECONDS}
// This file signs and verifies. What a verified body means (is it well-formed, and does it
// open for this viewer) is decided by the core (keyhole.shareGrants), with the same email
// rule as the policy's `email:`/`domain:` atoms: no second copy of the rule in JavaScript,
// whose toLowerCase() folded the Kelvin sign U+212A into "k" (finding E3).
import { loadKeyhole } from "@keyhole/wasm";
import { b64urlEncode, b64urlDecode } from "./base64url.js";

export { b64urlEncode, b64urlDecode }; // strict: a token has one spelling only (base64url.js)

const enc = new TextEncoder();
export const MAX_SHARE_TOKEN_BYTES = 4096;

function secretBytes(secret) {
  if (secret instanceof Uint8Array) return secret;
  if (typeof secret === "string" && secret.length > 0) return enc.encode(secret);
  throw new TypeError("share secret must be a non-empty string or Uint8Array");
}

async function hmacKey(secret) {
  const bytes = secretBytes(secret);
  if (bytes.length < 16) throw new TypeError("share secret must be at least 16 bytes");
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]);
}

/** An object holding the imported key, so it is imported once per secret. */
export function shareVerifier(secret) {
  if (secretBytes(secret).length < 16) throw new TypeError("share secret must be at least 16 bytes");
  let key = null;
  return {
    async key() { return (key ??= hmacKey(secret)); },
  };
}

// A Keyhole instance for minting when the caller passes none (Node: the CLI, tests);
// a failed load is not cached, so the next call tries again.
let mintingKeyhole = null;
function mintingInstance() {
  return (mintingKeyhole ??= loadKeyhole().catch((e) => { mintingKeyhole = null; throw e; }));
}

// The core refuses a malformed body exactly as it would when the token comes back.
function checkBody(keyhole, json) {
  try {
    keyhole.shareGrants("{}", json, 0);
  } catch (e) {
    if (e?.code !== "claims") throw e;
    const where = e.pointer ? ` at ${e.pointer}` : "";
    throw new TypeError(`share token: ${e.message}${where} (need resources component:|incident:|maintenance:|article:<id>, emails or domains, and an integer exp)`);
  }
}

/**
 * Creates a share token. body: {id?, resources, emails?, domains?, exp | ttlSeconds}.
 * options.keyhole: a loaded @keyhole/wasm instance to check the body with (one is loaded
 * on first use when absent; in workerd pass yours).
 */
export async function createShareToken(secret, { id, resources, emails, domains, exp, ttlSeconds } = {}, options = {}) {
  const body = { id: id ?? b64urlEncode(crypto.getRandomValues(new Uint8Array(9))), resources };
  if (emails?.length) body.emails = emails;
  if (domains?.length) body.domains = domains;
  body.exp = exp ?? Math.floor(Date.now() / 1000 + (ttlSeconds ?? 7 * 24 * 3600));
  const json = enc.encode(JSON.stringify(body));
  checkBody(options.keyhole ?? (await mintingInstance()), json);
  const key = await hmacKey(secret);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, json));
  return `${b64urlEncode(json)}.${b64urlEncode(mac)}`;
}

/**
 * Verifies a token's signature; returns the signed body bytes (for grantsFor) or null (bad
 * format or bad MAC). The body itself is read by the core, so only signed bytes reach it.
 */
export async function verifyShareToken(verifier, token) {
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_SHARE_TOKEN_BYTES) return null;
  const parts = token.split(".");
  if (parts.length !== 2) return null;
  let json, mac;
  try {
    json = b64urlDecode(parts[0]);
    mac = b64urlDecode(parts[1]);
  } catch {
    return null;
  }
  if (mac.length !== 32) return null;
  const ok = await crypto.subtle.verify("HMAC", await verifier.key(), mac, json); // constant time
  return ok ? json : null;
}

/**
 * The grants a verified share body gives these claims (SPEC §7), or []: decided by the core
 * (keyhole.shareGrants on a loaded @keyhole/wasm instance). A body or claims the core refuses
 * give [] (a bad link is ignored, never an error, so a link cannot be used to probe); an
 * internal error is thrown (the request then fails closed).
 */
export function grantsFor(body, claims, nowSeconds, skewSeconds = 0, keyhole) {
  if (!body) return [];
  if (!keyhole || typeof keyhole.shareGrants !== "function") throw new TypeError("grantsFor needs a loaded @keyhole/wasm instance");
  try {
    return keyhole.shareGrants(claims ?? {}, body, Math.floor(nowSeconds - skewSeconds));
  } catch (e) {
    if (e?.code === "claims") return [];
    throw e;
  }
}
