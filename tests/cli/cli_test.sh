#!/usr/bin/env bash
# The `keyhole` CLI contract (SPEC §9): exit codes, nothing on stdout unless the
# exit code is 0, errors naming the file and JSON pointer, and no canary from a
# restricted fixture in any persona's output.
set -u
KEYHOLE="${1:?usage: cli_test.sh path/to/keyhole}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FIX="$HERE/../fixtures"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect NAME WANT_EXIT [STDERR_SUBSTRING] -- ARGS...
expect() {
  local name="$1" want="$2" errsub="$3"; shift 4
  "$KEYHOLE" "$@" > "$TMP/out" 2> "$TMP/err"
  local rc=$?
  if [ "$rc" -ne "$want" ]; then bad "$name: exit $rc, want $want ($(head -c 300 "$TMP/err"))"; return; fi
  # Exit 1 is test/diff's "no": their report is the answer, on stdout.
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && [ -s "$TMP/out" ]; then bad "$name: wrote to stdout on exit $rc"; return; fi
  if [ -n "$errsub" ] && ! grep -qF -- "$errsub" "$TMP/err"; then bad "$name: stderr lacks '$errsub': $(cat "$TMP/err")"; return; fi
  ok
}

cat > "$TMP/policy.json" <<'JSON'
{"keyhole":1,
 "audiences":{"staff":["domain:acme.example","group:staff"],"customer":["org:*","@staff"]},
 "status":{"default":{"allow":["everyone"]},
   "components":{"CANARY-restricted-component":{"allow":["@staff"],"inherit":false}},
   "incidents":{"mixed":"hide"},
   "disclose":[{"field":"update.body","allow":["signed-in"],"replace":"Sign in to read the details."}]}}
JSON
cat > "$TMP/bad-policy.json" <<'JSON'
{"keyhole":1,"status":{"default":{"allow":["everyone","org:"]}}}
JSON
cat > "$TMP/payload.json" <<'JSON'
{"page":{"id":"p1","name":"Demo"},
 "components":[
  {"id":"pub","name":"Public API","status":"operational","group_id":null,"group":false},
  {"id":"CANARY-restricted-component","name":"CANARY-internal-billing","status":"major_outage","group_id":null,"group":false}],
 "incidents":[{"id":"i1","name":"CANARY-billing-incident","status":"investigating","impact":"major",
   "components":[{"id":"CANARY-restricted-component","name":"CANARY-internal-billing","status":"major_outage"}],
   "incident_updates":[{"id":"u1","body":"CANARY-billing-body","affected_components":[{"code":"CANARY-restricted-component","name":"CANARY-internal-billing"}]}]}],
 "scheduled_maintenances":[],
 "status":{"indicator":"major","description":"Partial System Outage"}}
JSON
echo '{}' > "$TMP/anon.json"
echo '{"sub":"s1","email":"ops@acme.example","email_verified":true}' > "$TMP/staff.json"
echo '{"sub":"x","sub":"y"}' > "$TMP/dup-claims.json"

