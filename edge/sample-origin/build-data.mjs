#!/usr/bin/env node
// Builds the demo data set in data/demo/ from the real captures in data/captured/.
// Run once (the output is committed); re-run after editing this file:
//   node edge/sample-origin/build-data.mjs
//
// What is changed on top of the captures (everything else is the captured bytes' content):
// - an "Internal infrastructure" group with two staff-only components (one in major_outage),
// - one premium component (enterprise plan customers), one dedicated cluster per org
//   (globex, initech),
// - three unresolved incidents: one on an internal component only, one mixed (a public and
//   an internal component), one on the premium component,
// - maintenances re-pointed at public, internal and premium components,
// - CANARY-<AUDIENCE> markers in everything a restricted audience alone may read, so tests can
//   assert that no marker leaves the filter for a viewer outside that audience.
// - a demo knowledge base in Confluence REST v1 shapes (read restrictions expanded, empty)
//   and the matching JSM list.
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const cap = (f) => JSON.parse(readFileSync(join(here, "data/captured", f), "utf8"));
const out = join(here, "data/demo");
mkdirSync(out, { recursive: true });
const write = (f, v) => writeFileSync(join(out, f), JSON.stringify(v) + "\n");
const clone = (v) => structuredClone(v);

const summary = cap("github-summary-unresolved-incident-minor.json");
const history = cap("github-incidents-50-with-updates.json");
const cloudflare = cap("cloudflare-summary-groups-maintenances-trimmed.json");
const page = { ...summary.page, name: "GitHub (demo: captured 2022-11-25, with added private components)" };
const PAGE_ID = page.id;

const template = summary.components[0];
function component(id, name, status, position, description, groupId = null, extra = {}) {
  return { ...clone(template), id, name, status, position, description, group_id: groupId, page_id: PAGE_ID, ...extra };
}

// ---- components -------------------------------------------------------------------------
const IDS = {
  internalGroup: "q7intgrp9x01",
  buildFarm: "q7bldfrm9x02",
  staffSso: "q7stfsso9x03",
  premium: "q7prmres9x04",
  globex: "q7glbxcl9x05",
  initech: "q7intcch9x06",
};
const components = clone(summary.components);
const gitOps = components.find((c) => c.id === "8l4ygp009s5s");
gitOps.description += " (CANARY-STAFF owner: team git-infra, pager #4411)";
components.push(
  component(IDS.internalGroup, "CANARY-STAFF Internal infrastructure", "major_outage", 20,
    "CANARY-STAFF Systems the support team depends on", null,
    { group: true, components: [IDS.buildFarm, IDS.staffSso] }),
  component(IDS.buildFarm, "CANARY-STAFF Build farm eu-west", "major_outage", 21,
    "CANARY-STAFF Self-hosted runners in eu-west-1", IDS.internalGroup),
  component(IDS.staffSso, "CANARY-STAFF Staff SSO", "operational", 22,
    "CANARY-STAFF Okta tenant for employees", IDS.internalGroup),
  component(IDS.premium, "CANARY-PREMIUM Enterprise data residency (EU)", "degraded_performance", 23,
    "CANARY-PREMIUM EU-only storage for enterprise plans"),
  component(IDS.globex, "CANARY-GLOBEX Globex dedicated cluster", "operational", 24,
    "CANARY-GLOBEX Single-tenant cluster gx-prod-1"),
  component(IDS.initech, "CANARY-INITECH Initech dedicated cluster", "partial_outage", 25,
    "CANARY-INITECH Single-tenant cluster in-prod-2"),
);
const byId = Object.fromEntries(components.map((c) => [c.id, c]));
const copyOf = (id) => clone(byId[id]);
const affected = (id, oldS, newS) => ({ code: id, name: byId[id].name, old_status: oldS, new_status: newS });

// ---- incidents ----------------------------------------------------------------------------
const publicIncident = clone(summary.incidents[0]); // Packages and Pages, real
const firstUpdate = publicIncident.incident_updates[publicIncident.incident_updates.length - 1];
firstUpdate.body += " CANARY-SIGNEDIN Workaround for signed-in users: retry with the v2 endpoint.";

