// Marked blocks in docs/performance.md that a benchmark other than compare.mjs writes
// (edge-load.mjs, edge-workerd.mjs): `<!-- bench:NAME -->` … `<!-- /bench:NAME -->`.
// A benchmark replaces its own block; compare-report.mjs carries every block over when it
// regenerates the file, so neither run erases the other's figures.
import fs from "node:fs";

const BLOCK = /<!-- bench:([\w-]+) -->[\s\S]*?<!-- \/bench:\1 -->\n?/g;
export const BLOCKS_BEFORE = "## How cost grows with size";

/** The marked blocks of `text`, in order, each with its markers and trailing newline. */
export function blocksOf(text) {
  return [...String(text ?? "").matchAll(BLOCK)].map((m) => m[0].endsWith("\n") ? m[0] : m[0] + "\n");
}

/** `text` with the blocks put back in, before BLOCKS_BEFORE (or at the end). */
export function withBlocks(text, blocks) {
  if (!blocks.length) return text;
  const joined = blocks.join("\n") + "\n";
  const at = text.indexOf(BLOCKS_BEFORE);
  return at < 0 ? `${text.replace(/\n*$/, "\n\n")}${joined}` : text.slice(0, at) + joined + text.slice(at);
}

/** Writes block NAME (markdown `body`) into the file, replacing an older one of that name. */
export function writeBlock(file, name, body) {
  const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
  const block = `<!-- bench:${name} -->\n${body.replace(/\n*$/, "\n")}<!-- /bench:${name} -->\n`;
  const others = blocksOf(text);
  const rest = text.replace(BLOCK, "");
  const i = others.findIndex((b) => b.startsWith(`<!-- bench:${name} -->`));
  if (i >= 0) others[i] = block; else others.push(block);
  fs.writeFileSync(file, withBlocks(rest.replace(/\n{3,}/g, "\n\n"), others));
}
