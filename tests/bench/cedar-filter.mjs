// The way a Cedar user would filter a list: parse the payload, ask @cedar-policy/cedar-wasm
// one statefulIsAuthorized call per component / incident / article (policy set pre-parsed
// once with preparsePolicySet), drop what is denied, stringify. The policies below are the
// Cedar translation of Keyhole's benchmark policy (payload_gen.h status_policy):
//   status:   components in even-numbered groups grp100000..grp107798 (STATUS_POLICY_GROUPS) are for @customer
//             (org:* or staff) only, everything else for everyone; an incident is a child of
//             every affected component, so `in` gives "visible iff any affected is visible";
//   articles: staff see all, everyone sees space KB, org globex sees label customer-globex
//             and page 500010 (the item or any ancestor).
// Group lists, disclosure and recomputed statuses are done in plain JS after the decisions;
// only visibility goes through Cedar. The persona's audiences (customer/staff/org) are the
// principal's parents, resolved in JS as a Cedar app would from its identity provider.
import { createRequire } from "node:module";
import { STATUS_POLICY_GROUPS } from "./payload-gen.mjs";

const require = createRequire(import.meta.url);
const cedar = require("@cedar-policy/cedar-wasm/nodejs");

const POLICIES = `
permit(principal, action == Keyhole::Action::"view", resource is Keyhole::Component)
  when { resource in Keyhole::Visibility::"public" };
permit(principal in Keyhole::Audience::"customer", action == Keyhole::Action::"view", resource is Keyhole::Component)
  when { resource in Keyhole::Visibility::"customers" };
permit(principal, action == Keyhole::Action::"view", resource is Keyhole::Incident)
  when { resource in Keyhole::Visibility::"public" };
permit(principal in Keyhole::Audience::"customer", action == Keyhole::Action::"view", resource is Keyhole::Incident)
  when { resource in Keyhole::Visibility::"customers" };
permit(principal in Keyhole::Audience::"staff", action == Keyhole::Action::"view", resource is Keyhole::Article);
permit(principal, action == Keyhole::Action::"view", resource is Keyhole::Article)
  when { resource in Keyhole::Space::"KB" };
permit(principal in Keyhole::Audience::"org:globex", action == Keyhole::Action::"view", resource is Keyhole::Article)
  when { resource in Keyhole::Label::"customer-globex" || resource in Keyhole::Article::"500010" };
`;

const restricted = (g) => typeof g === "string" && /^grp1\d{5}$/.test(g) &&
  ((n) => n < STATUS_POLICY_GROUPS && n % 2 === 0)(Number(g.slice(3)) - 100000);
const uid = (type, id) => ({ type: `Keyhole::${type}`, id: String(id) });
const ACTION = uid("Action", "view");

export async function makeCedarFilter(kind, claims) {
  const pre = cedar.preparsePolicySet("keyhole-bench", { staticPolicies: POLICIES });
  if (pre.type !== "success") throw new Error(`cedar: ${JSON.stringify(pre)}`);
  const parents = [];
  const isStaff = claims.email_verified === true && /@acme\.example$/i.test(claims.email ?? "") || (claims.groups ?? []).includes("staff");
  if ((claims.orgs ?? []).length || isStaff) parents.push(uid("Audience", "customer"));
  if (isStaff) parents.push(uid("Audience", "staff"));
  for (const o of claims.orgs ?? []) parents.push(uid("Audience", `org:${o}`));
  const principal = { uid: uid("User", claims.sub ?? "anonymous"), attrs: {}, parents };
  const self = { lastDecisions: 0, filter: null };
  const allowed = (resource, entities) => {
    self.lastDecisions++;
    const a = cedar.statefulIsAuthorized({
      principal: principal.uid, action: ACTION, resource, context: {},
      preparsedPolicySetId: "keyhole-bench", entities: [principal, ...entities],
    });
    if (a.type !== "success") throw new Error(`cedar: ${JSON.stringify(a.errors ?? a)}`);
    return a.response.decision === "allow";
  };
  const dec = new TextDecoder(), enc = new TextEncoder();
  self.filter = kind === "status" ? (bytes) => enc.encode(JSON.stringify(filterStatus(JSON.parse(dec.decode(bytes)), allowed)))
    : (bytes) => { const out = filterArticles(JSON.parse(dec.decode(bytes)), allowed); return out === null ? null : enc.encode(JSON.stringify(out)); };
  const inner = self.filter;
  self.filter = (bytes) => { self.lastDecisions = 0; return inner(bytes); };
  return self;
}

