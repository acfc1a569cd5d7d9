// Compiled viewers reused across requests (issue 15, per-request work). Reading and matching
// a viewer's claims against a policy (Policy.viewer) and the audience key it yields are pure
// functions of (policy, claims): the core reads the claims' JSON text and nothing else (no
// clock, no request). A viewer who asks again, as everyone refreshing a status page does,
// therefore reuses them instead of compiling them per request. One cache per compiled policy;
// keyed by the exact JSON text the core reads; bounded, least recently used first out. An
// evicted viewer is disposed once no request holds it any more (requests hold one across
// their upstream fetch).

export const VIEWER_CACHE_ENTRIES = 256;

/**
 * viewerCache(policy, maxEntries) -> { acquire(claims) -> { viewer, audienceKey(format), release() }, size }
 * acquire throws what Policy.viewer throws (KeyholeError "claims"); nothing is cached then.
 * maxEntries 0: every request compiles its own viewer (released at release()).
 */
export function viewerCache(policy, maxEntries = VIEWER_CACHE_ENTRIES) {
  const entries = new Map(); // claims JSON -> entry

  function release(entry) {
    entry.refs--;
    if (entry.evicted && entry.refs === 0) entry.viewer.dispose();
  }

  function evictOldest() {
    const [key, entry] = entries.entries().next().value;
    entries.delete(key);
    entry.evicted = true;
    if (entry.refs === 0) entry.viewer.dispose();
  }

  function entryFor(text) {
    let entry = entries.get(text);
    if (entry) {
      entries.delete(text); // most recently used last
      entries.set(text, entry);
      return entry;
    }
    entry = { viewer: policy.viewer(text), keys: new Map(), refs: 0, evicted: maxEntries === 0 };
    if (maxEntries > 0) {
      entries.set(text, entry);
      while (entries.size > maxEntries) evictOldest();
    }
    return entry;
  }

  function acquire(claims) {
    const entry = entryFor(JSON.stringify(claims));
    entry.refs++;
    let held = true;
    return {
      viewer: entry.viewer,
      audienceKey(format) {
        let key = entry.keys.get(format);
        if (key === undefined) { key = entry.viewer.audienceKey({ format }); entry.keys.set(format, key); }
        return key;
      },
      release() { if (held) { held = false; release(entry); } },
    };
  }

  return { acquire, get size() { return entries.size; } };
}
