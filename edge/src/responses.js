// Responses the handler builds itself: JSON errors, ETags, 200/304 with the filtered bytes.
import { b64urlEncode } from "./share.js";
import { IS_NODE } from "./runtime.js";

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

/** 200 with the bytes (HEAD: no body), or 304 when If-None-Match names the ETag.
 *  `shared`: the bytes are also in a cache (see bytesResponse). */
export function respond(request, body, etag, headers, info, shared = false) {
  const h = new Headers(headers);
  if (etag && etagMatches(request.headers.get("if-none-match"), etag)) {
    h.delete("content-length");
    info.bytesOut = 0;
    return new Response(null, { status: 304, headers: h });
  }
  h.set("content-length", String(body.byteLength));
  info.bytesOut = body.byteLength;
  if (request.method === "HEAD") return new Response(null, { status: 200, headers: h });
  return bytesResponse(body, { status: 200, headers: h }, { shared });
}

// The bytes of a Response made here, so a server that owns the socket (node-server.js) can
// write them in one call instead of reading them back through the body's ReadableStream, and
// a cache that holds bytes (memory-cache.js) can keep and return them as they are. Only the
// Response object made here maps to them: one rebuilt from it (another body) does not.
const BODY_BYTES = new WeakMap();

// Node's Response (undici) copies a Uint8Array body when it is constructed: ~0.1 ms per 64 KB,
// ~2 ms per 470 KB filtered on a loaded machine, for bytes node-server.js then writes from
// BODY_BYTES anyway. There the body is a stream that hands the bytes over only if read.
// workerd keeps the bytes as the body (it sends them with their Content-Length).
const COPIES_BYTE_BODIES = IS_NODE;

/**
 * A Response whose body is `bytes`. `shared`: the bytes are also held elsewhere (a cache), so
 * a reader of the body gets a copy and can never change them.
 */
export function bytesResponse(bytes, init, { shared = false } = {}) {
  const body = COPIES_BYTE_BODIES
    // highWaterMark 0: pull() runs when the body is read, not as soon as the stream exists.
    ? new ReadableStream({ pull(c) { c.enqueue(shared ? bytes.slice() : bytes); c.close(); } }, { highWaterMark: 0 })
    : bytes;
  const res = new Response(body, init);
  BODY_BYTES.set(res, bytes);
  return res;
}

/** The bytes of a Response made by bytesResponse() (respond()), or undefined (read its body instead). */
export const bytesOf = (response) => BODY_BYTES.get(response);
