// Differential test: random payloads derived from the real fixtures in tests/fixtures
// (components / incidents / maintenances / articles dropped, duplicated, reordered,
// re-laid-out, sometimes truncated), random small policies and random claims. The
// native CLI (build/release) and @keyhole/wasm must give identical bytes and exit codes.
// KEYHOLE_DIFF_N sets the number of trials (default 300), KEYHOLE_DIFF_SEED the seed,
// KEYHOLE_CLI the CLI path, KEYHOLE_DIFF_MODES the modes.
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadKeyhole, KeyholeError } from "@keyhole/wasm";
import { moduleUnderTest } from "./wasm-cases-lib.mjs";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const FIXTURES = path.join(ROOT, "tests/fixtures");
const N = Number(process.env.KEYHOLE_DIFF_N ?? 300);
const SEED = Number(process.env.KEYHOLE_DIFF_SEED ?? (Date.now() % 2 ** 31));
// KEYHOLE_DIFF_MODES limits the modes tried (comma-separated: filter,explain,audience-key).
const MODES = (process.env.KEYHOLE_DIFF_MODES ?? "filter,explain,audience-key").split(",");
const EXIT = { policy: 2, claims: 2, usage: 2, payload: 3, "not-visible": 4 };

function findCli() {
  const candidates = [process.env.KEYHOLE_CLI, "build/release/core/keyhole", "build/native/core/cli/keyhole", "build/native/keyhole"];
  for (const c of candidates) {
    if (!c) continue;
    const p = path.resolve(ROOT, c);
    if (fs.existsSync(p)) return p;
  }
  return null;
}

function fixtureFiles(dir) {
  if (!fs.existsSync(dir)) return [];
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...fixtureFiles(p));
    else if (e.name.endsWith(".json")) out.push(p);
  }
  return out.sort();
}

// mulberry32: a small seeded PRNG, so a failure can be replayed with its seed.
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    chance: (p) => next() < p,
    int: (n) => Math.floor(next() * n),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
    some: (xs, p) => xs.filter(() => next() < p),
  };
}

function mutateList(r, list) {
  if (!Array.isArray(list)) return list;
  let out = [];
  for (const x of list) {
    if (r.chance(0.25)) continue;                 // drop
    out.push(x);
    if (r.chance(0.05)) out.push(x);              // duplicate
  }
  if (r.chance(0.5)) {                            // reorder
    for (let i = out.length - 1; i > 0; i--) {
      const j = r.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
  }
  return out;
}

function mutateResource(r, x) {
  if (!x || typeof x !== "object") return x;
  const y = { ...x };
  if (Array.isArray(y.components) && r.chance(0.5)) y.components = mutateList(r, y.components);
  if (Array.isArray(y.incident_updates)) {
    y.incident_updates = y.incident_updates.map((u) =>
      u && Array.isArray(u.affected_components) && r.chance(0.3)
        ? { ...u, affected_components: mutateList(r, u.affected_components) } : u);
  }
  return y;
}

function mutatePayload(r, doc) {
  if (Array.isArray(doc) || !doc || typeof doc !== "object") return doc;
  const out = { ...doc };
  for (const k of ["components", "incidents", "scheduled_maintenances", "results", "values"]) {
    if (Array.isArray(out[k])) out[k] = mutateList(r, out[k]).map((x) => mutateResource(r, x));
  }
  if (Array.isArray(out.incident_updates)) return mutateResource(r, out);
  return out;
}

// Ids the random policies and grants refer to.
function collectIds(doc) {
  const ids = { components: new Set(), incidents: new Set(), spaces: new Set(), pages: new Set(), labels: new Set() };
  const walk = (x, parentKey) => {
    if (Array.isArray(x)) { x.forEach((v) => walk(v, parentKey)); return; }
    if (!x || typeof x !== "object") return;
    if (parentKey === "components" && typeof x.id === "string") ids.components.add(x.id);
    if (typeof x.group_id === "string") ids.components.add(x.group_id);
    if (parentKey === "affected_components" && typeof x.code === "string") ids.components.add(x.code);
    if ((parentKey === "incidents" || parentKey === "scheduled_maintenances") && typeof x.id === "string") ids.incidents.add(x.id);
    if ((parentKey === "results" || parentKey === "ancestors" || parentKey === "values") && x.id != null) ids.pages.add(String(x.id));
    if (x.space && typeof x.space.key === "string") ids.spaces.add(x.space.key);
    if (typeof x.spaceKey === "string") ids.spaces.add(x.spaceKey);
    if (x.spaceId != null) ids.spaces.add(String(x.spaceId));
    if (x.pageId != null) ids.pages.add(String(x.pageId));
    if (parentKey === "labels" && typeof x.name === "string") ids.labels.add(x.name);
    for (const [k, v] of Object.entries(x)) walk(v, k === "results" && parentKey === "labels" ? "labels" : k);
  };
  walk(doc, "");
  if (doc && typeof doc.id === "string") (doc.scheduled_for !== undefined || doc.incident_updates ? ids.incidents : ids.pages).add(doc.id);
  return Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, [...v]]));
}

