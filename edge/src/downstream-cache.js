// Cache-Control for a response of an audience-cached route, as sent to this request (review
// F7, round 8). The edge keeps one filtered copy per audience key in its own cache; what a
// cache *downstream* (a CDN, a corporate proxy) may do is decided here. `public` lets a shared
// cache store a response to an authenticated request (RFC 9111 §3.5), and many CDNs ignore
// `Vary` (Cloudflare honours it for Accept-Encoding only), so a staff copy stored that way
// would reach anonymous viewers. So only a request that carries no credentials at all is
// answered `public`; any other gets `private` with the same max-age (its browser may keep it).
// The copy stored in the edge's own cache keeps `public, max-age`: the Cache API in workerd
// does not store `private` responses, and that store is keyed by the audience key.

/** Whether the request carries anything that could make its viewer someone: a token, a
 *  cookie (the JWT or session cookie, or any other), a share link in the header or query. */
export function carriesCredentials(request, shareHeader, shareParam) {
  if (request.headers.has("authorization") || request.headers.has("cookie") || request.headers.has(shareHeader)) return true;
  return new URL(request.url).searchParams.has(shareParam);
}

/** The Cache-Control the edge stores its copy with: `public, max-age=N`. */
export const storedCacheControl = (maxAge) => `public, max-age=${maxAge}`;

/** `headers` (a stored or fresh copy's) with the Cache-Control this request may be sent. */
export function forRequest(headers, request, maxAge, shareHeader, shareParam) {
  const h = new Headers(headers);
  h.set("cache-control", carriesCredentials(request, shareHeader, shareParam) ? `private, max-age=${maxAge}` : storedCacheControl(maxAge));
  return h;
}
