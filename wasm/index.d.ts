// Type declarations for @keyhole/wasm.

/** What went wrong: a bad policy, bad claims (or share body), a rejected payload, a single
 *  resource the viewer may not see, bad usage (an unknown format name), or "internal": the
 *  module itself failed (a trap, an abort, the stack limit). After an "internal" error from
 *  inside the module the instance is unusable: every later call throws "internal" again
 *  (with the first error as `cause`); load a new instance. */
export type KeyholeErrorCode = "policy" | "claims" | "payload" | "not-visible" | "usage" | "internal";

export class KeyholeError extends Error {
  readonly name: "KeyholeError";
  readonly code: KeyholeErrorCode;
  /** JSON pointer into the policy or claims document ("" when it does not apply). */
  readonly pointer: string;
  /** Byte offset into the payload when the parser knows it, otherwise -1. */
  readonly offset: number;
  constructor(code: KeyholeErrorCode, message: string, pointer?: string, offset?: number, options?: { cause?: unknown });
}

export type PayloadFormat = "auto" | "statuspage" | "confluence" | "jsm";

/** Viewer claims (SPEC §1): `{}` (or undefined/null) is the anonymous viewer. */
export interface Claims {
  sub?: string;
  email?: string;
  email_verified?: boolean;
  groups?: string[];
  orgs?: string[];
  roles?: string[];
  account?: string;
  attrs?: Record<string, string | string[]>;
  grants?: string[];
}

/** Claims as an object, a JSON document string, or the document's raw bytes. Strings are
 *  UTF-8 encoded with TextEncoder (a lone surrogate becomes U+FFFD). */
export type ClaimsInput = Claims | string | Uint8Array | null | undefined;

export type PayloadBytes = Uint8Array | ArrayBuffer | ArrayBufferView;

export interface FilterOptions {
  /** Payload format; "auto" (the default) detects it from the top-level members. */
  format?: PayloadFormat;
}

export interface LoadOptions {
  /** A precompiled module (workerd / Cloudflare Workers: `import wasm from "@keyhole/wasm/keyhole.wasm"`). */
  wasmModule?: WebAssembly.Module;
  /** The bytes of keyhole.wasm. */
  wasmBinary?: Uint8Array | ArrayBuffer | ArrayBufferView;
  /** Where keyhole.wasm lives (browsers): returns a URL (or, in Node, a path). */
  locateFile?: (path: string, prefix: string) => string | URL;
}

export interface Limits {
  /** Nesting depth limit of any JSON document (default 1024). */
  maxDepth?: number;
  /** Payloads above this many bytes are rejected (default 64 MiB). */
  maxPayloadBytes?: number;
}

/** A share link's body (SPEC §7). At least one of emails and domains must list someone. */
export interface ShareBody {
  id: string;
  /** Grants: "component:<id>" | "incident:<id>" | "maintenance:<id>" | "article:<page id>". */
  resources: string[];
  emails?: string[];
  domains?: string[];
  /** Expiry, integer UNIX seconds. */
  exp: number;
}

/** The explanation document: for every resource, shown or not and why. */
export type Explanation = { [key: string]: unknown };

export class Policy {
  private constructor();
  /** Filters bytes to bytes (no string round-trip). Throws KeyholeError. */
  filter(payload: PayloadBytes, claims?: ClaimsInput, options?: FilterOptions): Uint8Array;
  /** Filters a string payload and returns a string. Throws KeyholeError. */
  filter(payload: string, claims?: ClaimsInput, options?: FilterOptions): string;
  /** For every resource: shown or not, and the rule levels that decided it. */
  explain(payload: PayloadBytes | string, claims?: ClaimsInput, options?: FilterOptions): Explanation;
  /** The audience key (SPEC §10): equal for viewers who must see the same output of payloads
   *  of `options.format` ("auto" by default; pass the format the key is for). */
  audienceKey(claims?: ClaimsInput, options?: FilterOptions): string;
  /** Releases the compiled policy now (idempotent). Dropped policies are released by a FinalizationRegistry. */
  dispose(): void;
  readonly disposed: boolean;
}

export interface Keyhole {
  /** Compiles a policy document (SPEC §4). Throws KeyholeError with code "policy" and the JSON pointer. */
  compilePolicy(policy: string | Uint8Array | ArrayBuffer | object): Policy;
  /** Validates claims alone (SPEC §1). Throws KeyholeError with code "claims". */
  validateClaims(claims: ClaimsInput): void;
  /** The grants a share link's body gives these claims (SPEC §7): the body's `resources` when
   *  the viewer is signed in, verified, has an email with exactly one "@" and that email
   *  (ASCII case-insensitively) or its domain (one trailing dot removed) is listed, and
   *  `nowSeconds < exp`; otherwise []. The same email rule as the `email:`/`domain:` atoms.
   *  Verify the link's signature first. Throws KeyholeError code "claims" for bad claims or
   *  a malformed body (message "share body: …", pointer into the body). nowSeconds defaults
   *  to the current time. */
  shareGrants(claims: ClaimsInput, body: ShareBody | string | Uint8Array, nowSeconds?: number): string[];
  /** Limits for later calls. */
  setLimits(limits?: Limits): void;
  /** Frees the staging buffers (otherwise kept at the largest payload and document size seen). */
  releaseBuffer(): void;
  /** The core's version string. */
  readonly version: string;
  /** Compiled policies not yet released (by dispose() or the FinalizationRegistry). */
  readonly livePolicies: number;
  /** Bytes of linear memory the instance holds. */
  readonly memoryBytes: number;
}

/** Loads and instantiates the WebAssembly module (one instance per call). */
export function loadKeyhole(options?: LoadOptions): Promise<Keyhole>;