const ATOMS = [
  "everyone", "anonymous", "signed-in", "verified", "user:u-1", "email:ann@acme.example",
  "domain:acme.example", "domain:*.acme.example", "group:staff", "group:*", "org:globex", "org:*",
  "role:admin", "account:internal", "account:portal", "attr:plan=enterprise", "@staff", "@customer",
  { not: "anonymous" }, { all: ["org:*", "attr:plan=enterprise"] }, { not: { all: ["verified", "@staff"] } },
];
const BAD_ATOMS = ["nobody", "org:", "user:*", "@missing", { all: [] }, "domain:"];

function randomRule(r, bad) {
  const rule = {};
  if (r.chance(0.8)) rule.allow = r.some(ATOMS, 0.12).concat(r.chance(0.5) ? [r.pick(ATOMS)] : []);
  if (r.chance(0.3)) rule.deny = [r.pick(ATOMS)];
  if (r.chance(0.3)) rule.inherit = r.chance(0.5);
  if (bad && r.chance(0.5)) (rule.allow ??= []).push(r.pick(BAD_ATOMS));
  return rule;
}

function randomPolicy(r, ids) {
  const bad = r.chance(0.05);
  const policy = {
    keyhole: 1,
    audiences: { staff: ["domain:acme.example", "group:staff"], customer: ["org:*"] },
  };
  if (r.chance(0.95)) {
    const status = {};
    if (r.chance(0.9)) status.default = randomRule(r, bad);
    const comps = r.some(ids.components, 0.3);
    if (comps.length) status.components = Object.fromEntries(comps.map((id) => [id, randomRule(r, bad)]));
    if (r.chance(0.8)) {
      const inc = {};
      if (r.chance(0.7)) inc.visibility = r.pick(["any-component", "all-components"]);
      if (r.chance(0.7)) inc.mixed = r.pick(["show", "redact", "hide"]);
      if (r.chance(0.5)) inc["redact-text"] = "Details are shared with affected customers only.";
      if (r.chance(0.4)) inc["without-components"] = randomRule(r, bad);
      const incs = r.some(ids.incidents, 0.2);
      if (incs.length) inc.rules = Object.fromEntries(incs.map((id) => [id, randomRule(r, bad)]));
      status.incidents = inc;
    }
    if (r.chance(0.5)) {
      status.disclose = r.some([
        { field: "update.body", allow: ["signed-in"], replace: "Sign in to read the details." },
        { field: "component.description", allow: ["@staff"] },
        { field: "incident.shortlink", allow: ["verified"] },
        { field: "component.name", allow: ["@customer"], replace: "Hidden" },
        { field: "group.name", allow: ["signed-in"] },
        { field: "maintenance.name", allow: ["@staff"], replace: "Maintenance" },
      ], 0.4);
    }
    if (r.chance(0.4)) status["recompute-status"] = r.chance(0.5);
    policy.status = status;
  }
  if (r.chance(0.6)) {
    const articles = {};
    if (r.chance(0.9)) articles.default = randomRule(r, bad);
    const spaces = r.some(ids.spaces, 0.5);
    if (spaces.length) articles.spaces = Object.fromEntries(spaces.map((k) => [k, randomRule(r, bad)]));
    const pages = r.some(ids.pages, 0.3);
    if (pages.length) articles.pages = Object.fromEntries(pages.map((k) => [k, randomRule(r, bad)]));
    const labels = r.some(ids.labels, 0.5);
    if (labels.length) articles.labels = Object.fromEntries(labels.map((k) => [k, randomRule(r, bad)]));
    if (r.chance(0.3)) articles["embedded-restrictions"] = r.chance(0.5);
    if (r.chance(0.3)) articles.disclose = [{ field: "article.excerpt", allow: ["signed-in"] }];
    policy.articles = articles;
  }
  if (bad && r.chance(0.3)) policy.unknown = true;
  return policy;
}

function randomClaims(r, ids) {
  const base = r.pick([
    {},
    { sub: "u-1" },
    { sub: "u-2", email: "Ann@Acme.Example", email_verified: true },
    { sub: "u-3", email: "ann@acme.example", email_verified: false, groups: ["staff"] },
    { sub: "u-4", email: "bob@eu.acme.example.", email_verified: true, roles: ["admin"] },
    { sub: "u-5", orgs: ["globex"], attrs: { plan: "enterprise", region: ["eu", "us"] }, account: "portal" },
    { sub: "u-6", email: "eve@acme.example.evil.test", email_verified: true, orgs: ["initech"] },
    { sub: "u-7", account: "internal", groups: ["staff", "beta"] },
  ]);
  const claims = structuredClone(base);
  if (claims.sub && r.chance(0.3)) {
    const grants = [];
    for (const id of r.some(ids.components, 0.2)) grants.push(`component:${id}`);
    for (const id of r.some(ids.incidents, 0.2)) grants.push(`incident:${id}`);
    for (const id of r.some(ids.pages, 0.2)) grants.push(`article:${id}`);
    claims.grants = grants;
  }
  if (r.chance(0.04)) return r.pick([{ email: "a@acme.example" }, { sub: "" }, { sub: "x", groups: "staff" }, { sub: "x", email_verified: "true" }, { sub: "x", grants: ["page:1"] }]);
  return claims;
}

