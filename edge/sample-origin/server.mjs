#!/usr/bin/env node
// The built-in sample origin: a plain node:http server on loopback that serves the demo
// status page and knowledge base UNFILTERED (it plays the part of Statuspage / Confluence /
// JSM), the demo page's static files, and the demo policy. See README.md in this folder.
//
//   node edge/sample-origin/server.mjs [--port 8081] [--host 127.0.0.1]
import { createServer } from "node:http";
import { readFile, readdir, stat } from "node:fs/promises";
import { dirname, join, normalize, sep, extname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync, brotliCompressSync } from "node:zlib";
import { personas } from "./personas.mjs";
import { applyRestrictionExpands } from "./expand.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const DATA_DIR = join(here, "data", "demo");
export const POLICY_FILE = join(here, "policy.json");
/** The demo policy minus its label rules, for JSM lists (which carry no labels). */
export const JSM_POLICY_FILE = join(here, "policy-jsm.json");
const REPO = resolve(here, "..", "..");
const JS_DEMO_DIR = join(REPO, "js-demo");
const WASM_DIR = join(REPO, "wasm");
const WASM_DIST_DIR = join(WASM_DIR, "dist");
// The renderers shared by the demo page and keyhole-edge's own pages (pure modules).
const RENDER_DIR = join(REPO, "edge", "src", "render");

/** Upstream routes: request path -> data file (relative to data/demo). */
export const ROUTES = {
  "/api/v2/summary.json": "summary.json",
  "/api/v2/status.json": "status.json",
  "/api/v2/components.json": "components.json",
  "/api/v2/incidents.json": "incidents.json",
  "/api/v2/incidents/unresolved.json": "incidents-unresolved.json",
  "/api/v2/scheduled-maintenances.json": "scheduled-maintenances.json",
  "/api/v2/scheduled-maintenances/upcoming.json": "scheduled-maintenances.json",
  "/wiki/rest/api/content": "confluence-content.json",
  "/rest/servicedeskapi/knowledgebase/article": "jsm-articles.json",
};

const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json; charset=utf-8", ".wasm": "application/wasm",
  ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon", ".map": "application/json", ".txt": "text/plain; charset=utf-8",
  ".d.ts": "text/plain; charset=utf-8",
};

async function fileInside(root, rel) {
  const p = normalize(join(root, rel));
  if (p !== root && !p.startsWith(root + sep)) return null;
  try {
    let s = await stat(p);
    if (s.isDirectory()) {
      const idx = join(p, "index.html");
      s = await stat(idx);
      return idx;
    }
    return s.isFile() ? p : null;
  } catch {
    return null;
  }
}

/** The data file of a Confluence v1 content route (list or one page), or null. */
async function confluenceFile(path) {
  if (path === "/wiki/rest/api/content") return join(DATA_DIR, ROUTES[path]);
  if (/^\/wiki\/rest\/api\/content\/\d+$/.test(path)) return fileInside(DATA_DIR, `content/${path.split("/").pop()}.json`);
  return null;
}

async function listData(dir = DATA_DIR, prefix = "") {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.isDirectory()) out.push(...(await listData(join(dir, e.name), `${prefix}${e.name}/`)));
    else if (e.name.endsWith(".json")) out.push(prefix + e.name);
  }
  return out.sort();
}

/**
 * Start the sample origin. Options: port (0 = any free port), host (default 127.0.0.1),
 * compress (default true: honour Accept-Encoding br/gzip on JSON, like real origins).
 * Resolves to { url, port, server, close() }.
 */
