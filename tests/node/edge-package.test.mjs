// The package people install (issue 15): exports ("." and "./node", no demo data), type
// declarations for every public function (checked with tsc against a consumer, strict), one
// license across the packages.
//   node --test tests/node/edge-package.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync, mkdtempSync, existsSync, readdirSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = JSON.parse(readFileSync(join(repo, "edge/package.json"), "utf8"));
const TSC = join(repo, "node_modules/typescript/bin/tsc");

const declared = (file) => new Set([...readFileSync(join(repo, "edge", file), "utf8").matchAll(/^export (?:declare )?(?:function|class|const|interface|type) (\w+)/gm)].map((m) => m[1]));

test("exports: the handler and ./node; the demo data is not public", async () => {
  for (const k of [".", "./node"]) assert.ok(pkg.exports[k], `exports ${k}`);
  for (const k of Object.keys(pkg.exports)) assert.ok(!/sample-origin|personas|testing/.test(k + JSON.stringify(pkg.exports[k])), `demo data exported as ${k}`);
  const main = await import("@keyhole/edge");
  const node = await import("@keyhole/edge/node");
  assert.equal(typeof main.createEdgeFilter, "function");
  assert.equal(typeof node.serveNode, "function");
  for (const hidden of ["@keyhole/edge/sample-origin", "@keyhole/edge/personas", "@keyhole/edge/src/node-server.js"]) {
    await assert.rejects(import(hidden), (e) => e.code === "ERR_PACKAGE_PATH_NOT_EXPORTED", hidden);
  }
  for (const f of ["index.d.ts", "node.d.ts"]) assert.ok(pkg.files.includes(f), `${f} is shipped`);
});

test("every runtime export is declared", async () => {
  const main = await import("@keyhole/edge");
  const node = await import("@keyhole/edge/node");
  const d = declared("index.d.ts"), n = declared("node.d.ts");
  for (const k of Object.keys(main)) assert.ok(d.has(k), `index.d.ts declares ${k}`);
  for (const k of Object.keys(node)) assert.ok(n.has(k), `node.d.ts declares ${k}`);
});

test("one license across the packages", () => {
  const licenses = new Map();
  for (const ws of JSON.parse(readFileSync(join(repo, "package.json"), "utf8")).workspaces) {
    const p = JSON.parse(readFileSync(join(repo, ws, "package.json"), "utf8"));
    if (p.private) continue;
    licenses.set(p.name, p.license);
  }
  assert.ok(licenses.has("@keyhole/edge") && licenses.has("@keyhole/wasm"));
  assert.equal(new Set(licenses.values()).size, 1, JSON.stringify(Object.fromEntries(licenses)));
});

const skipTsc = !existsSync(TSC) && "typescript not installed";

function tsc(source) {
  const dir = mkdtempSync(join(tmpdir(), "keyhole-edge-types-"));
  writeFileSync(join(dir, "consumer.ts"), source);
  // Without @types/node, a minimal node:http for node.d.ts.
  const ambient = existsSync(join(repo, "node_modules/@types/node")) ? "" : 'declare module "node:http" { export class Server { close(cb?: () => void): this; } }\n';
  writeFileSync(join(dir, "ambient.d.ts"), ambient || "// @types/node is installed\n");
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: "es2022", module: "nodenext", moduleResolution: "nodenext",
      lib: ["es2022", "dom"], types: [], skipLibCheck: false,
      paths: { "@keyhole/edge": [join(repo, "edge/index.d.ts")], "@keyhole/edge/node": [join(repo, "edge/node.d.ts")], "@keyhole/wasm": [join(repo, "wasm/index.d.ts")] },
    },
    files: ["consumer.ts", "ambient.d.ts"],
  }));
  if (!readdirSync(dir).includes("tsconfig.json")) throw new Error("no tsconfig");
  return spawnSync(process.execPath, [TSC, "-p", dir], { encoding: "utf8" });
}

test("index.d.ts / node.d.ts: a strict consumer type-checks; mistakes do not", { skip: skipTsc }, () => {
  const ok = tsc(`
import { createEdgeFilter, createShareToken, shareVerifier, verifyShareToken, grantsFor, compileIdentity, IdentityError, ConfigError, DEFAULT_ROUTES, normalisePath, type EdgeConfig, type LogEntry } from "@keyhole/edge";
import { serveNode, logLine } from "@keyhole/edge/node";
const config: EdgeConfig = {
  policy: "{}", upstream: "https://status.example.com",
  routes: [...DEFAULT_ROUTES, { path: /^\\/assets\\//, format: "pass-through" }, { path: "/api/v2/**", format: "statuspage", cache: { audience: true, maxAge: 30 } }],
  identity: { algorithms: ["HS256", "EdDSA"], hs256Secret: "x".repeat(32), jwksUrl: "https://id.example/jwks", claims: { orgs: ["https://example.com/claims", "orgs"], groups: (p) => p.roles } },
  share: { secret: "s".repeat(32) },
  cors: { origins: ["https://www.example.com"], credentials: true, maxAge: 600 },
  upstreamCache: { maxEntries: 100 },
  cache: false,
  log: (e: LogEntry) => { const s: string = logLine(e); void s; },
};
const edge = createEdgeFilter(config);
async function main(): Promise<void> {
  await edge.ready();
  const res: Response = await edge.fetch(new Request("https://edge.example/api/v2/summary.json"), {}, { waitUntil() {} });
  void res;
  const token: string = await createShareToken("s".repeat(32), { resources: ["article:1"], emails: ["a@b.example"], ttlSeconds: 60 });
  const body = await verifyShareToken(shareVerifier("s".repeat(32)), token);
  const id = compileIdentity({ algorithms: ["HS256"], hs256Secret: "x".repeat(32) });
  const { claims } = await id.claimsFor(new Request("https://x.example/"));
  const grants: string[] = grantsFor(body, claims, Date.now() / 1000, 30, (await edge.ready()).kh);
  const p = normalisePath("/a/b");
  if (p.error === undefined) { const up: string = p.upstream; void up; }
  const s = await serveNode(edge, { port: 0 });
  const url: string = s.url;
  await s.close();
  try { createEdgeFilter(config); } catch (e) { if (e instanceof ConfigError) { const ptr: string = e.pointer; void ptr; } if (e instanceof IdentityError) void e.description; }
  void grants; void url;
}
void main;
`);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  for (const [bad, what] of [
    ['createEdgeFilter({ policy: "{}", upstream: "x", routez: [] });', /routez/],
    ['createEdgeFilter({ policy: "{}", upstream: "x", routes: [{ path: "/x", format: "statuspag" }] });', /statuspag/],
    ['createEdgeFilter({ policy: "{}", upstream: "x", identity: { algorithms: ["none"] } });', /none/],
    ['createEdgeFilter({ policy: "{}", upstream: "x", cors: { credentials: true } });', /origins/],
    ['createEdgeFilter({ upstream: "x" });', /policy/],
  ]) {
    const r = tsc(`import { createEdgeFilter } from "@keyhole/edge";\n${bad}\n`);
    assert.notEqual(r.status, 0, `${bad} must not type-check`);
    assert.match(r.stdout, what);
  }
});
