// Which runtime the handler runs in, for the two places where Node (undici) and workerd want
// different code for the same result (responses.js, upstream.js). workerd with nodejs_compat
// may define `process`; its navigator.userAgent says which it is.
export const IS_NODE = typeof process === "object" && typeof process?.versions?.node === "string" &&
  globalThis.navigator?.userAgent !== "Cloudflare-Workers";