function wasmRun(kh, mode, policyText, claimsText, payload, format) {
  let policy;
  try {
    policy = kh.compilePolicy(policyText);
  } catch (e) {
    if (!(e instanceof KeyholeError)) throw e;
    return { exit: EXIT[e.code], out: null, err: e };
  }
  try {
    if (mode === "audience-key") return { exit: 0, out: Buffer.from(policy.audienceKey(claimsText, { format })) };
    if (mode === "explain") return { exit: 0, out: policy.explain(payload, claimsText, { format }) };
    return { exit: 0, out: Buffer.from(policy.filter(payload, claimsText, { format })) };
  } catch (e) {
    if (!(e instanceof KeyholeError)) throw e;
    return { exit: EXIT[e.code], out: null, err: e };
  } finally {
    policy.dispose();
  }
}

const cli = findCli();
const fixtures = fixtureFiles(FIXTURES);

test(`native CLI and wasm agree on ${N} random trials (seed ${SEED})`, {
  skip: (!cli && "native CLI not built (toolchains/build.sh native)") || (!fixtures.length && "no tests/fixtures"),
  timeout: 900_000,
}, async () => {
  const kh = await loadKeyhole(moduleUnderTest());
  const r = rng(SEED);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyhole-diff-"));
  const docs = fixtures.map((f) => {
    const raw = fs.readFileSync(f);
    let doc = null;
    try { doc = JSON.parse(raw.toString("utf8")); } catch {}
    return { file: path.relative(ROOT, f), raw, doc };
  }).filter((d) => d.doc !== null);
  const stats = { trials: 0, exit: { 0: 0, 2: 0, 3: 0, 4: 0 } };
  try {
    for (let i = 0; i < N; i++) {
      const fx = r.pick(docs);
      let payload;
      if (r.chance(0.1)) payload = fx.raw;
      else {
        const mutated = mutatePayload(r, fx.doc);
        payload = Buffer.from(JSON.stringify(mutated, null, r.pick([0, 0, 2, "\t"])));
      }
      if (r.chance(0.03)) payload = payload.subarray(0, r.int(payload.length));  // malformed
      const ids = collectIds(fx.doc);
      const policyText = JSON.stringify(randomPolicy(r, ids), null, r.chance(0.5) ? 1 : 0);
      const claimsText = JSON.stringify(randomClaims(r, ids));
      const format = r.chance(0.85) ? "auto" : r.pick(["statuspage", "confluence", "jsm"]);
      let mode = r.chance(0.8) ? "filter" : r.pick(["explain", "audience-key"]);
      if (!MODES.includes(mode)) mode = MODES[0];

      const pf = path.join(tmp, "policy.json"), cf = path.join(tmp, "claims.json"), df = path.join(tmp, "payload.json");
      fs.writeFileSync(pf, policyText);
      fs.writeFileSync(cf, claimsText);
      fs.writeFileSync(df, payload);
      const args = mode === "audience-key"
        ? ["audience-key", "--policy", pf, "--claims", cf, "--format", format]
        : [mode, "--policy", pf, "--claims", cf, "--format", format, df];
      const nat = spawnSync(cli, args, { maxBuffer: 256 << 20 });
      const wasm = wasmRun(kh, mode, policyText, claimsText, payload, format);
      const replay = `trial ${i} (seed ${SEED}, fixture ${fx.file}, mode ${mode}, format ${format})\npolicy: ${policyText}\nclaims: ${claimsText}\nstderr: ${nat.stderr}\nwasm: ${wasm.err ? wasm.err.code + " " + wasm.err.message : "ok"}`;
      assert.equal(wasm.exit, nat.status, `exit codes differ: ${replay}`);
      if (nat.status !== 0) {
        assert.equal(nat.stdout.length, 0, `CLI wrote to stdout with exit ${nat.status}: ${replay}`);
      } else {
        let natOut = nat.stdout;
        // The CLI may end its output with one newline; the library output has none.
        if (natOut.length && natOut[natOut.length - 1] === 0x0a) natOut = natOut.subarray(0, natOut.length - 1);
        if (mode === "explain") assert.deepEqual(wasm.out, JSON.parse(natOut.toString("utf8")), `explain differs: ${replay}`);
        else assert.ok(wasm.out.equals(natOut), `outputs differ: ${replay}\nnative: ${natOut.toString("utf8").slice(0, 1500)}\nwasm:   ${wasm.out.toString("utf8").slice(0, 1500)}`);
      }
      stats.trials++;
      stats.exit[nat.status] = (stats.exit[nat.status] ?? 0) + 1;
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`# differential: ${JSON.stringify(stats)}`);
  assert.ok(stats.exit[0] > N / 4, `too few successful trials to mean much: ${JSON.stringify(stats)}`);
});
