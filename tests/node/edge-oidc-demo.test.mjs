// The main README command's demo (issue 17): `keyhole-edge demo` (what `bash toolchains/dev.sh
// main` runs after building) starts the local provider, the sample origin and the edge, and
// prints the URL and the sample logins. A newcomer's path, checked: take the printed URL and
// two printed logins, sign in with each through the provider's own form, and get two
// different status pages and help centers.
//   node --test tests/node/edge-oidc-demo.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { Client, untilCallback } from "../../edge/testing/oidc-stack.mjs";

const BIN = join(dirname(fileURLToPath(import.meta.url)), "../../edge/bin/keyhole-edge.js");
let child, output = "";

const freePort = () => new Promise((ok) => { const s = createServer().listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => ok(p)); }); });

before(async () => {
  const port = await freePort();
  child = spawn(process.execPath, [BIN, "demo", "--port", String(port)], { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.on("data", (d) => { output += d; });
  child.stderr.on("data", (d) => { output += d; });
  const t0 = Date.now();
  while (!output.includes("Request log follows")) {
    if (Date.now() - t0 > 30000 || child.exitCode !== null) throw new Error(`demo did not start:\n${output}`);
    await new Promise((ok) => setTimeout(ok, 100));
  }
});
after(() => { child?.kill(); });

/** The printed logins: "  ann@globex.example   password globex-demo   Globex customer ..." */
const printedLogins = () => [...output.matchAll(/^ {2}(\S+@\S+)\s+password (\S+)\s+(.+)$/gm)].map((m) => ({ username: m[1], password: m[2], label: m[3].trim() }));

test("the demo prints the URL, the provider and the sample logins, with no warning", () => {
  assert.match(output, /status page and help center \(sign in here\): http:\/\/127\.0\.0\.1:\d+\//);
  assert.match(output, /sign-in provider \(oidc-provider, local\): http:\/\/127\.0\.0\.1:\d+/);
  const logins = printedLogins();
  assert.deepEqual(logins.map((l) => l.username), ["sam@mail.example", "ann@globex.example", "bob@initech.example", "pat@partner.example", "sue@keyhole.example"]);
  assert.ok(output.includes("(anonymous: do not sign in)"));
  assert.ok(!/WARNING/.test(output), output.slice(0, 400));
});

test("two printed logins, two different status pages and help centers", async () => {
  const url = /sign in here\): (http:\/\/\S+?)\/\s/.exec(output)[1];
  const stack = { edgeUrl: url };
  const pages = {};
  for (const who of ["ann@globex.example", "bob@initech.example"]) {
    const { username, password } = printedLogins().find((l) => l.username === who);
    const c = new Client();
    const callback = await untilCallback(c, stack, null, { username, password });
    assert.equal((await c.request(callback)).status, 303);
    pages[who] = { status: await (await c.request(`${url}/`)).text(), help: await (await c.request(`${url}/help`)).text() };
    assert.ok(pages[who].status.includes(`Signed in as <strong class="viewer-name">${who}</strong>`));
  }
  const globex = pages["ann@globex.example"], initech = pages["bob@initech.example"];
  assert.ok(globex.status.includes("CANARY-GLOBEX") && !globex.status.includes("CANARY-INITECH"));
  assert.ok(initech.status.includes("CANARY-INITECH") && !initech.status.includes("CANARY-GLOBEX"));
  assert.ok(globex.help.includes('data-article-id="96001"') && !globex.help.includes('data-article-id="96002"'));
  assert.ok(initech.help.includes('data-article-id="96002"') && !initech.help.includes('data-article-id="96001"'));
  const anonymous = await (await fetch(`${url}/`)).text();
  assert.ok(anonymous.includes('id="sign-in"') && !anonymous.includes("CANARY-"));
  assert.match(output, / 303 GET \/auth\/callback /, "the request log shows the sign-ins");
});
