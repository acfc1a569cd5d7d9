// Stands in for codemirror-json-schema's dist/utils/markdown.js in the vendor bundle: the
// same renderMarkdown() with markdown-it, without the Shiki code highlighter (which would
// add megabytes and a WebAssembly regex engine for the code blocks that policy schema
// descriptions do not have). markdown-it escapes raw HTML (html: false).
import md from "markdown-it";

const renderer = md({ linkify: false, typographer: true, html: false });

export function renderMarkdown(markdown, inline = true) {
  return inline ? renderer.renderInline(markdown) : renderer.render(markdown);
}