export async function startSampleOrigin({ port = 0, host = "127.0.0.1", compress = true } = {}) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, "http://origin.invalid");
      const path = decodeURIComponent(url.pathname);
      let file = null;
      let noStore = false;
      const confluence = await confluenceFile(path);
      if (confluence) {
        // Confluence v1: read restrictions only when `expand` asks for them (expand.mjs).
        const doc = applyRestrictionExpands(JSON.parse(await readFile(confluence, "utf8")), url.searchParams);
        return send(req, res, 200, TYPES[".json"], Buffer.from(JSON.stringify(doc)), compress, false);
      }
      if (ROUTES[path]) file = join(DATA_DIR, ROUTES[path]);
      else if (path === "/demo/policy.json") file = POLICY_FILE;
      else if (path === "/demo/policy-jsm.json") file = JSM_POLICY_FILE;
      else if (path === "/demo/personas.json") {
        return send(req, res, 200, TYPES[".json"], Buffer.from(JSON.stringify(personas, null, 2)), compress, true);
      } else if (path === "/demo/raw/" || path === "/demo/raw/index.json") {
        return send(req, res, 200, TYPES[".json"], Buffer.from(JSON.stringify({ files: await listData(), routes: ROUTES })), compress, true);
      } else if (path.startsWith("/demo/raw/")) file = await fileInside(DATA_DIR, path.slice("/demo/raw/".length));
      else if (path.startsWith("/demo/wasm/")) {
        // The package's public module (index.js, which imports ./dist/keyhole.mjs) and its
        // built files; /demo/wasm/keyhole.{mjs,wasm} are short names for the dist files.
        const rest = path.slice("/demo/wasm/".length);
        if (rest === "index.js" || rest === "index.d.ts" || rest === "policy-tests.js") file = await fileInside(WASM_DIR, rest);
        else if (rest === "policy.schema.json") file = join(WASM_DIR, "keyhole-policy.schema.json"); // the exports subpath
        else file = await fileInside(WASM_DIST_DIR, rest.startsWith("dist/") ? rest.slice(5) : rest);
        noStore = true;
      }
      else if (path.startsWith("/demo/render/")) { file = await fileInside(RENDER_DIR, path.slice("/demo/render/".length)); noStore = true; }
      else if (path === "/demo") { res.writeHead(301, { location: "/demo/" }); return res.end(); }
      else if (path.startsWith("/demo/")) { file = await fileInside(JS_DEMO_DIR, path.slice("/demo/".length) || "."); noStore = true; }
      else if (path === "/" || path === "/healthz") {
        return send(req, res, 200, TYPES[".json"], Buffer.from(JSON.stringify({ origin: "keyhole sample origin", routes: Object.keys(ROUTES), demo: "/demo/" })), false, true);
      }
      if (!file) return send(req, res, 404, TYPES[".json"], Buffer.from('{"message":"Not found"}'), false, true);
      const body = await readFile(file);
      const ext = file.endsWith(".d.ts") ? ".d.ts" : extname(file);
      send(req, res, 200, TYPES[ext] || "application/octet-stream", body, compress, noStore);
    } catch (e) {
      send(req, res, 500, TYPES[".json"], Buffer.from('{"message":"sample origin error"}'), false, true);
    }
  });
  await new Promise((ok, fail) => { server.once("error", fail); server.listen(port, host, ok); });
  const actual = server.address().port;
  return {
    server, port: actual, url: `http://${host}:${actual}`,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}

function send(req, res, status, type, body, compress, noStore) {
  const headers = { "content-type": type, "cache-control": noStore ? "no-store" : "public, max-age=30", vary: "Accept-Encoding" };
  const ae = String(req.headers["accept-encoding"] || "");
  const textual = /json|javascript|html|css|svg|text/.test(type);
  if (compress && textual && body.length > 512) {
    if (/\bbr\b/.test(ae)) { body = brotliCompressSync(body); headers["content-encoding"] = "br"; }
    else if (/\bgzip\b/.test(ae)) { body = gzipSync(body); headers["content-encoding"] = "gzip"; }
  }
  headers["content-length"] = body.length;
  res.writeHead(status, headers);
  res.end(req.method === "HEAD" ? undefined : body);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (n, d) => { const i = args.indexOf(n); return i >= 0 ? args[i + 1] : d; };
  const o = await startSampleOrigin({ port: Number(opt("--port", 8081)), host: opt("--host", "127.0.0.1") });
  console.log(`keyhole sample origin on ${o.url}  (demo page: ${o.url}/demo/)`);
}
