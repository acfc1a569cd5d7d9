// The status page (/) and the help center (/help) the edge serves itself. Each is rendered
// on the server from the FILTERED payload: the page asks the edge's own pipeline (routing,
// identity, share link, core filter) for the viewer's JSON exactly as a browser would, and
// renders only that. Unfiltered bytes never reach this file; what the filter removed cannot
// reach the HTML. A share link on the page URL (?share=) goes along to the payload request.
import { h } from "../render/markup.js";
import { renderStatus } from "../render/render-status.js";
import { renderConfluence } from "../render/render-kb.js";
import { messagePage, pageResponse, signInBar, signInHref, STYLESHEET_PATH } from "./layout.js";
import { PAGES_CSS } from "./stylesheet.js";

export const PAGE_DEFAULTS = Object.freeze({ statusSource: "/api/v2/summary.json", helpSource: "/wiki/rest/api/content" });

const PAGES = {
  "/": { source: "statusSource", title: (t) => t ?? "Status", render: (json) => renderStatus(json) },
  "/help": {
    source: "helpSource", title: (t) => `Help center${t ? ` · ${t}` : ""}`,
    render: (json) => [h("h1", { class: "page-name" }, "Help center"), renderConfluence(json)],
  },
};

function stylesheet(request) {
  return new Response(request.method === "HEAD" ? null : PAGES_CSS, {
    headers: { "content-type": "text/css; charset=utf-8", "cache-control": "public, max-age=3600", "x-content-type-options": "nosniff" },
  });
}

/**
 * pagesRoutes({ pages, shareParam, signInEnabled, whoIs, filteredJson })
 *   whoIs(request, share, info) -> { claims, display, viaSession } | { response }   (the edge's viewer stage)
 *   filteredJson(request, sourcePath, share) -> { status, json }        (the edge's pipeline)
 * -> async (request, path, info) => Response | null
 */
export function pagesRoutes({ pages, shareParam, signInEnabled, whoIs, filteredJson }) {
  const cfg = { ...PAGE_DEFAULTS, ...pages };
  return async function route(request, path, info) {
    if (path === STYLESHEET_PATH && (request.method === "GET" || request.method === "HEAD")) return stylesheet(request);
    const page = Object.hasOwn(PAGES, path) ? PAGES[path] : null;
    if (!page) return null;
    if (request.method !== "GET" && request.method !== "HEAD") return new Response(null, { status: 405, headers: { allow: "GET, HEAD" } });
    info.route = `page:${path}`;
    const url = new URL(request.url);
    const returnTo = url.pathname + url.search;
    const share = url.searchParams.get(shareParam);
    const who = await whoIs(request, share, info);
    if (who.response) {
      return messagePage(request, { status: 401, title: "Sign-in not accepted", message: "Your sign-in token was refused, so nothing is shown. Sign in again.",
        actions: signInEnabled ? [[signInHref(returnTo), "Sign in"]] : [], bar: signInBar(null, returnTo, { signIn: signInEnabled }) });
    }
    const viewer = who.claims.sub ? { display: who.display ?? who.claims.email ?? who.claims.sub, session: who.viaSession === true } : null;
    const bar = signInBar(viewer, returnTo, { signIn: signInEnabled });
    const { status, json } = await filteredJson(request, cfg[page.source], share);
    if (status !== 200 || json === undefined) {
      info.error = `page source ${cfg[page.source]}: ${status}`;
      return messagePage(request, { status: 502, title: "Not available", message: "This page's information could not be loaded. Please try again later.", bar });
    }
    return pageResponse(request, { title: page.title(pages.title), bar, body: h("div", { class: "page", dataset: { page: path } }, page.render(json)) });
  };
}
