// The `identity.oidc` and `pages` members of the edge configuration (config-schema.js uses
// them): the shape, then what a shape cannot say. An http issuer or redirect URI only on
// loopback; the redirect URI ends in /auth/callback; "openid" among the scopes; a session
// secret of at least 32 bytes; a bounded session lifetime.
import { is, arrayOf, oneOfValues, object, ConfigError } from "../config-check.js";
import { LOOPBACK_HOSTS, MAX_SESSION_TTL, securedBy } from "./session.js";
import { MIN_SECRET_BYTES } from "./sealed.js";

const string = is("a string", (v) => typeof v === "string");
const positive = is("a whole number > 0", (v) => Number.isSafeInteger(v) && v > 0);
const bytes = is("a string or a Uint8Array", (v) => typeof v === "string" || v instanceof Uint8Array);
const path = is('a path starting with "/"', (v) => typeof v === "string" && /^\/(?!\/)/.test(v));
export const CLIENT_AUTH = ["client_secret_basic", "client_secret_post", "none"];

const MEMBERS = {
  issuer: string, clientId: string, clientSecret: string, redirectUri: string, scopes: arrayOf(string),
  sessionSecret: bytes, sessionTtlSeconds: positive, sessionCookie: string, prompt: string,
  clientAuth: oneOfValues(CLIENT_AUTH), timeoutMs: positive,
};

function urlProblem(text, { callback }) {
  let u;
  try { u = new URL(text); } catch { return "must be an absolute URL"; }
  if (u.protocol !== "https:" && !(u.protocol === "http:" && LOOPBACK_HOSTS.includes(u.hostname))) return "must be https (http only on localhost / 127.0.0.1 / [::1])";
  if (callback && u.pathname !== "/auth/callback") return 'must end in the edge\'s "/auth/callback"';
  if (u.hash) return "must not have a fragment";
  return null;
}

/** What the shape cannot say; `secrets`: the secrets are given inline (not yet as files). */
function semantics(v, p, secrets) {
  const bad = (member, problem) => new ConfigError(`${p}/${member}`, problem);
  for (const [m, callback] of [["issuer", false], ["redirectUri", true]]) {
    const why = urlProblem(v[m], { callback });
    if (why) return bad(m, why);
  }
  if (v.scopes && !v.scopes.includes("openid")) return bad("scopes", 'must include "openid"');
  if (v.sessionTtlSeconds > MAX_SESSION_TTL) return bad("sessionTtlSeconds", `must be at most ${MAX_SESSION_TTL} (30 days)`);
  if ((v.clientAuth ?? "client_secret_basic") !== "none" && v.clientSecret === undefined && v.clientSecretFile === undefined) return bad("clientSecret", "missing (required unless clientAuth is \"none\")");
  const secretLength = typeof v.sessionSecret === "string" ? new TextEncoder().encode(v.sessionSecret).length : v.sessionSecret?.length;
  if (secrets && secretLength < MIN_SECRET_BYTES) return bad("sessionSecret", `must be at least ${MIN_SECRET_BYTES} bytes`);
  if (v.sessionCookie !== undefined) {
    if (!/^(__Host-)?[A-Za-z0-9_.-]+$/.test(v.sessionCookie)) return bad("sessionCookie", "must be a cookie name (letters, digits, _ . -)");
    if (v.sessionCookie.startsWith("__Host-") && !securedBy(v.redirectUri)) return bad("sessionCookie", "a __Host- cookie needs an https redirectUri");
    if (!v.sessionCookie.startsWith("__Host-") && securedBy(v.redirectUri)) return bad("sessionCookie", HOST_ONLY);
  }
  return null;
}

/** The oidc schema; `fileMembers`: a config file's *File members, given instead of inline secrets. */
export function oidcSchema(fileMembers = null) {
  const shape = fileMembers
    ? object({ ...MEMBERS, ...fileMembers }, { required: ["issuer", "clientId", "redirectUri"], oneOf: [["sessionSecret", "sessionSecretFile"]], exclusive: [["clientSecret", "clientSecretFile"]] })
    : object(MEMBERS, { required: ["issuer", "clientId", "redirectUri", "sessionSecret"] });
  return {
    kind: "object",
    describe: "an object",
    check(v, p) { return shape.check(v, p) ?? semantics(v, p, !fileMembers || v.sessionSecret !== undefined); },
  };
}

const HOST_ONLY = "with sign-in over https, must be a __Host- name: a sibling subdomain can plant a cookie of any other name (review O7)";

/** `identity` with sign-in over https: a JWT cookie (read when JWTs are accepted) must be a
 *  __Host- name too, or a planted valid JWT of the attacker's would replace the viewer's session. */
export function withHostCookies(identitySchema) {
  return {
    ...identitySchema,
    check(v, p) {
      const problem = identitySchema.check(v, p);
      if (problem || !v?.oidc || !securedBy(v.oidc.redirectUri)) return problem;
      const acceptsJwts = (v.algorithms?.length ?? 0) > 0 || v.hs256Secret !== undefined || v.hs256SecretFile !== undefined;
      const cookie = v.cookie === undefined ? "keyhole_token" : v.cookie;
      if (acceptsJwts && cookie && !cookie.startsWith("__Host-")) return new ConfigError(`${p}/cookie`, `${HOST_ONLY}; or null to read JWTs from Authorization only`);
      return null;
    },
  };
}

export const PAGES = object({ title: string, statusSource: path, helpSource: path });
