// Responses the handler builds itself: JSON errors, ETags, 200/304 with the filtered bytes.
import { b64urlEncode } from "./share.js";

const enc = new TextEncoder();

export function jsonError(status, error, extraHeaders = {}) {
  const body = enc.encode(JSON.stringify({ error }));
  return new Response(body, {
    status,
    headers: {
      "content-type": "application/json; charset=utf-8",
      "content-length": String(body.length),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...extraHeaders,
    },
  });
}

/** 401 with a WWW-Authenticate that names the problem (never the token's text). */
export function unauthorized(error, description) {
  const desc = description ? `, error_description="${description}"` : "";
  return jsonError(401, "unauthorized", { "www-authenticate": `Bearer realm="keyhole", error="${error}"${desc}` });
}

export async function etagOf(bytes) {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return `"kh-${b64urlEncode(d.subarray(0, 18))}"`;
}

function etagMatches(header, etag) {
  if (!header) return false;
  return header.split(",").some((t) => { t = t.trim(); return t === "*" || t === etag || t === `W/${etag}`; });
}

/** 200 with the bytes (HEAD: no body), or 304 when If-None-Match names the ETag. */
export function respond(request, body, etag, headers, info) {
  const h = new Headers(headers);
  if (etag && etagMatches(request.headers.get("if-none-match"), etag)) {
    h.delete("content-length");
    info.bytesOut = 0;
    return new Response(null, { status: 304, headers: h });
  }
  h.set("content-length", String(body.byteLength));
  info.bytesOut = body.byteLength;
  const res = new Response(request.method === "HEAD" ? null : body, { status: 200, headers: h });
  if (request.method !== "HEAD") BODY_BYTES.set(res, body);
  return res;
}

// The bytes of a 200 this file built, so a server that owns the socket (node-server.js) can
// write them in one call instead of reading them back through the body's ReadableStream.
// Only the Response object made here maps to them: one rebuilt from it (another body) does not.
const BODY_BYTES = new WeakMap();

/** The filtered bytes of a Response made by respond(), or undefined (read its body instead). */
export const bytesOf = (response) => BODY_BYTES.get(response);
