// The policy JSON Schema (schema/keyhole-policy.schema.json, draft 2020-12) checked with a
// real validator (ajv) against every policy in tests/cases and the sample origin's: every
// policy the core compiles passes; every policy the core rejects is rejected by the schema
// too, except for errors a schema cannot express (listed below and in docs/policy-schema.md).
// The core stays the final word; the schema is for editors (completion, hover, inline errors).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import { loadKeyhole } from "../../wasm/index.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const schemaText = readFileSync(join(root, "schema/keyhole-policy.schema.json"), "utf8");
const schema = JSON.parse(schemaText);

// What the schema cannot say, by the core's message: references and graphs (cycles,
// @names that must exist), JSON-level facts (duplicate members, number spelling), depth.
export const INEXPRESSIBLE = [
  [/cycle in named audiences/, "a cycle among named audiences"],
  [/cycle in parents/, "a cycle in articles.parents"],
  [/unknown audience '@/, "an @name that no audience defines"],
  [/duplicate member/, "a repeated member name (JSON.parse keeps the last)"],
  [/keyhole must be 1/, "`keyhole` written as 1.0 or 1e0 (the same number to a JSON parser)"],
  // The core refuses capitals of every script (Unicode case mappings); the schema, ASCII ones.
  [/label names are lower case \(Confluence folds them\)$/, "a label name with a capital outside ASCII"],
];

function casePolicies() {
  const out = new Set();
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === "case.json") {
        const c = JSON.parse(readFileSync(p, "utf8"));
        const pol = resolve(dir, typeof c.policy === "string" ? c.policy : "policy.json");
        if (existsSync(pol)) out.add(pol);
      } else if (dir.endsWith("_policies") && name.endsWith(".json")) out.add(p);
    }
  };
  walk(join(root, "tests/cases"));
  for (const f of readdirSync(join(root, "edge/sample-origin")))
    if (/^policy.*\.json$/.test(f) && !f.endsWith(".test.json")) out.add(join(root, "edge/sample-origin", f));
  return [...out].sort();
}

test("the schema is draft 2020-12 and every member has a description", () => {
  assert.equal(schema.$schema, "https://json-schema.org/draft/2020-12/schema");
  const missing = [];
  const visit = (node, at) => {
    if (!node || typeof node !== "object") return;
    for (const [k, v] of Object.entries(node.properties ?? {})) {
      if (!v.description) missing.push(`${at}/properties/${k}`);
      visit(v, `${at}/properties/${k}`);
    }
    for (const [k, v] of Object.entries(node.$defs ?? {})) {
      if (!v.description) missing.push(`${at}/$defs/${k}`);
      visit(v, `${at}/$defs/${k}`);
    }
    for (const key of ["items", "additionalProperties", "not"]) if (node[key] && typeof node[key] === "object") visit(node[key], `${at}/${key}`);
    for (const key of ["anyOf", "oneOf"]) (node[key] ?? []).forEach((s, i) => visit(s, `${at}/${key}/${i}`));
  };
  visit(schema, "#");
  assert.deepEqual(missing, []);
});

test("both npm packages publish the schema, identical to schema/", () => {
  for (const pkg of ["wasm", "edge"]) {
    const manifest = JSON.parse(readFileSync(join(root, pkg, "package.json"), "utf8"));
    assert.equal(manifest.exports["./policy.schema.json"], "./keyhole-policy.schema.json", `${pkg} exports ./policy.schema.json`);
    assert.ok(manifest.files.includes("keyhole-policy.schema.json"), `${pkg} files include the schema`);
    assert.equal(readFileSync(join(root, pkg, "keyhole-policy.schema.json"), "utf8"), schemaText, `${pkg} copy is current`);
  }
});

test("every valid policy passes, every invalid one is rejected where a schema can say so", async (t) => {
  const kh = await loadKeyhole();
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  const validate = ajv.compile(schema);
  const policies = casePolicies();
  assert.ok(policies.length > 60, `found ${policies.length} policies`);
  const wrong = [], inexpressible = [];
  let valid = 0, rejected = 0;
  for (const file of policies) {
    const text = readFileSync(file, "utf8");
    let core = null;
    try { kh.compilePolicy(readFileSync(file)).dispose(); } catch (e) { core = e; }
    let doc, parsed = true;
    try { doc = JSON.parse(text); } catch { parsed = false; }
    const ok = parsed && validate(doc);
    const name = file.slice(root.length + 1);
    if (!core) {
      valid++;
      if (!ok) wrong.push(`${name}: valid for the core, schema says ${ajv.errorsText(validate.errors)}`);
    } else if (ok) {
      const known = INEXPRESSIBLE.find(([re]) => re.test(core.message));
      if (known) inexpressible.push(`${name}: ${known[1]}`);
      else wrong.push(`${name}: the core rejects it (${core.pointer}: ${core.message}), the schema accepts it`);
    } else rejected++;
  }
  t.diagnostic(`${valid} valid policies pass; ${rejected} invalid ones rejected; ${inexpressible.length} only the core can reject:`);
  for (const s of inexpressible) t.diagnostic(`  ${s}`);
  assert.deepEqual(wrong, []);
});
