// Cloudflare for real (issue 15): `wrangler deploy --dry-run --outdir` bundles
// edge/examples/cloudflare (worker.js, wrangler.toml: compatibility date and flags, the wasm
// module rule), then the bundle wrangler wrote is served in workerd (miniflare) with the
// toml's compatibility settings against the sample origin on loopback, for three personas.
//   node --test tests/node/edge-cloudflare.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Miniflare } from "miniflare";
import { startSampleOrigin } from "../../edge/sample-origin/server.mjs";
import { HS_SECRET, SHARE_SECRET, ISSUER, LIST_ROUTES, BANNER, personaHeaders, personas, forbiddenFor, assertNoCanary } from "../../edge/testing/harness.mjs";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const example = join(repo, "edge/examples/cloudflare");
const WRANGLER = join(repo, "node_modules/wrangler/bin/wrangler.js");
const skip = !existsSync(WRANGLER) ? "wrangler not installed (npm install)" : !existsSync(join(repo, "wasm/dist/keyhole.wasm")) ? "wasm not built" : false;
const toml = readFileSync(join(example, "wrangler.toml"), "utf8");
const tomlValue = (k) => JSON.parse(new RegExp(`^${k}\\s*=\\s*(.+)$`, "m").exec(toml)[1]);

let out, mf, origin, url;
before(async () => {
  if (skip) return;
  out = mkdtempSync(join(tmpdir(), "keyhole-cf-"));
  const r = spawnSync(process.execPath, [WRANGLER, "deploy", "--dry-run", "--outdir", join(out, "dist")], {
    cwd: example, encoding: "utf8", timeout: 120000,
    env: { ...process.env, CI: "1", WRANGLER_SEND_METRICS: "false", WRANGLER_LOG_PATH: join(out, "logs"), NO_COLOR: "1" },
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  origin = await startSampleOrigin();
  const dist = join(out, "dist");
  mf = new Miniflare({
    scriptPath: join(dist, "worker.js"),
    modules: true,
    modulesRoot: dist,
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: tomlValue("compatibility_date"),
    compatibilityFlags: tomlValue("compatibility_flags"),
    // The toml's [vars], pointed at the loopback origin, and the secrets by name.
    bindings: { UPSTREAM: origin.url, ISSUER, AUDIENCE: "keyhole-edge", CORS_ORIGINS: "https://embed.example", JWT_SECRET: HS_SECRET, SHARE_SECRET },
  });
  url = await mf.ready;
});
after(async () => { await mf?.dispose(); await origin?.close(); if (out) rmSync(out, { recursive: true, force: true }); });

test("the example's policy is the sample policy (so the bundle is checked against known canaries)", () => {
  assert.deepEqual(JSON.parse(readFileSync(join(example, "policy.json"), "utf8")), JSON.parse(readFileSync(join(repo, "edge/sample-origin/policy.json"), "utf8")));
});

test("wrangler wrote a bundle and the core as a separate wasm module", { skip }, () => {
  const files = readdirSync(join(out, "dist"));
  assert.ok(files.includes("worker.js"), files.join(","));
  assert.ok(files.some((f) => f.endsWith("keyhole.wasm")), files.join(","));
  const js = readFileSync(join(out, "dist/worker.js"), "utf8");
  assert.ok(!/from "@keyhole\//.test(js), "packages are bundled, not left as imports");
});

for (const name of ["anonymous", "globex", "staff"]) {
  test(`the deployed bundle in workerd: ${name} on every list route, nothing restricted leaks`, { skip }, async () => {
    const headers = { "accept-encoding": "identity", ...(await personaHeaders(name)) };
    const forbidden = forbiddenFor(name, false);
    let seen = "";
    for (const path of LIST_ROUTES) {
      const r = await fetch(new URL(path, url), { headers });
      const text = await r.text();
      assert.equal(r.status, 200, `${name} ${path}: ${r.status} ${text.slice(0, 200)}`);
      assert.match(r.headers.get("etag") ?? "", /^"kh-/);
      JSON.parse(text);
      assertNoCanary(text, forbidden, `${name} ${path}`);
      seen += text;
      if (path.endsWith("/status.json")) assert.equal(JSON.parse(text).status.indicator, BANNER[name]);
    }
    for (const c of personas[name].sees) if (c !== "CANARY-PARTNER") assert.ok(seen.includes(c), `${name} must see ${c}`);
    // CORS from the toml's CORS_ORIGINS var.
    const c = await fetch(new URL("/api/v2/summary.json", url), { headers: { ...headers, origin: "https://embed.example" } });
    assert.equal(c.headers.get("access-control-allow-origin"), "https://embed.example");
    await c.arrayBuffer();
  });
}

test("the deployed bundle in workerd: a bad token is 401", { skip }, async () => {
  const r = await fetch(new URL("/api/v2/summary.json", url), { headers: { authorization: "Bearer a.b.c" } });
  assert.equal(r.status, 401);
  await r.arrayBuffer();
});
