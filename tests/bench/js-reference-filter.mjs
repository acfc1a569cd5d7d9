// The idiomatic JavaScript way of doing Keyhole's status-page job, for the benchmark:
// TextDecoder + JSON.parse + a plain JS filter of the same semantics (components,
// groups, incidents and maintenances, disclosure, recomputed statuses) + JSON.stringify
// + TextEncoder. Written the way a careful JS developer would, not tuned to lose.
// It covers the status section of a policy (SPEC §2, §3, §5), not every irregularity
// the core guards against (duplicate names, exact number text, depth limits...).

const COMPONENT_SEVERITY = ["operational", "under_maintenance", "degraded_performance", "partial_outage", "major_outage"];
const IMPACT_SEVERITY = ["none", "maintenance", "minor", "major", "critical"];

function emailDomain(email) {
  if (typeof email !== "string") return null;
  const at = email.indexOf("@");
  if (at < 0 || email.indexOf("@", at + 1) >= 0) return null;
  let d = email.slice(at + 1).toLowerCase();
  if (d.endsWith(".")) d = d.slice(0, -1);
  return d;
}

function makeMatcher(policy, claims) {
  const signedIn = typeof claims.sub === "string";
  const verified = signedIn && claims.email_verified === true;
  const email = verified && typeof claims.email === "string" ? claims.email.toLowerCase() : null;
  const domain = verified ? emailDomain(claims.email) : null;
  const has = (list, v) => Array.isArray(list) && (v === "*" ? list.length > 0 : list.includes(v));
  const audiences = policy.audiences ?? {};
  const cache = new Map();
  const atom = (a) => {
    if (typeof a === "object") {
      if (a.all) return a.all.every(atom);
      if (a.not !== undefined) return !atom(a.not);
      return false;
    }
    if (cache.has(a)) return cache.get(a);
    let r = false;
    const colon = a.indexOf(":");
    const kind = a[0] === "@" ? "@" : colon < 0 ? a : a.slice(0, colon);
    const v = a[0] === "@" ? a.slice(1) : a.slice(colon + 1);
    switch (kind) {
      case "everyone": r = true; break;
      case "anonymous": r = !signedIn; break;
      case "signed-in": r = signedIn; break;
      case "verified": r = verified; break;
      case "user": r = signedIn && claims.sub === v; break;
      case "email": r = email !== null && email === v.toLowerCase(); break;
      case "domain": {
        const d = v.toLowerCase().replace(/\.$/, "");
        r = domain !== null && (d.startsWith("*.") ? domain === d.slice(2) || domain.endsWith(d.slice(1)) : domain === d);
        break;
      }
      case "group": r = has(claims.groups, v); break;
      case "org": r = has(claims.orgs, v); break;
      case "role": r = has(claims.roles, v); break;
      case "account": r = claims.account === v; break;
      case "attr": {
        const eq = v.indexOf("=");
        const val = claims.attrs?.[v.slice(0, eq)];
        r = Array.isArray(val) ? val.includes(v.slice(eq + 1)) : val === v.slice(eq + 1);
        break;
      }
      case "@": r = (audiences[v] ?? []).some(atom); break;
    }
    cache.set(a, r);
    return r;
  };
  return (list) => Array.isArray(list) && list.some(atom);
}

