// Memory lifetime of @keyhole/wasm: dispose(), the FinalizationRegistry backstop, and
// no growth of wasm memory over 100,000 filter calls on a 64 KB payload.
// Run with --expose-gc for the FinalizationRegistry test (skipped otherwise).
import { test } from "node:test";
import assert from "node:assert/strict";
import { setImmediate as tick } from "node:timers/promises";
import { loadKeyhole, KeyholeError } from "@keyhole/wasm";

const POLICY = JSON.stringify({
  keyhole: 1,
  audiences: { staff: ["domain:acme.example", "group:staff"], customer: ["org:*"] },
  status: {
    default: { allow: ["everyone"] },
    components: { "grp-internal": { allow: ["@staff"], inherit: false }, "c-3": { allow: ["@customer"], inherit: false } },
    incidents: { visibility: "any-component", mixed: "redact", "redact-text": "Details are shared with affected customers only." },
    disclose: [{ field: "component.description", allow: ["@staff"] }],
  },
});

const STATUSES = ["operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"];

// A Statuspage summary.json of about `target` bytes.
function statusPayload(target) {
  const components = [];
  const incidents = [];
  let size = 400;
  for (let i = 0; size < target; i++) {
    const group = i % 10 === 0;
    const c = {
      id: `c-${i}`, name: `Component ${i}`, status: STATUSES[i % 5],
      created_at: "2024-01-01T00:00:00.000Z", updated_at: "2024-06-01T12:00:00.000Z",
      position: i, description: i % 3 ? `Serves region ${i}` : null, showcase: false,
      start_date: null, group_id: group ? null : (i % 20 < 10 ? "grp-public" : "grp-internal"),
      page_id: "pg1", group: false, only_show_if_degraded: false,
    };
    components.push(c);
    size += JSON.stringify(c).length + 1;
    if (i % 8 === 0) {
      const inc = {
        id: `inc-${i}`, name: `Incident ${i}`, status: "investigating", impact: "minor",
        created_at: "2024-06-01T12:00:00.000Z", shortlink: `https://stspg.io/${i}`,
        components: [{ id: `c-${i}`, name: `Component ${i}`, status: "partial_outage" }],
        incident_updates: [{ id: `u-${i}`, status: "investigating", body: `We are looking into issue ${i}.`,
          affected_components: [{ code: `c-${i}`, name: `Component ${i}`, old_status: "operational", new_status: "partial_outage" }] }],
      };
      incidents.push(inc);
      size += JSON.stringify(inc).length + 1;
    }
  }
  components.push({ id: "grp-public", name: "Public", status: "operational", group: true, components: [] , group_id: null, description: null, position: 0, created_at: "2024-01-01T00:00:00.000Z", updated_at: "2024-01-01T00:00:00.000Z", page_id: "pg1", showcase: false, start_date: null, only_show_if_degraded: false });
  components.push({ id: "grp-internal", name: "Internal", status: "operational", group: true, components: [], group_id: null, description: null, position: 0, created_at: "2024-01-01T00:00:00.000Z", updated_at: "2024-01-01T00:00:00.000Z", page_id: "pg1", showcase: false, start_date: null, only_show_if_degraded: false });
  return new TextEncoder().encode(JSON.stringify({
    page: { id: "pg1", name: "Example", url: "https://status.example.com", time_zone: "Etc/UTC", updated_at: "2024-06-01T12:00:00.000Z" },
    status: { indicator: "major", description: "Partial System Outage" },
    components, incidents, scheduled_maintenances: [],
  }));
}

