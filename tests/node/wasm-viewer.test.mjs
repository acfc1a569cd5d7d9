// The compiled viewer of @keyhole/wasm (policy.viewer(claims)): on every conformance
// case it answers exactly as the policy-level calls; status.json output; the explain
// document has exactly the members docs/explain.md lists; recomputesStatus; dispose and
// use after dispose; memory stays flat when one viewer serves many calls.
// Run with --expose-gc for the FinalizationRegistry test (skipped otherwise).
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { loadKeyhole, KeyholeError } from "@keyhole/wasm";
import { CASES, findCases, loadCase } from "./wasm-cases-lib.mjs";

const kh = await loadKeyhole();
const cases = findCases(CASES);

// Runs `fn`; returns {value} or {error: {code, message, pointer}} so answers compare whole.
function outcome(fn) {
  try {
    return { value: fn() };
  } catch (e) {
    assert.ok(e instanceof KeyholeError, `not a KeyholeError: ${e && e.stack}`);
    return { error: { code: e.code, message: e.message, pointer: e.pointer } };
  }
}

// The viewer, or the claims error that building it gave (the policy-level call must give it too).
function viewerOf(policy, claims) {
  const r = outcome(() => policy.viewer(claims));
  return r.error ? { error: r.error } : { viewer: r.value };
}

// What the viewer answers where the policy-level call answered `expected`.
function sameAs(expected, v, fn, label) {
  const got = v.error ? { error: v.error } : outcome(() => fn(v.viewer));
  if (v.error && expected.error) {
    assert.equal(got.error.code, expected.error.code, `${label}: error code`);
    assert.equal(got.error.pointer, expected.error.pointer, `${label}: error pointer`);
    return;
  }
  assert.deepEqual(got, expected, label);
}

// status.json from a filtered status payload is its `page` and `status` (SPEC §5).
function checkStatusJson(policy, viewer, k, payload, filtered, label) {
  const opts = { format: k.format, output: "status-json" };
  const got = outcome(() => viewer.filter(payload, opts));
  assert.deepEqual(outcome(() => policy.filter(payload, k.claims, opts)), got, `${label}: policy-level status-json`);
  const doc = JSON.parse(Buffer.from(filtered).toString("utf8"));
  const projectable = Array.isArray(doc.components) && doc.status && typeof doc.status === "object";
  if (!projectable) {
    assert.equal(got.error?.code, "payload", `${label}: status-json of a payload without components and status`);
    return 0;
  }
  const want = {};
  for (const k of Object.keys(doc)) if (k === "page" || k === "status") want[k] = doc[k];
  assert.deepEqual(JSON.parse(Buffer.from(got.value).toString("utf8")), want, `${label}: status-json projection`);
  return 1;
}

// Runs one case both ways; returns how many status.json projections it checked.
function runCase(policy, k, v, label) {
  const opts = { format: k.format };
  if (k.mode === "audience-key") {
    sameAs(outcome(() => policy.audienceKey(k.claims, opts)), v, (x) => x.audienceKey(opts), label);
    for (const other of k.c.same_key_as ?? []) {
      const o = policy.viewer(other);
      assert.equal(o.audienceKey(opts), policy.audienceKey(other, opts), `${label}: same_key_as`);
      o.dispose();
    }
    return 0;
  }
  const payload = k.payloadBytes();
  if (k.mode === "explain") {
    const want = outcome(() => policy.explain(payload, k.claims, opts));
    sameAs(want, v, (x) => x.explain(payload, opts), label);
    const text = JSON.stringify(want.value ?? null);
    for (const s of want.value ? k.c.contains ?? [] : []) assert.ok(text.includes(s), `${label}: explain lacks ${s}`);
    return 0;
  }
  const want = outcome(() => policy.filter(payload, k.claims, opts));
  sameAs(want, v, (x) => x.filter(payload, opts), label);
  if (v.viewer) sameAs(outcome(() => policy.explain(payload, k.claims, opts)), v, (x) => x.explain(payload, opts), `${label} (explain)`);
  return v.viewer && want.value ? checkStatusJson(policy, v.viewer, k, payload, want.value, label) : 0;
}

test("the viewer answers as the policy-level calls on every case in tests/cases", () => {
  let ran = 0, projected = 0;
  for (const dir of cases) {
    const k = loadCase(dir);
    if (!["filter", "explain", "audience-key"].includes(k.mode)) continue;
    const label = path.relative(CASES, dir);
    let policy;
    try { policy = kh.compilePolicy(k.policyBytes()); } catch { continue; }  // policy cases: nothing to view
    const v = viewerOf(policy, k.claims);
    try {
      projected += runCase(policy, k, v, label);
      ran++;
    } finally {
      v.viewer?.dispose();
      policy.dispose();
    }
  }
  assert.ok(ran > 100, `only ${ran} cases ran`);
  assert.ok(projected > 20, `only ${projected} status.json projections checked`);
  assert.equal(kh.liveViewers, 0);
  assert.equal(kh.livePolicies, 0);
});

// ---------------------------------------------------------------------------
// The explanation document has exactly the members docs/explain.md lists.

