// Renders a Statuspage v2 summary the way status pages look: the banner, active
// incidents with their updates, components by group, scheduled maintenance. Pure: data in,
// a markup tree out (markup.js), shared by the demo (DOM) and keyhole-edge's pages (HTML).
import { h, fmtTime } from "./markup.js";

const COMPONENT_STATUS = {
  operational: "Operational",
  under_maintenance: "Under maintenance",
  degraded_performance: "Degraded performance",
  partial_outage: "Partial outage",
  major_outage: "Major outage",
};

const INCIDENT_STATUS = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
  postmortem: "Postmortem",
  scheduled: "Scheduled",
  in_progress: "In progress",
  verifying: "Verifying",
  completed: "Completed",
};

const str = (v) => (typeof v === "string" ? v : "");
const cls = (v) => str(v).replace(/[^a-z_]/g, "") || "unknown";
const byPosition = (a, b) => (Number(a.position) || 0) - (Number(b.position) || 0);

function statusPill(status) {
  return h("span", { class: `pill status-${cls(status)}` },
    COMPONENT_STATUS[status] ?? (str(status) || "Unknown"));
}

function componentRow(c) {
  return h("li", { class: "component", dataset: { componentId: str(c.id) } },
    h("span", { class: "component-name" }, str(c.name)),
    typeof c.description === "string" && c.description
      ? h("span", { class: "component-desc" }, c.description) : null,
    statusPill(c.status));
}

function renderComponents(components) {
  const list = Array.isArray(components) ? components.filter((c) => c && typeof c === "object") : [];
  const byId = new Map(list.map((c) => [c.id, c]));
  const groups = list.filter((c) => c.group === true || Array.isArray(c.components));
  const members = new Map(groups.map((g) => [g.id, []]));
  const placed = new Set();
  for (const g of groups) {
    for (const id of Array.isArray(g.components) ? g.components : []) {
      const c = byId.get(id);
      if (c && !placed.has(c)) { members.get(g.id).push(c); placed.add(c); }
    }
  }
  for (const c of list) {
    if (groups.includes(c) || placed.has(c)) continue;
    if (c.group_id && members.has(c.group_id)) { members.get(c.group_id).push(c); placed.add(c); }
  }
  const top = list.filter((c) => groups.includes(c) || !placed.has(c)).sort(byPosition);
  if (top.length === 0) return h("p", { class: "empty" }, "No components are shown to this viewer.");
  return h("ul", { class: "components" }, top.map((c) => {
    if (!groups.includes(c)) return componentRow(c);
    const kids = members.get(c.id).sort(byPosition);
    return h("li", { class: "group", dataset: { componentId: str(c.id), group: "true" } },
      h("details", { open: true },
        h("summary", null,
          h("span", { class: "component-name" }, str(c.name)),
          h("span", { class: "group-count" }, `${kids.length} component${kids.length === 1 ? "" : "s"}`),
          statusPill(c.status)),
        h("ul", { class: "components nested" }, kids.map(componentRow))));
  }));
}

function updateItem(u) {
  return h("li", { class: "update" },
    h("span", { class: "update-status" }, INCIDENT_STATUS[u.status] ?? str(u.status)),
    " – ",
    u.body === undefined || u.body === null
      ? h("span", { class: "update-body muted" }, "(no details)")
      : h("span", { class: "update-body" }, str(u.body)),
    h("time", { class: "update-time", datetime: str(u.display_at || u.created_at) },
      fmtTime(u.display_at || u.created_at)));
}

// The latest updates first, as status pages show them; older ones folded away.
function updates(inc) {
  const ups = (Array.isArray(inc.incident_updates) ? inc.incident_updates : []).filter((u) => u && typeof u === "object");
  if (ups.length === 0) return null;
  const latest = ups.slice(0, 3), earlier = ups.slice(3);
  return [
    h("ol", { class: "updates" }, latest.map(updateItem)),
    earlier.length
      ? h("details", { class: "earlier" },
        h("summary", null, `${earlier.length} earlier update${earlier.length === 1 ? "" : "s"}`),
        h("ol", { class: "updates" }, earlier.map(updateItem)))
      : null,
  ];
}

function affected(inc) {
  const comps = Array.isArray(inc.components) ? inc.components : [];
  if (comps.length === 0) return null;
  return h("p", { class: "affected" }, "Affects: ", comps.map((c) => str(c && c.name)).filter(Boolean).join(", "));
}

function incidentCard(inc, kind) {
  return h("article", { class: `incident impact-${cls(inc.impact)}`, dataset: { incidentId: str(inc.id), kind } },
    h("h4", null, h("span", { class: "incident-name" }, str(inc.name)),
      " ", h("span", { class: `pill impact-${cls(inc.impact)}` }, str(inc.impact) || "none")),
    kind === "maintenance" && inc.scheduled_for
      ? h("p", { class: "when" }, `Scheduled ${fmtTime(inc.scheduled_for)} – ${fmtTime(inc.scheduled_until)}`)
      : null,
    affected(inc),
    updates(inc));
}

export function renderStatus(summary) {
  const page = summary && typeof summary.page === "object" && summary.page ? summary.page : {};
  const st = summary && typeof summary.status === "object" && summary.status ? summary.status : {};
  const incidents = (Array.isArray(summary.incidents) ? summary.incidents : [])
    .filter((i) => i && i.status !== "resolved" && i.status !== "postmortem");
  const maint = Array.isArray(summary.scheduled_maintenances) ? summary.scheduled_maintenances : [];
  const active = maint.filter((m) => m && (m.status === "in_progress" || m.status === "verifying"));
  const upcoming = maint.filter((m) => m && !active.includes(m) && m.status !== "completed");
  return h("div", { class: "statuspage" },
    h("h3", { class: "page-name" }, str(page.name) || "Status"),
    h("div", { class: `banner indicator-${cls(st.indicator)}`, role: "status", dataset: { indicator: str(st.indicator) } },
      str(st.description) || "Status unknown"),
    incidents.length || active.length
      ? h("section", { class: "incidents", "aria-label": "Active incidents" },
        h("h4", { class: "section-title" }, "Active incidents"),
        incidents.map((i) => incidentCard(i, "incident")),
        active.map((m) => incidentCard(m, "maintenance")))
      : null,
    h("section", { class: "components-section", "aria-label": "Components" },
      h("h4", { class: "section-title" }, "Components"),
      renderComponents(summary.components)),
    h("section", { class: "maintenance", "aria-label": "Scheduled maintenance" },
      h("h4", { class: "section-title" }, "Scheduled maintenance"),
      upcoming.length ? upcoming.map((m) => incidentCard(m, "maintenance"))
        : h("p", { class: "empty" }, "No maintenance is scheduled.")));
}