function incident(id, name, status, impact, componentIds, updates, when) {
  return {
    id, name, status, created_at: when, updated_at: when, monitoring_at: null, resolved_at: null,
    impact, shortlink: `https://stspg.io/${id}`, started_at: when, page_id: PAGE_ID,
    incident_updates: updates.map(([uid, ustatus, body, aff], k) => ({
      id: uid, status: ustatus, body, incident_id: id, created_at: when, updated_at: when, display_at: when,
      affected_components: aff, deliver_notifications: true, custom_tweet: null, tweet_id: null,
    })),
    components: componentIds.map(copyOf),
    reminder_intervals: null,
  };
}
const internalIncident = incident("q7inc0000001", "CANARY-STAFF Build farm eu-west unavailable", "identified", "major",
  [IDS.buildFarm], [
    ["q7upd0000011", "identified", "CANARY-STAFF The runner pool lost its NAT gateway; failing over to eu-central.",
      [affected(IDS.buildFarm, "operational", "major_outage")]],
    ["q7upd0000012", "investigating", "CANARY-STAFF Runners in eu-west are not picking up jobs.", null],
  ], "2022-11-25T15:10:00.000Z");
const mixedIncident = incident("q7inc0000002", "Delayed GitHub Actions jobs", "investigating", "minor",
  ["br0l2tvcx85d", IDS.buildFarm], [
    ["q7upd0000021", "investigating",
      "CANARY-STAFF Jobs queue behind the eu-west build farm outage; customer jobs are delayed by up to 20 minutes.",
      [affected("br0l2tvcx85d", "operational", "degraded_performance"), affected(IDS.buildFarm, "operational", "major_outage")]],
  ], "2022-11-25T15:20:00.000Z");
const premiumIncident = incident("q7inc0000003", "CANARY-PREMIUM Delayed exports in the EU residency region", "monitoring", "minor",
  [IDS.premium], [
    ["q7upd0000031", "monitoring", "CANARY-PREMIUM Exports are flowing again; we are watching the backlog drain.",
      [affected(IDS.premium, "degraded_performance", "degraded_performance")]],
  ], "2022-11-25T15:30:00.000Z");
const initechIncident = incident("q7inc0000004", "CANARY-INITECH Elevated error rates on your dedicated cluster", "investigating", "minor",
  [IDS.initech], [
    ["q7upd0000041", "investigating", "CANARY-INITECH About 3% of API calls to in-prod-2 fail with 503.",
      [affected(IDS.initech, "operational", "partial_outage")]],
  ], "2022-11-25T15:40:00.000Z");
const unresolved = [initechIncident, premiumIncident, mixedIncident, internalIncident, publicIncident];

// ---- maintenances -------------------------------------------------------------------------
const maint = clone(cloudflare.scheduled_maintenances).map((m) => ({ ...m, page_id: PAGE_ID }));
function repoint(m, id, name, body) {
  m.name = name;
  m.components = [copyOf(id)];
  for (const u of m.incident_updates) {
    u.body = body;
    u.affected_components = [affected(id, "operational", "operational")];
  }
}
repoint(maint[0], "h2ftsgbw7kmk", "Codespaces maintenance on 2026-08-07",
  "We will be performing scheduled maintenance on Codespaces on 2026-08-07 between 08:00 and 14:00 UTC.");
repoint(maint[1], IDS.buildFarm, "CANARY-STAFF Build farm kernel upgrade on 2026-08-10",
  "CANARY-STAFF Rolling kernel upgrade of the eu-west runners, drain one rack at a time.");
repoint(maint[2], IDS.premium, "CANARY-PREMIUM EU residency storage migration on 2026-08-10",
  "CANARY-PREMIUM Enterprise EU data moves to the new storage tier; exports pause for 10 minutes.");

// ---- status files ---------------------------------------------------------------------------
const status = { indicator: "major", description: "Partial System Outage" }; // as the origin would compute it
const resolvedHistory = history.incidents.slice(0, 10);
write("summary.json", { page, components, incidents: unresolved, scheduled_maintenances: maint, status });
write("status.json", { page, status });
write("components.json", { page, components });
write("incidents.json", { page, incidents: [...unresolved, ...resolvedHistory] });
write("incidents-unresolved.json", { page, incidents: unresolved });
write("scheduled-maintenances.json", { page, scheduled_maintenances: maint });

