// The whole sign-in flow in a real browser (issue 17): Debian's Chromium driven by
// playwright-core against keyhole-edge with its pages, the sample origin and the real local
// OpenID Connect provider (oidc-provider). Anonymous sees the basics; signs in as Globex (the
// provider's own login form) and sees Globex's components and articles; signs out and sees the
// basics again; a tampered session cookie is anonymous; the partner's share link opens page
// 95001 only once the partner has signed in. For every persona, the page source and the body
// of every network response the browser received are searched for canaries it may not see.
//   node --test tests/node/edge-pages-browser.test.mjs
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { startStack, loginOf } from "../../edge/testing/oidc-stack.mjs";
import { personas, forbiddenFor, SHARE_SECRET } from "../../edge/testing/harness.mjs";
import { createShareToken } from "../../edge/src/share.js";

const CHROMIUM = process.env.KEYHOLE_CHROMIUM || "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM}`;

let stack, browser, shareLink;
before(async () => {
  if (skip) return;
  stack = await startStack();
  shareLink = await createShareToken(SHARE_SECRET, { resources: ["article:95001"], emails: ["pat@partner.example"], ttlSeconds: 900 });
  const { chromium } = await import("playwright-core");
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});
after(async () => { await browser?.close(); await stack?.close(); });

/** A browser context that keeps the body of every response it receives (edge and provider). */
async function recordingContext() {
  const ctx = await browser.newContext();
  const responses = [];
  const pending = [];
  ctx.on("response", (r) => {
    pending.push(r.body().then((b) => responses.push({ url: r.url(), status: r.status(), headers: JSON.stringify(r.headers()), text: b.toString("utf8") }),
      () => responses.push({ url: r.url(), status: r.status(), headers: JSON.stringify(r.headers()), text: "" }))); // redirects have no body
  });
  const page = await ctx.newPage();
  return { ctx, page, responses: async () => { await Promise.all(pending); return responses; } };
}

/** Everything the browser got must be free of the canaries the persona may not see. */
async function assertNothingLeaked(rec, persona, withShare = false) {
  const forbidden = forbiddenFor(persona, withShare);
  const source = await rec.page.content();
  for (const c of forbidden) assert.ok(!source.includes(c), `${persona}: ${c} in the page source`);
  const all = await rec.responses();
  assert.ok(all.length >= 2, "responses were recorded");
  for (const r of all) for (const c of forbidden) {
    assert.ok(!r.text.includes(c) && !r.headers.includes(c), `${persona}: ${c} in the response of ${r.url} (${r.status})`);
  }
  return all;
}

const componentNames = (page) => page.locator(".component-name").allTextContents();
const articleTitles = (page) => page.locator(".article-title").allTextContents();
const signedInAs = (page) => page.locator(".viewer-name").textContent({ timeout: 2000 }).catch(() => null);

/** Clicks "Sign in", fills the provider's form, lands back on the edge. */
async function signInThroughUi(page, persona) {
  const { username, password } = loginOf(persona);
  await page.click("#sign-in");
  await page.waitForURL((u) => u.href.startsWith(stack.idp.issuer));
  await page.fill("#username", username);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL((u) => u.href.startsWith(stack.edgeUrl) && !u.pathname.startsWith("/auth/")), page.click("#submit")]);
}

test("anonymous -> Globex -> signed out: basics, then Globex's components and articles, then basics again", { skip }, async () => {
  const rec = await recordingContext();
  const { page, ctx } = rec;
  try {
    await page.goto(`${stack.edgeUrl}/`);
    const anonComponents = await componentNames(page);
    assert.ok(anonComponents.includes("Git Operations"), "the basics are shown");
    assert.ok(!anonComponents.some((n) => n.includes("Globex")));
    assert.equal(await signedInAs(page), null);
    assert.ok(await page.isVisible("#sign-in"));
    await page.goto(`${stack.edgeUrl}/help`);
    const anonArticles = await articleTitles(page);
    assert.ok(anonArticles.length > 0);

    await page.goto(`${stack.edgeUrl}/`);
    await signInThroughUi(page, "globex");
    assert.equal(new URL(page.url()).pathname, "/");
    assert.equal(await signedInAs(page), "ann@globex.example");
    const globexComponents = await componentNames(page);
    assert.ok(globexComponents.some((n) => n.includes("CANARY-GLOBEX Globex dedicated cluster")), globexComponents.join(" | "));
    assert.ok(globexComponents.some((n) => n.includes("CANARY-PREMIUM")), "the enterprise plan's component");
    assert.ok(globexComponents.length > anonComponents.length);
    await page.goto(`${stack.edgeUrl}/help`);
    const globexArticles = await articleTitles(page);
    assert.ok(globexArticles.length > anonArticles.length, `${globexArticles.length} > ${anonArticles.length}`);
    assert.ok(await page.locator('[data-article-id="96001"]').count() === 1, "Globex's customer article");
    assert.ok(await page.locator('[data-article-id="96002"]').count() === 0, "not Initech's");
    const cookie = (await ctx.cookies(stack.edgeUrl)).find((c) => c.name === "keyhole_session");
    assert.ok(cookie.httpOnly, "HttpOnly");
    assert.equal(cookie.sameSite, "Lax");
    assert.equal(await page.evaluate(() => document.cookie), "", "no script can read the session");
    await assertNothingLeaked(rec, "globex");

    await Promise.all([page.waitForURL(`${stack.edgeUrl}/`), page.click("#sign-out")]);
    assert.equal(await signedInAs(page), null);
    assert.deepEqual(await componentNames(page), anonComponents, "the basics again");
    await page.goto(`${stack.edgeUrl}/help`);
    assert.deepEqual(await articleTitles(page), anonArticles);
    assert.equal((await ctx.cookies(stack.edgeUrl)).find((c) => c.name === "keyhole_session"), undefined);
  } finally {
    await ctx.close();
  }
});

