// The only way this demo builds DOM: every piece of payload text goes in as a
// text node (never innerHTML), so nothing in a payload can inject markup.
import { attributePairs } from "../render/markup.js";
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") el.className = v;
      else if (k === "dataset") Object.assign(el.dataset, v);
      else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? "" : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

/** A markup tree from the shared renderers (edge/src/render/markup.js) as DOM nodes: text
 *  as text nodes, attributes through setAttribute (markup.js checked their names). */
export function toDom(node) {
  if (typeof node === "string") return document.createTextNode(node);
  const el = document.createElement(node.tag);
  for (const [k, v] of attributePairs(node.attrs)) el.setAttribute(k, v === true ? "" : v);
  for (const c of node.children) el.appendChild(toDom(c));
  return el;
}
