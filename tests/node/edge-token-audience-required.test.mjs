// Review finding F5 (round 8): `issuer` and `audience` were optional when JWTs were accepted,
// so a token signed with the same secret (or by the same provider) for another service
// (`iss: https://some-other-app.example`, `aud: some-other-app`) was the staff viewer here.
// SPEC §9 says issuer and audience are checked: both are now required whenever token
// verification is configured (identity.algorithms, or an HS256 secret), as a config error
// naming the missing option; keyhole-edge exits 2 naming the missing flag.
//   node --test tests/node/edge-token-audience-required.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createEdgeFilter } from "../../edge/src/index.js";
import { REPO, fixture, identity, JWT_SECRET } from "./edge-findings-lib.mjs";

const BIN = path.join(REPO, "edge/bin/keyhole-edge.js");
const base = (id) => ({ upstream: "http://127.0.0.1:9", policy: fixture("E1", "policy.json").toString(), identity: id });

function refused(config, pointer) {
  assert.throws(() => createEdgeFilter(config), (e) => {
    assert.equal(e.code, "config", e.message);
    assert.equal(e.pointer, pointer, e.message);
    assert.match(e.message, /required/);
    return true;
  });
}

test("createEdgeFilter: issuer and audience are required wherever JWTs are accepted", () => {
  const { issuer, audience, ...noBoth } = identity();
  refused(base(noBoth), "/identity/issuer");
  refused(base({ ...noBoth, audience }), "/identity/issuer");
  refused(base({ ...noBoth, issuer }), "/identity/audience");
  refused(base({ hs256Secret: JWT_SECRET }), "/identity/issuer");                 // HS256 implied by the secret
  refused(base({ algorithms: ["RS256"], jwksUrl: "https://id.example/jwks", audience }), "/identity/issuer");
  refused(base({ ...identity(), issuer: [] }), "/identity/issuer");               // an empty list checks nothing
  refused(base({ ...identity(), audience: "" }), "/identity/audience");
  // Controls: both given, or no JWTs at all.
  assert.ok(createEdgeFilter(base(identity())));
  assert.ok(createEdgeFilter(base({})));
  assert.ok(createEdgeFilter(base({ algorithms: [] })));
  assert.ok(createEdgeFilter(base({ ...identity(), issuer: ["a", "b"], audience: ["x"] })));
});

function run(args) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    p.stderr.on("data", (c) => (err += c));
    const t = setTimeout(() => p.kill("SIGKILL"), 8000);
    p.on("exit", (code) => { clearTimeout(t); resolve({ code, err }); });
  });
}

test("keyhole-edge: --hs256-secret-file without --issuer/--audience, and a config file without them, exit 2", async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "kh-f5-"));
  writeFileSync(path.join(dir, "jwt.secret"), JWT_SECRET);
  writeFileSync(path.join(dir, "policy.json"), fixture("E1", "policy.json"));
  const flags = ["--upstream", "http://127.0.0.1:9", "--policy", path.join(dir, "policy.json"), "--port", "0", "--hs256-secret-file", path.join(dir, "jwt.secret")];
  let r = await run(flags);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /--issuer/);
  r = await run([...flags, "--issuer", "https://idp.example"]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /--audience/);
  const file = path.join(dir, "edge.json");
  writeFileSync(file, JSON.stringify({ upstream: "http://127.0.0.1:9", policyFile: "policy.json", port: 0,
    identity: { algorithms: ["HS256"], hs256SecretFile: "jwt.secret", issuer: "https://idp.example" } }));
  r = await run(["--config", file]);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /\/identity\/audience/);
});
