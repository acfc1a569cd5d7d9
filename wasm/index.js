// @keyhole/wasm: the Keyhole core compiled to WebAssembly, for Node, browsers and
// edge workers. The wasm layer (src/bindings.cpp) is thin; this file owns the public
// JavaScript API: loading, argument conversion, errors and memory lifetime.
//
// Every document (policy, claims, share body, payload) reaches the core as UTF-8 bytes
// written straight into wasm memory: strings through TextEncoder.encodeInto (a lone
// surrogate becomes U+FFFD, as any UTF-8 encoder makes it), bytes as they are. The core
// therefore reads the same bytes natively and here (finding W1).
import createKeyholeModule from "./dist/keyhole.mjs";
import { runTests, runDiff } from "./policy-tests.js";

const WASM_FILE = "keyhole.wasm";
// Only this module can make Policy objects (their handles are raw wasm addresses).
const INTERNAL = Symbol("keyhole-internal");

/**
 * An error reported by Keyhole: `code` is policy | claims | payload | not-visible | usage
 * | internal. "internal" means the module itself failed (a trap, an abort, the stack
 * limit); the instance is then unusable and every later call throws "internal" again.
 */
export class KeyholeError extends Error {
  constructor(code, message, pointer = "", offset = -1, options = undefined) {
    super(message, options);
    this.name = "KeyholeError";
    this.code = code;
    this.pointer = pointer;
    this.offset = offset;
  }
}

const isNode =
  typeof process === "object" && process !== null &&
  typeof process.versions === "object" && typeof process.versions.node === "string";

async function readWasmInNode(url) {
  // Imported lazily so browsers and workers never see a node: specifier.
  const { readFile } = await import("node:fs/promises");
  return new Uint8Array(await readFile(url));
}

function isBytes(input) {
  return input instanceof Uint8Array || ArrayBuffer.isView(input) || input instanceof ArrayBuffer;
}

// Always a fresh plain view: a caller's Uint8Array (or subclass) may carry a `length`
// getter of its own, which would run inside the call into the module, where no caller
// code may run (it could dispose the object being called, or call in again).
function asBytes(input) {
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  throw new TypeError("payload must be a Uint8Array, an ArrayBuffer(View) or a string");
}

// A small JSON document as given: a string or bytes stay as they are (encoded later,
// straight into wasm memory); an object is JSON.stringify'd.
function documentInput(doc, what, emptyDefault) {
  if ((doc === undefined || doc === null) && emptyDefault !== undefined) return emptyDefault;
  if (typeof doc === "string") return doc;
  if (isBytes(doc)) return asBytes(doc);
  if (doc && typeof doc === "object") return JSON.stringify(doc);
  throw new TypeError(`${what} must be a JSON string, bytes or an object`);
}

const claimsInput = (claims) => documentInput(claims, "claims", "{}");

function moduleOptions(options) {
  const { wasmModule, wasmBinary, locateFile } = options;
  const init = { print: () => {}, printErr: () => {} };
  if (wasmModule !== undefined) {
    if (!(wasmModule instanceof WebAssembly.Module)) throw new TypeError("wasmModule must be a WebAssembly.Module");
    init.locateFile = (p) => p;  // keeps Emscripten from resolving a URL
    return { init, wasmModule };
  }
  if (wasmBinary !== undefined) {
    init.wasmBinary = asBytes(wasmBinary);
    init.locateFile = (p) => p;
  } else if (locateFile && !isNode) {
    init.locateFile = (p, prefix) => String(locateFile(p, prefix));
  } else if (!isNode) {
    const base = new URL("./dist/", import.meta.url).href;
    init.locateFile = (p) => base + p;
  }
  return { init, wasmModule: undefined };
}