const STEP_MEMBERS = {
  deny: ["level", "by"], allow: ["level", "by"], grant: [], "not-allowed": ["reset_at?"],
  "fail-closed": ["reason"], mixed: ["policy"], group: [],
};

function membersOk(obj, members, label) {
  const required = members.filter((m) => !m.endsWith("?"));
  const allowed = new Set(members.map((m) => m.replace(/\?$/, "")));
  for (const m of required) assert.ok(m in obj, `${label}: lacks ${m}`);
  for (const m of Object.keys(obj)) assert.ok(allowed.has(m), `${label}: undocumented member ${m}`);
}

function checkExplanation(doc, label) {
  membersOk(doc, ["explain", "format", "withheld", "resources"], label);
  assert.equal(doc.explain, 1);
  assert.ok(["statuspage", "confluence", "jsm"].includes(doc.format), `${label}: format ${doc.format}`);
  for (const w of doc.withheld) {
    membersOk(w, ["field", "action"], `${label} withheld`);
    assert.ok(["remove", "replace"].includes(w.action));
  }
  for (const r of doc.resources) {
    const where = `${label} ${r.kind}:${r.id}`;
    membersOk(r, ["kind", "id", "shown", "levels", "grant", "decided_by", "mixed?", "note?"], where);
    assert.ok(["component", "group", "incident", "maintenance", "article", "ancestor"].includes(r.kind), where);
    assert.equal(typeof r.id, "string", where);
    assert.equal(typeof r.shown, "boolean", where);
    assert.equal(typeof r.grant, "boolean", where);
    for (const l of r.levels) membersOk(l, ["level", "reset", "allow", "deny", "allowed_by", "denied_by"], `${where} level`);
    const members = STEP_MEMBERS[r.decided_by.step];
    assert.ok(members, `${where}: undocumented step ${r.decided_by.step}`);
    membersOk(r.decided_by, ["step", ...members], `${where} decided_by`);
    if (r.mixed !== undefined) assert.equal(r.mixed, "redact", where);
  }
}

test("every explanation of every case payload has the documented shape (docs/explain.md)", () => {
  const steps = new Set();
  for (const dir of cases) {
    const k = loadCase(dir);
    if (k.mode !== "filter" && k.mode !== "explain") continue;
    let policy;
    try { policy = kh.compilePolicy(k.policyBytes()); } catch { continue; }
    const r = outcome(() => policy.explain(k.payloadBytes(), k.claims, { format: k.format }));
    policy.dispose();
    if (r.error) continue;
    checkExplanation(r.value, path.relative(CASES, dir));
    for (const res of r.value.resources) steps.add(res.decided_by.step);
  }
  assert.deepEqual([...steps].sort(), Object.keys(STEP_MEMBERS).sort(), "the cases exercise every step");
});

// ---------------------------------------------------------------------------
// status.json, recomputesStatus, lifetime, memory.

const STATUS_POLICY = (extra = {}) => JSON.stringify({
  keyhole: 1,
  status: { default: { allow: ["everyone"] }, components: { c2: { allow: ["group:staff"], inherit: false } }, ...extra },
});
const SUMMARY = JSON.stringify({
  page: { id: "pg", name: "Example" },
  status: { indicator: "major", description: "Major System Outage" },
  components: [
    { id: "c1", name: "API", status: "operational" },
    { id: "c2", name: "Internal", status: "major_outage" },
  ],
  incidents: [],
});

test("status-json output: page and the status recomputed for what the viewer sees", () => {
  const policy = kh.compilePolicy(STATUS_POLICY());
  const anon = policy.viewer({});
  const staff = policy.viewer({ sub: "s", groups: ["staff"] });
  const a = JSON.parse(anon.filter(SUMMARY, { output: "status-json" }));
  assert.deepEqual(Object.keys(a), ["page", "status"]);
  assert.deepEqual(a.page, { id: "pg", name: "Example" });
  assert.equal(a.status.indicator, "none", "the hidden outage does not reach the anonymous banner");
  assert.equal(JSON.parse(staff.filter(SUMMARY, { output: "status-json" })).status.indicator, "major");
  assert.equal(policy.filter(SUMMARY, {}, { output: "status-json" }), anon.filter(SUMMARY, { output: "status-json" }));
  const bytes = anon.filter(new TextEncoder().encode(SUMMARY), { output: "status-json" });
  assert.ok(bytes instanceof Uint8Array, "bytes in, bytes out");
  const kb = JSON.stringify({ results: [], size: 0 });
  assert.throws(() => anon.filter(kb, { output: "status-json" }), (e) => e instanceof KeyholeError && e.code === "payload");
  assert.throws(() => anon.filter(SUMMARY, { output: "nope" }), (e) => e instanceof KeyholeError && e.code === "usage");
  assert.throws(() => policy.filter(SUMMARY, {}, { output: "nope" }), (e) => e instanceof KeyholeError && e.code === "usage");
  for (const x of [anon, staff, policy]) x.dispose();
  assert.equal(kh.liveViewers, 0, "policy.filter's temporary viewer was released");
});

