// Adversarial input shapes at a given size n, each a {policy, payload, claims}
// triple (strings). Every shape grows linearly in n; the filter must too.
// Used by dos-growth.mjs; each shape names the finding it reproduces.

const j = JSON.stringify;
const everyone = { keyhole: 1, status: { default: { allow: ["everyone"] } }, articles: { default: { allow: ["everyone"] } } };

/** D1: a Confluence v2 list whose pages form one parentId chain. */
function v2Chain(n) {
  const results = [];
  for (let i = 0; i <= n; i++) results.push({ id: String(i), status: "current", title: `p${i}`, spaceId: "1", parentId: i ? String(i - 1) : null });
  return { policy: j({ keyhole: 1, articles: { default: { allow: ["everyone"] }, pages: { 0: { allow: ["everyone"] } } } }), payload: j({ results }), claims: "{}" };
}

/** D2: one incident whose one update lists n affected components. */
function incidentAffected(n) {
  const affected = [];
  for (let i = 0; i < n; i++) affected.push({ code: `c${i}`, name: `Component ${i}`, old_status: "operational", new_status: "major_outage" });
  const payload = { incidents: [{ id: "i1", name: "Outage", status: "investigating", impact: "major", components: [], incident_updates: [{ id: "u1", body: "x", affected_components: affected }] }] };
  return { policy: j(everyone), payload: j(payload), claims: "{}" };
}

/** D3: named audiences chained a0 → a1 → … → an. */
function audienceChain(n) {
  const audiences = {};
  for (let i = 0; i < n; i++) audiences[`a${i}`] = [`@a${i + 1}`];
  audiences[`a${n}`] = ["everyone"];
  const policy = { keyhole: 1, audiences, status: { default: { allow: ["@a0"] } } };
  return { policy: j(policy), payload: j({ components: [{ id: "c", name: "chain-end", status: "operational" }] }), claims: "{}" };
}

/** Ten v1 items, each carrying an `ancestors` list n long. */
function v1DeepAncestors(n) {
  const ancestors = [];
  for (let i = 0; i < n; i++) ancestors.push({ id: String(i), type: "page", title: `a${i}` });
  const results = [];
  for (let k = 0; k < 10; k++) results.push({ id: `p${k}`, type: "page", title: `page ${k}`, space: { key: "KB" }, ancestors });
  const policy = { keyhole: 1, articles: { default: { allow: ["everyone"] }, pages: { 3: { deny: ["anonymous"] } }, "embedded-restrictions": false } };
  return { policy: j(policy), payload: j({ results, size: 10 }), claims: "{}" };
}

/** A policy `parents` map n deep, and a JSM list of its deepest page. */
function parentsMapChain(n) {
  const parents = {};
  for (let i = 1; i <= n; i++) parents[String(i)] = String(i - 1);
  const policy = { keyhole: 1, articles: { default: { allow: ["everyone"] }, pages: { 0: { allow: ["everyone"] } }, parents } };
  const values = [{ title: "deep", source: { type: "confluence", pageId: String(n), spaceKey: "KB" } }];
  return { policy: j(policy), payload: j({ values, size: 1 }), claims: "{}" };
}

/** A page restricted to n groups, read by a viewer in n other groups. */
function restrictionGroups(n) {
  const group = [], mine = [];
  for (let i = 0; i < n; i++) { group.push({ type: "group", name: `g${i}` }); mine.push(`h${i}`); }
  const page = { id: "1", type: "page", title: "t", space: { key: "KB" }, ancestors: [],
    restrictions: { read: { restrictions: { user: { results: [] }, group: { results: group } } } } };
  return { policy: j(everyone), payload: j({ results: [page], size: 1 }), claims: j({ sub: "u", groups: mine }) };
}

/** n disclose entries on as many members of each of ten components. */
function discloseWide(n) {
  const disclose = [];
  const component = { id: "c0", name: "c", status: "operational" };
  for (let i = 0; i < n; i++) { disclose.push({ field: `component.m${i}`, allow: ["signed-in"] }); component[`m${i}`] = i; }
  const components = [];
  for (let k = 0; k < 10; k++) components.push({ ...component, id: `c${k}` });
  return { policy: j({ keyhole: 1, status: { default: { allow: ["everyone"] }, disclose } }), payload: j({ components }), claims: "{}" };
}

/** n content objects planted in a shown page (the nested-content sweep). */
function plantedContent(n) {
  const planted = [];
  for (let i = 0; i < n; i++) planted.push({ id: `x${i}`, type: "page", title: `CANARY-${i}`, _links: { webui: `/x/${i}` } });
  const page = { id: "1", type: "page", title: "t", space: { key: "KB" }, ancestors: [], extra: { planted } };
  const policy = { keyhole: 1, articles: { default: { allow: ["everyone"] }, "embedded-restrictions": false } };
  return { policy: j(policy), payload: j({ results: [page], size: 1 }), claims: "{}" };
}

/** Claims with n members and one duplicate at the end (the error path names it). */
function claimsDuplicate(n) {
  const attrs = [];
  for (let i = 0; i < n; i++) attrs.push(`"k${i}":"v"`);
  attrs.push(`"k0":"again"`);
  return { policy: j(everyone), payload: j({ components: [] }), claims: `{"sub":"u","attrs":{${attrs.join(",")}}}`, expectError: true };
}

