// `npm pack` @keyhole/wasm, install the tarball into an empty folder, import it and
// filter: the published package works on its own (no workspace, no repo files).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const PKG = path.join(ROOT, "wasm");

const CHECK = String.raw`
import { loadKeyhole, KeyholeError } from "@keyhole/wasm";
import { createRequire } from "node:module";
import fs from "node:fs";
const policyText = JSON.stringify({ keyhole: 1, status: {
  default: { allow: ["everyone"] },
  components: { secret: { allow: ["group:staff"], inherit: false } } } });
const payload = new TextEncoder().encode(JSON.stringify({
  page: { id: "p", name: "P", url: "https://status.example", time_zone: "Etc/UTC", updated_at: "2024-01-01T00:00:00Z" },
  components: [
    { id: "open", name: "Open API", status: "operational", group_id: null, group: false },
    { id: "secret", name: "CANARY-secret", status: "major_outage", group_id: null, group: false } ] }));
const results = {};
// 1. Default loading (Node reads the bundled keyhole.wasm).
const kh = await loadKeyhole();
const policy = kh.compilePolicy(policyText);
const anon = new TextDecoder().decode(policy.filter(payload, {}));
const staff = new TextDecoder().decode(policy.filter(payload, { sub: "s", groups: ["staff"] }));
results.anonHidesSecret = !anon.includes("CANARY-secret") && anon.includes("Open API");
results.staffSeesSecret = staff.includes("CANARY-secret");
try { kh.compilePolicy("{}"); } catch (e) { results.errorIsKeyholeError = e instanceof KeyholeError && e.code === "policy"; }
policy.dispose();
// 2. A precompiled WebAssembly.Module from the ./keyhole.wasm subpath (the workerd way).
const require = createRequire(import.meta.url);
const wasmPath = require.resolve("@keyhole/wasm/keyhole.wasm");
const mod = new WebAssembly.Module(fs.readFileSync(wasmPath));
const kh2 = await loadKeyhole({ wasmModule: mod });
results.precompiledSame = new TextDecoder().decode(kh2.compilePolicy(policyText).filter(payload, {})) === anon;
// 3. wasmBinary.
const kh3 = await loadKeyhole({ wasmBinary: fs.readFileSync(wasmPath) });
results.binarySame = kh3.compilePolicy(policyText).filter(new TextDecoder().decode(payload), "{}") === anon;
console.log(JSON.stringify(results));
`;

test("npm pack → install into an empty folder → import → filter", { timeout: 180_000 }, () => {
  assert.ok(fs.existsSync(path.join(PKG, "dist/keyhole.wasm")), "wasm/dist/keyhole.wasm missing: run toolchains/build.sh wasm");
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keyhole-pack-"));
  try {
    const packOut = execFileSync("npm", ["pack", "--json", "--pack-destination", tmp], { cwd: PKG, encoding: "utf8" });
    const info = JSON.parse(packOut)[0];
    const files = info.files.map((f) => f.path).sort();
    for (const f of ["dist/keyhole.mjs", "dist/keyhole.wasm", "index.d.ts", "index.js", "package.json"]) {
      assert.ok(files.includes(f), `tarball lacks ${f} (has ${files.join(", ")})`);
    }
    assert.ok(!files.some((f) => f.startsWith("src/") || f === "CMakeLists.txt"), "tarball carries build sources");
    const tarball = path.join(tmp, info.filename);
    const app = path.join(tmp, "app");
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "app", private: true, type: "module" }));
    execFileSync("npm", ["install", "--no-audit", "--no-fund", "--offline", "--loglevel=error", tarball], { cwd: app, encoding: "utf8" });
    assert.ok(!fs.lstatSync(path.join(app, "node_modules/@keyhole/wasm")).isSymbolicLink(), "installed as a copy, not a link");
    fs.writeFileSync(path.join(app, "check.mjs"), CHECK);
    const out = execFileSync(process.execPath, ["check.mjs"], { cwd: app, encoding: "utf8" });
    assert.deepEqual(JSON.parse(out.trim().split("\n").pop()), {
      anonHidesSecret: true, staffSeesSecret: true, errorIsKeyholeError: true, precompiledSame: true, binarySame: true,
    });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});