expect "anonymous filter" 0 "" -- filter --policy "$TMP/policy.json" --anonymous "$TMP/payload.json"
if grep -q CANARY "$TMP/out"; then bad "anonymous output leaks a canary"; else ok; fi
grep -q '"indicator":"none"' "$TMP/out" && ok || bad "banner not recomputed for anonymous"
expect "staff filter" 0 "" -- filter --policy "$TMP/policy.json" --claims "$TMP/staff.json" "$TMP/payload.json"
grep -q 'CANARY-internal-billing' "$TMP/out" && ok || bad "staff should see the restricted component"
expect "stdin payload" 0 "" -- filter --policy "$TMP/policy.json" --anonymous - < "$TMP/payload.json"
[ "$(tail -c 1 "$TMP/out")" = "}" ] && ok || bad "output must end at the closing brace (compact, no newline)"
expect "bad policy names file and pointer" 2 "/status/default/allow/1" -- filter --policy "$TMP/bad-policy.json" --anonymous "$TMP/payload.json"
grep -qF "bad-policy.json" "$TMP/err" && ok || bad "policy error should name the file"
expect "check good" 0 "" -- check "$TMP/policy.json"
expect "check bad" 2 "/status/default/allow/1" -- check "$TMP/bad-policy.json"
expect "duplicate claims" 2 "/sub" -- filter --policy "$TMP/policy.json" --claims "$TMP/dup-claims.json" "$TMP/payload.json"
expect "no claims option means anonymous" 0 "" -- filter --policy "$TMP/policy.json" "$TMP/payload.json"
if grep -q CANARY "$TMP/out"; then bad "the default viewer must be anonymous"; else ok; fi
expect "both claims options" 2 "" -- filter --policy "$TMP/policy.json" --anonymous --claims "$TMP/staff.json" "$TMP/payload.json"
expect "unknown format" 2 "" -- filter --policy "$TMP/policy.json" --anonymous --format xml "$TMP/payload.json"
expect "unknown command" 2 "" -- frobnicate
printf '{"page":{"id":"p1"' > "$TMP/truncated.json"
expect "truncated payload" 3 "truncated.json" -- filter --policy "$TMP/policy.json" --anonymous "$TMP/truncated.json"
printf '{"page":{"id":"\xff"}}' > "$TMP/badutf8.json"
expect "invalid utf-8" 3 "" -- filter --policy "$TMP/policy.json" --anonymous "$TMP/badutf8.json"
expect "size limit" 3 "" -- filter --policy "$TMP/policy.json" --anonymous --max-bytes 64 "$TMP/payload.json"
expect "wrong explicit format" 3 "" -- filter --policy "$TMP/policy.json" --anonymous --format jsm "$TMP/payload.json"
cat > "$TMP/single.json" <<'JSON'
{"id":"i9","name":"x","status":"investigating","impact":"minor","components":[{"id":"CANARY-restricted-component","name":"n"}],"incident_updates":[]}
JSON
expect "hidden single incident" 4 "" -- filter --policy "$TMP/policy.json" --anonymous "$TMP/single.json"
expect "explain" 0 "" -- explain --policy "$TMP/policy.json" --anonymous "$TMP/payload.json"
grep -q '"kind":"component","id":"CANARY-restricted-component","shown":false' "$TMP/out" && ok || bad "explain should list the hidden component"
expect "audience key" 0 "" -- audience-key --policy "$TMP/policy.json" --claims "$TMP/staff.json"
k1=$(cat "$TMP/out")
"$KEYHOLE" audience-key --policy "$TMP/policy.json" --anonymous > "$TMP/out2"
[ -n "$k1" ] && [ "$k1" != "$(cat "$TMP/out2")" ] && ok || bad "staff and anonymous must have different audience keys"

# status.json from the filtered summary: page and the recomputed banner only, no canary.
expect "status-json projection" 0 "" -- filter --policy "$TMP/policy.json" --anonymous --output status-json "$TMP/payload.json"
[ "$(cat "$TMP/out")" = '{"page":{"id":"p1","name":"Demo"},"status":{"indicator":"none","description":"All Systems Operational"}}' ] && ok || bad "status-json: $(cat "$TMP/out")"
expect "status-json needs components" 3 "" -- filter --policy "$TMP/policy.json" --claims "$TMP/staff.json" --output status-json "$TMP/single.json"
expect "unknown output" 2 "" -- filter --policy "$TMP/policy.json" --anonymous --output yaml "$TMP/payload.json"
# Audience keys per format (SPEC §10, finding E2): two viewers who differ only in sub share
# a status key, not a knowledge-base one (embedded restrictions are on by default).
echo '{"sub":"ann"}' > "$TMP/ann.json"; echo '{"sub":"bob"}' > "$TMP/bob.json"
key() { "$KEYHOLE" audience-key --policy "$TMP/policy.json" --claims "$1" --format "$2"; }
[ "$(key "$TMP/ann.json" statuspage)" = "$(key "$TMP/bob.json" statuspage)" ] && ok || bad "status keys should not depend on sub"
[ "$(key "$TMP/ann.json" confluence)" != "$(key "$TMP/bob.json" confluence)" ] && ok || bad "knowledge-base keys must cover sub"
# Explain is the versioned document of docs/explain.md.
expect "explain document" 0 "" -- explain --policy "$TMP/policy.json" --anonymous "$TMP/payload.json"
grep -q '^{"explain":1,"format":"statuspage"' "$TMP/out" && grep -q '"decided_by":{"step":"not-allowed","reset_at":"component:CANARY-restricted-component"}' "$TMP/out" && ok || bad "explain document: $(head -c 300 "$TMP/out")"
# A named-audience chain of any length compiles (finding D3: no recursion along it).
python3 - "$TMP/chain.json" <<'PY'
import json, sys
n = 100000
aud = {f"a{i}": [f"@a{i+1}"] for i in range(n)}
aud[f"a{n}"] = ["everyone"]
json.dump({"keyhole": 1, "audiences": aud, "status": {"default": {"allow": ["@a0"]}}}, open(sys.argv[1], "w"))
PY
expect "100,000-deep audience chain" 0 "" -- check "$TMP/chain.json"

