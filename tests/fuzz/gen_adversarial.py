#!/usr/bin/env python3
"""Writes the adversarial conformance cases into tests/cases/adversarial/.

Each case fails closed (exit 3) or is filtered with its canaries asserted absent.
Payload bytes are written exactly (BOM, NUL, invalid UTF-8 on purpose). Re-run to
regenerate; the 100 MB payload is not stored (see run_adversarial.sh)."""
import json, pathlib, shutil, sys

ROOT = pathlib.Path(__file__).resolve().parents[2] / "tests" / "cases" / "adversarial"

STATUS_POLICY = {
    "keyhole": 1,
    "audiences": {"staff": ["domain:acme.example", "group:staff"]},
    "status": {
        "default": {"allow": ["everyone"]},
        "components": {"secret": {"allow": ["@staff"], "inherit": False},
                       "sgroup": {"allow": ["@staff"], "inherit": False}},
        "incidents": {"mixed": "hide"},
    },
}
KB_POLICY = {
    "keyhole": 1,
    "audiences": {"staff": ["group:staff"]},
    "articles": {
        "default": {"allow": ["everyone"]},
        "pages": {"900": {"allow": ["@staff"], "inherit": False}},
        "labels": {"internal": {"deny": ["anonymous"]}},
    },
}

cases = []

def case(name, payload, exit, desc, canaries=(), contains=(), policy=STATUS_POLICY, mode=None, claims=None, raw_policy=None):
    if isinstance(payload, str):
        payload = payload.encode("utf-8")
    cases.append((name, payload, exit, desc, list(canaries), list(contains), policy, mode, claims, raw_policy))

def comp(id_, name, status="operational", extra=""):
    return '{"id":"%s","name":"%s","status":"%s"%s}' % (id_, name, status, extra)

PUB = comp("pub", "Public API")
def summary(components, incidents="[]"):
    return '{"page":{"id":"p"},"components":[%s],"incidents":%s,"status":{"indicator":"major","description":"x"}}' % (components, incidents)

# --- escaped member names and values ---
case("escaped-id-key", summary(PUB + ',{"\\u0069d":"secret","name":"CANARY-esc-id","status":"major_outage"}'), 0,
     '"\\u0069d" is id: the restricted component is still hidden', ["CANARY-esc-id"], ['"indicator":"none"', "Public API"])
case("escaped-group-id-key", summary(PUB + ',{"id":"m1","name":"CANARY-esc-group-member","status":"major_outage","group\\u005fid":"sgroup"},'
     '{"id":"sgroup","name":"CANARY-esc-group","status":"major_outage","group":true}'), 0,
     '"group\\u005fid" is group_id: the member of the staff-only group is hidden, and so is the group', ["CANARY-esc-group"], ["Public API"])
case("escaped-id-value", summary(PUB + ',{"id":"s\\u0065cr\\u0065t","name":"CANARY-esc-value","status":"major_outage"}'), 0,
     "an id value written with escapes is compared unescaped", ["CANARY-esc-value"], ["Public API"])
case("escaped-key-kept-as-written", summary('{"\\u0069d":"pub","n\\u0061me":"Public API","status":"operational"}'), 0,
     "kept member names are reproduced as written (escapes not re-encoded)", [], ['"\\u0069d":"pub"', '"n\\u0061me"'])
case("escaped-components-key", '{"page":{"id":"p"},"c\\u006fmponents":[%s,%s],"status":{"indicator":"major","description":"x"}}'
     % (PUB, comp("secret", "CANARY-esc-list", "major_outage")), 0,
     "an escaped top-level member name is recognised", ["CANARY-esc-list"], ["Public API"])
# --- duplicates ---
case("duplicate-id-in-component", summary('{"id":"pub","id":"secret","name":"CANARY-dup-id","status":"major_outage"}'), 3,
     "duplicate member names in a component fail closed", ["CANARY-dup-id"])
case("duplicate-id-escaped", summary('{"id":"pub","\\u0069d":"secret","name":"CANARY-dup-esc","status":"major_outage"}'), 3,
     "a duplicate spelled with an escape is still a duplicate", ["CANARY-dup-esc"])
case("duplicate-top-level-components", '{"components":[%s],"components":[%s],"status":{"indicator":"none","description":"x"}}'
     % (PUB, comp("secret", "CANARY-dup-top", "major_outage")), 3, "duplicate top-level member fails closed", ["CANARY-dup-top"])
case("duplicate-in-update", summary(PUB, '[{"id":"i1","name":"n","status":"resolved","impact":"none","components":[],'
     '"incident_updates":[{"id":"u","body":"a","body":"CANARY-dup-body"}]}]'), 3, "duplicate member in an update fails closed", ["CANARY-dup-body"])
