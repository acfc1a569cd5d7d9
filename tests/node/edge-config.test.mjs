// Finding X1: `keyhole-edge --config` and createEdgeFilter accepted misspelt members
// (`identity.algoritms`, `routez`) and started on the defaults. The whole edge configuration
// is now checked: unknown members and wrong types are refused with the JSON pointer and a
// did-you-mean, createEdgeFilter throws `.code = "config"`, keyhole-edge exits 2.
//   node --test tests/node/edge-config.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createEdgeFilter } from "../../edge/src/index.js";
import { REPO, FIXTURES, fixture, identity } from "./edge-findings-lib.mjs";

const BIN = path.join(REPO, "edge/bin/keyhole-edge.js");
const base = () => ({ upstream: "http://127.0.0.1:9", policy: fixture("E1", "policy.json").toString(), identity: identity() });

function refused(config, pointer, text) {
  assert.throws(() => createEdgeFilter(config), (e) => {
    assert.equal(e.code, "config", e.message);
    assert.equal(e.pointer, pointer);
    if (text) assert.ok(e.message.includes(text), `${e.message} should include ${text}`);
    return true;
  });
}

test("createEdgeFilter: unknown members are refused with their pointer and a did-you-mean", () => {
  const { algorithms, ...id } = identity();
  refused({ ...base(), identity: { ...id, algoritms: algorithms } }, "/identity/algoritms",
    '/identity/algoritms: unknown member (did you mean "algorithms"?)');
  refused({ ...base(), routez: [] }, "/routez", 'did you mean "routes"?');
  refused({ ...base(), routes: [{ path: "/api/v2/**", fromat: "statuspage" }] }, "/routes/0/fromat", 'did you mean "format"?');
  refused({ ...base(), routes: [{ path: "/x", cache: { audiense: true } }] }, "/routes/0/cache/audiense", 'did you mean "audience"?');
  refused({ ...base(), share: { secret: "s".repeat(32), parm: "s" } }, "/share/parm", 'did you mean "param"?');
  refused({ ...base(), limits: { maxPayload: 1 } }, "/limits/maxPayload", 'did you mean "maxPayloadBytes"?');
  refused({ ...base(), identity: { ...identity(), claims: { emial: "mail" } } }, "/identity/claims/emial", 'did you mean "email"?');
  refused({ ...base(), identity: { ...identity(), "a/b~c": 1 } }, "/identity/a~1b~0c", "unknown member");
});

test("createEdgeFilter: wrong types and values are refused", () => {
  refused({ ...base(), identity: { ...identity(), algorithms: "HS256" } }, "/identity/algorithms", "must be an array");
  refused({ ...base(), identity: { ...identity(), algorithms: ["HS265"] } }, "/identity/algorithms/0", 'did you mean "HS256"?');
  refused({ ...base(), routes: [{ path: "/x", format: "statuspag" }] }, "/routes/0/format", 'did you mean "statuspage"?');
  refused({ ...base(), routes: [{ format: "statuspage" }] }, "/routes/0/path", "missing");
  refused({ ...base(), routes: { path: "/x" } }, "/routes", "must be an array");
  refused({ ...base(), limits: { maxPayloadBytes: "8MB" } }, "/limits/maxPayloadBytes", "whole number");
  refused({ ...base(), identity: { ...identity(), requireExp: "no" } }, "/identity/requireExp", "true or false");
  refused({ ...base(), share: { param: "s" } }, "/share/secret", "missing");
  refused({ ...base(), log: "stdout" }, "/log", "function");
  refused({ ...base(), cache: "on" }, "/cache");
  refused({ upstream: "http://127.0.0.1:9" }, "/policy", "missing");
});

test("createEdgeFilter: valid configurations still start (RegExp paths, functions, undefined members)", () => {
  createEdgeFilter({ ...base(), routes: [{ path: /^\/x$/, format: "auto", cache: undefined, policy: undefined }], cache: false, log: () => {}, fetch: () => {} });
  createEdgeFilter({ ...base(), identity: { ...identity(), claims: { orgs: ["ns", "orgs"], groups: (p) => p.g } }, cache: "auto" });
});

/** Runs keyhole-edge --config FILE; resolves { code, stderr } (code null: it kept running). */
function runConfig(file) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "--config", file], { stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => { stderr += d; });
    const t = setTimeout(() => { child.kill(); resolve({ code: null, stderr }); }, 10000);
    child.on("exit", (code) => { clearTimeout(t); resolve({ code, stderr }); });
  });
}

function configDir() {
  const dir = mkdtempSync(path.join(tmpdir(), "kh-x1-"));
  for (const f of ["policy.json", "jwt.secret", "edge-algoritms.json", "edge-routez.json"]) copyFileSync(path.join(FIXTURES, "X1", f), path.join(dir, f));
  return dir;
}

test("keyhole-edge --config: the review's two files exit 2 naming file, pointer and suggestion", async () => {
  const dir = configDir();
  for (const [file, line] of [
    ["edge-algoritms.json", '/identity/algoritms: unknown member (did you mean "algorithms"?)'],
    ["edge-routez.json", '/routez: unknown member (did you mean "routes"?)'],
  ]) {
    const r = await runConfig(path.join(dir, file));
    assert.equal(r.code, 2, `${file}: ${r.stderr}`);
    assert.equal(r.stderr, `keyhole-edge: ${path.join(dir, file)}: ${line}\n`);
  }
});

test("keyhole-edge --config: duplicates, wrong types, unknown file members, worker options", async () => {
  const dir = configDir();
  const good = { upstream: "http://127.0.0.1:9", policyFile: "policy.json", port: 0, identity: { algorithms: ["HS256"], hs256SecretFile: "jwt.secret", issuer: "https://idp.example", audience: "keyhole" } };
  const cases = [
    ['{"upstream":"http://127.0.0.1:9","policyFile":"policy.json","upstream":"http://x"}', "/upstream: duplicate member"],
    [{ ...good, port: "8787" }, "/port: must be a port number"],
    [{ ...good, identity: { ...good.identity, hs256SecretFiel: "jwt.secret" } }, '/identity/hs256SecretFiel: unknown member (did you mean "hs256SecretFile"?)'],
    [{ ...good, identity: { ...good.identity, hs256Secret: "x".repeat(40) } }, '/identity/hs256SecretFile: give at most one of'],
    [{ ...good, workers: { thread: 2 } }, '/workers/thread: unknown member (did you mean "threads"?)'],
    [{ ...good, routes: [{ path: "/x", policyFiles: "policy.json" }] }, '/routes/0/policyFiles: unknown member (did you mean "policyFile"?)'],
    [{ upstream: "http://127.0.0.1:9" }, 'give exactly one of "policy", "policyFile"'],
  ];
  for (const [i, [content, expected]] of cases.entries()) {
    const file = path.join(dir, `case-${i}.json`);
    writeFileSync(file, typeof content === "string" ? content : JSON.stringify(content));
    const r = await runConfig(file);
    assert.equal(r.code, 2, `${expected}: ${r.stderr}`);
    assert.ok(r.stderr.startsWith(`keyhole-edge: ${file}: `) && r.stderr.includes(expected), r.stderr);
  }
});