// Node: read the bytes ourselves (Emscripten 3.1.6 would fetch() a file path).
async function nodeWasmBinary(locateFile) {
  const dist = new URL("./dist/", import.meta.url).href;
  const where = String(locateFile ? locateFile(WASM_FILE, dist) : dist + WASM_FILE);
  if (!/^https?:/.test(where)) return readWasmInNode(where.startsWith("file:") ? new URL(where) : where);
  const res = await fetch(where);
  if (!res.ok) throw new Error(`@keyhole/wasm: cannot fetch ${where}: ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Loads the WebAssembly module. options (all optional, use one):
 *  - wasmModule: a precompiled WebAssembly.Module (workerd / Cloudflare Workers)
 *  - wasmBinary: the bytes of keyhole.wasm
 *  - locateFile(path, prefix): where to fetch keyhole.wasm from (browsers)
 * With none, Node reads dist/keyhole.wasm next to this module and browsers fetch it
 * relative to the module URL.
 */
export async function loadKeyhole(options = {}) {
  const { init, wasmModule } = moduleOptions(options);
  if (!wasmModule && !init.wasmBinary && isNode) {
    init.wasmBinary = await nodeWasmBinary(options.locateFile);
    init.locateFile = (p) => p;
  }
  let rejectLoad, failed = null;
  if (wasmModule) {
    // Instantiating a precompiled module needs no compilation from bytes and no eval
    // (workerd forbids both).
    init.instantiateWasm = (imports, receive) => {
      WebAssembly.instantiate(wasmModule, imports).then(
        (instance) => receive(instance, wasmModule),
        (e) => { failed = e; if (rejectLoad) rejectLoad(e); });
      return {};
    };
  }
  const instantiationFailed = new Promise((_, reject) => {
    rejectLoad = reject;
    if (failed) reject(failed);
  });
  let m;
  try {
    m = await Promise.race([createKeyholeModule(init), instantiationFailed]);
  } catch (e) {
    throw hasSimd128() ? e : new Error(NO_SIMD128, { cause: e });
  }
  return new Keyhole(INTERNAL, new Engine(m));
}

// The module is built for WebAssembly SIMD128 (wasm/README.md, "SIMD"): an engine without
// it cannot compile it, and says so in its own words; this says which runtimes have it.
const NO_SIMD128 = "@keyhole/wasm: this JavaScript engine lacks WebAssembly SIMD128, which keyhole.wasm needs " +
  "(Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node.js 16.4+, Deno 1.9+, workerd); " +
  "a scalar module can be built with -DKEYHOLE_WASM_SIMD=OFF (wasm/README.md)";
// (module (func (result v128) (v128.const i32x4 0 0 0 0)))
const SIMD128_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0,
  253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11]);
function hasSimd128() {
  try { return WebAssembly.validate(SIMD128_PROBE); } catch { return false; }
}

// The JS error code of every core status, from the core's own enum (bindings.cpp).
function statusNames(m) {
  const names = {};
  for (const name of Object.keys(m.StatusCode)) {
    if (name !== "values") names[m.StatusCode[name].value] = name;
  }
  return names;
}

function describe(e) {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e).slice(0, 200);
}

// Owns the module instance; Keyhole and Policy objects reach it only through private
// fields, so none of this is on the public objects.
class Engine {
  #m;
  #names;
  #pad;
  #registry;
  #encoder = new TextEncoder();
  #decoder = new TextDecoder();
  #broken = null;
  #formats = new Map();
  #outputs = new Map();
  live = { policy: 0, viewer: 0 };

  constructor(m) {
    this.#m = m;
    this.#names = statusNames(m);
    this.#pad = m.padding();
    for (const name of Object.keys(m.OutputMode)) {
      if (name !== "values") this.#outputs.set(name, m.OutputMode[name].value);
    }
    // Backstop for policies and viewers dropped without dispose(): the held value is the
    // kind and raw handle only, so the registry never keeps the object alive. Runtimes
    // without FinalizationRegistry (older workerd compatibility dates) still work:
    // dispose() is then the only way to release them.
    this.#registry = typeof FinalizationRegistry === "function"
      ? new FinalizationRegistry(({ kind, handle }) => this.#release(kind, handle))
      : { register() {}, unregister() {} };
  }

  get module() { return this.#m; }

  error(r) {
    const code = this.#names[r.code] ?? "internal";
    return new KeyholeError(code, r.message || code, r.pointer || "", r.offset ?? -1);
  }

  // Runs `fn` (which calls into wasm). A KeyholeError is an answer; anything else came
  // from inside the module: a trap or abort (WebAssembly.RuntimeError), the engine's
  // stack limit (RangeError), an Embind error or a thrown non-Error. The module's stack
  // pointer and heap may be half-updated then, so the instance is never trusted again.
  call(fn) {
    if (this.#broken) {
      throw new KeyholeError("internal",
        `@keyhole/wasm: this instance failed earlier (${this.#broken.message}); load a new one`,
        "", -1, { cause: this.#broken });
    }
    try {
      return fn(this.#m);
    } catch (e) {
      if (e instanceof KeyholeError) throw e;
      this.#broken = new KeyholeError("internal", `@keyhole/wasm: internal error: ${describe(e)}`, "", -1, { cause: e });
      throw this.#broken;
    }
  }

  // Writes documents (strings or bytes) one after another into the text staging buffer;
  // returns [address, length] per document. Call inside call().
  stage(...docs) {
    const m = this.#m;
    const room = docs.map((d) => (typeof d === "string" ? d.length * 3 : d.length));  // UTF-16 -> UTF-8 worst case
    const total = room.reduce((a, b) => a + b, 1);
    if (total > 0xffffffff) throw new KeyholeError("usage", "@keyhole/wasm: document too large");
    let at = m.textBuffer(total);
    if (!at) throw new KeyholeError("internal", "@keyhole/wasm: out of memory for the document");
    return docs.map((d, i) => {
      const heap = m.HEAPU8;  // re-read: memory may have grown
      let n = d.length;
      if (typeof d === "string") n = this.#encoder.encodeInto(d, heap.subarray(at, at + room[i])).written;
      else heap.set(d, at);
      const span = [at, n];
      at += room[i];
      return span;
    });
  }

  // Writes the payload into its own staging buffer (padded, parsed in place).
  stagePayload(input) {
    const m = this.#m;
    const isString = typeof input === "string";
    const size = isString ? input.length * 3 : input.length;
    if (size + this.#pad > 0xffffffff) throw new KeyholeError("payload", "@keyhole/wasm: payload too large");
    const at = m.payloadBuffer(size + this.#pad);
    if (!at) throw new KeyholeError("internal", "@keyhole/wasm: out of memory for the payload");
    if (!isString) {
      m.HEAPU8.set(input, at);  // the one copy in
      return [at, size, size + this.#pad];
    }
    const written = this.#encoder.encodeInto(input, m.HEAPU8.subarray(at, at + size)).written;
    return [at, written, size + this.#pad];
  }

  decode(view) { return this.#decoder.decode(view); }

  // The core parses format names; the number is cached per name.
  format(name) {
    if (typeof name !== "string") throw new TypeError("format must be a string");
    let code = this.#formats.get(name);
    if (code === undefined) {
      code = this.call((m) => m.formatCode(name));
      if (code < 0) throw new KeyholeError("usage", `unknown format "${name}" (auto, statuspage, confluence or jsm)`);
      this.#formats.set(name, code);
    }
    return code;
  }

  // The core's output mode for an `output` option ("payload" | "status-json").
  output(name = "payload") {
    const mode = this.#outputs.get(name);
    if (mode === undefined) throw new KeyholeError("usage", `unknown output "${name}" (payload or status-json)`);
    return mode;
  }

  // Stages `payload`, runs `invoke(m, at, size, capacity)` (it returns a status code) and
  // copies the output out once: text for a string payload or when `asText`, else bytes.
  payloadCall(payload, asText, invoke) {
    const isString = typeof payload === "string";
    const bytes = isString ? payload : asBytes(payload);
    return this.call((m) => {
      const [at, size, capacity] = this.stagePayload(bytes);
      if (invoke(m, at, size, capacity) !== 0) throw this.error(m.lastStatus());
      const view = m.output();
      return isString || asText ? this.decode(view) : view.slice();  // the one copy out
    });
  }

  // `kind` is "policy" or "viewer".
  track(obj, kind, handle) {
    this.#registry.register(obj, { kind, handle }, obj);
    this.live[kind]++;
  }

  free(obj, kind, handle) {
    this.#registry.unregister(obj);
    this.#release(kind, handle);
  }

  #release(kind, handle) {
    this.live[kind]--;
    if (this.#broken) return;
    if (kind === "policy") this.#m.freePolicy(handle);
    else this.#m.freeViewer(handle);
  }
}

class Keyhole {
  #e;

  constructor(token, engine) {
    if (token !== INTERNAL) throw new TypeError("use loadKeyhole()");
    this.#e = engine;
  }

  /** The core's version string. */
  get version() { return this.#e.call((m) => m.version()); }

  /** Bytes of linear memory the wasm instance currently holds. */
  get memoryBytes() { return this.#e.module.HEAPU8.buffer.byteLength; }

  /** Compiled policies not yet released (by dispose() or the FinalizationRegistry). */
  get livePolicies() { return this.#e.live.policy; }

  /** Compiled viewers not yet released (by dispose() or the FinalizationRegistry). */
  get liveViewers() { return this.#e.live.viewer; }

  /** Limits for later calls: { maxDepth, maxPayloadBytes }. */
  setLimits({ maxDepth = 1024, maxPayloadBytes = 64 * 1024 * 1024 } = {}) {
    this.#e.call((m) => m.setLimits(maxDepth, maxPayloadBytes));
  }

  /** Frees the staging buffers (they otherwise keep the largest size seen). */
  releaseBuffer() { this.#e.call((m) => m.releaseBuffers()); }

  /** Runs policy test files with the core's runner (docs/policy-tests.md; wasm/policy-tests.js). */
  runPolicyTests(tests, options) { return runTests(this.#e, tests, options); }

  /** What a policy change reveals, per viewer and payload (the core's `keyhole diff`). */
  diffPolicies(request) { return runDiff(this.#e, request); }

  /** Compiles a policy document (string, bytes or object). Throws KeyholeError code "policy". */
  compilePolicy(policy) {
    const e = this.#e;
    const doc = documentInput(policy, "policy");
    const r = e.call((m) => m.compilePolicy(...e.stage(doc)[0]));
    if (r.code !== 0) throw e.error(r);
    const p = new Policy(INTERNAL, e, r.handle);
    e.track(p, "policy", r.handle);
    return p;
  }

  /** Validates claims alone (SPEC §1); throws KeyholeError code "claims". */
  validateClaims(claims) {
    const e = this.#e;
    const doc = claimsInput(claims);
    e.call((m) => { if (m.validateClaims(...e.stage(doc)[0]) !== 0) throw e.error(m.lastStatus()); });
  }

  /**
   * The grants a share link's body gives these claims (SPEC §7), decided by the core with
   * the same email rule as the `email:`/`domain:` atoms: the body's resources, or [].
   * The caller verifies the link's signature first. Throws KeyholeError code "claims" for
   * bad claims or a malformed body (its message then starts "share body:").
   */
  shareGrants(claims, body, nowSeconds = Date.now() / 1000) {
    if (typeof nowSeconds !== "number" || !Number.isFinite(nowSeconds)) throw new TypeError("nowSeconds must be a finite number");
    const e = this.#e;
    const docs = [claimsInput(claims), documentInput(body, "share body")];
    const now = Math.floor(nowSeconds);
    const text = e.call((m) => {
      const [c, b] = e.stage(...docs);
      if (m.shareGrants(c[0], c[1], b[0], b[1], now) !== 0) throw e.error(m.lastStatus());
      return e.decode(m.output());
    });
    return JSON.parse(text);
  }
}

const disposedError = (what) => new KeyholeError("usage", `@keyhole/wasm: ${what} was disposed`);

/**
 * A compiled, immutable policy. Call dispose() when done (a FinalizationRegistry is the
 * backstop). Viewers made from it share its compiled form, so they stay usable after it
 * is disposed; the wasm memory goes when the last of them is released.
 */
class Policy {
  #e;
  #handle;
  #recomputes;

  constructor(token, engine, handle) {
    if (token !== INTERNAL) throw new TypeError("use Keyhole.compilePolicy()");
    this.#e = engine;
    this.#handle = handle;
  }

  // The handle, for a call into the module. Taken inside that call, after every
  // argument is read: a getter or a toJSON() of the caller's runs while they are read
  // and may dispose this object (review round 12, W1); a handle taken before would then
  // name freed memory, or whatever was compiled there since. Each method also asks once
  // up front, so a disposed object fails before any argument is read.
  #live() {
    if (this.#handle === 0) throw disposedError("policy");
    return this.#handle;
  }

  /**
   * Reads and matches `claims` once (SPEC §1) into a Viewer for any number of filter,
   * explain and audienceKey calls. Throws KeyholeError code "claims".
   */
  viewer(claims) {
    const e = this.#e;
    this.#live();
    const doc = claimsInput(claims);
    const r = e.call((m) => { const [c] = e.stage(doc); return m.compileViewer(this.#live(), c[0], c[1]); });
    if (r.code !== 0) throw e.error(r);
    const v = new Viewer(INTERNAL, e, r.handle);
    e.track(v, "viewer", r.handle);
    return v;
  }

  // A one-call viewer for what only the viewer API offers (status.json output).
  #once(claims, fn) {
    const v = this.viewer(claims);
    try { return fn(v); } finally { v.dispose(); }
  }

  #run(kind, payload, claims, options) {
    const e = this.#e;
    this.#live();
    const doc = claimsInput(claims);
    const fmt = e.format(options.format ?? "auto");
    return e.payloadCall(payload, kind === "explain", (m, at, size, capacity) => {
      const [c] = e.stage(doc);
      return m[kind](this.#live(), c[0], c[1], at, size, capacity, fmt);
    });
  }

  /**
   * Filters a payload for a viewer. Uint8Array in, Uint8Array out; string in, string out.
   * options.output "status-json" gives the status.json projection (SPEC §5).
   */
  filter(payload, claims, options = {}) {
    if ((options.output ?? "payload") !== "payload") return this.#once(claims, (v) => v.filter(payload, options));
    return this.#run("filter", payload, claims, options);
  }

  /** The explanation document (docs/explain.md): per resource, shown or not and why. */
  explain(payload, claims, options = {}) { return JSON.parse(this.#run("explain", payload, claims, options)); }

  /**
   * The audience key (SPEC §10) of a viewer under this policy, for payloads of
   * options.format ("auto" by default; pass the route's format: knowledge-base keys also
   * cover sub and groups, which embedded read restrictions name).
   */
  audienceKey(claims, options = {}) {
    const e = this.#e;
    this.#live();
    const doc = claimsInput(claims);
    const fmt = e.format(options.format ?? "auto");
    return e.call((m) => {
      const [c] = e.stage(doc);
      if (m.audienceKey(this.#live(), c[0], c[1], fmt) !== 0) throw e.error(m.lastStatus());
      return e.decode(m.output());
    });
  }

  /** SPEC §5 `recompute-status`: whether banners and group statuses follow what the viewer sees. */
  get recomputesStatus() {
    const handle = this.#live();
    this.#recomputes ??= this.#e.call((m) => m.recomputesStatus(handle));
    return this.#recomputes;
  }

  /** Releases the compiled policy now (viewers made from it keep working). Idempotent. */
  dispose() {
    if (this.#handle === 0) return;
    const h = this.#handle;
    this.#handle = 0;
    this.#e.free(this, "policy", h);
  }

  get disposed() { return this.#handle === 0; }
}

/**
 * One viewer's claims read and matched against one policy, once (Policy.viewer()).
 * Immutable; call dispose() when done (a FinalizationRegistry is the backstop).
 */
class Viewer {
  #e;
  #handle;

  constructor(token, engine, handle) {
    if (token !== INTERNAL) throw new TypeError("use Policy.viewer()");
    this.#e = engine;
    this.#handle = handle;
  }

  // As Policy's: taken inside the call into the module, after the arguments are read.
  #live() {
    if (this.#handle === 0) throw disposedError("viewer");
    return this.#handle;
  }

  /** Filters a payload: bytes in, bytes out; string in, string out. options: {format, output}. */
  filter(payload, options = {}) {
    const e = this.#e;
    this.#live();
    const fmt = e.format(options.format ?? "auto");
    const mode = e.output(options.output);
    return e.payloadCall(payload, false, (m, at, size, capacity) => m.viewerFilter(this.#live(), at, size, capacity, fmt, mode));
  }

  /** The explanation document (docs/explain.md) for this viewer and payload. */
  explain(payload, options = {}) {
    const e = this.#e;
    this.#live();
    const fmt = e.format(options.format ?? "auto");
    return JSON.parse(e.payloadCall(payload, true, (m, at, size, capacity) => m.viewerExplain(this.#live(), at, size, capacity, fmt)));
  }

  /** The audience key (SPEC §10) for payloads of options.format ("auto" by default). */
  audienceKey(options = {}) {
    const e = this.#e;
    this.#live();
    const fmt = e.format(options.format ?? "auto");
    return e.call((m) => {
      if (m.viewerAudienceKey(this.#live(), fmt) !== 0) throw e.error(m.lastStatus());
      return e.decode(m.output());
    });
  }

  /** Releases the viewer now. Idempotent. */
  dispose() {
    if (this.#handle === 0) return;
    const h = this.#handle;
    this.#handle = 0;
    this.#e.free(this, "viewer", h);
  }

  get disposed() { return this.#handle === 0; }
}

if (typeof Symbol.dispose === "symbol") {
  Policy.prototype[Symbol.dispose] = function () { this.dispose(); };
  Viewer.prototype[Symbol.dispose] = function () { this.dispose(); };
}

export { Policy, Viewer };

/** runPolicyTests(keyhole, tests, options): keyhole.runPolicyTests(tests, options). */
export const runPolicyTests = (keyhole, tests, options) => keyhole.runPolicyTests(tests, options);
/** diffPolicies(keyhole, request): keyhole.diffPolicies(request). */
export const diffPolicies = (keyhole, request) => keyhole.diffPolicies(request);
