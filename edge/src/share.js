// Share links (SPEC §7): a token is base64url(compact JSON body) "." base64url(HMAC-SHA256
// over exactly those JSON bytes, with the edge's secret). Web-standard only (crypto.subtle).
//
// Body: {"id": "...", "resources": ["article:98765"], "emails": [...], "domains": [...], "exp": UNIX_SECONDS}
// A verified token turns into grants only for a signed-in viewer whose verified email is
// listed, or whose email's domain is listed, before exp.

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });
const GRANT = /^(component|incident|maintenance|article):.+$/;
const BODY_MEMBERS = new Set(["id", "resources", "emails", "domains", "exp"]);
export const MAX_SHARE_TOKEN_BYTES = 4096;

export function b64urlEncode(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function b64urlDecode(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const b = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
  return out;
}

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

function validBody(b) {
  if (!b || typeof b !== "object" || Array.isArray(b)) return false;
  for (const k of Object.keys(b)) if (!BODY_MEMBERS.has(k)) return false;
  if (typeof b.id !== "string" || !b.id) return false;
  if (!Array.isArray(b.resources) || b.resources.length === 0 || !b.resources.every((r) => typeof r === "string" && GRANT.test(r))) return false;
  for (const k of ["emails", "domains"]) {
    if (b[k] !== undefined && (!Array.isArray(b[k]) || !b[k].every((x) => typeof x === "string" && x.length > 0))) return false;
  }
  if (!b.emails?.length && !b.domains?.length) return false;
  if (typeof b.exp !== "number" || !Number.isFinite(b.exp)) return false;
  return true;
}

/** Creates a share token. body: {id?, resources, emails?, domains?, exp | ttlSeconds}. */
export async function createShareToken(secret, { id, resources, emails, domains, exp, ttlSeconds } = {}) {
  const body = { id: id ?? b64urlEncode(crypto.getRandomValues(new Uint8Array(9))), resources };
  if (emails?.length) body.emails = emails;
  if (domains?.length) body.domains = domains;
  body.exp = exp ?? Math.floor(Date.now() / 1000) + (ttlSeconds ?? 7 * 24 * 3600);
  if (!validBody(body)) throw new TypeError("share token: need resources (component:|incident:|maintenance:|article:<id>), emails or domains, and exp");
  const json = enc.encode(JSON.stringify(body));
  const key = await hmacKey(secret);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, json));
  return `${b64urlEncode(json)}.${b64urlEncode(mac)}`;
}

/** Verifies a token; returns its body or null (bad format, bad MAC, bad body). */
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
  if (!ok) return null;
  let body;
  try {
    body = JSON.parse(dec.decode(json));
  } catch {
    return null;
  }
  return validBody(body) ? body : null;
}

/** SPEC §1 domain of an email: exactly one "@", lower-cased, one trailing dot removed. */
export function emailDomain(email) {
  if (typeof email !== "string") return null;
  const at = email.indexOf("@");
  if (at < 0 || email.indexOf("@", at + 1) >= 0) return null;
  let d = email.slice(at + 1).toLowerCase();
  if (d.endsWith(".")) d = d.slice(0, -1);
  return d || null;
}

const lower = (s) => s.toLowerCase();

/** The grants a verified share body gives these claims (SPEC §7), or [] . */
export function grantsFor(body, claims, nowSeconds, skewSeconds = 0) {
  if (!body || !claims || typeof claims.sub !== "string" || !claims.sub) return [];
  if (claims.email_verified !== true || typeof claims.email !== "string") return [];
  if (!(nowSeconds < body.exp + skewSeconds)) return [];
  const email = lower(claims.email);
  const domain = emailDomain(claims.email);
  const emailOk = (body.emails ?? []).some((e) => lower(e) === email);
  const domainOk = domain !== null && (body.domains ?? []).some((d) => {
    let x = lower(d);
    if (x.endsWith(".")) x = x.slice(0, -1);
    return x === domain;
  });
  return emailOk || domainOk ? [...body.resources] : [];
}
