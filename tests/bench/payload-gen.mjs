// The generated benchmark payloads of tests/bench/payload_gen.h, byte for byte, in JS:
// the same std::mt19937 sequence (ported below), the same shapes, the same policy text.
// compare.mjs checks the equality against keyhole_bench's out_bytes counter.

// std::mt19937 with the default seeding of std::mt19937(seed).
export function mt19937(seed) {
  const mt = new Uint32Array(624);
  let idx = 624;
  mt[0] = seed >>> 0;
  for (let i = 1; i < 624; i++) {
    const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
    // 1812433253 * prev + i, mod 2^32, without losing precision
    mt[i] = (((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i) >>> 0;
  }
  const twist = () => {
    for (let i = 0; i < 624; i++) {
      const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
      let v = mt[(i + 397) % 624] ^ (y >>> 1);
      if (y & 1) v ^= 0x9908b0df;
      mt[i] = v >>> 0;
    }
    idx = 0;
  };
  return () => {
    if (idx >= 624) twist();
    let y = mt[idx++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };
}

const id = (p, i) => `${p}${100000 + i}`;

/** A status summary with groups, components and unresolved incidents, ~`target` bytes. */
export function statusSummary(target, seed = 7) {
  const rng = mt19937(seed);
  const statuses = ["operational", "operational", "operational", "degraded_performance", "partial_outage"];
  const comps = [], incs = [];
  let compsLen = 0, incsLen = 0, n = 0;
  while (compsLen + incsLen < target) {
    const g = Math.floor(n / 10);
    let s;
    if (n % 10 === 0) {
      s = (compsLen === 0 ? "" : ",") +
        `{"id":"${id("grp", g)}","name":"Region ${g}","status":"operational","created_at":"2024-01-01T00:00:00.000Z","updated_at":"2024-06-01T00:00:00.000Z","position":${n},"description":null,"showcase":false,"start_date":null,"group_id":null,"page_id":"pg1","group":true,"only_show_if_degraded":false,"components":[`;
      for (let k = 0; k < 9; k++) s += (k ? ',"' : '"') + id("cmp", n + k + 1) + '"';
      s += "]}";
    } else {
      s = `,{"id":"${id("cmp", n)}","name":"Service ${n}","status":"${statuses[rng() % 5]}","created_at":"2024-01-01T00:00:00.000Z","updated_at":"2024-06-01T00:00:00.000Z","position":${n},"description":"Latency and errors of service ${n}","showcase":true,"start_date":null,"group_id":"${id("grp", g)}","page_id":"pg1","group":false,"only_show_if_degraded":false}`;
      if (rng() % 8 === 0) {
        const inc = (incsLen === 0 ? "" : ",") +
          `{"id":"${id("inc", n)}","name":"Elevated errors on service ${n}","status":"investigating","created_at":"2024-06-01T00:00:00.000Z","updated_at":"2024-06-01T00:10:00.000Z","monitoring_at":null,"resolved_at":null,"impact":"minor","shortlink":"https://stspg.io/x","started_at":"2024-06-01T00:00:00.000Z","page_id":"pg1","incident_updates":[{"id":"${id("upd", n)}","status":"investigating","body":"We are investigating elevated error rates.","incident_id":"${id("inc", n)}","created_at":"2024-06-01T00:00:00.000Z","updated_at":"2024-06-01T00:00:00.000Z","display_at":"2024-06-01T00:00:00.000Z","affected_components":[{"code":"${id("cmp", n)}","name":"Service ${n}","old_status":"operational","new_status":"degraded_performance"}],"deliver_notifications":true,"custom_tweet":null,"tweet_id":null}],"components":[{"id":"${id("cmp", n)}","name":"Service ${n}","status":"degraded_performance","group_id":"${id("grp", g)}","group":false}]}`;
        incs.push(inc);
        incsLen += inc.length;
      }
    }
    comps.push(s);
    compsLen += s.length;
    n++;
  }
  return `{"page":{"id":"pg1","name":"Bench","url":"https://status.example","time_zone":"Etc/UTC","updated_at":"2024-06-01T00:00:00.000Z"},"components":[${comps.join("")}],"incidents":[${incs.join("")}],"scheduled_maintenances":[],"status":{"indicator":"minor","description":"Minor Service Outage"}}`;
}

/**
 * The groups the benchmark policy restricts: every even group below this number is for
 * customers only (3,900 rules, the policy size issue 13 measured with). A 16 MB summary has
 * 3,798 groups, so at every generated size half of them are restricted and a viewer who
 * is not a customer keeps the same share (~45%) of the payload: the per-MB rows compare
 * the same job at two sizes. (With 200 rules, groups past 400 were all public and at
 * 16 MB such a viewer kept 85%, a different job.) kStatusPolicyGroups in payload_gen.h.
 */
export const STATUS_POLICY_GROUPS = 7800;
/** How the reports name that policy: "3,900 rules, every even group below 7,800". */
export const STATUS_POLICY_TEXT =
  `${(STATUS_POLICY_GROUPS / 2).toLocaleString("en-US")} rules, every even group below ${STATUS_POLICY_GROUPS.toLocaleString("en-US")}`;

/** The policy used with both generated payloads (status_policy() in payload_gen.h). */
export function statusPolicy() {
  const comps = [];
  for (let g = 0; g < STATUS_POLICY_GROUPS; g += 2) comps.push(`"grp${100000 + g}":{"allow":["@customer"],"inherit":false}`);
  return '{"keyhole":1,"audiences":{"staff":["domain:acme.example","group:staff"],"customer":["org:*","@staff"]},' +
    `"status":{"default":{"allow":["everyone"]},"components":{${comps.join(",")}},"incidents":{"mixed":"redact","redact-text":"Details for affected customers."},` +
    '"disclose":[{"field":"update.body","allow":["signed-in"],"replace":"Sign in to read the details."},' +
    '{"field":"component.description","allow":["@staff"]}]},' +
    '"articles":{"default":{"allow":["@staff"]},"spaces":{"KB":{"allow":["everyone"]}},' +
    '"labels":{"customer-globex":{"allow":["org:globex"]}},"pages":{"500010":{"allow":["org:globex"]}}}}';
}

/** A Confluence v1 search result with spaces, ancestors (depth up to `depth`) and labels. */
export function confluenceSearch(target, depth = 4, seed = 11) {
  const rng = mt19937(seed);
  const spaces = ["KB", "KB", "KB", "ENG", "SALES"];
  const items = [];
  let len = 0, n = 0;
  while (len < target) {
    const space = spaces[rng() % 5];
    const d = depth <= 4 ? rng() % (depth + 1) : depth;
    const anc = [];
    for (let k = 0; k < d; k++) anc.push(`{"id":"${500000 + k}","type":"page","status":"current","title":"Section ${k}"}`);
    const label = rng() % 4 === 0 ? "customer-globex" : "faq";
    const pid = 600000 + n;
    const s = (len === 0 ? "" : ",") +
      `{"content":{"id":"${pid}","type":"page","status":"current","title":"How to configure feature ${n}","space":{"id":1,"key":"${space}","name":"Space ${space}","type":"global"},"ancestors":[${anc.join(",")}],"metadata":{"labels":{"results":[{"prefix":"global","name":"${label}","id":"77"}],"start":0,"limit":200,"size":1}},"_links":{"webui":"/spaces/${space}/pages/${pid}"}},"title":"How to configure feature ${n}","excerpt":"Step by step: enable the feature, then check the result in the dashboard.","url":"/spaces/${space}/pages/${pid}","entityType":"content","lastModified":"2024-05-01T10:00:00.000Z","score":${rng() % 100}.5}`;
    items.push(s);
    len += s.length;
    n++;
  }
  return `{"results":[${items.join("")}],"start":0,"limit":${n},"size":${n},"totalSize":${n},"cqlQuery":"type=page","searchDuration":42,"_links":{"base":"https://wiki.example","context":""}}`;
}

/** A policy the size of a large status page, `rules` component rules over two named
 *  audiences and 50 org atoms: large_policy() of filter_bench.cpp, byte for byte (issue 13:
 *  policy compile of ~3,900 rules). */
export function largePolicy(rules = 3900) {
  const comps = [];
  for (let i = 0; i < rules; i++) comps.push(`"c${100000 + i}":{"allow":["@customer","org:o${i % 50}"],"inherit":false}`);
  return '{"keyhole":1,"audiences":{"staff":["domain:acme.example","group:staff"],"customer":["org:*","@staff"]},' +
    `"status":{"default":{"allow":["everyone"]},"components":{${comps.join(",")}}}}`;
}
