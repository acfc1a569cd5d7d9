// Policy tests and policy diffs for @keyhole/wasm: the core's own runner (the C++ behind
// `keyhole test` and `keyhole diff`, core/cli/policy_tests.cpp and policy_diff.cpp) called
// through the module, with files read by the caller. Nothing is decided here: this file
// only moves bytes in and the report out. The test-file format is docs/policy-tests.md.

const encoder = new TextEncoder();

function toBytes(doc) {
  if (doc instanceof Uint8Array) return doc;
  if (ArrayBuffer.isView(doc)) return new Uint8Array(doc.buffer, doc.byteOffset, doc.byteLength);
  if (doc instanceof ArrayBuffer) return new Uint8Array(doc);
  if (typeof doc === "string") return encoder.encode(doc);
  if (doc && typeof doc === "object") return encoder.encode(JSON.stringify(doc));
  throw new TypeError("a document is bytes, a JSON string or an object");
}

function nodeReadFile() {
  const fs = globalThis.process?.getBuiltinModule?.("node:fs");
  if (!fs) throw new TypeError("pass options.readFile(path) or options.files (no node:fs here)");
  return (path) => fs.readFileSync(path);
}

// The caller's files as the core's reader: bytes, or a string saying why not. It never
// throws into the module.
function reader(options) {
  const { files, readFile } = options;
  let read;
  if (files) {
    const get = files instanceof Map ? (p) => files.get(p) : (p) => (Object.hasOwn(files, p) ? files[p] : undefined);
    read = (p) => {
      const doc = get(p);
      if (doc === undefined) throw new Error("no such file");
      return doc;
    };
  } else read = readFile ?? nodeReadFile();
  return (path) => {
    try {
      const doc = read(path);
      return typeof doc === "string" ? encoder.encode(doc) : toBytes(doc);
    } catch (e) {
      return e instanceof Error ? e.message || String(e) : String(e);
    }
  };
}

function answer(json) {
  const { exitCode, report, text } = JSON.parse(json);
  return { ...report, exitCode, ok: exitCode === 0, text };
}

/**
 * Runs policy test files (paths; in Node read with node:fs unless options.readFile or
 * options.files say otherwise). Resolves paths a test file names against its folder.
 * Returns { passed, failed, files, failures, errors, exitCode, ok, text }.
 */
export function runTests(engine, tests, options = {}) {
  const paths = typeof tests === "string" ? [tests] : [...tests];
  if (!paths.every((p) => typeof p === "string")) throw new TypeError("tests are paths of test files");
  const read = reader(options);
  return answer(engine.call((m) => m.runPolicyTests(paths, read)));
}

/**
 * What a policy change reveals: { old, new } policies (documents: JSON text, bytes or
 * objects), viewers { name: claims } and payloads { name: bytes or text }, options.format.
 * Returns { pairs, changes: [{viewer, payload, kind, id, name, change: "visible"|"hidden"}],
 * errors, exitCode (1 when anything becomes visible), ok, text }.
 */
export function runDiff(engine, request) {
  const { viewers = {}, payloads = {}, format = "auto" } = request;
  const files = new Map([["old policy", request.old], ["new policy", request.new]]);
  const viewerNames = Object.keys(viewers), payloadNames = Object.keys(payloads);
  for (const n of viewerNames) files.set(`viewer ${n}`, viewers[n] ?? {});
  for (const n of payloadNames) files.set(`payload ${n}`, payloads[n]);
  const read = reader({ files });
  return answer(engine.call((m) => m.diffPolicies("old policy", "new policy", viewerNames, viewerNames.map((n) => `viewer ${n}`),
    payloadNames, payloadNames.map((n) => `payload ${n}`), format, read)));
}