test("dispose() releases the policy and makes later use an error", async () => {
  const kh = await loadKeyhole();
  const payload = statusPayload(4096);
  const before = kh.livePolicies;
  const p = kh.compilePolicy(POLICY);
  assert.equal(kh.livePolicies, before + 1);
  assert.ok(p.filter(payload, {}) instanceof Uint8Array);
  p.dispose();
  assert.equal(p.disposed, true);
  assert.equal(kh.livePolicies, before);
  p.dispose();  // idempotent
  assert.equal(kh.livePolicies, before);
  assert.throws(() => p.filter(payload, {}), /disposed/);
  assert.throws(() => p.audienceKey({}), /disposed/);

  // Compile + dispose in a loop: memory settles after the first rounds.
  for (let i = 0; i < 100; i++) kh.compilePolicy(POLICY).dispose();
  const settled = kh.memoryBytes;
  for (let i = 0; i < 20000; i++) kh.compilePolicy(POLICY).dispose();
  assert.equal(kh.memoryBytes, settled, "compile/dispose does not grow wasm memory");
  assert.equal(kh.livePolicies, before);
});

// Review round 12, W1: the caller's code runs while a call reads its arguments (an
// options getter, a toJSON() of the claims, a payload's own `length`); disposing the
// policy or viewer there, and compiling another into its memory, must not let the call
// go on under the other one. Each case must fail with `usage` and leak no canary.
test("a policy or viewer disposed while a call reads its arguments is refused, never used", async () => {
  const closedPolicy = JSON.stringify({ keyhole: 1, status: { default: { allow: ["everyone"] },
    components: { c2: { allow: ["group:staff"], inherit: false } } } });
  const openPolicy = JSON.stringify({ keyhole: 1, status: { default: { allow: ["everyone"] } } });
  const payload = new TextEncoder().encode(JSON.stringify({ components: [
    { id: "c1", name: "Public", status: "operational" },
    { id: "c2", name: "CANARY_W12_DISPOSED secret", status: "operational" }] }));
  const kh = await loadKeyhole();
  const cases = {
    "policy.filter, options.format getter": (p) => p.filter(payload, {}, { get format() { p.dispose(); kh.compilePolicy(openPolicy); return "statuspage"; } }),
    "policy.filter, claims toJSON": (p) => p.filter(payload, { toJSON() { p.dispose(); kh.compilePolicy(openPolicy); return {}; } }),
    "policy.explain, claims toJSON": (p) => p.explain(payload, { toJSON() { p.dispose(); kh.compilePolicy(openPolicy); return {}; } }),
    "policy.viewer, claims toJSON": (p) => p.viewer({ toJSON() { p.dispose(); kh.compilePolicy(openPolicy); return {}; } }),
    "policy.audienceKey, claims toJSON": (p) => p.audienceKey({ toJSON() { p.dispose(); kh.compilePolicy(openPolicy); return {}; } }),
  };
  for (const [name, call] of Object.entries(cases)) {
    const p = kh.compilePolicy(closedPolicy);
    assert.throws(() => call(p), (e) => e instanceof KeyholeError && e.code === "usage" && /disposed/.test(e.message), name);
    assert.equal(p.disposed, true, name);
  }
  // A payload's own `length` is never read (the bytes are taken through a fresh view),
  // so its getter cannot run inside the call.
  {
    const p = kh.compilePolicy(closedPolicy);
    const bytes = payload.slice();
    let read = false;
    Object.defineProperty(bytes, "length", { get() { read = true; p.dispose(); kh.compilePolicy(openPolicy); return payload.byteLength; } });
    const out = new TextDecoder().decode(p.filter(bytes, {}));
    assert.equal(read, false);
    assert.ok(out.includes('"c1"') && !out.includes("CANARY_W12_DISPOSED"), out);
    p.dispose();
  }
  const viewerCases = {
    "viewer.filter, options.format getter": (v, p) => v.filter(payload, { get format() { v.dispose(); p.viewer({ sub: "s", groups: ["staff"] }); return "statuspage"; } }),
    "viewer.explain, options.format getter": (v, p) => v.explain(payload, { get format() { v.dispose(); p.viewer({ sub: "s", groups: ["staff"] }); return "statuspage"; } }),
    "viewer.audienceKey, options.format getter": (v) => v.audienceKey({ get format() { v.dispose(); return "statuspage"; } }),
  };
  for (const [name, call] of Object.entries(viewerCases)) {
    const p = kh.compilePolicy(closedPolicy);
    const v = p.viewer({});
    assert.throws(() => call(v, p), (e) => e instanceof KeyholeError && e.code === "usage" && /disposed/.test(e.message), name);
    assert.equal(v.disposed, true, name);
    p.dispose();
  }
  // The instance is intact: a fresh anonymous call still hides the canary.
  const p = kh.compilePolicy(closedPolicy);
  const out = new TextDecoder().decode(p.filter(payload, {}));
  assert.ok(out.includes('"c1"') && !out.includes("CANARY_W12_DISPOSED"), out);
});

