// The sample origin honours `expand` for read restrictions the way Confluence REST v1 does
// (SPEC §6 amended): a content object carries `restrictions.read.restrictions.user` / `.group`
// only when they are asked for; otherwise `restrictions` is only named under `_expandable`
// (and a list not asked for is named under `restrictions.read.restrictions._expandable`).
// The stored data (data/demo) is the fully expanded form, which is what keyhole-edge asks for.

const USER = "restrictions.read.restrictions.user";
const GROUP = "restrictions.read.restrictions.group";

/** The expand list of a query (`expand=a,b&expand=c`), for the content itself or a search hit. */
export function expandsOf(searchParams, prefix = "") {
  return new Set(searchParams.getAll("expand").flatMap((v) => v.split(","))
    .map((s) => s.trim()).filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length)));
}

/** One content object as Confluence would send it for these expands (a new object). */
export function restrictionsAsExpanded(content, expands) {
  if (!content || typeof content !== "object" || !content.restrictions) return content;
  const id = content.id;
  const { restrictions, ...rest } = content;
  const user = expands.has(USER), group = expands.has(GROUP);
  if (!user && !group) {
    return { ...rest, _expandable: { ...(rest._expandable ?? {}), restrictions: `/rest/api/content/${id}/restriction/byOperation` } };
  }
  const lists = { ...restrictions.read.restrictions };
  const named = {};
  for (const [k, on] of [["user", user], ["group", group]]) {
    if (!on) { delete lists[k]; named[k] = ""; }
  }
  if (Object.keys(named).length) lists._expandable = named;
  return { ...rest, restrictions: { ...restrictions, read: { ...restrictions.read, restrictions: lists } } };
}

/** A v1 content object or list (`results[]`) with its restrictions as these expands ask. */
export function applyRestrictionExpands(doc, searchParams) {
  const expands = expandsOf(searchParams);
  if (Array.isArray(doc?.results)) return { ...doc, results: doc.results.map((c) => restrictionsAsExpanded(c, expands)) };
  return restrictionsAsExpanded(doc, expands);
}
