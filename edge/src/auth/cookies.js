// Cookies the edge sets itself (the sign-in session and the short-lived sign-in transaction).
// Web-standard only: Set-Cookie text is built here, never from request input.

const NAME = /^[A-Za-z0-9_.-]+$/; // with an optional __Host- / __Secure- prefix, checked by the config

/** The value of cookie `name` in the request, or null (the first one wins, as browsers send the most specific first). */
export function readCookie(request, name) {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * Set-Cookie text: always HttpOnly and SameSite=Lax (the provider's redirect back to
 * /auth/callback is a top-level GET, which Lax cookies accompany; cross-site subrequests and
 * POSTs do not carry them); Secure unless the edge is served over http on loopback.
 */
export function cookieText(name, value, { maxAge, path = "/", secure }) {
  if (!NAME.test(name.replace(/^__(Host|Secure)-/, ""))) throw new TypeError(`bad cookie name ${name}`);
  const parts = [`${name}=${value}`, `Path=${path}`, `Max-Age=${Math.max(0, Math.floor(maxAge))}`, "HttpOnly", "SameSite=Lax"];
  if (secure) parts.push("Secure");
  return parts.join("; ");
}

/** Set-Cookie text that removes the cookie (same name, path and Secure as when it was set). */
export function clearCookieText(name, { path = "/", secure }) {
  return `${cookieText(name, "", { maxAge: 0, path, secure })}; Expires=Thu, 01 Jan 1970 00:00:00 GMT`;
}
