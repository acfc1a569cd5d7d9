// @keyhole/wasm: the Keyhole core compiled to WebAssembly, for Node, browsers and
// edge workers. The wasm layer (src/bindings.cpp) is thin; this file owns the public
// JavaScript API: loading, argument conversion, errors and memory lifetime.
import createKeyholeModule from "./dist/keyhole.mjs";

const WASM_FILE = "keyhole.wasm";
const CODES = { 1: "policy", 2: "claims", 3: "payload", 4: "not-visible", 5: "usage" };

/** An error reported by Keyhole: `code` is policy | claims | payload | not-visible | usage. */
export class KeyholeError extends Error {
  constructor(code, message, pointer = "", offset = -1) {
    super(message);
    this.name = "KeyholeError";
    this.code = code;
    this.pointer = pointer;
    this.offset = offset;
  }
}

function toError(r) {
  const code = CODES[r.code] ?? "payload";
  return new KeyholeError(code, r.message || code, r.pointer || "", r.offset ?? -1);
}

const isNode =
  typeof process === "object" && process !== null &&
  typeof process.versions === "object" && typeof process.versions.node === "string";

async function readWasmInNode(url) {
  // Imported lazily so browsers and workers never see a node: specifier.
  const { readFile } = await import("node:fs/promises");
  return new Uint8Array(await readFile(url));
}

function asBytes(input) {
  if (input instanceof Uint8Array) return input;
  if (ArrayBuffer.isView(input)) return new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  throw new TypeError("payload must be a Uint8Array, an ArrayBuffer(View) or a string");
}

// Claims go to the core as a JSON document: a string (UTF-8 encoded by Embind), raw
// bytes (passed through untouched) or an object (JSON.stringify).
function claimsText(claims) {
  if (claims === undefined || claims === null) return "{}";
  if (typeof claims === "string") return claims;
  if (claims instanceof Uint8Array) return claims;
  if (typeof claims === "object") return JSON.stringify(claims);
  throw new TypeError("claims must be an object or a JSON string");
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
  const { wasmModule, wasmBinary, locateFile } = options;
  let failed = null;
  let rejectLoad = null;
  const init = {
    print: () => {},
    printErr: () => {},
  };
  if (wasmModule !== undefined) {
    if (!(wasmModule instanceof WebAssembly.Module)) throw new TypeError("wasmModule must be a WebAssembly.Module");
    // Instantiating a precompiled module needs no compilation from bytes and no eval
    // (workerd forbids both). locateFile keeps Emscripten from resolving a URL.
    init.locateFile = (p) => p;
    init.instantiateWasm = (imports, receive) => {
      WebAssembly.instantiate(wasmModule, imports).then(
        (instance) => receive(instance, wasmModule),
        (e) => { failed = e; if (rejectLoad) rejectLoad(e); });
      return {};
    };
  } else if (wasmBinary !== undefined) {
    init.wasmBinary = asBytes(wasmBinary);
    init.locateFile = (p) => p;
  } else if (isNode) {
    // Node: read the bytes ourselves (Emscripten 3.1.6 would fetch() a file path).
    const dist = new URL("./dist/", import.meta.url).href;
    const where = String(locateFile ? locateFile(WASM_FILE, dist) : dist + WASM_FILE);
    if (/^https?:/.test(where)) {
      const res = await fetch(where);
      if (!res.ok) throw new Error(`@keyhole/wasm: cannot fetch ${where}: ${res.status}`);
      init.wasmBinary = new Uint8Array(await res.arrayBuffer());
    } else {
      init.wasmBinary = await readWasmInNode(where.startsWith("file:") ? new URL(where) : where);
    }
    init.locateFile = (p) => p;
  } else if (locateFile) {
    init.locateFile = (p, prefix) => String(locateFile(p, prefix));
  } else {
    const base = new URL("./dist/", import.meta.url).href;
    init.locateFile = (p) => base + p;
  }
  const instantiationFailed = new Promise((_, reject) => {
    rejectLoad = reject;
    if (failed) reject(failed);
  });
  const m = await Promise.race([createKeyholeModule(init), instantiationFailed]);
  return new Keyhole(m);
}

class Keyhole {
  #m;
  #registry;
  #pad;
  #encoder = new TextEncoder();
  #decoder = new TextDecoder();
  #broken = null;
  #live = 0;
  #formats = new Map();

