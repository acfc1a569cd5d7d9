// Where a keyhole-edge process spends its CPU: the samples of `node --cpu-prof` profiles
// (every thread's, worker threads included) sorted into the steps of a request, so the load
// benchmark can say what limits a target in measured terms. A sample belongs to the first
// step found walking from the sampled frame to the root (the stage functions win over the
// runtime frames they call), else to the runtime component of the sampled frame itself.
import fs from "node:fs";
import path from "node:path";

const STARTUP_STEP = "start-up (module loading, compiling wasm)";

/** Steps named by a frame anywhere on the stack (function name + file), checked leaf to root. */
const BY_STAGE = [
  ["wasm filter (Viewer.filter / the pool's filter)", (f) => (f.functionName === "filter" && /wasm\/index\.js$/.test(f.url)) || /filter-worker\.js$/.test(f.url)],
  ["ETag (SHA-256)", (f) => f.functionName === "etagOf"],
  ["JWT verification", (f) => f.functionName === "claimsFor"],
  ["viewer and audience key", (f) => f.functionName === "acquire" && /viewer-cache\.js$/.test(f.url)],
  ["worker pool messages", (f) => /filter-pool\.js$/.test(f.url)],
  [STARTUP_STEP, (f) => /^compile(ForInternalLoader|SourceTextModule|Function)$/.test(f.functionName) || f.functionName === "loadKeyhole"],
];
/** Otherwise the sampled frame's own component. */
const BY_LEAF = [
  ["garbage collector", (f) => f.functionName === "(garbage collector)"],
  ["idle", (f) => f.functionName === "(idle)"],
  // A ReadableStream is transferable: constructing one goes through js_transferable.
  ["upstream fetch and web streams (undici)", (f) => /undici|internal\/webstreams|internal\/deps|js_transferable/.test(f.url)],
  // Completing the ETag's digest job (HMAC is only run for tokens not yet seen).
  ["ETag (SHA-256)", (f) => /internal\/crypto/.test(f.url)],
  ["V8 (program: native, not attributed)", (f) => f.functionName === "(program)"],
  ["HTTP server and sockets (node:http, net)", (f) => /node:(_http|net|internal\/(http|stream|streams|net))|_http_|stream_base/.test(f.url) || ["writev", "writeUtf8String", "writeLatin1String", "writeBuffer"].includes(f.functionName)],
  ["edge handler JS (routing, headers, responses)", (f) => /edge\/src\//.test(f.url)],
  ["wasm (other calls)", (f) => /wasm/.test(f.url) || /^wasm-function/.test(f.functionName) || /^js-to-wasm/.test(f.functionName)],
];

function summariseOne(profile, counts) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const stepOf = new Map();
  const classify = (id) => {
    if (stepOf.has(id)) return stepOf.get(id);
    let step = null;
    for (let cur = id; cur !== undefined && !step; cur = parent.get(cur)) {
      const f = byId.get(cur).callFrame;
      step = BY_STAGE.find(([, test]) => test(f))?.[0] ?? null;
    }
    const leaf = byId.get(id).callFrame;
    step ??= BY_LEAF.find(([, test]) => test(leaf))?.[0] ?? "other (runtime, timers, promises)";
    stepOf.set(id, step);
    return step;
  };
  for (const s of profile.samples) { const k = classify(s); counts.set(k, (counts.get(k) ?? 0) + 1); }
}

const STARTUP = STARTUP_STEP;

/**
 * Every .cpuprofile in `dir` -> [{ step, share }] of the busy samples (not idle, not the
 * process's start-up, which a profile from process start cannot leave out), largest first.
 */
export function summariseProfiles(dir) {
  const counts = new Map();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith(".cpuprofile"))) summariseOne(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")), counts);
  counts.delete("idle");
  counts.delete(STARTUP);
  const busy = [...counts.values()].reduce((a, b) => a + b, 0);
  return [...counts].map(([step, n]) => ({ step, share: n / busy })).sort((a, b) => b.share - a.share);
}
