// The audience cache key (review F6, round 8; R9-1, round 9). Two requests may share a cached
// filtered copy only when their audience, the Accept sent upstream, the upstream path and the
// query are all the same (SPEC §10: one audience's copy is never served to another).
//
// The key is a URL, and workerd's Cache API parses it as one, so no request text may sit in
// it as is: `Accept: ..` in a segment of its own was a dot segment, which removed the audience
// segment before it (R9-1), and WHATWG URL parsing also reads `%2e`, `.%2E` and `%2e%2e` as
// dot segments, so escaping dots does not help. A `/`, `?`, `#` or `\` would move the rest
// too. So the key holds no request text at all:
//   https://keyhole-cache.invalid/aud-<base64url of the audience key>/req-<SHA-256 hex>
// where the hash is of the JSON array [Accept, upstream path, query] (JSON makes the three
// one unambiguous text). base64url and hex have no `.`, `/`, `?`, `#`, `\` or `%`, and the
// fixed prefixes keep a segment from being empty. The parsed key is checked all the same,
// and any surprise means no caching for that request (SPEC §8, fail closed).
import { b64urlEncode } from "./base64url.js";

const ORIGIN = "https://keyhole-cache.invalid";
const enc = new TextEncoder();

async function sha256Hex(text) {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", enc.encode(text)));
  return Array.from(d, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The key as a URL string, or null when parsing it would not give back exactly the path it
 *  was built from (then the caller does not cache). */
export function checkedKey(audienceSegment, requestSegment) {
  const path = `/${audienceSegment}/${requestSegment}`;
  const key = ORIGIN + path;
  let u;
  try { u = new URL(key); } catch { return null; }
  if (u.origin !== ORIGIN || u.pathname !== path || u.search !== "" || u.hash !== "") return null;
  return key;
}

/**
 * audienceCacheKey({ audience, accept, upstreamPath, search }) -> Promise<string | null>
 *   audience:     the viewer's audience key (viewer-cache.js)
 *   accept:       the Accept sent upstream (upstream.js upstreamAccept)
 *   upstreamPath: the canonical upstream path (request-path.js); search: "" or "?…"
 * null: do not cache this request (a value that is not a string, or a key that does not parse
 * back to itself).
 */
export async function audienceCacheKey({ audience, accept, upstreamPath, search }) {
  if (![audience, accept, upstreamPath, search].every((v) => typeof v === "string") || audience === "") return null;
  const aud = `aud-${b64urlEncode(enc.encode(audience))}`;
  const req = `req-${await sha256Hex(JSON.stringify([accept, upstreamPath, search]))}`;
  return checkedKey(aud, req);
}