export function filterStatus(policy, claims, doc) {
  const s = policy.status ?? {};
  const matches = makeMatcher(policy, claims);
  const grants = new Set(claims.grants ?? []);
  const componentRules = s.components ?? {};
  const inc = s.incidents ?? {};

  const decide = (levels, grant) => {
    let allowed = false, denied = false;
    for (const rule of levels) {
      if (!rule) continue;
      if (rule.inherit === false) allowed = false;
      if (matches(rule.allow)) allowed = true;
      if (matches(rule.deny)) denied = true;
    }
    if (grant && grants.has(grant)) allowed = true;
    return allowed && !denied;
  };

  // Groups: from group_id anywhere, group: true, and components id lists.
  const groupOf = new Map();
  const isGroup = new Set();
  const noteComponent = (c) => {
    if (!c || typeof c !== "object") return;
    if (c.group === true || Array.isArray(c.components)) isGroup.add(c.id);
    if (typeof c.group_id === "string") { groupOf.set(c.id, c.group_id); isGroup.add(c.group_id); }
    if (Array.isArray(c.components)) for (const id of c.components) if (typeof id === "string") groupOf.set(id, c.id);
  };
  for (const c of doc.components ?? []) noteComponent(c);
  for (const i of [...(doc.incidents ?? []), ...(doc.scheduled_maintenances ?? [])]) for (const c of i.components ?? []) noteComponent(c);

  const shownCache = new Map();
  const componentShown = (id) => {
    let r = shownCache.get(id);
    if (r === undefined) {
      const g = groupOf.get(id);
      r = decide([s.default, g !== undefined ? componentRules[g] : null, componentRules[id]], `component:${id}`);
      shownCache.set(id, r);
    }
    return r;
  };
  // A group is shown iff a component of it present at the top level is shown (SPEC §5).
  const present = new Set((doc.components ?? []).map((c) => c?.id));
  const groupShown = new Map();
  for (const [member, g] of groupOf) if (!isGroup.has(member) && present.has(member) && componentShown(member)) groupShown.set(g, true);
  const shown = (id) => (isGroup.has(id) ? groupShown.get(id) === true : componentShown(id));

  const disclose = {};
  for (const d of s.disclose ?? []) {
    const [kind, member] = d.field.split(".");
    (disclose[kind] ??= []).push({ member, ok: matches(d.allow), replace: d.replace });
  }
  const applyDisclose = (obj, kind) => {
    for (const d of disclose[kind] ?? []) {
      if (d.ok || obj[d.member] === undefined || obj[d.member] === null) continue;
      if (d.replace !== undefined) obj[d.member] = d.replace; else delete obj[d.member];
    }
    return obj;
  };
  const pruneComponent = (c) => {
    const out = applyDisclose({ ...c }, "component");
    if (isGroup.has(c.id)) {
      applyDisclose(out, "group");
      if (Array.isArray(out.components)) out.components = out.components.filter(shown);
    }
    return out;
  };

  const filterResource = (r, kind) => {
    const affected = new Set();
    for (const c of r.components ?? []) affected.add(c.id);
    for (const u of r.incident_updates ?? []) for (const a of u.affected_components ?? []) if (a.code) affected.add(a.code);
    let visible, mixed = false;
    if (affected.size === 0) visible = decide([inc["without-components"] ?? s.default], null);
    else {
      let n = 0;
      for (const id of affected) if (shown(id)) n++;
      visible = inc.visibility === "all-components" ? n === affected.size : n > 0;
      mixed = n < affected.size;
      if (visible && mixed && inc.mixed === "hide") visible = false;
    }
    const rule = inc.rules?.[r.id];
    if (rule) {
      if (rule.inherit === false) visible = false;
      if (matches(rule.allow)) visible = true;
      if (matches(rule.deny)) return null;
    }
    if (grants.has(`${kind}:${r.id}`)) visible = true;
    if (!visible) return null;
    const out = applyDisclose({ ...r }, kind);
    if (Array.isArray(out.components)) out.components = out.components.filter((c) => shown(c.id)).map(pruneComponent);
    if (Array.isArray(out.incident_updates)) {
      out.incident_updates = out.incident_updates.map((u) => {
        const v = { ...u };
        if (mixed && inc.mixed === "redact") {
          if (inc["redact-text"] !== undefined) v.body = inc["redact-text"]; else delete v.body;
        }
        if (Array.isArray(v.affected_components)) v.affected_components = v.affected_components.filter((a) => a.code && shown(a.code));
        return applyDisclose(v, "update");
      });
    }
    return out;
  };

  // A webhook-style payload is one incident or maintenance (SPEC §5): filtered
  // as a resource, or null when the viewer may not see it.
  if (Array.isArray(doc.incident_updates)) return filterResource(doc, doc.scheduled_for ? "maintenance" : "incident");

  const out = {};
  for (const [k, v] of Object.entries(doc)) {
    if (k === "components") out.components = v.filter((c) => shown(c.id)).map(pruneComponent);
    else if (k === "incidents") out.incidents = v.map((r) => filterResource(r, "incident")).filter(Boolean);
    else if (k === "scheduled_maintenances") out.scheduled_maintenances = v.map((r) => filterResource(r, "maintenance")).filter(Boolean);
    else out[k] = v;
  }

  if (s["recompute-status"] !== false && out.components) {
    const worst = new Map();
    for (const c of out.components) {
      if (isGroup.has(c.id)) continue;
      const g = groupOf.get(c.id);
      if (g !== undefined) worst.set(g, Math.max(worst.get(g) ?? 0, COMPONENT_SEVERITY.indexOf(c.status)));
    }
    for (const c of out.components) if (isGroup.has(c.id)) c.status = COMPONENT_SEVERITY[worst.get(c.id) ?? 0];
    if (out.status) {
      const leaves = out.components.filter((c) => !isGroup.has(c.id));
      let indicator, description;
      if (leaves.length) {
        const sev = Math.max(...leaves.map((c) => COMPONENT_SEVERITY.indexOf(c.status)));
        if (sev === 4) {
          const all = leaves.every((c) => c.status === "major_outage");
          [indicator, description] = all ? ["critical", "Major System Outage"] : ["major", "Partial System Outage"];
        } else {
          [indicator, description] = [["none", "All Systems Operational"], ["maintenance", "Service Under Maintenance"],
            ["minor", "Partially Degraded Service"], ["minor", "Minor Service Outage"]][sev];
        }
      } else {
        let sev = 0;
        for (const i of out.incidents ?? []) if (i.status !== "resolved" && i.status !== "postmortem") sev = Math.max(sev, IMPACT_SEVERITY.indexOf(i.impact));
        for (const m of out.scheduled_maintenances ?? []) if (m.status === "in_progress" || m.status === "verifying") sev = Math.max(sev, IMPACT_SEVERITY.indexOf(m.impact));
        [indicator, description] = [["none", "All Systems Operational"], ["maintenance", "Service Under Maintenance"],
          ["minor", "Minor Service Outage"], ["major", "Partial System Outage"], ["critical", "Major System Outage"]][sev];
      }
      out.status = { ...out.status, indicator, description };
    }
  }
  return out;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** bytes in, bytes out: the whole idiomatic pipeline. `policy` is a parsed object. */
export function jsReferenceFilter(policy, claims, bytes) {
  const doc = JSON.parse(decoder.decode(bytes));
  const out = filterStatus(policy, claims, doc);
  return out === null ? null : encoder.encode(JSON.stringify(out));
}
