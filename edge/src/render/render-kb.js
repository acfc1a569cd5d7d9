// Renders knowledge-base payloads: a Confluence v1 content list (articles grouped by space,
// breadcrumbs from ancestors, labels) and a JSM knowledge-base list. Pure: data in, a markup
// tree out (markup.js), shared by the demo (DOM) and keyhole-edge's pages (HTML).
import { h } from "./markup.js";

const str = (v) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");

function breadcrumbs(item) {
  const anc = Array.isArray(item.ancestors) ? item.ancestors : [];
  if (anc.length === 0) return null;
  return h("nav", { class: "breadcrumbs", "aria-label": `Location of ${str(item.title)}` },
    h("ol", null, anc.map((a) => typeof a?.title === "string"
      ? h("li", null, a.title)
      : h("li", { class: "restricted", title: "You cannot see this page" }, "Restricted page"))));
}

function labels(item) {
  const ls = item?.metadata?.labels?.results;
  if (!Array.isArray(ls) || ls.length === 0) return null;
  return h("ul", { class: "labels", "aria-label": "Labels" },
    ls.map((l) => h("li", { class: "label" }, str(l?.name))));
}

function articleCard(item) {
  const excerpt = item.excerpt;
  return h("li", { class: "article", dataset: { articleId: str(item.id) } },
    breadcrumbs(item),
    h("h5", { class: "article-title" }, str(item.title)),
    typeof excerpt === "string" && excerpt ? h("p", { class: "excerpt" }, excerpt) : null,
    labels(item));
}

export function renderConfluence(list) {
  const items = (Array.isArray(list?.results) ? list.results : []).map((r) => (r && r.content ? r.content : r))
    .filter((r) => r && typeof r === "object");
  const spaces = new Map();
  for (const it of items) {
    const key = str(it.space?.key) || "(no space)";
    if (!spaces.has(key)) spaces.set(key, { name: str(it.space?.name) || key, items: [] });
    spaces.get(key).items.push(it);
  }
  const count = typeof list?.size === "number" ? list.size : items.length;
  return h("div", { class: "kb" },
    h("p", { class: "kb-count" }, `${count} article${count === 1 ? "" : "s"}`,
      typeof list?.totalSize === "number" ? ` of ${list.totalSize}` : ""),
    items.length === 0 ? h("p", { class: "empty" }, "No articles are shown to this viewer.") : null,
    [...spaces.entries()].map(([key, sp]) => h("section", { class: "space", dataset: { spaceKey: key }, "aria-label": `Space ${sp.name}` },
      h("h4", { class: "space-name" }, sp.name, " ", h("span", { class: "space-key" }, key)),
      h("ul", { class: "articles" }, sp.items.map(articleCard)))));
}

export function renderJsm(list) {
  const values = Array.isArray(list?.values) ? list.values.filter((v) => v && typeof v === "object") : [];
  return h("div", { class: "kb jsm" },
    values.length === 0 ? h("p", { class: "empty" }, "No help-center articles are shown to this viewer.") : null,
    h("ul", { class: "articles" }, values.map((v) => h("li", { class: "article", dataset: { articleId: str(v.source?.pageId) } },
      h("h5", { class: "article-title" }, str(v.title)),
      typeof v.excerpt === "string" && v.excerpt ? h("p", { class: "excerpt" }, v.excerpt) : null,
      v.source?.spaceKey ? h("p", { class: "space-key" }, `Space ${str(v.source.spaceKey)}`) : null))));
}