/** n groups, each listing one present and one absent component. */
function manyGroups(n) {
  const components = [];
  for (let i = 0; i < n; i++) {
    components.push({ id: `g${i}`, name: `group ${i}`, status: "operational", group: true, components: [`c${i}`, `absent${i}`] });
    components.push({ id: `c${i}`, name: `c ${i}`, status: "operational", group_id: `g${i}` });
  }
  const policy = { keyhole: 1, status: { default: { allow: ["everyone"] }, components: { c0: { deny: ["anonymous"] } } } };
  return { policy: j(policy), payload: j({ components, status: { indicator: "none", description: "x" } }), claims: "{}" };
}

/**
 * KB review round 12, F4: n v1 items under a default, a space and a label rule
 * that each list n atoms inline. Each rule was evaluated again for every
 * item (policy atoms × items); now once per call (rule_steps, audience.h).
 */
function inlineAtomsItems(n) {
  const list = (prefix) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
  const results = [];
  for (let i = 1; i <= n; i++) results.push({ id: String(i), type: "page", title: "t", space: { key: "KB" }, metadata: { labels: { results: [{ name: "kb" }] } } });
  const policy = { keyhole: 1, articles: { default: { allow: [...list("user:u"), "anonymous"] }, spaces: { KB: { deny: list("user:x") } },
    labels: { kb: { deny: list("group:g") } }, "embedded-restrictions": false } };
  return { policy: j(policy), payload: j({ results, size: n }), claims: "{}" };
}

/** The same on a status page: n incidents without components, decided by a default listing n atoms. */
function inlineAtomsIncidents(n) {
  const allow = [...Array.from({ length: n }, (_, i) => `user:u${i}`), "everyone"];
  const incidents = [];
  for (let i = 0; i < n; i++) incidents.push({ id: `i${i}`, name: "N", status: "resolved", impact: "none", components: [], incident_updates: [] });
  return { policy: j({ keyhole: 1, status: { default: { allow } } }), payload: j({ components: [], incidents }), claims: "{}" };
}

/**
 * Review round 5, F2: n page ids built to collide in libc++'s std::hash (32-bit
 * MurmurHash2, the WebAssembly build's): 4-byte blocks whose mixed words differ in
 * bit 31 only cancel in pairs, so 16 pairs of pairs give 2^16 ids of one hash
 * (UTF-8 blocks with nothing JSON escapes, so the text is the id). The knowledge-base maps keyed by id
 * scanned one bucket per lookup until they moved to id_map (bounded probing).
 */
function collidingPageIds(n) {
  const m = 0x5bd1e995;
  let im = m;  // m's inverse modulo 2^32 (Newton: each step doubles the bits)
  for (let i = 0; i < 5; i++) im = Math.imul(im, 2 - Math.imul(m, im));
  const mix = (x) => { let y = Math.imul(x, m); y ^= y >>> 24; return Math.imul(y, m) >>> 0; };
  const unmix = (k) => { let y = Math.imul(k, im); y ^= y >>> 24; return Math.imul(y, im) >>> 0; };
  // A block is used when it is UTF-8 on its own (x2 = x + 2^31 ± 128·m⁻¹ always
  // flips a byte's top bit, so ASCII blocks never pair) with no byte JSON escapes.
  const utf8 = new TextDecoder("utf-8", { fatal: true });
  const block = (x) => {
    const bytes = new Uint8Array([x & 255, (x >>> 8) & 255, (x >>> 16) & 255, x >>> 24]);
    if (bytes.some((b) => b < 0x20 || b === 0x22 || b === 0x5c || b === 0x7f)) return null;
    try { return utf8.decode(bytes); } catch { return null; }
  };
  const pairs = [];
  for (let seed = 1; pairs.length < 32; ) {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;  // xorshift32
    const x = seed >>> 0, a = block(x), b = a && block(unmix((mix(x) ^ 0x80000000) >>> 0));
    if (b) pairs.push([a, b]);
  }
  const results = [];
  for (let i = 0; i < n; i++) {
    let id = "";
    for (let u = 0; u < 16; u++) id += (i >> u) & 1 ? pairs[2 * u][1] + pairs[2 * u + 1][1] : pairs[2 * u][0] + pairs[2 * u + 1][0];
    results.push({ id, type: "page", title: "t", space: { key: "KB" }, ancestors: [] });
  }
  return { policy: j(everyone), payload: j({ results, size: n }), claims: "{}" };
}

export const SHAPES = [
  { name: "D1 v2 parentId chain", base: 3000, make: v2Chain },
  { name: "D2 incident affected components", base: 20000, make: incidentAffected },
  { name: "D3 named-audience chain", base: 20000, make: audienceChain },
  { name: "v1 items with deep ancestors", base: 2000, make: v1DeepAncestors },
  { name: "policy parents-map chain", base: 20000, make: parentsMapChain },
  { name: "restriction groups x viewer groups", base: 20000, make: restrictionGroups },
  { name: "disclose entries x component members", base: 2000, make: discloseWide },
  { name: "planted content objects", base: 10000, make: plantedContent },
  { name: "claims with a duplicate member", base: 20000, make: claimsDuplicate },
  { name: "groups with absent listed ids", base: 10000, make: manyGroups },
  { name: "KB page ids built to collide (wasm std::hash)", base: 4000, make: collidingPageIds },
  { name: "KB inline rule atoms x items", base: 2000, make: inlineAtomsItems },
  { name: "status inline default atoms x incidents", base: 2000, make: inlineAtomsIncidents },
];
