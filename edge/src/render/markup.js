// The renderers' only way to build markup, shared by the in-browser demo (js-demo, which
// turns a tree into DOM nodes) and the pages keyhole-edge serves (which turn it into an
// HTML string). h() builds a plain tree; payload text only ever becomes text (escaped by
// toHtml, a text node in the demo's toDom), never markup. Tags and attribute names are
// fixed by the renderers' code, and still checked, so no payload value can become one.

const TAG = /^[a-z][a-z0-9]*$/;
const ATTR = /^[a-z][a-z0-9-]*$/;
// Elements without content: written as <br> etc., never given children.
const VOID = new Set(["br", "hr", "img", "input", "link", "meta"]);

/** h(tag, attrs, ...children): children are strings, numbers, trees, arrays or nothing (null/false). */
export function h(tag, attrs, ...children) {
  if (!TAG.test(tag)) throw new TypeError(`bad tag ${tag}`);
  return { tag, attrs: attrs ?? {}, children: flatten(children, []) };
}

function flatten(children, out) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) flatten(c, out);
    else out.push(typeof c === "object" ? c : String(c));
  }
  return out;
}

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]);
const kebab = (k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The attributes as [name, value] pairs (value true: a bare attribute); dataset -> data-*. */
export function attributePairs(attrs) {
  const out = [];
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false || typeof v === "function") continue;
    if (k === "dataset") {
      for (const [dk, dv] of Object.entries(v)) if (dv !== undefined && dv !== null) out.push([`data-${kebab(dk)}`, String(dv)]);
      continue;
    }
    out.push([k, v === true ? true : String(v)]);
  }
  for (const [name] of out) if (!ATTR.test(name)) throw new TypeError(`bad attribute ${name}`);
  return out;
}

/** The tree as HTML text: every text and attribute value escaped. */
export function toHtml(node) {
  if (typeof node === "string") return escapeHtml(node);
  const attrs = attributePairs(node.attrs).map(([k, v]) => (v === true ? ` ${k}` : ` ${k}="${escapeHtml(v)}"`)).join("");
  if (VOID.has(node.tag)) return `<${node.tag}${attrs}>`;
  return `<${node.tag}${attrs}>${node.children.map(toHtml).join("")}</${node.tag}>`;
}

/** "25 Nov 2022, 14:05 UTC" (the same text in Node, workerd and browsers). */
export function fmtTime(iso) {
  if (typeof iso !== "string") return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][d.getUTCMonth()];
  const two = (n) => String(n).padStart(2, "0");
  return `${d.getUTCDate()} ${month} ${d.getUTCFullYear()}, ${two(d.getUTCHours())}:${two(d.getUTCMinutes())} UTC`;
}