case("duplicate-in-affected", summary(PUB, '[{"id":"i1","name":"n","status":"resolved","impact":"none","components":[],'
     '"incident_updates":[{"id":"u","body":"a","affected_components":[{"code":"pub","code":"secret","name":"CANARY-dup-aff"}]}]}]'), 3,
     "duplicate member in an affected component fails closed", ["CANARY-dup-aff"])
case("duplicate-status-banner", summary(PUB).replace('"status":{"indicator":"major"', '"status":{"indicator":"major","indicator":"critical"'), 3,
     "duplicate member in the banner object fails closed")
# --- unusual member order ---
case("member-order-reversed", '{"status":{"description":"x","indicator":"major"},"incidents":[],"components":[%s,%s,%s],"page":{"id":"p"}}'
     % ('{"status":"major_outage","name":"CANARY-order","group_id":"sgroup","id":"m2"}', '{"components":["m2","pub"],"status":"major_outage","group":true,"name":"G","id":"grp"}'.replace('"grp"', '"sgroup"'),
        '{"status":"operational","name":"Public API","id":"pub"}'), 0,
     "id last, group before its members, banner first: membership from the group's list still applies, so the staff-only group hides both members",
     ["CANARY-order", "Public API"], ['"indicator":"none"', '"components":[]'])
case("malformed-colon-in-array", '{"page":{"id":"p","tags":["a", "b": ["c"]}, "x"]},"components":[%s],"status":{"indicator":"none","description":"x"}}' % PUB, 3,
     "a member-style colon inside an array is malformed JSON: fail closed (found by fuzz_claims)")
case("malformed-colon-in-components", '{"components":[%s, "x": %s],"status":{"indicator":"none","description":"x"}}' % (PUB, comp("secret", "CANARY-colon", "major_outage")), 3,
     "malformed JSON in the components list fails closed", ["CANARY-colon"])
# --- BOM, NUL, UTF-8 ---
case("bom", b"\xef\xbb\xbf" + summary(PUB + "," + comp("secret", "CANARY-bom", "major_outage")).encode(), 0,
     "a leading UTF-8 byte order mark is skipped (RFC 8259 allows ignoring it) and the payload filtered; the BOM is not echoed",
     ["CANARY-bom"], ['{"page"'])
case("nul-raw-in-string", summary(PUB + ',' + comp("secret", "CANARY-nul\x00raw", "major_outage")), 3,
     "a raw NUL inside a string fails closed", ["CANARY-nul"])
case("nul-after-document", summary(PUB).encode() + b"\x00", 3, "a NUL after the document fails closed")
case("nul-escaped-kept", summary(comp("pub", "Pub\\u0000lic")), 0, "an escaped NUL is valid and kept as written", [], ["Pub\\u0000lic"])
case("invalid-utf8", summary(PUB).encode().replace(b"Public API", b"Public \xff API"), 3, "invalid UTF-8 fails closed")
case("overlong-utf8", summary(PUB).encode().replace(b"Public API", b"Public \xc0\xaf API"), 3, "overlong UTF-8 fails closed")
case("utf8-encoded-surrogate", summary(PUB).encode().replace(b"Public API", b"Public \xed\xa0\x80 API"), 3, "a UTF-8 encoded surrogate fails closed")
case("truncated-utf8", summary(PUB).encode().replace(b"Public API", b"Public \xe2\x82"), 3, "a truncated UTF-8 sequence fails closed")
case("lone-high-surrogate-escape", summary(comp("pub", "Pub\\ud800lic")), 3, "a lone high surrogate escape fails closed")
case("lone-low-surrogate-escape", summary(comp("pub", "Pub\\udc00lic")), 3, "a lone low surrogate escape fails closed")
case("lone-surrogate-in-key", summary('{"id":"pub","\\ud800":"x","name":"P","status":"operational"}'), 3, "a lone surrogate in a member name fails closed")
case("surrogate-pair-kept", summary(comp("pub", "Pub \\ud83d\\ude00")), 0, "a valid surrogate pair is kept as written", [], ["\\ud83d\\ude00"])
# --- numbers ---
case("numbers-kept-exactly", summary('{"id":"pub","name":"P","status":"operational","position":1e400,"tiny":-1e-400,"zero":-0,'
     '"big":123456789012345678901234567890,"frac":0.10000000000000000000001}'), 0, "numbers keep their text: 1e400, -0, 30-digit integers",
     [], ['"position":1e400', '"zero":-0', '"big":123456789012345678901234567890', '"frac":0.10000000000000000000001'])
for nm, bad in [("leading-zero", "01"), ("trailing-dot", "1."), ("bare-minus", "-"), ("nan", "NaN"), ("infinity", "Infinity"), ("plus", "+1"), ("hex", "0x10")]:
    case("number-invalid-" + nm, summary('{"id":"pub","name":"P","status":"operational","position":%s}' % bad), 3, "invalid number %s fails closed" % bad)
