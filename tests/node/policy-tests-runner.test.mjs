// runPolicyTests / diffPolicies in @keyhole/wasm: the core's runner (the C++ behind
// `keyhole test` / `keyhole diff`) through the module. The same test files give the same
// report natively and in WebAssembly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadKeyhole, runPolicyTests, diffPolicies } from "../../wasm/index.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const origin = join(root, "edge/sample-origin");
const SAMPLE_TESTS = ["policy.test.json", "policy-jsm.test.json"].map((f) => join(origin, f));
const cli = process.env.KEYHOLE_CLI ?? join(root, "build/release/core/keyhole");
const kh = await loadKeyhole();

const policy = {
  keyhole: 1,
  status: {
    default: { allow: ["everyone"] },
    components: { secret: { allow: ["group:staff"], inherit: false } },
  },
};
const payload = JSON.stringify({
  page: { id: "p", name: "P" },
  components: [
    { id: "pub", name: "Public API", status: "operational", group_id: null, group: false },
    { id: "secret", name: "CANARY-secret", status: "major_outage", group_id: null, group: false },
  ],
  incidents: [], scheduled_maintenances: [],
  status: { indicator: "major", description: "Partial System Outage" },
});
const files = (testFile) => ({ "t/policy.json": JSON.stringify(policy), "t/summary.json": payload, "t/x.test.json": JSON.stringify(testFile) });
const base = { "keyhole-test": 1, policy: "policy.json", payloads: { "summary.json": "summary.json" }, viewers: { anon: {}, staff: { sub: "s", groups: ["staff"] } } };

test("the sample origin's policies pass their test files", () => {
  const r = runPolicyTests(kh, SAMPLE_TESTS);
  assert.equal(r.exitCode, 0, r.text);
  assert.equal(r.failed, 0);
  assert.ok(r.passed > 100);
  assert.equal(r.files, 2);
  assert.match(r.text, /^\d+ passed, 0 failed\n$/);
});

test("the same report natively and in WebAssembly", { skip: !existsSync(cli) && "no native CLI" }, () => {
  const native = JSON.parse(execFileSync(cli, ["test", "--format", "json", ...SAMPLE_TESTS], { encoding: "utf8" }));
  const { exitCode, ok, text, ...wasm } = runPolicyTests(kh, SAMPLE_TESTS);
  assert.deepEqual(wasm, native);
});

test("failing expectations: one FAIL line each, the tally, exit 1", () => {
  const t = { ...base, expect: [
    { viewer: "anon", payload: "summary.json", visible: { component: ["secret"] }, hidden: { component: ["pub"] }, indicator: "none", excludes: ["CANARY-"] },
    { viewer: "staff", visible: { component: ["secret"] }, indicator: "major" },
  ] };
  const r = kh.runPolicyTests(["t/x.test.json"], { files: files(t) });
  assert.equal(r.exitCode, 1);
  assert.equal(r.failed, 2);
  assert.equal(r.passed, 4);
  assert.match(r.text, /^FAIL viewer anon on summary\.json: component secret hidden, expected visible \(t\/x\.test\.json\)$/m);
  assert.match(r.text, /^FAIL viewer anon on summary\.json: component pub visible, expected hidden/m);
  assert.deepEqual(r.failures[0], { file: "t/x.test.json", viewer: "anon", payload: "summary.json", message: "component secret hidden, expected visible" });
});

test("a test file with no expectations fails", () => {
  const r = kh.runPolicyTests("t/x.test.json", { files: files({ ...base, expect: [] }) });
  assert.equal(r.exitCode, 1);
  assert.equal(r.failures[0].message, "no expectations");
});

test("malformed test file, viewer or payload: an error naming the file and pointer, exit 2", () => {
  let r = kh.runPolicyTests("t/x.test.json", { files: files({ ...base, expect: [{ viewer: "nobody", exit: 0 }] }) });
  assert.equal(r.exitCode, 2);
  assert.deepEqual(r.errors, [{ file: "t/x.test.json", pointer: "/expect/0/viewer", message: 'no viewer named "nobody"' }]);
  r = kh.runPolicyTests("t/x.test.json", { files: files({ ...base, viewers: { a: { sub: "s", groups: "staff" } }, expect: [{ exit: 0 }] }) });
  assert.equal(r.exitCode, 2);
  assert.equal(r.errors[0].pointer, "/viewers/a/groups");
  const f = files({ ...base, expect: [{ viewer: "anon", exit: 0 }] });
  f["t/summary.json"] = '{"page":';
  r = kh.runPolicyTests("t/x.test.json", { files: f });
  assert.equal(r.exitCode, 2);
  assert.equal(r.errors[0].file, "t/summary.json");
  r = kh.runPolicyTests("t/missing.test.json", { files: f });
  assert.equal(r.exitCode, 2);
  assert.equal(r.errors[0].file, "t/missing.test.json");
});

test("diffPolicies: what becomes visible, to whom; exit 1 on any reveal", () => {
  const opened = structuredClone(policy);
  opened.status.components.secret.allow.push("everyone");
  const viewers = { anon: {}, staff: { sub: "s", groups: ["staff"] } };
  const d = diffPolicies(kh, { old: policy, new: opened, viewers, payloads: { "summary.json": payload } });
  assert.equal(d.exitCode, 1);
  assert.equal(d.pairs, 2);
  assert.deepEqual(d.changes, [{ viewer: "anon", payload: "summary.json", kind: "component", id: "secret", name: "CANARY-secret", change: "visible" }]);
  assert.match(d.text, /\+ component secret "CANARY-secret" becomes visible/);
  const back = kh.diffPolicies({ old: opened, new: policy, viewers, payloads: { "summary.json": new TextEncoder().encode(payload) } });
  assert.equal(back.exitCode, 0);
  assert.equal(back.changes[0].change, "hidden");
  const bad = kh.diffPolicies({ old: policy, new: { keyhole: 1, status: { default: { allow: ["everyon"] } } }, viewers, payloads: { p: payload } });
  assert.equal(bad.exitCode, 2);
  assert.deepEqual(bad.errors[0], { file: "new policy", pointer: "/status/default/allow/0", message: "unknown atom 'everyon' \u2014 did you mean 'everyone'?" });
});

test("a reader that throws is an error, not a crash", () => {
  const r = kh.runPolicyTests("x.test.json", { readFile: () => { throw new Error("denied"); } });
  assert.equal(r.exitCode, 2);
  assert.match(r.errors[0].message, /denied/);
  assert.equal(kh.version.length > 0, true);  // the instance still works
});