# Every real status fixture, every persona: exits 0 and never prints a canary it may not see.
for f in "$FIX"/statuspage/*.json; do
  for who in anon staff; do
    claims=(--anonymous); [ "$who" = staff ] && claims=(--claims "$TMP/staff.json")
    "$KEYHOLE" filter --policy "$TMP/policy.json" "${claims[@]}" "$f" > "$TMP/out" 2> "$TMP/err"
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 4 ]; then bad "$(basename "$f") as $who: exit $rc $(cat "$TMP/err")"; continue; fi
    if [ "$who" = anon ] && grep -q "CANARY-restricted" "$TMP/out"; then bad "$(basename "$f"): canary leaked"; continue; fi
    ok
  done
done

# Policy authoring (issue 16): keyhole test, keyhole diff, explain --output text, did you mean.
ORIGIN="$HERE/../../edge/sample-origin"
expect "sample origin policy tests" 0 "" -- test "$ORIGIN"
grep -qE '^[0-9]+ passed, 0 failed$' "$TMP/out" && ok || bad "test tally: $(tail -1 "$TMP/out")"
mkdir -p "$TMP/t"
cp "$TMP/policy.json" "$TMP/t/policy.json"; cp "$TMP/payload.json" "$TMP/t/summary.json"
cat > "$TMP/t/fails.test.json" <<'JSON'
{"keyhole-test":1,"policy":"policy.json","payloads":{"summary.json":"summary.json"},
 "viewers":{"anon":{},"staff":{"sub":"s1","email":"ops@acme.example","email_verified":true}},
 "expect":[{"viewer":"anon","payload":"summary.json","visible":{"component":["CANARY-restricted-component"]},"hidden":{"component":["pub"]},"indicator":"none","excludes":["CANARY-"]},
           {"viewer":"staff","visible":{"component":["CANARY-restricted-component"]},"indicator":"major","contains":["CANARY-internal-billing"]}]}
JSON
expect "failing expectations exit 1" 1 "" -- test "$TMP/t/fails.test.json"
grep -qF 'FAIL viewer anon on summary.json: component CANARY-restricted-component hidden, expected visible' "$TMP/out" && ok || bad "FAIL line: $(cat "$TMP/out")"
grep -qF 'FAIL viewer anon on summary.json: component pub visible, expected hidden' "$TMP/out" && ok || bad "FAIL line for pub"
grep -qx '5 passed, 2 failed' "$TMP/out" && ok || bad "tally: $(tail -1 "$TMP/out")"
expect "test --format json" 1 "" -- test --format json "$TMP/t/fails.test.json"
grep -q '^{"passed":5,"failed":2,' "$TMP/out" && ok || bad "json report: $(cat "$TMP/out")"
echo '{"keyhole-test":1,"policy":"policy.json","payloads":{"s":"summary.json"},"viewers":{"a":{}},"expect":[]}' > "$TMP/t/empty.test.json"
expect "no expectations fails" 1 "" -- test "$TMP/t/empty.test.json"
grep -qF 'no expectations' "$TMP/out" && ok || bad "no expectations: $(cat "$TMP/out")"
echo '{"keyhole-test":1,"policy":"policy.json","payloads":{"s":"summary.json"},"viewers":{"a":{}},"expect":[{"viewer":"a","hidden":{"componet":["x"]}}]}' > "$TMP/bad1.test.json"
cp "$TMP/policy.json" "$TMP/summary.json" 2>/dev/null; cp "$TMP/payload.json" "$TMP/summary.json"
expect "malformed test file names file and pointer" 2 "/expect/0/hidden/componet" -- test "$TMP/bad1.test.json"
grep -qF "bad1.test.json" "$TMP/err" && ok || bad "malformed test file should be named"
echo '{"keyhole-test":1,"policy":"policy.json","payloads":{"s":"summary.json"},"viewers":{"a":{"sub":""}},"expect":[{"viewer":"a","excludes":["x"]}]}' > "$TMP/bad2.test.json"
expect "malformed inline viewer" 2 "/viewers/a/sub" -- test "$TMP/bad2.test.json"
echo '{"keyhole-test":1,"policy":"policy.json","payloads":{"s":"truncated.json"},"viewers":{"a":{}},"expect":[{"viewer":"a","excludes":["x"]}]}' > "$TMP/bad3.test.json"
expect "malformed payload" 2 "truncated.json" -- test "$TMP/bad3.test.json"
echo '{"keyhole-test":1,"policy":"policy.json","payloads":{"s":"truncated.json"},"viewers":{"a":{}},"expect":[{"viewer":"a","exit":3}]}' > "$TMP/ok3.test.json"
expect "exit 3 expected" 0 "" -- test "$TMP/ok3.test.json"
expect "missing test file" 2 "nope.test.json" -- test "$TMP/nope.test.json"
# diff: opening the restricted component to everyone is a reveal (exit 1), closing it is not.
mkdir -p "$TMP/viewers"; cp "$TMP/anon.json" "$TMP/staff.json" "$TMP/viewers/"
sed 's/"allow":\["@staff"\],"inherit":false/"allow":["everyone"],"inherit":false/' "$TMP/policy.json" > "$TMP/open.json"
expect "diff reveals" 1 "" -- diff --old "$TMP/policy.json" --new "$TMP/open.json" --viewers "$TMP/viewers" --payload "$TMP/payload.json"
grep -qF '+ component CANARY-restricted-component "CANARY-internal-billing" becomes visible' "$TMP/out" && grep -qF "viewer anon on $TMP/payload.json:" "$TMP/out" && ok || bad "diff text: $(cat "$TMP/out")"
expect "diff closing only" 0 "" -- diff --old "$TMP/open.json" --new "$TMP/policy.json" --viewers "$TMP/viewers" --payload "$TMP/payload.json"
grep -qF 'becomes hidden' "$TMP/out" && ok || bad "diff hidden: $(cat "$TMP/out")"
expect "diff json" 1 "" -- diff --old "$TMP/policy.json" --new "$TMP/open.json" --viewers "$TMP/viewers" --payload "$TMP/payload.json" --output json
grep -qF '"kind":"component","id":"CANARY-restricted-component","name":"CANARY-internal-billing","change":"visible"' "$TMP/out" && ok || bad "diff json: $(cat "$TMP/out")"
expect "diff bad new policy" 2 "/status/default/allow/1" -- diff --old "$TMP/policy.json" --new "$TMP/bad-policy.json" --viewers "$TMP/viewers" --payload "$TMP/payload.json"
expect "explain text" 0 "" -- explain --output text --policy "$TMP/policy.json" --anonymous "$TMP/payload.json"
grep -qxF 'component CANARY-restricted-component "CANARY-internal-billing" hidden: not allowed after inherit: false at component CANARY-restricted-component' "$TMP/out" && grep -qxF 'component pub "Public API" shown: allow at default (everyone)' "$TMP/out" && ok || bad "explain text: $(cat "$TMP/out")"
expect "explain unknown output" 2 "" -- explain --output yaml --policy "$TMP/policy.json" --anonymous "$TMP/payload.json"
echo '{"keyhole":1,"status":{"default":{"allow":["everyon"]}}}' > "$TMP/typo.json"
expect "did you mean an atom" 2 "unknown atom 'everyon' — did you mean 'everyone'?" -- check "$TMP/typo.json"
grep -qF "/status/default/allow/0" "$TMP/err" && ok || bad "did-you-mean keeps the pointer"
echo '{"keyhole":1,"audiences":{"staff":["group:staff"]},"status":{"default":{"alow":["@staf"]}}}' > "$TMP/typo2.json"
expect "did you mean a member" 2 "did you mean 'allow'?" -- check "$TMP/typo2.json"
echo '{"keyhole":1,"audiences":{"staff":["group:staff"]},"status":{"default":{"allow":["@staf"]}}}' > "$TMP/typo3.json"
expect "did you mean an audience" 2 "did you mean '@staff'?" -- check "$TMP/typo3.json"

# The output is written whole: a 3 MB answer through a pipe (which takes 64 KiB at a time)
# is the answer written to a file, byte for byte.
python3 -c '
import json
comps = [{"id": "c%d" % i, "name": "Service %d" % i, "status": "operational", "description": "x" * 200} for i in range(12000)]
print(json.dumps({"page": {"id": "p1", "name": "Big"}, "components": comps}))' > "$TMP/big.json"
"$KEYHOLE" filter --policy "$TMP/policy.json" --anonymous "$TMP/big.json" > "$TMP/big-file.out"
"$KEYHOLE" filter --policy "$TMP/policy.json" --anonymous "$TMP/big.json" | { sleep 0.2; cat; } > "$TMP/big-pipe.out"
[ "$(stat -c %s "$TMP/big-file.out")" -gt 3000000 ] && cmp -s "$TMP/big-file.out" "$TMP/big-pipe.out" && ok || bad "a large answer through a pipe differs from the file's"

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
