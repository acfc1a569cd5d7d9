// The pages keyhole-edge serves (issue 17): / (status) and /help (help center), rendered on
// the server from the viewer's FILTERED payloads. For every persona, signed in through the
// real local provider: what it must see is on its pages, no canary of what it may not see is,
// and the components and articles on the page are exactly those of its filtered JSON. The
// headers keep personal pages out of every cache; payload text is escaped; a payload the
// core rejects, an unreachable origin and a refused token give a page without data.
//   node --test tests/node/edge-pages-render.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { startStack, Client, signIn } from "../../edge/testing/oidc-stack.mjs";
import { personas, personaHeaders, forbiddenFor, ALL_CANARIES, SHARE_SECRET, HS_SECRET, ISSUER, AUDIENCE } from "../../edge/testing/harness.mjs";
import { createShareToken } from "../../edge/src/share.js";
import { createEdgeFilter } from "../../edge/src/index.js";
import { h, toHtml } from "../../edge/src/render/markup.js";
import { POLICY_TEXT } from "../../edge/testing/harness.mjs";

let stack, shareLink;
before(async () => {
  stack = await startStack();
  shareLink = await createShareToken(SHARE_SECRET, { resources: ["article:95001"], emails: ["pat@partner.example"], ttlSeconds: 600 });
});
after(async () => { await stack?.close(); });

const ids = (html, attr) => [...html.matchAll(new RegExp(`data-${attr}="([^"]+)"`, "g"))].map((m) => m[1]).sort();

function assertPageHeaders(res, label) {
  assert.equal(res.status, 200, label);
  assert.equal(res.headers.get("content-type"), "text/html; charset=utf-8", label);
  assert.equal(res.headers.get("cache-control"), "private, no-store", label);
  assert.equal(res.headers.get("vary"), "Cookie, Authorization", label);
  assert.equal(res.headers.get("referrer-policy"), "no-referrer", label);
  assert.match(res.headers.get("content-security-policy"), /default-src 'none'; style-src 'self'/, label);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.getSetCookie().length, 0, `${label}: a page sets no cookie`);
  assert.equal(res.headers.get("etag"), null);
}

for (const name of [...Object.keys(personas), "partner+share"]) {
  test(`${name}: its pages show what it may see, nothing it may not, exactly its filtered JSON`, async () => {
    const persona = name.split("+")[0];
    const withShare = name.endsWith("+share");
    const c = new Client();
    if (personas[persona].claims.sub) await (await signIn(c, stack, persona)).res.text();
    const q = withShare ? `?share=${shareLink}` : "";
    let seen = "";
    for (const [page, source, attr] of [["/", "/api/v2/summary.json", "component-id"], ["/help", "/wiki/rest/api/content", "article-id"]]) {
      const res = await c.request(`${stack.edgeUrl}${page}${q}`);
      assertPageHeaders(res, `${name} ${page}`);
      const html = await res.text();
      for (const canary of forbiddenFor(persona, withShare)) assert.ok(!html.includes(canary), `${name} ${page}: ${canary} leaked`);
      assert.ok(!/<script/i.test(html), "no script on the pages");
      seen += html;
      // The page is a rendering of the viewer's filtered payload: the same resources, no more.
      const json = JSON.parse(await (await c.request(`${stack.edgeUrl}${source}${q}`)).text());
      const expected = page === "/" ? json.components.map((x) => x.id) : json.results.map((x) => x.id);
      assert.deepEqual(ids(html, attr), [...expected].sort(), `${name} ${page}: resources on the page = filtered JSON`);
      if (personas[persona].claims.sub) assert.ok(html.includes(`Signed in as <strong class="viewer-name">${personas[persona].claims.email}</strong>`));
      else assert.ok(html.includes('<a href="/auth/login?return=%2F') && !html.includes("Signed in as"));
    }
    for (const canary of personas[persona].sees) {
      if (canary === "CANARY-PARTNER" && !withShare) continue;
      assert.ok(seen.includes(canary), `${name} must see ${canary}`);
    }
  });
}