// ---- knowledge base (Confluence REST v1 shapes) --------------------------------------------
const BASE = "https://demo.atlassian.example/wiki";
const SPACES = {
  KB: { id: 1001, key: "KB", name: "Help Center", type: "global" },
  STAFF: { id: 1002, key: "STAFF", name: "CANARY-STAFF Support team handbook", type: "global" },
  CUST: { id: 1003, key: "CUST", name: "Customer articles", type: "global" },
  PARTNER: { id: 1004, key: "PARTNER", name: "Partner programme", type: "global" },
};
// id, space, parent, title, labels, excerpt
const PAGES = [
  ["98000", "KB", null, "Getting started", [], "Create an account, invite your team and connect your first repository."],
  ["98001", "KB", "98000", "Reset your password", ["how-to"], "Use the sign-in page's Forgot password link; links expire after one hour."],
  ["98002", "KB", "98000", "Configure single sign-on", ["how-to", "sso"], "SAML and OIDC settings for organisation owners."],
  ["98100", "KB", null, "Known issues and workarounds", [], "Problems we know about and how to avoid them."],
  ["98101", "KB", "98100", "CANARY-STAFF Escalation runbook for known issues", ["runbook"], "CANARY-STAFF Page the on-call engineer when a customer hits KI-12."],
  ["98102", "KB", "98100", "Webhooks v2 beta: known limits", ["beta"], "CANARY-VERIFIED Retries stop after 8 attempts in the beta."],
  ["97000", "STAFF", null, "CANARY-STAFF On-call handbook", [], "CANARY-STAFF How we run incidents."],
  ["97001", "STAFF", "97000", "CANARY-STAFF Incident commander checklist", ["runbook"], "CANARY-STAFF First ten minutes of an incident."],
  ["96000", "CUST", null, "CANARY-STAFF Customer success index", [], "CANARY-STAFF Where account managers keep customer notes."],
  ["96001", "CUST", "96000", "CANARY-GLOBEX Globex dedicated cluster runbook", ["customer-globex"], "CANARY-GLOBEX Failover steps for gx-prod-1."],
  ["96002", "CUST", "96000", "CANARY-INITECH Initech SAML setup notes", ["customer-initech"], "CANARY-INITECH Initech uses Azure AD with a custom NameID."],
  ["96003", "CUST", "96000", "CANARY-GLOBEX Globex data residency report", ["customer-globex", "residency"], "CANARY-GLOBEX All Globex data stays in eu-central-1."],
  ["95000", "PARTNER", null, "CANARY-STAFF Partner programme home", [], "CANARY-STAFF Contracts and contacts for partners."],
  ["95001", "PARTNER", "95000", "CANARY-PARTNER Integration guide for Partner Co", ["partner"], "CANARY-PARTNER OAuth client setup for Partner Co's connector."],
];
const pageById = Object.fromEntries(PAGES.map((p) => [p[0], p]));
const spaceObj = (key) => {
  const s = SPACES[key];
  return {
    id: s.id, key: s.key, name: s.name, type: s.type, status: "current",
    _expandable: { settings: `/rest/api/space/${s.key}/settings`, metadata: "", operations: "", lookAndFeel: `/rest/api/settings/lookandfeel?spaceKey=${s.key}`, identifiers: "", permissions: "", icon: "", description: "", theme: `/rest/api/space/${s.key}/theme`, history: "", homepage: "" },
    _links: { webui: `/spaces/${s.key}`, self: `${BASE}/rest/api/space/${s.key}` },
  };
};
const links = (id, key) => ({
  self: `${BASE}/rest/api/content/${id}`, tinyui: `/x/${Number(id).toString(36)}`,
  editui: `/pages/resumedraft.action?draftId=${id}`, webui: `/spaces/${key}/pages/${id}`,
});
const ancestorChain = (id) => {
  const chain = [];
  for (let p = pageById[id][2]; p; p = pageById[p][2]) chain.unshift(p);
  return chain;
};
const ancestorObj = (id) => {
  const [, key, , title] = pageById[id];
  return {
    id, type: "page", status: "current", title, macroRenderedOutput: {}, extensions: { position: 100 },
    _expandable: { container: `/rest/api/space/${key}`, metadata: "", history: `/rest/api/content/${id}/history`, body: "", version: "", descendants: `/rest/api/content/${id}/descendant`, space: `/rest/api/space/${key}`, ancestors: "", children: `/rest/api/content/${id}/child` },
    _links: links(id, key),
  };
};
// Read restrictions as Confluence returns them with
// expand=restrictions.read.restrictions.user,restrictions.read.restrictions.group (what
// keyhole-edge asks for, SPEC §6): the demo pages have none (empty lists). The sample origin
// folds them back under `_expandable` when a request does not ask (expand.mjs).
const noList = () => ({ results: [], start: 0, limit: 200, size: 0 });
const restrictionsObj = (id) => ({
  read: {
    operation: "read",
    restrictions: { user: noList(), group: noList() },
    _expandable: { content: `/rest/api/content/${id}` },
    _links: { self: `${BASE}/rest/api/content/${id}/restriction/byOperation/read` },
  },
  _expandable: { update: "" },
  _links: { self: `${BASE}/rest/api/content/${id}/restriction/byOperation` },
});
const contentObj = ([id, key, , title, labels, excerpt], withBody = false) => {
  const o = {
    id, type: "page", status: "current", title,
    space: spaceObj(key),
    ancestors: ancestorChain(id).map(ancestorObj),
    metadata: {
      labels: {
        results: labels.map((name, k) => ({ prefix: "global", name, id: String(5000000 + Number(id) * 10 + k), label: name })),
        start: 0, limit: 200, size: labels.length,
        _links: { self: `${BASE}/rest/api/content/${id}/label` },
      },
      _expandable: { currentuser: "", comments: "", sourceTemplateEntityId: "", simple: "", properties: "", frontend: "", likes: "" },
    },
    excerpt,
    restrictions: restrictionsObj(id),
    extensions: { position: 100 },
    _expandable: { childTypes: "", container: `/rest/api/space/${key}`, schedulePublishDate: "", children: `/rest/api/content/${id}/child`, history: `/rest/api/content/${id}/history`, body: "", version: "", descendants: `/rest/api/content/${id}/descendant` },
    _links: links(id, key),
  };
  if (withBody) {
    delete o._expandable.body;
    o.body = { view: { value: `<p>${excerpt}</p>`, representation: "view", _expandable: { webresource: "", embeddedContent: "", mediaToken: "", content: `/rest/api/content/${id}` } }, _expandable: { editor: "", atlas_doc_format: "", export_view: "", styled_view: "", dynamic: "", storage: "", editor2: "", anonymous_export_view: "" } };
  }
  return o;
};
const results = PAGES.map((p) => contentObj(p));
write("confluence-content.json", {
  results, start: 0, limit: 25, size: results.length,
  _links: { base: BASE, context: "/wiki", self: `${BASE}/rest/api/content?expand=space,ancestors,metadata.labels,restrictions.read.restrictions.user,restrictions.read.restrictions.group` },
});
mkdirSync(join(out, "content"), { recursive: true });
for (const p of PAGES) write(`content/${p[0]}.json`, contentObj(p, true));

// ---- JSM knowledge base list (the documented shape; no ancestors, so the policy's parents map)
const jsm = cap("jsm-knowledgebase-articles-atlassian-doc-example.json");
write("jsm-articles.json", {
  _expands: [], size: PAGES.length, start: 0, limit: 50, isLastPage: true,
  _links: { base: "https://demo.atlassian.example/rest/servicedeskapi", context: "context" },
  values: PAGES.map(([id, key, , title, , excerpt]) => ({
    title, excerpt, source: { type: "confluence", pageId: id, spaceKey: key },
    content: { iframeSrc: `${jsm._links.base.replace("your-domain", "demo")}/knowledgebase/article/view/${id}`.replace("your-domain.atlassian.net", "demo.atlassian.example") },
  })),
});
const parents = Object.fromEntries(PAGES.filter((p) => p[2]).map((p) => [p[0], p[2]]));
write("parents.json", parents);
console.log(`wrote ${out}`);
