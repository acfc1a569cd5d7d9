// The edge configuration's members, as createEdgeFilter takes them (EDGE_CONFIG) and as a
// `keyhole-edge --config` JSON file writes them (CONFIG_FILE: file references instead of
// secrets and keys, no functions or RegExps, plus the listener and the worker pool).
import { is, anyOf, oneOfValues, arrayOf, mapOf, object, ConfigError } from "./config-check.js";
import { FORMATS } from "./routes.js";
import { SECTION1 } from "./identity.js";
import { oidcSchema, withHostCookies, PAGES } from "./auth/oidc-schema.js";

export const ALGORITHMS = ["HS256", "RS256", "ES256", "EdDSA"];

const string = is("a string", (v) => typeof v === "string");
const bool = is("true or false", (v) => typeof v === "boolean");
const fn = is("a function", (v) => typeof v === "function");
const count = is("a whole number >= 0", (v) => Number.isSafeInteger(v) && v >= 0);
const positive = is("a whole number > 0", (v) => Number.isSafeInteger(v) && v > 0);
const seconds = is("a number >= 0", (v) => typeof v === "number" && Number.isFinite(v) && v >= 0);
const anyObject = is("an object", (v) => v !== null && typeof v === "object" && !Array.isArray(v));
const bytes = is("a string or a Uint8Array", (v) => typeof v === "string" || v instanceof Uint8Array);
const strings = anyOf(string, arrayOf(string));
const policy = anyOf(string, anyObject);
const keySpec = anyOf(string, anyObject); // PEM text, or a JWK / {key, alg}: checked by jose
const claimPath = anyOf(string, arrayOf(anyOf(string, is("a number", (v) => typeof v === "number"))));

const identityMembers = {
  algorithms: arrayOf(oneOfValues(ALGORITHMS)),
  hs256Secret: bytes,
  publicKey: keySpec,
  publicKeys: arrayOf(keySpec),
  jwks: object({ keys: arrayOf(anyObject) }, { required: ["keys"] }),
  jwksUrl: string,
  jwksCacheSeconds: seconds,
  issuer: strings,
  audience: strings,
  clockToleranceSeconds: seconds,
  tokenCacheSeconds: seconds,
  requireExp: bool,
  cookie: anyOf(string, is("null", (v) => v === null)),
  maxTokenBytes: positive,
  trustTokenGrants: bool,
};
/**
 * Review F5 (round 8): SPEC §9 checks a token's issuer and audience. Without them a token
 * signed with the same secret or key for another service (another app of the same provider)
 * would be accepted here, so both are required wherever JWTs are accepted: `algorithms` not
 * empty, or an HS256 secret (which implies HS256). An empty string or list checks nothing.
 */
function withIssuerAndAudience(identitySchema) {
  const given = (v) => (typeof v === "string" ? v !== "" : Array.isArray(v) && v.length > 0 && v.every((x) => x !== ""));
  return {
    ...identitySchema,
    check(v, p) {
      const problem = identitySchema.check(v, p);
      if (problem) return problem;
      const acceptsJwts = (v.algorithms?.length ?? 0) > 0 || v.hs256Secret !== undefined || v.hs256SecretFile !== undefined;
      if (!acceptsJwts) return null;
      for (const name of ["issuer", "audience"]) {
        if (!given(v[name])) return new ConfigError(`${p}/${name}`, `required when tokens are accepted (identity.algorithms): a token's ${name === "issuer" ? "iss" : "aud"} is checked against it`);
      }
      return null;
    },
  };
}

const cache = object({ audience: bool, maxAge: count });
const limits = object({ maxPayloadBytes: positive, upstreamTimeoutMs: positive });
const format = oneOfValues(FORMATS);
const routeMembers = { format, cache, policy, name: string, sendUpstreamHeaders: bool };
const shareMembers = { param: string, header: string };
const cacheLimits = object({ maxEntries: positive, maxBytes: positive, maxEntryBytes: positive });
const upstreamCache = anyOf(is("false", (v) => v === false), object({ maxEntries: positive, maxBytes: positive }));
// CORS (issue 15): exact origins ("https://a.example") or "*" (only without credentials).
const corsOrigin = is('an origin ("https://host[:port]") or "*"', (v) => v === "*" || (typeof v === "string" && /^https?:\/\/[^/?#\s]+$/.test(v)));
export const CORS = {
  kind: "object",
  describe: "an object",
  check(v, p) {
    const e = object({ origins: arrayOf(corsOrigin), credentials: bool, maxAge: count, exposeHeaders: arrayOf(string) }, { required: ["origins"] }).check(v, p);
    if (e) return e;
    if (v.credentials === true && v.origins.includes("*")) {
      return new ConfigError(`${p}/origins/${v.origins.indexOf("*")}`, '"*" cannot be used with credentials: list the origins');
    }
    return null;
  },
};

export const EDGE_CONFIG = object({
  policy,
  upstream: anyOf(string, is("a URL", (v) => v instanceof URL)),
  routes: arrayOf(object({ ...routeMembers, path: anyOf(string, is("a RegExp", (v) => v instanceof RegExp)) }, { required: ["path"] })),
  identity: withHostCookies(withIssuerAndAudience(object({ ...identityMembers, claims: mapOf(anyOf(claimPath, fn), SECTION1), oidc: oidcSchema() }))),
  pages: PAGES,
  share: object({ ...shareMembers, secret: bytes }, { required: ["secret"] }),
  limits,
  upstreamHeaders: anyOf(mapOf(string), is("a Headers", (v) => typeof Headers !== "undefined" && v instanceof Headers)),
  wasm: object({ wasmModule: is("a WebAssembly.Module", (v) => v instanceof WebAssembly.Module), wasmBinary: anyObject, locateFile: fn }),
  keyhole: anyObject,
  fetch: fn,
  cache: anyOf(oneOfValues(["auto"]), is("false", (v) => v === false), object({ match: fn, put: fn }, { required: ["match", "put"] })),
  log: fn,
  upstreamCache,
  cacheLimits,
  cors: CORS,
  filterPool: object({ filter: fn, minBytes: count, close: fn }, { required: ["filter", "minBytes"] }),
}, { required: ["policy", "upstream"] });

export const WORKERS = object({ threads: count, minBytes: count, timeoutMs: positive });

export const CONFIG_FILE = object({
  upstream: string,
  policy: anyObject,
  policyFile: string,
  port: is("a port number (0-65535)", (v) => Number.isSafeInteger(v) && v >= 0 && v <= 65535),
  host: string,
  identity: withHostCookies(withIssuerAndAudience(object({
    ...identityMembers, claims: mapOf(claimPath, SECTION1),
    hs256SecretFile: string, publicKeyFile: string, jwksFile: string,
    oidc: oidcSchema({ clientSecretFile: string, sessionSecretFile: string }),
  }, { exclusive: [["hs256Secret", "hs256SecretFile"], ["publicKey", "publicKeyFile", "publicKeys"], ["jwks", "jwksFile"]] }))),
  share: object({ ...shareMembers, secret: string, secretFile: string }, { oneOf: [["secret", "secretFile"]] }),
  routes: arrayOf(object({ ...routeMembers, path: string, policyFile: string }, { required: ["path"] })),
  limits,
  upstreamHeaders: mapOf(string),
  upstreamCache,
  cacheLimits,
  cors: CORS,
  workers: WORKERS,
  pages: PAGES,
}, { required: ["upstream"], oneOf: [["policy", "policyFile"]] });
