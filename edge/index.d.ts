// Type declarations for @keyhole/edge (the fetch handler). The Node server is in
// "@keyhole/edge/node" (node.d.ts).
import type { Claims, Keyhole, LoadOptions, PayloadFormat } from "@keyhole/wasm";

export type RouteFormat = PayloadFormat | "pass-through";
export type Algorithm = "HS256" | "RS256" | "ES256" | "EdDSA";
/** A JWK object, or a PEM string (SPKI or X.509). */
export type KeySpec = string | Record<string, unknown>;
/** A claim name, a path into the token payload, or a function of the payload. */
export type ClaimMapping = string | Array<string | number> | ((payload: Record<string, unknown>) => unknown);

export interface Route {
  /** "/api/v2/**" (`*` one segment, `**` anything) or a RegExp, matched on the normalised path. */
  path: string | RegExp;
  format?: RouteFormat;
  /** One filtered copy per audience key, kept maxAge seconds (default 60). */
  cache?: { audience?: boolean; maxAge?: number };
  /** A policy for this route only (JSON text or object). */
  policy?: string | object;
  name?: string;
  /** pass-through only: send `upstreamHeaders` (the origin's credentials) with these requests too (default false). */
  sendUpstreamHeaders?: boolean;
}

export interface IdentityConfig {
  /** The only algorithms accepted. */
  algorithms?: Algorithm[];
  /** HS256 secret, at least 32 bytes. */
  hs256Secret?: string | Uint8Array;
  publicKey?: KeySpec;
  publicKeys?: KeySpec[];
  jwks?: { keys: Array<Record<string, unknown>> };
  jwksUrl?: string;
  /** Default 600. */
  jwksCacheSeconds?: number;
  issuer?: string | string[];
  audience?: string | string[];
  /** Default 30. */
  clockToleranceSeconds?: number;
  /** Default true. */
  requireExp?: boolean;
  /** How long a verified token is remembered, so the viewer's next requests skip verification
   *  (never past its exp + clockToleranceSeconds). Default 60; 0: verify every request. */
  tokenCacheSeconds?: number;
  /** Cookie holding the token when there is no Authorization header (default "keyhole_token"; null: none). */
  cookie?: string | null;
  /** Default 8192. */
  maxTokenBytes?: number;
  /** Take `grants` from the token too (default false: only from share links). */
  trustTokenGrants?: boolean;
  /** SPEC §1 member -> token claim. Default: the same names. Applies to ID tokens (oidc) too. */
  claims?: Partial<Record<keyof Claims, ClaimMapping>>;
  /** Sign-in with OpenID Connect: /auth/login, /auth/callback, /auth/logout and a session cookie. */
  oidc?: OidcConfig;
}

/** The edge as an OpenID Connect relying party (authorization code + PKCE, state, nonce). */
export interface OidcConfig {
  /** The provider's issuer URL (discovery: <issuer>/.well-known/openid-configuration). https; http only on loopback. */
  issuer: string;
  clientId: string;
  /** Required unless clientAuth is "none". */
  clientSecret?: string;
  /** The edge's own callback, e.g. "https://status.example.com/auth/callback" (registered at the provider). */
  redirectUri: string;
  /** Default ["openid", "email", "profile"]; must include "openid". */
  scopes?: string[];
  /** Seals the session and sign-in cookies (AES-256-GCM, HKDF-derived keys); at least 32 bytes. */
  sessionSecret: string | Uint8Array;
  /** Session lifetime, default 28800 (8 hours), at most 2592000 (30 days). */
  sessionTtlSeconds?: number;
  /** Default "__Host-keyhole_session" (https) or "keyhole_session" (http on loopback). */
  sessionCookie?: string;
  /** Sent as the authorization request's prompt, e.g. "login" or "select_account". */
  prompt?: string;
  /** Token endpoint client authentication, default "client_secret_basic". */
  clientAuth?: "client_secret_basic" | "client_secret_post" | "none";
  /** Provider requests time out after this (default 10000). */
  timeoutMs?: number;
}

/** The pages the edge serves itself: "/" (status) and "/help" (help center), from the filtered payloads. */
export interface PagesConfig {
  /** Shown in the page title. */
  title?: string;
  /** Default "/api/v2/summary.json". */
  statusSource?: string;
  /** Default "/wiki/rest/api/content". */
  helpSource?: string;
}

export interface ShareConfig {
  secret: string | Uint8Array;
  /** Query parameter (default "share"). */
  param?: string;
  /** Header (default "x-keyhole-share"). */
  header?: string;
}

export interface CorsConfig {
  /** Exact origins ("https://host[:port]") or "*" (not with credentials). */
  origins: string[];
  /** Access-Control-Allow-Credentials for listed origins (default false). */
  credentials?: boolean;
  /** Preflight Access-Control-Max-Age in seconds (default 600). */
  maxAge?: number;
  /** Default ["ETag", "X-Keyhole-Audience"]. */
  exposeHeaders?: string[];
}

/** The upstream body cache and coalescing (on by default). */
export interface UpstreamCacheConfig {
  /** Default 256. */
  maxEntries?: number;
  /** Default 64 MiB. */
  maxBytes?: number;
}

/** A cache like the Cache API's caches.default. */
export interface ResponseCache {
  match(key: string): Promise<Response | undefined>;
  put(key: string, response: Response): Promise<void>;
}

/** Filters bodies of at least minBytes off the request's thread (Node: worker threads). */
export interface FilterPool {
  filter(policyText: string, bytes: Uint8Array, claims: Claims, options: { format: PayloadFormat; output?: "payload" | "status-json" }): Promise<Uint8Array>;
  minBytes: number;
  close?(): Promise<void>;
}

