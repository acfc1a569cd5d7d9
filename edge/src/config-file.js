// Node only: reads a `keyhole-edge --config` JSON file. The file is checked before anything
// is used (finding X1): duplicate members, unknown or mistyped members are refused with the
// JSON pointer and a did-you-mean; then file references are resolved relative to the file.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { assertValid, ConfigError } from "./config-check.js";
import { CONFIG_FILE } from "./config-schema.js";
import { findDuplicateMember } from "./json-duplicates.js";

/** Thrown for anything wrong with the file; `message` starts with the file name. */
export class ConfigFileError extends Error {
  constructor(file, message, pointer) { super(`${file}: ${message}`); this.code = "config"; this.file = file; this.pointer = pointer; }
}

function read(file, what = file) {
  try { return readFileSync(file, "utf8"); } catch (e) { throw new ConfigFileError(what, `cannot read ${file}: ${e.code ?? e.message}`); }
}

/** The file's JSON, checked against CONFIG_FILE. */
function parseChecked(file) {
  const text = read(file);
  let c;
  try { c = JSON.parse(text); } catch (e) { throw new ConfigFileError(file, e.message); }
  const dup = findDuplicateMember(text);
  if (dup) throw new ConfigFileError(file, `${dup}: duplicate member`, dup);
  try { assertValid(c, CONFIG_FILE); } catch (e) {
    if (e instanceof ConfigError) throw new ConfigFileError(file, e.message, e.pointer);
    throw e;
  }
  return c;
}

/**
 * loadConfigFile(file) -> { edge, listen: { port, host }, workers }
 *   edge: the createEdgeFilter config (secrets, keys and policies read from their files)
 */
export function loadConfigFile(file) {
  const c = parseChecked(file);
  const rel = (p) => resolve(dirname(resolve(file)), p);
  const secret = (p) => read(rel(p), file).replace(/\r?\n$/, "");
  const routes = c.routes?.map(({ policyFile, ...r }) => (policyFile ? { ...r, policy: read(rel(policyFile), file) } : r));
  const { hs256SecretFile, publicKeyFile, jwksFile, ...id } = c.identity ?? {};
  if (hs256SecretFile) id.hs256Secret = secret(hs256SecretFile);
  if (id.oidc) {
    const { clientSecretFile, sessionSecretFile, ...oidc } = id.oidc;
    if (clientSecretFile) oidc.clientSecret = secret(clientSecretFile);
    if (sessionSecretFile) oidc.sessionSecret = secret(sessionSecretFile);
    id.oidc = oidc;
  }
  if (publicKeyFile) id.publicKey = read(rel(publicKeyFile), file);
  if (jwksFile) {
    try { id.jwks = JSON.parse(read(rel(jwksFile), file)); } catch (e) { throw new ConfigFileError(file, `/identity/jwksFile: ${e.message}`, "/identity/jwksFile"); }
  }
  let share;
  if (c.share) {
    const { secretFile, ...rest } = c.share;
    share = secretFile ? { ...rest, secret: secret(secretFile) } : rest;
  }
  const edge = {
    upstream: c.upstream, policy: c.policyFile ? read(rel(c.policyFile), file) : c.policy,
    routes, identity: id, share, limits: c.limits, upstreamHeaders: c.upstreamHeaders,
    upstreamCache: c.upstreamCache, cacheLimits: c.cacheLimits, cors: c.cors, pages: c.pages,
  };
  return { edge, listen: { port: c.port, host: c.host }, workers: c.workers };
}
