// /auth/login, /auth/callback and /auth/logout: the OIDC relying party's routes. login starts
// a transaction (state, nonce, PKCE verifier, where to return) sealed in a 10-minute cookie
// and redirects to the provider; callback checks it against the provider's answer, redeems
// the code, maps the verified ID token's claims through `identity.claims` (SPEC §1), has the
// core check them, and issues the session cookie; logout clears the session.
import { oidcClient, newTransaction, OidcError, FAILURE } from "./oidc-client.js";
import { failurePage } from "./auth-pages.js";

export const AUTH_PATHS = Object.freeze({ login: "/auth/login", callback: "/auth/callback", logout: "/auth/logout" });

/** Only a path on this site (with its query) is a place to return to: never another origin. */
export function safeReturn(value) {
  if (typeof value !== "string" || !value.startsWith("/") || value.startsWith("//") || /[\\\u0000-\u001f]/.test(value)) return "/";
  const u = new URL(value, "https://edge.invalid");
  const path = u.pathname + u.search;
  // Resolving dot segments can make "//host" of "/.//host" or "/a/..//host": a Location a
  // browser reads as another origin (review finding O5), so the result is checked too.
  return u.origin === "https://edge.invalid" && !path.startsWith("//") ? path : "/";
}

const redirect = (location, cookies = []) => {
  const headers = new Headers({ location, "cache-control": "no-store", "referrer-policy": "no-referrer" });
  for (const c of cookies) headers.append("set-cookie", c);
  return new Response(null, { status: 303, headers });
};

/**
 * authRoutes({ oidc, cookies, mapClaims, checkClaims, fetch, clockToleranceSeconds })
 *   -> async (request, path, info) => Response | null (null: not an /auth/ path)
 * checkClaims(claims) throws (code "claims") when the core refuses them.
 */
export function authRoutes({ oidc, cookies, mapClaims, checkClaims, fetch, clockToleranceSeconds }) {
  const client = oidcClient(oidc, { fetch, clockToleranceSeconds });

  async function login(request, info) {
    const tx = newTransaction(safeReturn(new URL(request.url).searchParams.get("return") ?? "/"));
    let target;
    try {
      target = await client.authorizationUrl(tx);
    } catch (e) {
      return fail(request, e, info);
    }
    return redirect(target.href, [await cookies.transaction.issue(tx)]);
  }

  async function callback(request, info) {
    const tx = await cookies.transaction.read(request);
    if (!tx) return fail(request, new OidcError(FAILURE.NO_TRANSACTION), info);
    let idClaims;
    try {
      idClaims = await client.redeem(new URL(request.url), tx);
    } catch (e) {
      return fail(request, e, info);
    }
    const claims = mapClaims(idClaims);
    try {
      if (typeof claims.sub !== "string" || claims.sub === "") throw new OidcError(FAILURE.CLAIMS, "no sub");
      await checkClaims(claims);
    } catch (e) {
      return fail(request, e instanceof OidcError ? e : new OidcError(FAILURE.CLAIMS, e?.message), info);
    }
    const display = [idClaims.email, idClaims.preferred_username, idClaims.name, claims.sub].find((v) => typeof v === "string" && v);
    const session = await cookies.session.issue(claims, display);
    if (!session) return fail(request, new OidcError(FAILURE.TOO_LARGE), info);
    info.auth = "signed-in";
    return redirect(safeReturn(tx.returnTo), [session, cookies.transaction.clear()]);
  }

  function logout(request, info) {
    info.auth = "signed-out";
    return redirect("/", [cookies.session.clear()]);
  }

  function fail(request, e, info) {
    if (!(e instanceof OidcError)) throw e; // an internal error: the handler's 502
    info.error = `oidc ${e.message}`.slice(0, 200);
    return failurePage(request, e.kind, [["set-cookie", cookies.transaction.clear()]]);
  }

  return async function route(request, path, info) {
    const method = request.method;
    if (path === AUTH_PATHS.login && (method === "GET" || method === "HEAD")) return login(request, info);
    if (path === AUTH_PATHS.callback && method === "GET") return callback(request, info);
    if (path === AUTH_PATHS.logout && (method === "POST" || method === "GET")) return logout(request, info);
    if (Object.values(AUTH_PATHS).includes(path)) {
      return new Response(null, { status: 405, headers: { allow: path === AUTH_PATHS.logout ? "GET, POST" : "GET", "cache-control": "no-store" } });
    }
    return null;
  };
}
