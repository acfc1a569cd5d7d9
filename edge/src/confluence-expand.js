// SPEC §6 (amended, finding R1): Confluence v1 returns a page's read restrictions only when
// asked (otherwise they are only named under `_expandable`, and the core hides the page as
// unknown). The edge asks for them on every upstream Confluence v1 content or search request,
// keeping whatever the caller expanded.

export const RESTRICTION_EXPANDS = ["restrictions.read.restrictions.user", "restrictions.read.restrictions.group"];
// /rest/api/search wraps each hit's content, whose members Confluence expands as `content.…`.
const SEARCH_EXPANDS = RESTRICTION_EXPANDS.map((e) => `content.${e}`);
const V1 = /^(?:\/wiki)?\/rest\/api\/(content|search)(?:\/|$)/;

/** The expands a v1 content/search path needs, or null (v2, JSM, Statuspage, anything else). */
export function restrictionExpandsFor(path) {
  const m = V1.exec(path);
  if (!m) return null;
  return m[1] === "search" ? [...RESTRICTION_EXPANDS, ...SEARCH_EXPANDS] : RESTRICTION_EXPANDS;
}

/**
 * Adds the restriction expands to `params` (URLSearchParams, changed in place): every `expand`
 * the caller sent, split on commas, then the needed ones, without duplicates, as one `expand`.
 */
export function addRestrictionExpands(params, path, format) {
  if (format !== "confluence" && format !== "auto") return;
  const need = restrictionExpandsFor(path);
  if (!need) return;
  const have = params.getAll("expand").flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
  params.set("expand", [...new Set([...have, ...need])].join(","));
}
