// base64url without padding (RFC 7515 §2), decoded strictly: only the canonical spelling of
// some bytes is accepted. A lenient decoder reads `abc=`, or a last character that differs
// only in unused bits, as the same bytes, so one signed token would have many texts; the
// token cache is keyed by the text, and a token should not be malleable at all (review,
// round 8, info).

export function b64urlEncode(bytes) {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** The bytes of a canonical base64url text; throws for anything else (padding, other
 *  characters, a length of 4n+1, non-zero unused bits). */
export function b64urlDecode(text) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) throw new Error("not base64url");
  const b = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) out[i] = b.charCodeAt(i);
  if (b64urlEncode(out) !== text) throw new Error("not canonical base64url");
  return out;
}
