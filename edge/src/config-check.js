// A small schema checker for the edge configuration (finding X1): like the policy (SPEC §4),
// an unknown or mistyped member is an error naming its JSON pointer, never silently ignored,
// since a typo (`algoritms`, `routez`) must not start the proxy on the defaults.
// A schema is { describe, check(value, pointer) -> ConfigError | null }.

/** A configuration error: `.code` is "config", `.pointer` the JSON pointer of the member. */
export class ConfigError extends Error {
  constructor(pointer, problem) {
    super(`${pointer || "/"}: ${problem}`);
    this.name = "ConfigError";
    this.code = "config";
    this.pointer = pointer;
    this.problem = problem;
  }
}

const esc = (s) => String(s).replace(/~/g, "~0").replace(/\//g, "~1");
const at = (pointer, name) => `${pointer}/${esc(name)}`;

function editDistance(a, b) {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** ` (did you mean "x"?)` for the nearest valid name when it is close enough, else the list. */
export function suggestion(name, valid) {
  let best = null, bestD = Infinity;
  for (const v of valid) {
    const d = editDistance(name.toLowerCase(), v.toLowerCase());
    if (d < bestD) { best = v; bestD = d; }
  }
  if (best !== null && bestD <= Math.max(2, Math.floor(best.length / 3))) return ` (did you mean "${best}"?)`;
  return valid.length ? ` (expected one of ${valid.map((v) => `"${v}"`).join(", ")})` : "";
}

/** A leaf type: `test(value)` true when it fits. */
export const is = (describe, test) => ({ describe, check: (v, p) => (test(v) ? null : new ConfigError(p, `must be ${describe}`)) });

const kindOf = (v) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);

/**
 * One of several schemas (the first that fits). When the value has the shape of one of them
 * (an object for an object schema), that one's error is given: it names the inner member.
 */
export const anyOf = (...alts) => {
  const describe = alts.map((a) => a.describe).join(" or ");
  return {
    describe,
    check(v, p) {
      if (alts.some((a) => a.check(v, p) === null)) return null;
      const shaped = alts.filter((a) => a.kind && a.kind === kindOf(v));
      return shaped.length === 1 ? shaped[0].check(v, p) : new ConfigError(p, `must be ${describe}`);
    },
  };
};

/** A string from a fixed list, with a did-you-mean for near misses. */
export const oneOfValues = (values) => ({
  describe: `one of ${values.map((v) => `"${v}"`).join(", ")}`,
  check: (v, p) => (values.includes(v) ? null
    : new ConfigError(p, typeof v === "string" ? `unknown value "${v}"${suggestion(v, values)}` : `must be one of ${values.join(", ")}`)),
});

export const arrayOf = (item) => ({
  kind: "array",
  describe: `an array of ${item.describe}`,
  check(v, p) {
    if (!Array.isArray(v)) return new ConfigError(p, `must be an array of ${item.describe}`);
    for (let i = 0; i < v.length; i++) { const e = item.check(v[i], at(p, i)); if (e) return e; }
    return null;
  },
});

const plain = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** An object with free member names (a map), each value of `value`; `keys` limits the names. */
export const mapOf = (value, keys = null) => ({
  kind: "object",
  describe: "an object",
  check(v, p) {
    if (!plain(v)) return new ConfigError(p, "must be an object");
    for (const [k, x] of Object.entries(v)) {
      if (keys && !keys.includes(k)) return new ConfigError(at(p, k), `unknown member${suggestion(k, keys)}`);
      const e = value.check(x, at(p, k)); if (e) return e;
    }
    return null;
  },
});

/**
 * An object with exactly these members (undefined counts as absent). Options: required
 * (names), oneOf (groups of names of which exactly one must be given), exclusive (groups of
 * which at most one may be given).
 */
export const object = (members, { required = [], oneOf = [], exclusive = [] } = {}) => ({
  kind: "object",
  describe: "an object",
  check(v, p) {
    if (!plain(v)) return new ConfigError(p, "must be an object");
    const names = Object.keys(members);
    const given = (k) => v[k] !== undefined;
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      if (!Object.hasOwn(members, k)) return new ConfigError(at(p, k), `unknown member${suggestion(k, names)}`);
      const e = members[k].check(x, at(p, k)); if (e) return e;
    }
    for (const k of required) if (!given(k)) return new ConfigError(at(p, k), "missing (required)");
    for (const group of [...oneOf, ...exclusive]) {
      const n = group.filter(given).length;
      if (n > 1 || (n === 0 && oneOf.includes(group))) {
        const list = group.map((g) => `"${g}"`).join(", ");
        return new ConfigError(n ? at(p, group.filter(given)[1]) : p, `give ${oneOf.includes(group) ? "exactly" : "at most"} one of ${list}`);
      }
    }
    return null;
  },
});

/** Throws the first ConfigError of `value` against `schema`. */
export function assertValid(value, schema) {
  const e = schema.check(value, "");
  if (e) throw e;
}