test("recomputesStatus follows the policy's recompute-status (default true)", () => {
  const on = kh.compilePolicy(STATUS_POLICY());
  const off = kh.compilePolicy(STATUS_POLICY({ "recompute-status": false }));
  assert.equal(on.recomputesStatus, true);
  assert.equal(off.recomputesStatus, false);
  const v = off.viewer({});
  assert.equal(JSON.parse(v.filter(SUMMARY, { output: "status-json" })).status.indicator, "major", "kept as the origin sent it");
  v.dispose();
  on.dispose();
  off.dispose();
  assert.throws(() => off.recomputesStatus, (e) => e instanceof KeyholeError && e.code === "usage");
});

const isUsage = (re) => (e) => e instanceof KeyholeError && e.code === "usage" && re.test(e.message);

test("dispose: idempotent, counted, use after it is KeyholeError usage; a viewer outlives its policy", () => {
  const policy = kh.compilePolicy(STATUS_POLICY());
  const v = policy.viewer({});
  assert.equal(kh.liveViewers, 1);
  const before = v.filter(SUMMARY);
  policy.dispose();
  assert.equal(v.filter(SUMMARY), before, "the viewer shares the compiled policy");
  assert.ok(v.audienceKey({ format: "statuspage" }).length > 0);
  assert.throws(() => policy.viewer({}), isUsage(/policy was disposed/));
  assert.throws(() => policy.filter(SUMMARY, {}), isUsage(/policy was disposed/));
  assert.throws(() => policy.filter(SUMMARY, {}, { output: "status-json" }), isUsage(/policy was disposed/));
  v.dispose();
  v.dispose();
  assert.equal(v.disposed, true);
  assert.equal(kh.liveViewers, 0);
  assert.throws(() => v.filter(SUMMARY), isUsage(/viewer was disposed/));
  assert.throws(() => v.explain(SUMMARY), isUsage(/viewer was disposed/));
  assert.throws(() => v.audienceKey(), isUsage(/viewer was disposed/));
});

test("bad claims fail when the viewer is built, with the pointer", () => {
  const policy = kh.compilePolicy(STATUS_POLICY());
  assert.throws(() => policy.viewer({ groups: "staff" }),
    (e) => e instanceof KeyholeError && e.code === "claims" && e.pointer === "/groups");
  assert.equal(kh.liveViewers, 0);
  policy.dispose();
});

test("one viewer reused across 1,000 filter calls keeps wasm memory flat", () => {
  const policy = kh.compilePolicy(STATUS_POLICY());
  const v = policy.viewer({ sub: "s", groups: ["staff"] });
  const payload = new TextEncoder().encode(SUMMARY);
  for (let i = 0; i < 100; i++) v.filter(payload);
  const warm = kh.memoryBytes;
  const first = v.filter(payload);
  for (let i = 0; i < 1000; i++) {
    v.filter(payload, { output: i % 2 ? "status-json" : "payload" });
    if (i % 100 === 0) v.explain(payload);
  }
  assert.deepEqual(v.filter(payload), first);
  assert.ok(kh.memoryBytes <= warm, `wasm memory grew from ${warm} to ${kh.memoryBytes}`);
  // Building and disposing viewers does not grow it either.
  for (let i = 0; i < 1000; i++) policy.viewer({ sub: `u${i}` }).dispose();
  assert.ok(kh.memoryBytes <= warm, `viewer churn grew wasm memory from ${warm} to ${kh.memoryBytes}`);
  v.dispose();
  policy.dispose();
});

test("the FinalizationRegistry frees dropped viewers", { skip: typeof globalThis.gc !== "function" && "needs node --expose-gc" }, async () => {
  const policy = kh.compilePolicy(STATUS_POLICY());
  (() => { for (let i = 0; i < 200; i++) policy.viewer({ sub: `u${i}` }).audienceKey(); })();
  assert.equal(kh.liveViewers, 200);
  for (let round = 0; round < 50 && kh.liveViewers > 0; round++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(kh.liveViewers, 0, "dropped viewers were finalized and freed");
  policy.dispose();
});

test("index.d.ts types every step and fail-closed reason docs/explain.md lists", async () => {
  const { readFile } = await import("node:fs/promises");
  const doc = await readFile(path.join(CASES, "../../docs/explain.md"), "utf8");
  const dts = await readFile(path.join(CASES, "../../wasm/index.d.ts"), "utf8");
  const table = doc.slice(doc.indexOf("`decided_by.step` is one of"));
  const steps = [...table.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(steps.sort(), Object.keys(STEP_MEMBERS).sort());
  for (const s of steps) assert.ok(dts.includes(`step: "${s}"`), `index.d.ts lacks step ${s}`);
  const reasons = table.split("\n").find((l) => l.startsWith("| `fail-closed`"));
  for (const [, r] of reasons.matchAll(/`([^`]+)`/g)) {
    if (r !== "fail-closed" && r !== "reason") assert.ok(dts.includes(`"${r}"`), `index.d.ts lacks reason "${r}"`);
  }
});