/** One entry per request, given to `log`. Never carries a token or a query string. */
export interface LogEntry {
  method: string;
  path: string;
  status: number;
  route: string | null;
  audience: string | null;
  bytesIn: number;
  bytesOut: number;
  ms: number;
  error?: string;
  /** Audience cache. */
  cache?: "hit";
  /** Where the upstream body came from. */
  upstream?: "miss" | "hit" | "coalesced" | "revalidated" | "uncached";
  share?: "granted" | "not-for-viewer" | "invalid" | "anonymous" | "disabled";
  /** Sign-in routes. */
  auth?: "signed-in" | "signed-out";
}

export interface EdgeConfig {
  /** The policy document (SPEC §4): JSON text or object. */
  policy: string | object;
  /** The origin, e.g. "https://status.example.com". */
  upstream: string | URL;
  /** First match wins; unmatched paths are 404. Default: DEFAULT_ROUTES. */
  routes?: Route[];
  identity?: IdentityConfig;
  share?: ShareConfig;
  limits?: { maxPayloadBytes?: number; upstreamTimeoutMs?: number };
  /** Added to every filtered upstream request (the origin's own credentials), the same for every
   *  viewer; to pass-through requests only on routes with `sendUpstreamHeaders: true`. */
  upstreamHeaders?: Record<string, string> | Headers;
  /** `wasm: { wasmModule }` in workerd (import wasmModule from "@keyhole/wasm/keyhole.wasm"). */
  wasm?: LoadOptions;
  /** An already loaded @keyhole/wasm instance. */
  keyhole?: Keyhole;
  /** The fetch used for upstream requests (default globalThis.fetch). */
  fetch?: (request: Request) => Promise<Response>;
  /** Audience cache: "auto" (Cache API when present, else memory), false, or your own. */
  cache?: "auto" | false | ResponseCache;
  /** Bounds of the in-memory audience cache (Node): least recently used out; a copy over
   *  maxEntryBytes is not kept. Defaults 500 entries, 64 MiB, 8 MiB. */
  cacheLimits?: { maxEntries?: number; maxBytes?: number; maxEntryBytes?: number };
  upstreamCache?: false | UpstreamCacheConfig;
  cors?: CorsConfig;
  pages?: PagesConfig;
  log?: (entry: LogEntry) => void;
  filterPool?: FilterPool;
}

/** The parts of a Workers ExecutionContext the handler uses. */
export interface ExecutionContextLike {
  waitUntil(promise: Promise<unknown>): void;
  passThroughOnException?(): void;
}

export interface EdgeFilter {
  /** Loads wasm and compiles the policies (optional; the first request does it otherwise). Rejects with a KeyholeError. */
  ready(): Promise<{ kh: Keyhole; policies: Map<string, unknown> }>;
  fetch(request: Request, env?: unknown, ctx?: ExecutionContextLike): Promise<Response>;
}

/** Throws ConfigError for an unknown or mistyped member. */
export function createEdgeFilter(config: EdgeConfig): EdgeFilter;

/** A configuration error: `.code` "config", `.pointer` the member's JSON pointer. */
export class ConfigError extends Error {
  readonly name: "ConfigError";
  readonly code: "config";
  readonly pointer: string;
  readonly problem: string;
  constructor(pointer: string, problem: string);
}

export const DEFAULT_ROUTES: ReadonlyArray<Route>;

export interface ShareTokenBody {
  id?: string;
  /** e.g. ["article:95001", "component:abc"] */
  resources: string[];
  emails?: string[];
  domains?: string[];
  /** Expiry (seconds since the epoch), or ttlSeconds from now. */
  exp?: number;
  ttlSeconds?: number;
}

/** Signs a share token: base64url(JSON body) "." base64url(HMAC-SHA256). */
export function createShareToken(secret: string | Uint8Array, body: ShareTokenBody, options?: { keyhole?: Keyhole }): Promise<string>;

/** Holds the imported HMAC key, imported once per secret (at least 16 bytes). */
export interface ShareVerifier { key(): Promise<CryptoKey> }
export function shareVerifier(secret: string | Uint8Array): ShareVerifier;

/** The signed body bytes, or null for a bad format or MAC. */
export function verifyShareToken(verifier: ShareVerifier, token: string): Promise<Uint8Array | null>;

/** The grants a verified body gives these claims (decided by the core), or []. */
export function grantsFor(body: Uint8Array | null, claims: Claims, nowSeconds: number, skewSeconds: number | undefined, keyhole: Keyhole): string[];

/** A token problem: becomes a 401 with WWW-Authenticate. */
export class IdentityError extends Error {
  readonly description: string;
  readonly error: string;
  constructor(description: string, error?: string);
}

export interface CompiledIdentity {
  /** Anonymous ({} and tokenPresent false) without a token; throws IdentityError for a bad one. */
  claimsFor(request: Request): Promise<{ claims: Claims; tokenPresent: boolean }>;
  /** A verified token's claims -> SPEC §1 members through the `claims` mapping. */
  mapClaims(payload: Record<string, unknown>): Claims;
  cookieName: string | null;
  algorithms: Algorithm[];
}
export function compileIdentity(config?: IdentityConfig): CompiledIdentity;

/** The decoded, resolved path routes match and its canonical encoding for the origin, or why it is refused (400). */
export function normalisePath(pathname: string): { path: string; upstream: string; error?: undefined } | { error: string; path?: string; upstream?: undefined };
