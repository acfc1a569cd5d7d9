# The jq equivalent of Keyhole's benchmark policy (tests/bench/payload_gen.h status_policy,
# status section) for ONE persona: a signed-in, verified viewer who is neither a customer
# (no org) nor staff (claims in compare.mjs: {"sub":"u-7","email":"bob@example.com",...}).
# For that viewer the policy means:
#   - components in the even-numbered groups grp100000, grp100002, ... below
#     grp1 + $policy_groups are hidden (allow @customer, inherit false); everything else is
#     shown (default everyone). compare.mjs passes --argjson policy_groups with the policy's
#     STATUS_POLICY_GROUPS (payload-gen.mjs);
#   - a group is shown iff one of its components present at the top level is shown; its id list keeps shown ids;
#   - an incident/maintenance is shown iff any affected component is shown (or it has none);
#     with some affected components hidden, every update body becomes the redact text;
#     component lists inside it keep shown components only;
#   - component.description is removed (staff only); update.body is kept (signed-in);
#   - group statuses and status.indicator/description are recomputed from shown components.
# (No reduce over large inputs: jq 1.6's reduce copies its accumulator, which is quadratic.)
# Used by compare.mjs: jq -c --argjson policy_groups 7800 -f tests/bench/filter.jq PAYLOAD
# (statuspage payloads only).

def restricted: type == "string" and test("^grp1[0-9]{5}$")
  and (((.[3:] | tonumber) - 100000) as $g | $g < $policy_groups and $g % 2 == 0);
def sev: {"operational":0,"under_maintenance":1,"degraded_performance":2,"partial_outage":3,"major_outage":4}[.] // 0;
def csev: ["operational","under_maintenance","degraded_performance","partial_outage","major_outage"];
def isev: {"none":0,"maintenance":1,"minor":2,"major":3,"critical":4}[.] // 0;

. as $doc
| ($doc | has("incident_updates") or has("scheduled_for") or has("impact")) as $single
| (if $single then [$doc] else (($doc.incidents // []) + ($doc.scheduled_maintenances // [])) end) as $res
| ([($doc.components // [])[]?, ($res[] | (.components // [])[])]) as $all
| (([$all[] | select((.group_id | type) == "string") | {key: .id, value: .group_id}]
    + [$all[] | select((.components | type) == "array") | .id as $g | .components[] | strings | {key: ., value: $g}]) | from_entries) as $groupOf
| ([$all[] | (select(.group == true or (.components | type) == "array") | .id), (.group_id | strings)] | map({key: ., value: true}) | from_entries) as $isGroup
| def leaf_shown: (restricted or (($groupOf[.] // null) | restricted)) | not;
  ([($doc.components // [])[]? | .id | strings | {key: ., value: true}] | from_entries) as $present
| ([$groupOf | to_entries[] | select(($isGroup[.key] | not) and $present[.key] and (.key | leaf_shown)) | {key: .value, value: true}] | from_entries) as $groupShown
| def shown: if $isGroup[.] then $groupShown[.] == true else leaf_shown end;
  def prune: (if .description != null then del(.description) else . end)
    | (if $isGroup[.id] and (.components | type) == "array" then .components |= map(select(shown)) else . end);
  def resource:
    ([(.components // [])[]?.id, ((.incident_updates // [])[]? | (.affected_components // [])[]? | .code | strings)] | unique) as $aff
    | ([$aff[] | select(shown)] | length) as $n
    | if ($aff | length) > 0 and $n == 0 then empty
      else ($n < ($aff | length)) as $mixed
      | (if (.components | type) == "array" then .components |= map(select(.id | shown) | prune) else . end)
      | (if (.incident_updates | type) == "array" then .incident_updates |= map(
            (if $mixed then .body = "Details for affected customers." else . end)
            | (if (.affected_components | type) == "array" then .affected_components |= map(select(.code and (.code | shown))) else . end))
         else . end)
      end;
  if $single then ($doc | resource)
  else
    (if ($doc.components | type) == "array" then .components |= map(select(.id | shown) | prune) else . end)
    | (if ($doc.incidents | type) == "array" then .incidents |= map(resource) else . end)
    | (if ($doc.scheduled_maintenances | type) == "array" then .scheduled_maintenances |= map(resource) else . end)
    | if (.components | type) == "array" then
        ([.components[] | select($isGroup[.id] | not)]) as $leaves
        | ([$leaves[] | ($groupOf[.id] // null) as $g | select($g != null) | {g: $g, s: (.status | sev)}]
           | group_by(.g) | map({key: .[0].g, value: (map(.s) | max)}) | from_entries) as $worst
        | .components |= map(if $isGroup[.id] then .status = csev[$worst[.id] // 0] else . end)
        | if has("status") then
            .status += (if ($leaves | length) > 0 then
                ([$leaves[] | .status | sev] | max) as $s
                | if $s == 4 then (if all($leaves[]; .status == "major_outage") then {indicator: "critical", description: "Major System Outage"}
                                   else {indicator: "major", description: "Partial System Outage"} end)
                  else [{indicator: "none", description: "All Systems Operational"}, {indicator: "maintenance", description: "Service Under Maintenance"},
                        {indicator: "minor", description: "Partially Degraded Service"}, {indicator: "minor", description: "Minor Service Outage"}][$s] end
              else
                ([0, ((.incidents // [])[] | select(.status != "resolved" and .status != "postmortem") | .impact | isev),
                     ((.scheduled_maintenances // [])[] | select(.status == "in_progress" or .status == "verifying") | .impact | isev)] | max) as $s
                | [{indicator: "none", description: "All Systems Operational"}, {indicator: "maintenance", description: "Service Under Maintenance"},
                   {indicator: "minor", description: "Minor Service Outage"}, {indicator: "major", description: "Partial System Outage"},
                   {indicator: "critical", description: "Major System Outage"}][$s]
              end)
          else . end
      else . end
  end