# --- nesting ---
case("nesting-10000", '{"page":{"id":"p","x":' + "[" * 10000 + "]" * 10000 + '},"components":[%s]}' % PUB, 3, "10,000 levels fail closed (limit 1024)")
case("nesting-10000-objects", '{"page":' + '{"a":' * 10000 + '1' + '}' * 10000 + ',"components":[%s]}' % PUB, 3, "10,000 object levels fail closed")
case("nesting-1000-ok", '{"page":{"id":"p","x":' + "[" * 1000 + "]" * 1000 + '},"components":[%s],"status":{"indicator":"major","description":"x"}}' % PUB, 0,
     "1,000 levels is within the limit", [], ["Public API"])
# --- truncated / trailing ---
full = summary(PUB + "," + comp("secret", "CANARY-trunc", "major_outage"))
for i, cut in enumerate([len(full) // 3, len(full) // 2, len(full) - 1]):
    case("truncated-%d" % i, full[:cut], 3, "a truncated document fails closed", ["CANARY-trunc"])
case("truncated-in-string", full[: full.index("CANARY-trunc") + 8], 3, "truncated inside a string fails closed", ["CANARY-tr"])
case("trailing-garbage", full + "x", 3, "content after the document fails closed", ["CANARY-trunc"])
case("two-documents", full + full, 3, "two concatenated documents fail closed", ["CANARY-trunc"])
case("trailing-comma", summary(PUB + ","), 3, "a trailing comma fails closed")
case("single-quotes", "{'components':[]}", 3, "single quotes are not JSON")
case("comment", '{"components":[] /* c */}', 3, "comments are not JSON")
# --- structure ---
case("component-id-equals-group-id", summary('{"id":"pub","name":"Public API","status":"operational","group_id":"secret"},'
     + comp("secret", "CANARY-id-is-group", "major_outage")), 0,
     "a component whose id is another's group_id is a group; its staff-only rule closes its members (inherit:false) and it has no shown member",
     ["CANARY-id-is-group", "Public API"], ['"indicator":"none"'])
case("group-id-self", summary('{"id":"secret","name":"CANARY-self-group","status":"major_outage","group_id":"secret"}'), 3,
     "a component naming itself as its group is a group in a group: inconsistent, fail closed", ["CANARY-self-group"])
case("incident-unknown-components", summary(PUB, '[{"id":"i1","name":"Ghost incident","status":"investigating","impact":"minor",'
     '"components":[{"id":"ghost","name":"Ghost"}],"incident_updates":[{"id":"u","body":"b","affected_components":[{"code":"ghost2","name":"G2"}]}]},'
     '{"id":"i2","name":"CANARY-only-secret-affected","status":"investigating","impact":"critical","components":[],'
     '"incident_updates":[{"id":"u2","body":"CANARY-secret-body","affected_components":[{"code":"secret","name":"CANARY-aff-name"}]}]}]'), 0,
     "components unknown to the payload are decided by the policy; an incident affecting only a hidden component (not listed at top level) is hidden",
     ["CANARY-only-secret-affected", "CANARY-secret-body", "CANARY-aff-name"], ["Ghost incident", '"indicator":"none"'])
case("components-object", '{"components":{"id":"secret","name":"CANARY-obj"}}', 3, "components as an object fails closed", ["CANARY-obj"])
case("component-array", '{"components":[["secret","CANARY-arr"]]}', 3, "a component as an array fails closed", ["CANARY-arr"])
case("component-string", '{"components":["secret"]}', 3, "a component as a string fails closed")
case("incidents-object", '{"incidents":{"id":"i","name":"CANARY-inc-obj"}}', 3, "incidents as an object fails closed", ["CANARY-inc-obj"])
case("status-array", '{"components":[%s],"status":["none"]}' % PUB, 3, "status as an array fails closed")
case("updates-object", summary(PUB, '[{"id":"i","name":"n","status":"resolved","impact":"none","incident_updates":{"id":"u"}}]'), 3, "incident_updates as an object fails closed")
case("affected-string", summary(PUB, '[{"id":"i","name":"n","status":"resolved","impact":"none","incident_updates":[{"id":"u","affected_components":"secret"}]}]'), 3,
     "affected_components as a string fails closed")
case("group-list-object", summary('{"id":"g","name":"G","status":"operational","group":true,"components":{"0":"pub"}}'), 3, "a group's components as an object fails closed")
case("id-number", summary('{"id":7,"name":"CANARY-num-id","status":"major_outage"}'), 3, "a component id that is not a string fails closed", ["CANARY-num-id"])
case("id-missing", summary('{"name":"CANARY-no-id","status":"major_outage"}'), 3, "a component without id fails closed", ["CANARY-no-id"])
case("top-level-array", "[%s]" % comp("secret", "CANARY-top-array"), 3, "a top-level array is not a known format", ["CANARY-top-array"])
case("unknown-top-member", '{"components":[%s],"secrets":{"name":"CANARY-unknown-top"}}' % PUB, 3, "unknown top-level members fail closed", ["CANARY-unknown-top"])
# --- empty ---
case("empty-file", b"", 3, "an empty payload fails closed")
case("whitespace-only", b" \n\t ", 3, "whitespace only fails closed")
case("empty-object", "{}", 3, "{} is no known format")
case("empty-array", "[]", 3, "[] is no known format")
case("null-document", "null", 3, "null is no known format")
case("string-document", '"components"', 3, "a scalar document fails closed")
# --- knowledge base ---
def kb(items, extra=""):
    return '{"results":[%s],"size":9,"totalSize":9,"_links":{}%s}' % (items, extra)
def page(id_, title, labels="[]", extra=""):
    return '{"id":"%s","type":"page","title":"%s","ancestors":[],"metadata":{"labels":{"results":%s}}%s}' % (id_, title, labels, extra)
case("kb-escaped-id", kb(page("100", "Public") + ',{"\\u0069d":"900","type":"page","title":"CANARY-kb-esc","ancestors":[],"metadata":{"labels":{"results":[]}}}'), 0,
     "an escaped id member on an article is honoured", ["CANARY-kb-esc"], ['"size":1'], policy=KB_POLICY)
case("kb-escaped-label-name", kb(page("100", "Public") + "," + page("101", "CANARY-kb-label", '[{"n\\u0061me":"intern\\u0061l"}]')), 0,
     "an escaped label name still matches the label rule", ["CANARY-kb-label"], ['"size":1'], policy=KB_POLICY)
case("kb-duplicate-item-member", kb('{"id":"100","id":"900","type":"page","title":"CANARY-kb-dup","ancestors":[],"metadata":{"labels":{"results":[]}}}'), 3,
     "duplicate member in an article fails closed", ["CANARY-kb-dup"], policy=KB_POLICY)
case("kb-duplicate-labels", kb('{"id":"101","type":"page","title":"CANARY-kb-dup-labels","ancestors":[],'
     '"metadata":{"labels":{"results":[]},"labels":{"results":[{"name":"internal"}]}}}'), 3,
     "duplicate member in metadata (read by the filter) fails closed (SPEC 8)", ["CANARY-kb-dup-labels"], policy=KB_POLICY)
case("kb-duplicate-restrictions-read", kb('{"id":"102","type":"page","title":"CANARY-kb-dup-read","ancestors":[],"metadata":{"labels":{"results":[]}},'
     '"restrictions":{"read":{"restrictions":{"user":{"results":[]},"group":{"results":[]}}},"read":{"restrictions":{"user":{"results":[{"accountId":"x"}]},"group":{"results":[]}}}}}'), 3,
     "duplicate member in restrictions (read by the filter) fails closed (SPEC 8)", ["CANARY-kb-dup-read"], policy=KB_POLICY)
case("kb-ancestor-title-hidden", kb('{"id":"100","type":"page","title":"Child","ancestors":[{"id":"900","title":"CANARY-kb-anc-title"}],"metadata":{"labels":{"results":[]}}}'), 0,
     "a hidden ancestor keeps only its id; the page below a staff-only (inherit:false) page is hidden too",
     ["CANARY-kb-anc-title"], [], policy=KB_POLICY)
case("kb-results-object", '{"results":{"id":"900","title":"CANARY-kb-obj"}}', 3, "results as an object fails closed", ["CANARY-kb-obj"], policy=KB_POLICY)
case("kb-item-array", '{"results":[["900","CANARY-kb-arr"]]}', 3, "an article as an array fails closed", ["CANARY-kb-arr"], policy=KB_POLICY)
case("kb-results-and-values", '{"results":[],"values":[]}', 3, "two list shapes at once is no known format", policy=KB_POLICY)

def main():
    if ROOT.exists():
        for d in ROOT.iterdir():
            if d.is_dir():
                shutil.rmtree(d)
    ROOT.mkdir(parents=True, exist_ok=True)
    for name, payload, exit, desc, canaries, contains, policy, mode, claims, raw_policy in cases:
        d = ROOT / name
        d.mkdir()
        c = {"description": desc, "exit": exit}
        if canaries: c["canaries"] = canaries
        if contains: c["contains"] = contains
        (d / "case.json").write_text(json.dumps(c, indent=2) + "\n")
        (d / "payload.json").write_bytes(payload)
        (d / "policy.json").write_text(json.dumps(policy, indent=2) + "\n")
    print("wrote %d cases to %s" % (len(cases), ROOT))

main()
