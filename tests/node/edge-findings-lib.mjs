// Shared by the tests of the outside review's edge findings (tests/node/edge-*.test.mjs):
// a loopback origin that decodes paths like python's http.server, a proxy on a free port,
// raw HTTP requests (no client-side URL normalisation), HS256 tokens from raw claim text,
// and the canary check. Fixtures: tests/fixtures/edge-findings/<id>/.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import http from "node:http";
import path from "node:path";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createEdgeFilter } from "../../edge/src/index.js";
import { serveNode } from "../../edge/src/node-server.js";

export const REPO = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const FIXTURES = path.join(REPO, "tests/fixtures/edge-findings");
export const fixture = (id, name) => readFileSync(path.join(FIXTURES, id, name));
export const ISSUER = "https://idp.findings.test";
export const AUDIENCE = "keyhole-findings";
export const JWT_SECRET = "findings-jwt-secret-0123456789abcdef0123456789";
export const SHARE_SECRET = "findings-share-secret-0123456789abcdef012345";

/**
 * An origin that, like python's http.server and many static servers, percent-decodes the path
 * (%2F becomes /) and resolves dot segments before looking a file up. `files`: path -> body.
 * `seen` holds the request URLs exactly as the origin received them.
 */
export async function decodingOrigin(files) {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push(req.url);
    const raw = req.url.split("?")[0];
    let p;
    try { p = path.posix.normalize(decodeURIComponent(raw)); } catch { p = raw; }
    const body = files[p];
    if (!body) { res.writeHead(404, { "content-type": "application/json" }); res.end('{"error":"not found"}'); return; }
    res.writeHead(200, { "content-type": p.endsWith(".css") ? "text/css" : "application/json; charset=utf-8", "content-length": body.length });
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, seen, close: () => new Promise((ok) => { server.closeAllConnections(); server.close(ok); }) };
}

/** createEdgeFilter(config) served on a free loopback port: { url, port, edge, close }. */
export async function startProxy(config) {
  const edge = createEdgeFilter(config);
  await edge.ready();
  const s = await serveNode(edge, { port: 0 });
  return { url: s.url, port: s.port, edge, close: s.close };
}

/** GET with the path sent exactly as written. -> { status, headers, body } */
export function rawGet(port, rawPath, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: rawPath, method: "GET", headers }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** An HS256 JWT over the claims *text* as given (so it may repeat members), plus iss/aud/iat/exp. */
export function tokenFromText(claimsText, { secret = JWT_SECRET, header = '{"alg":"HS256","typ":"JWT"}' } = {}) {
  const now = Math.floor(Date.now() / 1000);
  const text = claimsText.trim().replace(/}$/, `,"iss":"${ISSUER}","aud":"${AUDIENCE}","iat":${now - 5},"exp":${now + 600}}`);
  const b64u = (s) => Buffer.from(s).toString("base64url");
  const signing = `${b64u(header)}.${b64u(text)}`;
  return `${signing}.${crypto.createHmac("sha256", secret).update(signing).digest("base64url")}`;
}
export const token = (claims) => tokenFromText(JSON.stringify({ email_verified: true, ...claims }));

export const canaries = (s) => [...new Set(String(s).match(/CANARY[A-Z0-9-]*/g) || [])];

/** Asserts that no CANARY- marker is in the body. */
export function assertNoCanary(body, where) {
  assert.deepEqual(canaries(body), [], `${where}: canary in the response`);
}

export const identity = () => ({ algorithms: ["HS256"], hs256Secret: JWT_SECRET, issuer: ISSUER, audience: AUDIENCE });
