// The HTML around every page the edge serves (status page, help center, sign-in errors): the
// sign-in bar and the document, rendered from markup trees (../render/markup.js). No script
// at all, a strict CSP, and headers that keep a personal page out of every cache.
import { h, toHtml } from "../render/markup.js";

export const STYLESHEET_PATH = "/_keyhole/pages.css";

/** Headers of a personal page: never stored (not even by the browser), never framed. */
export function pageHeaders(extra = {}) {
  return {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "private, no-store",
    "vary": "Cookie, Authorization",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer", // a share token in the page URL never leaves in a Referer
    "x-frame-options": "DENY",
    "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ...extra,
  };
}

/** `/auth/login?return=<this page>`, so signing in comes back here (with its share link). */
export const signInHref = (returnTo) => `/auth/login?return=${encodeURIComponent(returnTo)}`;

/** The bar: "Sign in", or "Signed in as … (sign out)". viewer: { display, session } or null
 *  (anonymous). "sign out" only for the edge's own session: it is all /auth/logout can clear
 *  (a viewer identified by a JWT keeps it whatever the edge does; review O7). */
export function signInBar(viewer, returnTo, { signIn = true } = {}) {
  const who = viewer
    ? [h("span", { class: "who" }, "Signed in as ", h("strong", { class: "viewer-name" }, viewer.display)),
      viewer.session ? h("form", { method: "post", action: "/auth/logout", class: "signout" },
        h("button", { type: "submit", class: "link-button", id: "sign-out" }, "sign out")) : null]
    : signIn ? h("a", { href: signInHref(returnTo), class: "sign-in", id: "sign-in" }, "Sign in") : null;
  return h("header", { class: "bar" },
    h("nav", { class: "site" }, h("a", { href: "/" }, "Status"), h("a", { href: "/help" }, "Help center")),
    h("div", { class: "account" }, who));
}

/** A whole page as a Response. body: a markup tree. */
export function pageResponse(request, { status = 200, title, bar, body, headers }) {
  const doc = h("html", { lang: "en" },
    h("head", null,
      h("meta", { charset: "utf-8" }),
      h("meta", { name: "viewport", content: "width=device-width, initial-scale=1" }),
      h("title", null, title),
      h("link", { rel: "stylesheet", href: STYLESHEET_PATH })),
    h("body", null, bar, h("main", null, body)));
  const text = `<!doctype html>\n${toHtml(doc)}\n`;
  const bytes = new TextEncoder().encode(text);
  const h2 = new Headers(pageHeaders());
  for (const [k, v] of headers ?? []) h2.append(k, v);
  h2.set("content-length", String(bytes.byteLength));
  return new Response(request.method === "HEAD" ? null : bytes, { status, headers: h2 });
}

/** A page that explains a failure (sign-in errors, a refused token, an unavailable source). */
export function messagePage(request, { status, title, message, actions = [], bar = null, headers }) {
  const body = h("section", { class: "message", role: "alert", dataset: { status: String(status) } },
    h("h1", null, title),
    h("p", null, message),
    actions.length ? h("p", { class: "actions" }, actions.map(([href, label]) => h("a", { href }, label))) : null);
  return pageResponse(request, { status, title, bar, body, headers });
}
