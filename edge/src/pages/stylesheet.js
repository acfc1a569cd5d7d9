// The pages' stylesheet, served by the edge at /_keyhole/pages.css (the CSP allows styles
// from the edge itself only). The class names are the renderers' (../render).
export const PAGES_CSS = `
:root { --fg:#1d2733; --muted:#5b6775; --line:#dde3ea; --bg:#f6f8fa; --ok:#2e7d32; --minor:#b7791f; --major:#c05621; --critical:#c53030; --maint:#2b6cb0; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color:var(--fg); background:var(--bg); }
.bar { display:flex; justify-content:space-between; align-items:center; padding:.6rem 1.2rem; background:#fff; border-bottom:1px solid var(--line); }
.bar nav a { margin-right:1rem; color:var(--fg); text-decoration:none; font-weight:600; }
.account { display:flex; gap:.5rem; align-items:center; }
.account form { display:inline; margin:0; }
.link-button { background:none; border:0; padding:0; color:#2b6cb0; cursor:pointer; font:inherit; text-decoration:underline; }
.sign-in { color:#fff; background:#2b6cb0; padding:.3rem .8rem; border-radius:4px; text-decoration:none; }
main { max-width:60rem; margin:1.5rem auto; padding:0 1.2rem; }
.page-name { font-size:1.6rem; margin:.2rem 0 1rem; }
.banner { padding:.9rem 1.1rem; border-radius:6px; color:#fff; font-weight:600; background:var(--ok); margin-bottom:1.2rem; }
.banner.indicator-minor { background:var(--minor); } .banner.indicator-major { background:var(--major); }
.banner.indicator-critical { background:var(--critical); } .banner.indicator-maintenance { background:var(--maint); }
.section-title { margin:1.4rem 0 .5rem; font-size:1.05rem; }
ul.components, ul.articles { list-style:none; margin:0; padding:0; background:#fff; border:1px solid var(--line); border-radius:6px; }
ul.components li, ul.articles li { padding:.6rem .9rem; border-top:1px solid var(--line); }
ul.components > li:first-child, ul.articles > li:first-child { border-top:0; }
ul.nested { border:0; margin-top:.4rem; }
.component { display:flex; gap:.8rem; align-items:baseline; }
.component-name { font-weight:600; flex:1; } .component-desc { color:var(--muted); flex:2; }
.group summary { display:flex; gap:.8rem; cursor:pointer; } .group-count { color:var(--muted); }
.pill { font-size:.8rem; padding:.05rem .5rem; border-radius:999px; background:#e2e8f0; white-space:nowrap; }
.status-operational { background:#c6f6d5; } .status-degraded_performance { background:#fefcbf; }
.status-partial_outage { background:#feebc8; } .status-major_outage { background:#fed7d7; } .status-under_maintenance { background:#bee3f8; }
.incident { background:#fff; border:1px solid var(--line); border-left:4px solid var(--minor); border-radius:6px; padding:.7rem 1rem; margin:.6rem 0; }
.incident.impact-major { border-left-color:var(--major); } .incident.impact-critical { border-left-color:var(--critical); }
.incident h4 { margin:0 0 .3rem; } .updates { margin:.3rem 0; padding-left:1.2rem; }
.update-time { color:var(--muted); margin-left:.4rem; font-size:.85rem; } .muted, .affected, .when, .empty, .kb-count { color:var(--muted); }
.space { margin:1rem 0; } .space-key { color:var(--muted); font-size:.85rem; font-weight:400; }
.article-title { margin:.1rem 0; font-size:1rem; } .excerpt { margin:.2rem 0; color:var(--muted); }
.breadcrumbs ol { list-style:none; display:flex; gap:.4rem; padding:0; margin:0; font-size:.85rem; color:var(--muted); }
.breadcrumbs li + li::before { content:"›"; margin-right:.4rem; } .restricted { font-style:italic; }
.labels { list-style:none; display:flex; gap:.4rem; padding:0; margin:.3rem 0 0; } .label { font-size:.8rem; background:#edf2f7; padding:0 .4rem; border-radius:3px; }
.message { background:#fff; border:1px solid var(--line); border-radius:6px; padding:1rem 1.4rem; }
.message h1 { font-size:1.3rem; margin-top:0; } .actions a { margin-right:1rem; }
`;
