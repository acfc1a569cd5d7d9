// Keyhole as a Cloudflare Worker: the @keyhole/edge fetch handler in front of the origin in
// env.UPSTREAM, with the policy in policy.json (bundled) and the secrets JWT_SECRET and
// SHARE_SECRET (wrangler secret put). See wrangler.toml and edge/README.md ("Cloudflare").
import wasmModule from "@keyhole/wasm/keyhole.wasm";
import { createEdgeFilter } from "@keyhole/edge";
import policy from "./policy.json";

let edge = null;

function config(env) {
  const origins = String(env.CORS_ORIGINS ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  return {
    policy,
    upstream: env.UPSTREAM,
    identity: { algorithms: ["HS256"], hs256Secret: env.JWT_SECRET, issuer: env.ISSUER, audience: env.AUDIENCE, cookie: "keyhole_token" },
    share: { secret: env.SHARE_SECRET },
    routes: [
      { path: "/api/v2/**", format: "statuspage", cache: { audience: true, maxAge: 30 } },
      { path: "/wiki/rest/api/content", format: "confluence" },
      { path: "/wiki/rest/api/content/*", format: "confluence" },
      { path: "/rest/servicedeskapi/knowledgebase/article", format: "jsm" },
    ],
    ...(origins.length ? { cors: { origins, maxAge: 600 } } : {}),
    wasm: { wasmModule },
    log: (e) => { if (e.status >= 500) console.log(JSON.stringify(e)); },
  };
}

export default {
  fetch(request, env, ctx) {
    edge ??= createEdgeFilter(config(env)); // once per isolate: wasm loaded, policy compiled once
    return edge.fetch(request, env, ctx);
  },
};