test("a tampered session cookie is anonymous", { skip }, async () => {
  const rec = await recordingContext();
  const { page, ctx } = rec;
  try {
    await page.goto(`${stack.edgeUrl}/`);
    await signInThroughUi(page, "staff");
    assert.ok((await componentNames(page)).some((n) => n.includes("CANARY-STAFF")));
    const session = (await ctx.cookies(stack.edgeUrl)).find((c) => c.name === "keyhole_session");
    const i = session.value.length - 25;
    const tampered = session.value.slice(0, i) + (session.value[i] === "A" ? "B" : "A") + session.value.slice(i + 1);
    await ctx.addCookies([{ ...session, value: tampered }]);
    const before = (await rec.responses()).length;
    await page.goto(`${stack.edgeUrl}/`);
    assert.equal(await signedInAs(page), null);
    assert.ok(await page.isVisible("#sign-in"));
    const names = await componentNames(page);
    for (const c of forbiddenFor("anonymous")) assert.ok(!names.some((n) => n.includes(c)), `${c} with a tampered cookie`);
    const after = (await rec.responses()).slice(before);
    for (const r of after) for (const c of forbiddenFor("anonymous")) assert.ok(!r.text.includes(c), `${c} in ${r.url}`);
    assert.ok(!(await page.content()).includes("CANARY-"));
  } finally {
    await ctx.close();
  }
});

test("the partner's share link opens page 95001 only after the partner signs in; forwarded to Initech it does nothing", { skip }, async () => {
  const link = `${stack.edgeUrl}/help?share=${shareLink}`;
  const rec = await recordingContext();
  try {
    await rec.page.goto(link);
    assert.equal(await rec.page.locator('[data-article-id="95001"]').count(), 0, "anonymous: nothing");
    await signInThroughUi(rec.page, "partner");
    assert.equal(rec.page.url(), link, "back on the share link after signing in");
    assert.equal(await signedInAs(rec.page), "pat@partner.example");
    assert.equal(await rec.page.locator('[data-article-id="95001"]').count(), 1, "the partner's page");
    assert.ok((await rec.page.content()).includes("CANARY-PARTNER"));
    await assertNothingLeaked(rec, "partner", true);
  } finally {
    await rec.ctx.close();
  }
  const other = await recordingContext();
  try {
    await other.page.goto(`${stack.edgeUrl}/`);
    await signInThroughUi(other.page, "initech");
    await other.page.goto(link);
    assert.equal(await other.page.locator('[data-article-id="95001"]').count(), 0, "forwarded: nothing");
    await assertNothingLeaked(other, "initech");
  } finally {
    await other.ctx.close();
  }
});

test("every persona: page source and every network response free of what it may not see", { skip }, async () => {
  for (const name of Object.keys(personas)) {
    const rec = await recordingContext();
    try {
      await rec.page.goto(`${stack.edgeUrl}/`);
      if (personas[name].claims.sub) await signInThroughUi(rec.page, name);
      let seen = await rec.page.content();
      await rec.page.goto(`${stack.edgeUrl}/help`);
      seen += await rec.page.content();
      // The JSON a script on the page could fetch with the same cookie is filtered the same way.
      await rec.page.goto(`${stack.edgeUrl}/api/v2/summary.json`);
      await rec.page.goto(`${stack.edgeUrl}/wiki/rest/api/content`);
      const all = await assertNothingLeaked(rec, name);
      for (const c of personas[name].sees) if (c !== "CANARY-PARTNER") assert.ok(seen.includes(c), `${name} must see ${c}`);
      console.log(`# ${name}: ${all.length} responses searched, ${forbiddenFor(name).length} canaries absent`);
    } finally {
      await rec.ctx.close();
    }
  }
});