test("errors are KeyholeError values, not crashes", async () => {
  const kh = await loadKeyhole();
  assert.throws(() => kh.compilePolicy('{"keyhole": 2}'), (e) => e instanceof KeyholeError && e.code === "policy" && typeof e.pointer === "string");
  const p = kh.compilePolicy(POLICY);
  assert.throws(() => p.filter('{"components": [', {}), (e) => e instanceof KeyholeError && e.code === "payload");
  assert.throws(() => p.filter(statusPayload(2000), { email: "a@b.example" }), (e) => e instanceof KeyholeError && e.code === "claims");
  assert.throws(() => p.filter(statusPayload(2000), {}, { format: "nope" }), (e) => e instanceof KeyholeError && e.code === "usage");
  // The instance still works after errors.
  assert.ok(p.filter(statusPayload(2000), {}).length > 0);
  p.dispose();
});

test("the FinalizationRegistry frees dropped policies", { skip: typeof globalThis.gc !== "function" && "needs node --expose-gc" }, async () => {
  const kh = await loadKeyhole();
  const base = kh.livePolicies;
  (() => {
    for (let i = 0; i < 200; i++) kh.compilePolicy(POLICY).audienceKey({});
  })();
  assert.equal(kh.livePolicies, base + 200);
  for (let round = 0; round < 50 && kh.livePolicies > base; round++) {
    globalThis.gc();
    await tick();
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(kh.livePolicies, base, "dropped policies were finalized and freed");

  // Memory: dropping policies without dispose() does not grow wasm memory for ever.
  const churn = async () => {
    (() => { for (let i = 0; i < 2000; i++) kh.compilePolicy(POLICY); })();
    for (let round = 0; round < 50 && kh.livePolicies > base; round++) {
      globalThis.gc();
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await churn();
  const settled = kh.memoryBytes;
  for (let i = 0; i < 10; i++) await churn();
  assert.equal(kh.livePolicies, base);
  assert.equal(kh.memoryBytes, settled, "finalized policies are freed in wasm memory");
});

test("100,000 filter calls on a 64 KB payload do not grow wasm memory", { timeout: 600_000 }, async () => {
  const kh = await loadKeyhole();
  const payload = statusPayload(64 * 1024);
  assert.ok(payload.length >= 64 * 1024 && payload.length < 70 * 1024, `payload is ${payload.length} bytes`);
  const p = kh.compilePolicy(POLICY);
  const claims = [{}, { sub: "u-1", email: "ann@acme.example", email_verified: true }, { sub: "u-2", orgs: ["globex"] }];

  for (let i = 0; i < 100; i++) {
    const out = p.filter(payload, claims[i % 3]);
    if (i < 3) assert.ok(out.length > 0);
  }
  const after100 = kh.memoryBytes;
  const out0 = p.filter(payload, claims[0]);
  for (let i = 100; i < 100_000; i++) {
    const out = p.filter(payload, claims[i % 3]);
  }
  assert.deepEqual(p.filter(payload, claims[0]), out0, "same answer at the end");
  assert.ok(kh.memoryBytes <= after100, `wasm memory grew from ${after100} to ${kh.memoryBytes}`);
  p.dispose();
});
