// Verified tokens, remembered briefly (issue 15, per-request work): a viewer sends the same
// JWT on every request, and verifying it (signature, claims checks, the duplicate-member scan,
// the claims mapping) cost more per request than everything else the edge does besides the
// filter. The key is the whole token text, signature included, so only the exact bytes that
// were verified match; only successes are kept. An entry ends when the token would fail
// jose's `exp` check (exp + clock tolerance) or after `maxAgeSeconds`, whichever is first: the
// bound on how long a key removed from a JWKS still admits a token signed with it.

export const TOKEN_CACHE_SECONDS = 60;
const MAX_ENTRIES = 1024;

/**
 * verifiedTokens({ maxAgeSeconds = 60, clockToleranceSeconds = 30, maxEntries = 1024, now = Date.now })
 *   -> { get(token) -> claims | undefined, put(token, claims, exp) }
 * `exp`: the token's exp claim (seconds) or undefined. maxAgeSeconds 0: nothing is kept.
 */
export function verifiedTokens({ maxAgeSeconds = TOKEN_CACHE_SECONDS, clockToleranceSeconds = 30, maxEntries = MAX_ENTRIES, now = () => Date.now() } = {}) {
  const entries = new Map(); // token -> { claims, until (ms) }
  const maxAgeMs = maxAgeSeconds * 1000;

  function get(token) {
    const e = entries.get(token);
    if (!e) return undefined;
    if (now() >= e.until) { entries.delete(token); return undefined; }
    return e.claims;
  }

  function put(token, claims, exp) {
    if (maxAgeMs <= 0) return;
    const t = now();
    const expires = typeof exp === "number" ? (exp + clockToleranceSeconds) * 1000 : Infinity;
    const until = Math.min(t + maxAgeMs, expires);
    if (until <= t) return;
    entries.delete(token);
    while (entries.size >= maxEntries) entries.delete(entries.keys().next().value); // oldest first
    entries.set(token, { claims: Object.freeze(claims), until });
  }

  return { get, put, get size() { return entries.size; } };
}