test("the sign-in link returns to the page with its share link; HEAD has no body; other methods 405; the stylesheet is public", async () => {
  const res = await fetch(`${stack.edgeUrl}/help?share=${shareLink}`);
  const html = await res.text();
  assert.ok(html.includes(`href="/auth/login?return=${encodeURIComponent(`/help?share=${shareLink}`)}"`));
  const head = await fetch(`${stack.edgeUrl}/`, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal((await head.arrayBuffer()).byteLength, 0);
  assert.equal((await fetch(`${stack.edgeUrl}/help`, { method: "POST" })).status, 405);
  const css = await fetch(`${stack.edgeUrl}/_keyhole/pages.css`);
  assert.equal(css.status, 200);
  assert.match(css.headers.get("content-type"), /^text\/css/);
  assert.ok((await css.text()).includes(".banner"));
});

test("markup: payload text and attribute values are escaped; tag and attribute names are checked", () => {
  assert.equal(toHtml(h("p", { title: `a"b'<c>` }, "<script>alert(1)</script>&")),
    '<p title="a&quot;b&#39;&lt;c&gt;">&lt;script&gt;alert(1)&lt;/script&gt;&amp;</p>');
  assert.equal(toHtml(h("li", { dataset: { componentId: 'x" onclick="y' } })), '<li data-component-id="x&quot; onclick=&quot;y"></li>');
  assert.throws(() => h("scr ipt", null), /bad tag/);
  assert.throws(() => toHtml(h("p", { 'x" onclick': "1" })), /bad attribute/);
  assert.throws(() => toHtml(h("p", { dataset: { "a b": "1" } })), /bad attribute/);
});

/** An origin that answers summary.json with `body` (or is down), for the edge's pages. */
async function withOrigin(body, fn, extraIdentity = {}) {
  const origin = createServer((req, res) => { res.writeHead(200, { "content-type": "application/json" }); res.end(body); });
  await new Promise((ok) => origin.listen(0, "127.0.0.1", ok));
  const edge = createEdgeFilter({ policy: POLICY_TEXT, upstream: `http://127.0.0.1:${origin.address().port}`, pages: {}, identity: extraIdentity });
  try { await fn((path, init) => edge.fetch(new Request(`http://127.0.0.1:8787${path}`, init))); } finally { origin.close(); }
}

test("payload text is escaped on the page (a component named <img onerror>, a page name with a script)", async () => {
  const summary = JSON.stringify({
    page: { id: "p", name: "<script>alert('page')</script>", url: "https://x", time_zone: "UTC", updated_at: "2026-01-01T00:00:00Z" },
    status: { indicator: "none", description: "All good" },
    components: [{ id: "c1", name: '<img src=x onerror="alert(1)">', status: "operational", position: 1, group: false, group_id: null, description: null }],
    incidents: [], scheduled_maintenances: [],
  });
  await withOrigin(summary, async (get) => {
    const res = await get("/");
    const html = await res.text();
    assert.equal(res.status, 200, html.slice(0, 300));
    assert.ok(html.includes("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;"));
    assert.ok(html.includes("&lt;script&gt;alert(&#39;page&#39;)&lt;/script&gt;"));
    assert.ok(!html.includes("<img") && !html.includes("<script"));
  });
});

test("fail closed: a payload the core rejects, an unreachable origin, a refused token: a page without data", async () => {
  const leaky = '{"page":{"id":"p"},"components":[{"id":"c","name":"CANARY-STAFF dup","name":"x"}]}';
  await withOrigin(leaky, async (get) => {
    const res = await get("/");
    const html = await res.text();
    assert.equal(res.status, 502);
    assert.ok(html.includes("Not available") && !html.includes("CANARY"));
    assert.equal(res.headers.get("cache-control"), "private, no-store");
  });
  const down = createEdgeFilter({ policy: POLICY_TEXT, upstream: "http://127.0.0.1:9", pages: {} });
  const res = await down.fetch(new Request("http://127.0.0.1:8787/help"));
  assert.equal(res.status, 502);
  assert.ok((await res.text()).includes("Not available"));
  await withOrigin("{}", async (get) => {
    const r = await get("/", { headers: { cookie: "keyhole_token=not.a.token" } });
    const html = await r.text();
    assert.equal(r.status, 401);
    assert.ok(html.includes("Sign-in not accepted"));
  }, { algorithms: ["HS256"], hs256Secret: HS_SECRET, issuer: ISSUER, audience: AUDIENCE });
});

test("a viewer identified by a Bearer JWT is signed in but offered no sign-out: /auth/logout clears only the edge's session (review O7)", async () => {
  const summary = JSON.stringify({ page: { id: "p", name: "P", url: "https://x", time_zone: "UTC", updated_at: "2026-01-01T00:00:00Z" },
    status: { indicator: "none", description: "All good" }, components: [], incidents: [], scheduled_maintenances: [] });
  await withOrigin(summary, async (get) => {
    const res = await get("/", { headers: await personaHeaders("globex") });
    const html = await res.text();
    assert.equal(res.status, 200, html.slice(0, 200));
    assert.ok(html.includes("Signed in as"), "control: the JWT viewer is signed in");
    assert.ok(!html.includes('id="sign-out"'), "no sign-out button for a JWT viewer");
  }, { algorithms: ["HS256"], hs256Secret: HS_SECRET, issuer: ISSUER, audience: AUDIENCE });
});

test("without `pages` the edge serves no pages (/ is the JSON 404 as before)", async () => {
  const edge = createEdgeFilter({ policy: POLICY_TEXT, upstream: "http://127.0.0.1:9" });
  for (const p of ["/", "/help", "/_keyhole/pages.css", "/auth/login"]) {
    const res = await edge.fetch(new Request(`http://127.0.0.1:8787${p}`));
    assert.equal(res.status, 404, p);
    assert.equal(await res.text(), '{"error":"not found"}');
  }
  assert.ok(ALL_CANARIES.length > 0);
});