  constructor(m) {
    this.#m = m;
    this.#pad = m.padding();
    // Backstop for policies that are dropped without dispose(): the held value is the
    // raw handle only, so the registry never keeps a Policy alive.
    // Runtimes without FinalizationRegistry (older workerd compatibility dates)
    // still work: dispose() is then the only way to release a policy.
    this.#registry = typeof FinalizationRegistry === "function"
      ? new FinalizationRegistry((handle) => {
          this.#live--;
          if (!this.#broken) m.freePolicy(handle);
        })
      : { register() {}, unregister() {} };
  }

  /** The core's version string. */
  get version() { return this.#m.version(); }

  /** Bytes of linear memory the wasm instance currently holds. */
  get memoryBytes() { return this.#m.HEAPU8.buffer.byteLength; }

  /** Compiled policies not yet released (by dispose() or the FinalizationRegistry). */
  get livePolicies() { return this.#live; }

  /** Limits for later calls: { maxDepth, maxPayloadBytes }. */
  setLimits({ maxDepth = 1024, maxPayloadBytes = 64 * 1024 * 1024 } = {}) {
    this.#call(() => this.#m.setLimits(maxDepth, maxPayloadBytes));
  }

  /** Frees the payload staging buffer (it otherwise keeps the largest size seen). */
  releaseBuffer() { this.#call(() => this.#m.releaseBuffer()); }

  /** Compiles a policy document (string, bytes or object). Throws KeyholeError code "policy". */
  compilePolicy(policy) {
    let text;  // a string (UTF-8 encoded by Embind) or raw bytes (passed through untouched)
    if (typeof policy === "string") text = policy;
    else if (policy instanceof Uint8Array || ArrayBuffer.isView(policy) || policy instanceof ArrayBuffer) text = asBytes(policy);
    else if (policy && typeof policy === "object") text = JSON.stringify(policy);
    else throw new TypeError("policy must be a JSON string, bytes or an object");
    const r = this.#call(() => this.#m.compilePolicy(text));
    if (r.code !== 0) throw toError(r);
    const p = new Policy(this, r.handle);
    this.#registry.register(p, r.handle, p);
    this.#live++;
    return p;
  }

  /** Validates claims alone (SPEC §1); throws KeyholeError code "claims". */
  validateClaims(claims) {
    const text = claimsText(claims);
    this.#call(() => { if (this.#m.validateClaims(text) !== 0) throw toError(this.#m.lastStatus()); });
  }

  // --- used by Policy -------------------------------------------------------

  _free(policy, handle) {
    this.#registry.unregister(policy);
    this.#live--;
    if (!this.#broken) this.#m.freePolicy(handle);
  }

  _run(kind, handle, input, claims, format) {
    const m = this.#m;
    const claimsJson = claimsText(claims);
    const fmt = this.#format(format ?? "auto");
    const isString = typeof input === "string";
    return this.#call(() => {
      let size, capacity, ptr;
      if (isString) {
        const max = input.length * 3;  // UTF-16 -> UTF-8 worst case
        capacity = max + this.#pad;
        ptr = m.buffer(capacity);
        if (!ptr) throw new RangeError("@keyhole/wasm: out of memory for the payload");
        size = this.#encoder.encodeInto(input, m.HEAPU8.subarray(ptr, ptr + max)).written;
      } else {
        const bytes = asBytes(input);
        size = bytes.length;
        capacity = size + this.#pad;
        ptr = m.buffer(capacity);
        if (!ptr) throw new RangeError("@keyhole/wasm: out of memory for the payload");
        m.HEAPU8.set(bytes, ptr);  // the one copy in
      }
      const code = kind === "explain"
        ? m.explain(handle, claimsJson, ptr, size, capacity, fmt)
        : m.filter(handle, claimsJson, ptr, size, capacity, fmt);
      if (code !== 0) throw toError(m.lastStatus());
      const view = m.output();
      if (kind === "explain") return JSON.parse(this.#decoder.decode(view));
      return isString ? this.#decoder.decode(view) : view.slice();  // the one copy out
    });
  }

  _audienceKey(handle, claims) {
    const claimsJson = claimsText(claims);
    return this.#call(() => {
      if (this.#m.audienceKey(handle, claimsJson) !== 0) throw toError(this.#m.lastStatus());
      return this.#decoder.decode(this.#m.output());
    });
  }

  // The core parses format names; the number is cached per name.
  #format(name) {
    let code = this.#formats.get(name);
    if (code === undefined) {
      if (typeof name !== "string") throw new TypeError("format must be a string");
      code = this.#m.formatCode(name);
      if (code < 0) throw new KeyholeError("usage", `unknown format "${name}" (auto, statuspage, confluence or jsm)`);
      this.#formats.set(name, code);
    }
    return code;
  }

  #call(fn) {
    if (this.#broken) throw new Error("@keyhole/wasm: this instance aborted earlier; load a new one", { cause: this.#broken });
    try {
      return fn();
    } catch (e) {
      // A wasm trap or abort, or a C++ throw that nothing could catch (Emscripten throws
      // a non-Error value for those), leaves the instance in an unknown state: report it
      // as an Error and refuse further use.
      if (e instanceof WebAssembly.RuntimeError) this.#broken = e;
      else if (!(e instanceof Error)) {
        this.#broken = new Error(`@keyhole/wasm: internal error (${String(e).slice(0, 200)})`);
        throw this.#broken;
      }
      throw e;
    }
  }
}

/** A compiled, immutable policy. Call dispose() when done (a FinalizationRegistry is the backstop). */
class Policy {
  #kh;
  #handle;

  constructor(kh, handle) {
    this.#kh = kh;
    this.#handle = handle;
  }

  #live() {
    if (this.#handle === 0) throw new Error("@keyhole/wasm: policy was disposed");
    return this.#handle;
  }

  /** Filters a payload for a viewer. Uint8Array in, Uint8Array out; string in, string out. */
  filter(payload, claims, options = {}) {
    return this.#kh._run("filter", this.#live(), payload, claims, options.format);
  }

  /** For every resource: shown or not, and the rule levels that decided it (plain object). */
  explain(payload, claims, options = {}) {
    return this.#kh._run("explain", this.#live(), payload, claims, options.format);
  }

  /** The audience key (SPEC §10) of a viewer under this policy. */
  audienceKey(claims) {
    return this.#kh._audienceKey(this.#live(), claims);
  }

  /** Releases the compiled policy now. Idempotent. */
  dispose() {
    if (this.#handle === 0) return;
    const h = this.#handle;
    this.#handle = 0;
    this.#kh._free(this, h);
  }

  get disposed() { return this.#handle === 0; }
}

if (typeof Symbol.dispose === "symbol") {
  Policy.prototype[Symbol.dispose] = function () { this.dispose(); };
}

export { Policy };
