// A Cloudflare Worker (workerd) serving Keyhole in front of an origin.
// wrangler.toml: main = "worker.js"; [vars] UPSTREAM = "https://status.example.com";
// secrets: POLICY (the policy JSON), JWT_SECRET, SHARE_SECRET.
// The wasm is imported as a precompiled WebAssembly.Module (workerd forbids compiling bytes).
import wasmModule from "@keyhole/wasm/keyhole.wasm";
import { createEdgeFilter } from "@keyhole/edge";

let edge;
export default {
  fetch(request, env, ctx) {
    edge ??= createEdgeFilter({
      policy: env.POLICY,
      upstream: env.UPSTREAM,
      identity: { algorithms: ["HS256"], hs256Secret: env.JWT_SECRET, issuer: env.ISSUER, audience: env.AUDIENCE, cookie: "keyhole_token" },
      share: { secret: env.SHARE_SECRET },
      routes: [
        { path: "/api/v2/**", format: "statuspage", cache: { audience: true, maxAge: 30 } },
        { path: "/wiki/rest/api/content", format: "confluence" },
        { path: "/wiki/rest/api/content/*", format: "confluence" },
        { path: "/rest/servicedeskapi/knowledgebase/article", format: "jsm" },
      ],
      wasm: { wasmModule },
    });
    return edge.fetch(request, env, ctx);
  },
};