function filterStatus(doc, allowed) {
  const single = doc.incident_updates !== undefined || doc.scheduled_for !== undefined || doc.impact !== undefined;
  const resources = single ? [doc] : [...(doc.incidents ?? []), ...(doc.scheduled_maintenances ?? [])];
  const groupOf = new Map(), isGroup = new Set();
  for (const c of [...(doc.components ?? []), ...resources.flatMap((r) => r.components ?? [])]) {
    if (c.group === true || Array.isArray(c.components)) isGroup.add(c.id);
    if (typeof c.group_id === "string") { groupOf.set(c.id, c.group_id); isGroup.add(c.group_id); }
    if (Array.isArray(c.components)) for (const m of c.components) groupOf.set(m, c.id);
  }
  // The entity slice for one component: itself -> its group -> its visibility class.
  const componentEntities = (id) => {
    const g = groupOf.get(id);
    const vis = uid("Visibility", restricted(g) || restricted(id) ? "customers" : "public");
    return g === undefined ? [{ uid: uid("Component", id), attrs: {}, parents: [vis] }]
      : [{ uid: uid("Component", id), attrs: {}, parents: [uid("Group", g)] }, { uid: uid("Group", g), attrs: {}, parents: [vis] }];
  };
  const shownLeaf = new Map();
  const leaf = (id) => {
    let r = shownLeaf.get(id);
    if (r === undefined) shownLeaf.set(id, (r = allowed(uid("Component", id), componentEntities(id))));
    return r;
  };
  const groupShown = new Set();
  for (const [m, g] of groupOf) if (!isGroup.has(m) && leaf(m)) groupShown.add(g);
  const shown = (id) => (isGroup.has(id) ? groupShown.has(id) : leaf(id));
  const prune = (c) => {
    const o = { ...c };
    if (o.description != null) delete o.description;
    if (isGroup.has(o.id) && Array.isArray(o.components)) o.components = o.components.filter(shown);
    return o;
  };
  const resource = (r) => {
    const affected = [...new Set([...(r.components ?? []).map((c) => c.id),
      ...(r.incident_updates ?? []).flatMap((u) => (u.affected_components ?? []).map((a) => a.code).filter((x) => typeof x === "string"))])];
    const ents = new Map();
    for (const id of affected) for (const e of componentEntities(id)) ents.set(`${e.uid.type}:${e.uid.id}`, e);
    const self = { uid: uid("Incident", r.id), attrs: {}, parents: affected.length ? affected.map((id) => uid("Component", id)) : [uid("Visibility", "public")] };
    if (!allowed(self.uid, [self, ...ents.values()])) return null;
    const mixed = affected.some((id) => !shown(id));
    const o = { ...r };
    if (Array.isArray(o.components)) o.components = o.components.filter((c) => shown(c.id)).map(prune);
    if (Array.isArray(o.incident_updates)) o.incident_updates = o.incident_updates.map((u) => {
      const v = { ...u };
      if (mixed) v.body = "Details for affected customers.";
      if (Array.isArray(v.affected_components)) v.affected_components = v.affected_components.filter((a) => a.code && shown(a.code));
      return v;
    });
    return o;
  };
  if (single) return resource(doc);
  const out = { ...doc };
  if (Array.isArray(doc.components)) out.components = doc.components.filter((c) => shown(c.id)).map(prune);
  if (Array.isArray(doc.incidents)) out.incidents = doc.incidents.map(resource).filter(Boolean);
  if (Array.isArray(doc.scheduled_maintenances)) out.scheduled_maintenances = doc.scheduled_maintenances.map(resource).filter(Boolean);
  return out;
}

function filterArticles(doc, allowed) {
  const list = Array.isArray(doc.results) ? "results" : Array.isArray(doc.values) ? "values" : null;
  const items = list ? doc[list] : [doc];
  const decide = (it) => {
    const c = it.content ?? it;
    const id = String(c.id ?? it.source?.pageId ?? "");
    const space = c.space?.key ?? it.source?.spaceKey ?? c.spaceId;
    const anc = (c.ancestors ?? []).map((a) => String(a.id));
    const labels = (c.metadata?.labels?.results ?? []).map((l) => l.name);
    const parents = [...(space !== undefined ? [uid("Space", space)] : []), ...labels.map((l) => uid("Label", l)), ...(anc.length ? [uid("Article", anc[anc.length - 1])] : [])];
    const ents = [{ uid: uid("Article", id), attrs: {}, parents }];
    for (let i = anc.length - 1; i >= 0; i--) ents.push({ uid: uid("Article", anc[i]), attrs: {}, parents: [...(space !== undefined ? [uid("Space", space)] : []), ...(i ? [uid("Article", anc[i - 1])] : [])] });
    return allowed(uid("Article", id), ents);
  };
  if (!list) return decide(doc) ? doc : null;
  const kept = items.filter(decide);
  const out = { ...doc, [list]: kept };
  if ("size" in out) out.size = kept.length;
  if ("totalSize" in out) out.totalSize = kept.length;
  return out;
}
