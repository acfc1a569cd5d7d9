// Generated payloads for benchmarks: Statuspage summaries and Confluence
// search results of a requested size, deterministic for a given seed.
#pragma once
#include <random>
#include <string>

namespace keyhole_bench {

// A status summary with groups, components and unresolved incidents, ~`target` bytes.
inline std::string status_summary(size_t target, unsigned seed = 7) {
  std::mt19937 rng(seed);
  static const char* statuses[] = {"operational", "operational", "operational", "degraded_performance", "partial_outage"};
  std::string comps, incs;
  size_t n = 0;
  auto id = [](const char* p, size_t i) { return std::string(p) + std::to_string(100000 + i); };
  while (comps.size() + incs.size() < target) {
    size_t g = n / 10;
    if (n % 10 == 0) {
      comps += (comps.empty() ? "" : ",");
      comps += "{\"id\":\"" + id("grp", g) + "\",\"name\":\"Region " + std::to_string(g) +
               "\",\"status\":\"operational\",\"created_at\":\"2024-01-01T00:00:00.000Z\",\"updated_at\":\"2024-06-01T00:00:00.000Z\",\"position\":" +
               std::to_string(n) + ",\"description\":null,\"showcase\":false,\"start_date\":null,\"group_id\":null,\"page_id\":\"pg1\",\"group\":true,\"only_show_if_degraded\":false,\"components\":[";
      for (size_t k = 0; k < 9; ++k) comps += (k ? ",\"" : "\"") + id("cmp", n + k + 1) + "\"";
      comps += "]}";
    } else {
      comps += ",{\"id\":\"" + id("cmp", n) + "\",\"name\":\"Service " + std::to_string(n) + "\",\"status\":\"" +
               statuses[rng() % 5] +
               "\",\"created_at\":\"2024-01-01T00:00:00.000Z\",\"updated_at\":\"2024-06-01T00:00:00.000Z\",\"position\":" +
               std::to_string(n) + ",\"description\":\"Latency and errors of service " + std::to_string(n) +
               "\",\"showcase\":true,\"start_date\":null,\"group_id\":\"" + id("grp", g) +
               "\",\"page_id\":\"pg1\",\"group\":false,\"only_show_if_degraded\":false}";
      if (rng() % 8 == 0) {
        incs += (incs.empty() ? "" : ",");
        incs += "{\"id\":\"" + id("inc", n) + "\",\"name\":\"Elevated errors on service " + std::to_string(n) +
                "\",\"status\":\"investigating\",\"created_at\":\"2024-06-01T00:00:00.000Z\",\"updated_at\":\"2024-06-01T00:10:00.000Z\",\"monitoring_at\":null,\"resolved_at\":null,\"impact\":\"minor\",\"shortlink\":\"https://stspg.io/x\",\"started_at\":\"2024-06-01T00:00:00.000Z\",\"page_id\":\"pg1\",\"incident_updates\":[{\"id\":\"" +
                id("upd", n) + "\",\"status\":\"investigating\",\"body\":\"We are investigating elevated error rates.\",\"incident_id\":\"" +
                id("inc", n) + "\",\"created_at\":\"2024-06-01T00:00:00.000Z\",\"updated_at\":\"2024-06-01T00:00:00.000Z\",\"display_at\":\"2024-06-01T00:00:00.000Z\",\"affected_components\":[{\"code\":\"" +
                id("cmp", n) + "\",\"name\":\"Service " + std::to_string(n) +
                "\",\"old_status\":\"operational\",\"new_status\":\"degraded_performance\"}],\"deliver_notifications\":true,\"custom_tweet\":null,\"tweet_id\":null}],\"components\":[{\"id\":\"" +
                id("cmp", n) + "\",\"name\":\"Service " + std::to_string(n) +
                "\",\"status\":\"degraded_performance\",\"group_id\":\"" + id("grp", g) + "\",\"group\":false}]}";
      }
    }
    ++n;
  }
  return "{\"page\":{\"id\":\"pg1\",\"name\":\"Bench\",\"url\":\"https://status.example\",\"time_zone\":\"Etc/UTC\",\"updated_at\":\"2024-06-01T00:00:00.000Z\"},\"components\":[" +
         comps + "],\"incidents\":[" + incs +
         "],\"scheduled_maintenances\":[],\"status\":{\"indicator\":\"minor\",\"description\":\"Minor Service Outage\"}}";
}

// Every even group below this is for customers only: 3,900 rules, so that at
// every generated size (a 16 MB summary has 3,798 groups) half the groups are
// restricted and a viewer keeps the same share of the payload
// (STATUS_POLICY_GROUPS in payload-gen.mjs says why).
inline constexpr int kStatusPolicyGroups = 7800;

// The policy used with status_summary: half the groups for customers, some
// components staff-only, update bodies for signed-in viewers.
inline std::string status_policy() {
  std::string comps;
  for (int g = 0; g < kStatusPolicyGroups; g += 2) comps += (comps.empty() ? "" : ",") + std::string("\"grp") + std::to_string(100000 + g) + "\":{\"allow\":[\"@customer\"],\"inherit\":false}";
  return "{\"keyhole\":1,\"audiences\":{\"staff\":[\"domain:acme.example\",\"group:staff\"],\"customer\":[\"org:*\",\"@staff\"]},"
         "\"status\":{\"default\":{\"allow\":[\"everyone\"]},\"components\":{" + comps +
         "},\"incidents\":{\"mixed\":\"redact\",\"redact-text\":\"Details for affected customers.\"},"
         "\"disclose\":[{\"field\":\"update.body\",\"allow\":[\"signed-in\"],\"replace\":\"Sign in to read the details.\"},"
         "{\"field\":\"component.description\",\"allow\":[\"@staff\"]}]},"
         "\"articles\":{\"default\":{\"allow\":[\"@staff\"]},\"spaces\":{\"KB\":{\"allow\":[\"everyone\"]}},"
         "\"labels\":{\"customer-globex\":{\"allow\":[\"org:globex\"]}},\"pages\":{\"500010\":{\"allow\":[\"org:globex\"]}}}}";
}

// A Confluence v1 search result with spaces, ancestors (depth up to `depth`) and labels.
inline std::string confluence_search(size_t target, size_t depth = 4, unsigned seed = 11) {
  std::mt19937 rng(seed);
  static const char* spaces[] = {"KB", "KB", "KB", "ENG", "SALES"};
  std::string items;
  size_t n = 0;
  while (items.size() < target) {
    const char* space = spaces[rng() % 5];
    std::string anc;
    size_t d = depth <= 4 ? rng() % (depth + 1) : depth;
    for (size_t k = 0; k < d; ++k)
      anc += (k ? "," : "") + std::string("{\"id\":\"") + std::to_string(500000 + k) + "\",\"type\":\"page\",\"status\":\"current\",\"title\":\"Section " + std::to_string(k) + "\"}";
    std::string label = rng() % 4 == 0 ? "customer-globex" : "faq";
    items += (items.empty() ? "" : ",");
    items += "{\"content\":{\"id\":\"" + std::to_string(600000 + n) + "\",\"type\":\"page\",\"status\":\"current\",\"title\":\"How to configure feature " +
             std::to_string(n) + "\",\"space\":{\"id\":1,\"key\":\"" + space + "\",\"name\":\"Space " + space +
             "\",\"type\":\"global\"},\"ancestors\":[" + anc + "],\"metadata\":{\"labels\":{\"results\":[{\"prefix\":\"global\",\"name\":\"" +
             label + "\",\"id\":\"77\"}],\"start\":0,\"limit\":200,\"size\":1}},\"_links\":{\"webui\":\"/spaces/" + space + "/pages/" +
             std::to_string(600000 + n) + "\"}},\"title\":\"How to configure feature " + std::to_string(n) +
             "\",\"excerpt\":\"Step by step: enable the feature, then check the result in the dashboard.\",\"url\":\"/spaces/" + space +
             "/pages/" + std::to_string(600000 + n) + "\",\"entityType\":\"content\",\"lastModified\":\"2024-05-01T10:00:00.000Z\",\"score\":" +
             std::to_string(rng() % 100) + ".5}";
    ++n;
  }
  return "{\"results\":[" + items + "],\"start\":0,\"limit\":" + std::to_string(n) + ",\"size\":" + std::to_string(n) +
         ",\"totalSize\":" + std::to_string(n) + ",\"cqlQuery\":\"type=page\",\"searchDuration\":42,\"_links\":{\"base\":\"https://wiki.example\",\"context\":\"\"}}";
}

}  // namespace keyhole_bench
