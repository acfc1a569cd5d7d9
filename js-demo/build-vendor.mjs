#!/usr/bin/env node
// Builds js-demo/vendor/codemirror.js: CodeMirror 6, @codemirror/lang-json and
// codemirror-json-schema as one ES module, for the demo's policy editor (the demo has no
// bundler at run time; the sample origin serves this file under /demo/vendor/).
//
//   node js-demo/build-vendor.mjs        (also: npm run build -w js-demo, and npm ci / npm install)
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const VENDOR_FILE = join(here, "vendor", "codemirror.js");

// codemirror-json-schema renders schema descriptions with markdown-it plus Shiki; the demo
// takes markdown-it alone (vendor-src/markdown.js).
const noShiki = {
  name: "no-shiki",
  setup(b) {
    b.onResolve({ filter: /utils\/markdown(\.js)?$/ }, (args) =>
      /codemirror-json-schema/.test(args.importer) ? { path: join(here, "vendor-src", "markdown.js") } : undefined);
    b.onResolve({ filter: /^(shiki|@shikijs)(\/|$)/ }, (args) => {
      throw new Error(`the vendor bundle must not pull in ${args.path} (imported by ${args.importer})`);
    });
  },
};

export async function buildVendor({ quiet = false } = {}) {
  const r = await build({
    entryPoints: [join(here, "vendor-src", "codemirror.js")],
    outfile: VENDOR_FILE,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    minify: true,
    sourcemap: false,
    legalComments: "eof",
    define: { "process.env.NODE_ENV": '"production"' },
    plugins: [noShiki],
    metafile: true,
    logLevel: quiet ? "error" : "warning",
  });
  return r;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = await buildVendor();
  const bytes = Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`js-demo/vendor/codemirror.js: ${bytes.toLocaleString("en-US")} bytes`);
}
