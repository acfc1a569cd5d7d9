// Serves a Web-standard fetch handler over node:http (the keyhole-edge reverse proxy).
import { createServer } from "node:http";
import { bytesOf } from "./responses.js";

function toRequest(req, base) {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  // Concatenated, not resolved: "//api/v2/x" is a path here, not a host (request-path.js then
  // collapses the empty segment), so the path the routes see is the one the client sent.
  const target = req.url.startsWith("/") ? base + req.url : req.url;
  return new Request(new URL(target, base), { method: req.method, headers });
}

/** Formats one log line; never includes the query string (share tokens) or any header. */
export function logLine(e) {
  const parts = [
    new Date().toISOString(), e.status, e.method, e.path || "-",
    `route=${e.route ?? "-"}`, `aud=${e.audience ?? "-"}`, `in=${e.bytesIn ?? 0}`, `out=${e.bytesOut ?? 0}`, `ms=${e.ms}`,
  ];
  if (e.cache) parts.push(`cache=${e.cache}`);
  if (e.upstream) parts.push(`up=${e.upstream}`);
  if (e.share) parts.push(`share=${e.share}`);
  if (e.auth) parts.push(`auth=${e.auth}`);
  if (e.error) parts.push(`error=${JSON.stringify(e.error)}`);
  return parts.join(" ");
}

/** Listens on host:port and serves handler.fetch. Resolves to { url, port, server, close() }. */
export async function serveNode(handler, { port = 8787, host = "127.0.0.1" } = {}) {
  const base = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const server = createServer(async (req, res) => {
    try {
      const response = await handler.fetch(toRequest(req, base), {}, { waitUntil() {}, passThroughOnException() {} });
      const headers = {};
      response.headers.forEach((v, k) => { headers[k] = v; });
      // Each Set-Cookie its own header line (sign-in sets the session and clears its transaction).
      const cookies = response.headers.getSetCookie?.() ?? [];
      if (cookies.length) headers["set-cookie"] = cookies;
      res.writeHead(response.status, headers);
      if (!response.body || req.method === "HEAD") { res.end(); return; }
      const bytes = bytesOf(response);
      if (bytes && !response.bodyUsed) { res.end(bytes); return; } // no stream round trip
      for await (const chunk of response.body) {
        if (!res.write(chunk)) await new Promise((ok) => res.once("drain", ok));
      }
      res.end();
    } catch {
      if (!res.headersSent) { res.writeHead(502, { "content-type": "application/json" }); res.end('{"error":"bad gateway"}'); }
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 10000;
  server.requestTimeout = 30000;
  await new Promise((ok, fail) => { server.once("error", fail); server.listen(port, host, ok); });
  const actual = server.address().port;
  return {
    server, port: actual, url: `http://${host.includes(":") ? `[${host}]` : host}:${actual}`,
    close: () => new Promise((ok) => { server.closeAllConnections?.(); server.close(() => ok()); }),
  };
}
