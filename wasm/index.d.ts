// Type declarations for @keyhole/wasm.
import type { PolicyTestOptions, PolicyTestReport, PolicyDiffRequest, PolicyDiffReport } from "./policy-tests.js";
export type * from "./policy-tests.js";

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

export interface FormatOptions {
  /** Payload format; "auto" (the default) detects it from the top-level members. */
  format?: PayloadFormat;
}

/** What a filter call writes: the filtered payload (default), or, from a status payload
 *  with components and a status object (summary.json), its status.json projection (SPEC §5):
 *  the root's `page` and recomputed `status` only (otherwise KeyholeError "payload"). */
export type OutputMode = "payload" | "status-json";

export interface FilterOptions extends FormatOptions {
  output?: OutputMode;
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

// The explanation document, version 1, exactly as docs/explain.md describes it.

/** A disclosure entry this viewer fails (SPEC §5); it applies to every kept object of that kind. */
export interface WithheldField {
  /** `KIND.member`, e.g. "article.excerpt". */
  field: string;
  action: "remove" | "replace";
}

/** One level of a resource's chain that has a rule (SPEC §3), outermost first. */
export interface ExplainLevel {
  /** "default", "group:<id>", "component:<id>", "space:<key>", "page:<id>", "ancestors:<n>",
   *  "components", "rules:<id>" or "without-components". */
  level: string;
  /** The level has `inherit: false`: it starts fresh. */
  reset: boolean;
  /** The viewer matched this level's allow. */
  allow: boolean;
  /** The viewer matched this level's deny. */
  deny: boolean;
  /** The items that matched: atoms, "@names", "all(...)" / "not(...)", "embedded-restrictions". */
  allowed_by: string[];
  denied_by: string[];
}

/** Why fail-closed hid a resource before any rule applied. */
export type FailClosedReason =
  | "space not carried by the payload" | "labels not carried by the payload" | "restrictions not carried"
  | "an ancestor's restrictions are not carried" | "ancestors cannot be established"
  | "ancestors carried but not readable" | "the parent links form a cycle" | "not a page or blog post"
  | "no id" | "no source.pageId" | "search result without content";

/** The deciding step of a resource, discriminated on `step`. */
export type DecidedBy =
  /** A level denies the viewer; the first such level (a deny sticks). */
  | { step: "deny"; level: string; by: string[] }
  /** An allow after the last `inherit: false`; the innermost allowing level. */
  | { step: "allow"; level: string; by: string[] }
  /** Shown only by the viewer's grant for it. */
  | { step: "grant" }
  /** No level allows the viewer, or the last `inherit: false` (at `reset_at`) withheld an outer allow. */
  | { step: "not-allowed"; reset_at?: string }
  /** Hidden before any rule applied: the payload cannot prove it visible. */
  | { step: "fail-closed"; reason: FailClosedReason }
  /** An incident hidden because some affected components are hidden and `mixed` is `hide`. */
  | { step: "mixed"; policy: "hide" }
  /** A group: shown iff one of its components present at the top level is shown. */
  | { step: "group" };

export type ExplainStep = DecidedBy["step"];

export interface ExplainResource {
  kind: "component" | "group" | "incident" | "maintenance" | "article" | "ancestor";
  /** The id as the payload writes it ("" for a search hit without content). */
  id: string;
  shown: boolean;
  levels: ExplainLevel[];
  /** The viewer holds a grant for this very resource. */
  grant: boolean;
  decided_by: DecidedBy;
  /** The incident is shown with its updates redacted. */
  mixed?: "redact";
  /** Context in words: "of page 123" (ancestor), "1 of 2 affected components shown" (incident). */
  note?: string;
}

/** The explanation document (docs/explain.md, version 1): for every resource, shown or not and why. */
export interface Explanation {
  explain: 1;
  format: "statuspage" | "confluence" | "jsm";
  withheld: WithheldField[];
  /** In payload order: components, groups, incidents, maintenances; articles, with the
   *  ancestors of shown articles after each. */
  resources: ExplainResource[];
}

/** One viewer's claims read and matched against one policy once (`Policy.viewer()`):
 *  immutable, for any number of calls. It shares the policy's compiled form, so it keeps
 *  working after the policy is disposed. */
export class Viewer {
  private constructor();
  /** Filters bytes to bytes (no string round-trip). Throws KeyholeError. */
  filter(payload: PayloadBytes, options?: FilterOptions): Uint8Array;
  /** Filters a string payload and returns a string. Throws KeyholeError. */
  filter(payload: string, options?: FilterOptions): string;
  /** The explanation document for this viewer and payload. */
  explain(payload: PayloadBytes | string, options?: FormatOptions): Explanation;
  /** The audience key (SPEC §10) for payloads of `options.format` ("auto" by default). */
  audienceKey(options?: FormatOptions): string;
  /** Releases the viewer now (idempotent); later calls throw KeyholeError "usage".
   *  Dropped viewers are released by a FinalizationRegistry. */
  dispose(): void;
  readonly disposed: boolean;
}

export class Policy {
  private constructor();
  /** Reads and matches claims once into a Viewer. Throws KeyholeError code "claims". */
  viewer(claims?: ClaimsInput): Viewer;
  /** SPEC §5 `recompute-status` (default true): banners and group statuses follow what the viewer sees. */
  readonly recomputesStatus: boolean;
  /** Filters bytes to bytes (no string round-trip). Throws KeyholeError. */
  filter(payload: PayloadBytes, claims?: ClaimsInput, options?: FilterOptions): Uint8Array;
  /** Filters a string payload and returns a string. Throws KeyholeError. */
  filter(payload: string, claims?: ClaimsInput, options?: FilterOptions): string;
  /** For every resource: shown or not, and the rule levels that decided it. */
  explain(payload: PayloadBytes | string, claims?: ClaimsInput, options?: FormatOptions): Explanation;
  /** The audience key (SPEC §10): equal for viewers who must see the same output of payloads
   *  of `options.format` ("auto" by default; pass the format the key is for). */
  audienceKey(claims?: ClaimsInput, options?: FormatOptions): string;
  /** Releases the compiled policy now (idempotent); later calls throw KeyholeError "usage",
   *  viewers made from it keep working. Dropped policies are released by a FinalizationRegistry. */
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
  /** Frees the staging buffers (otherwise kept at the largest payload and document size seen)
   *  and the viewer the last policy.filter(bytes, claims) call kept, with its claims bytes. */
  releaseBuffer(): void;
  /** The core's version string. */
  readonly version: string;
  /** Compiled policies not yet released (by dispose() or the FinalizationRegistry). */
  readonly livePolicies: number;
  /** Compiled viewers not yet released. */
  readonly liveViewers: number;
  /** Bytes of linear memory the instance holds. */
  readonly memoryBytes: number;
  /** Runs policy test files (docs/policy-tests.md) with the core's runner, as `keyhole test`. */
  runPolicyTests(tests: string | string[], options?: PolicyTestOptions): PolicyTestReport;
  /** What a policy change reveals, per viewer and payload, as `keyhole diff`. */
  diffPolicies(request: PolicyDiffRequest): PolicyDiffReport;
}

export function runPolicyTests(keyhole: Keyhole, tests: string | string[], options?: PolicyTestOptions): PolicyTestReport;
export function diffPolicies(keyhole: Keyhole, request: PolicyDiffRequest): PolicyDiffReport;

/** Loads and instantiates the WebAssembly module (one instance per call). */
export function loadKeyhole(options?: LoadOptions): Promise<Keyhole>;
