// The status filter learns a page's lists while the tree is built (issue 13:
// json_tree::build's observer, status_run): a window of the text at a time,
// so the nodes and text are still in cache. What it learns early must be what
// learning after the parse learns, in the same order: the same bytes, and the
// same rejection (message and offset), whatever the order of the lists, their
// escapes, spacing or failures. Each payload here spans several of the
// parser's 256 KiB windows; the oracle is the same filter run over a tree
// built without an observer (filter_statuspage), and the previous engine
// (tests/reference) for the answer's code and bytes. Restricted objects carry
// the canary "KH-CANARY", which no customer's answer may hold.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "../fuzz/status_learning.h"
#include "case_loader.h"
#include "keyhole/keyhole.h"
#include "name_index.h"
#include "reference_filter.h"

namespace {

using namespace keyhole::detail;

constexpr const char* kCanary = "KH-CANARY";

// How a generated page is laid out.
struct shape {
  std::string order = "cim";   // the root lists: c(omponents), i(ncidents), m(aintenances), in text order
  size_t components = 6000;    // ~1.8 MB: seven windows
  size_t escape_every = 0;     // a name with an escape in every n-th component (0: none)
  bool spaced = false;         // a space and a newline after every comma (not compact)
  long bad_component = -1;     // this component's id is a number (rejected)
  long bad_incident = -1;      // this incident's components are an object (rejected)
  long bad_status = -1;        // this component's status is unknown (no banner: rejected)
  bool repeat_components = false;  // a second root "components" after the rest
  bool incidents_object = false;   // "incidents" is an object, not a list
  bool single_resource = false;    // an incident: its copies, then incident_updates
  bool wide_numbers = false;   // one component carries 400,000 numbers (the node arrays grow mid-build)
  bool truncated = false;      // the text stops short (a parse error)
  bool one_copy = false;       // an incident lists only the component its update names
};

std::string id_of(const char* prefix, size_t i) { return std::string(prefix) + std::to_string(100000 + i); }
// Groups of ten; every third group is staff-only, and so its members are.
bool restricted(size_t n) { return (n / 10) % 3 == 1; }

// `id` with its last character escaped (\u0030 for '0'): the same id once read.
std::string escaped_last(const std::string& id) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "\\u%04x", unsigned(id.back()));
  return id.substr(0, id.size() - 1) + hex;
}

std::string component(const shape& s, size_t n) {
  size_t g = n / 10;
  bool escaping = s.escape_every && n % s.escape_every == 0;
  std::string name = restricted(n) ? std::string(kCanary) + "-name-" + std::to_string(n) : "Service " + std::to_string(n);
  if (escaping) name += "\\u0021\\n";
  if (n % 10 == 0) {
    std::string group = escaping ? escaped_last(id_of("grp", g)) : id_of("grp", g);
    std::string out = "{\"id\":\"" + group + "\",\"name\":\"Region " + std::to_string(g) +
                      (restricted(n) ? std::string(" ") + kCanary : std::string()) +
                      "\",\"status\":\"operational\",\"position\":" + std::to_string(n) +
                      ",\"description\":null,\"group_id\":null,\"group\":true,\"components\":[";
    for (size_t k = 1; k < 10; ++k) out += (k > 1 ? ",\"" : "\"") + id_of("cmp", n + k) + "\"";
    return out + "]}";
  }
  std::string id = long(n) == s.bad_component ? std::to_string(n)
                   : "\"" + (escaping ? escaped_last(id_of("cmp", n)) : id_of("cmp", n)) + "\"";
  std::string status = long(n) == s.bad_status ? "sideways" : n % 7 == 0 ? "partial_outage" : "operational";
  std::string out = "{\"id\":" + id + ",\"name\":\"" + name + "\",\"status\":\"" + status + "\",\"position\":" +
                    std::to_string(n) + ",\"description\":\"" + kCanary + "-description " + std::to_string(n) +
                    "\",\"group_id\":\"" + id_of("grp", g) + "\",\"group\":false,\"showcase\":true";
  if (s.wide_numbers && n == s.components / 2) {
    out += ",\"numbers\":[0";
    for (size_t k = 0; k < 400000; ++k) out += ",0";
    out += "]";
  }
  return out + "}";
}

// An incident on component n and on the next in its group, or (every 20th) on
// one in the next group: a mixed incident when only one group is shown, whose
// name is shown and whose update bodies are redacted (SPEC §5).
std::string incident(const shape& s, size_t n, bool maintenance) {
  size_t other = s.one_copy ? n : n % 20 == 5 ? n + 10 : n % 10 == 9 ? n : n + 1;
  bool hidden = restricted(n) && restricted(other);
  std::string secret = restricted(n) || restricted(other) ? std::string(kCanary) + "-body " : std::string();
  std::string list = long(n) == s.bad_incident ? "{}" : "[{\"id\":\"" + id_of("cmp", n) + "\",\"name\":\"Service " +
                                                           std::to_string(n) + "\"}" +
                                                           (s.one_copy ? "]" : ",{\"id\":\"" + id_of("cmp", other) + "\"}]");
  return "{\"id\":\"" + id_of(maintenance ? "mnt" : "inc", n) + "\",\"name\":\"" +
         (hidden ? std::string(kCanary) + "-incident " : std::string()) + "Errors on " + std::to_string(n) +
         "\",\"status\":\"" + (maintenance ? "in_progress" : "investigating") + "\",\"impact\":\"minor\"" +
         (maintenance ? ",\"scheduled_for\":\"2024-06-01T00:00:00.000Z\"" : "") +
         ",\"incident_updates\":[{\"id\":\"" + id_of("upd", n) + "\",\"status\":\"investigating\",\"body\":\"" + secret +
         "We are looking.\",\"affected_components\":[{\"code\":\"" + id_of("cmp", n) + "\",\"name\":\"Service " +
         std::to_string(n) + "\",\"old_status\":\"operational\",\"new_status\":\"partial_outage\"}]}],\"components\":" + list + "}";
}

std::string list_of(const shape& s, char which) {
  std::string out = "[";
  for (size_t n = 0; n < s.components; ++n) {
    std::string item;
    if (which == 'c') item = component(s, n);
    else if (n % 10 != 0 && n % 4 == (which == 'i' ? 1 : 3)) item = incident(s, n, which == 'm');
    if (item.empty()) continue;
    if (out.size() > 1) out += ",";
    out += item;
  }
  return out + "]";
}

std::string spaced(const std::string& compact) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < compact.size(); ++i) {
    char ch = compact[i];
    out += ch;
    if (ch == '"' && (i == 0 || compact[i - 1] != '\\')) in_string = !in_string;
    if (!in_string && ch == ',') out += "\n  ";
  }
  return out;
}

std::string page(const shape& s) {
  std::string out;
  if (s.single_resource) {
    out = "{\"id\":\"inc1\",\"name\":\"One\",\"status\":\"investigating\",\"impact\":\"minor\",\"components\":" +
          list_of(s, 'c') + ",\"incident_updates\":[]}";
  } else {
    out = "{\"page\":{\"id\":\"pg1\",\"name\":\"Early\"}";
    for (char which : s.order) {
      const char* key = which == 'c' ? "components" : which == 'i' ? "incidents" : "scheduled_maintenances";
      std::string value = which == 'i' && s.incidents_object ? "{}" : list_of(s, which);
      out += ",\"" + std::string(key) + "\":" + value;
    }
    if (s.repeat_components) out += ",\"components\":[]";
    out += ",\"status\":{\"indicator\":\"minor\",\"description\":\"Minor\"}}";
  }
  if (s.spaced) out = spaced(out);
  if (s.truncated) out.resize(out.size() - 3);
  return out;
}

std::string policy() {
  std::string rules;
  for (size_t g = 1; g < 2500; g += 3)  // every group of the largest page (20,000 components)
    rules += (rules.empty() ? "\"" : ",\"") + id_of("grp", g) + "\":{\"allow\":[\"@staff\"],\"inherit\":false}";
  return "{\"keyhole\":1,\"audiences\":{\"staff\":[\"group:staff\"]},"
         "\"status\":{\"default\":{\"allow\":[\"everyone\"]},\"components\":{" + rules +
         "},\"incidents\":{\"mixed\":\"redact\",\"redact-text\":\"KH-REDACTED\"},"
         "\"disclose\":[{\"field\":\"component.description\",\"allow\":[\"@staff\"]}]},"
         "\"articles\":{\"default\":{\"allow\":[\"everyone\"]}}}";
}

const char* const kCustomer = R"({"sub":"c-1","orgs":["globex"]})";
const char* const kStaff = R"({"sub":"s-1","groups":["staff"]})";

struct answer {
  bool ok = false;
  std::string output;   // when ok
  std::string message;  // when rejected: the payload's reason
  int64_t offset = -1;
};

// Through the API: learnt while the tree is built.
answer early(const std::string& policy_json, const char* claims, const std::string& payload, bool status_json) {
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(policy_json, st);
  EXPECT_TRUE(st.ok()) << st.message;
  keyhole::viewer v = keyhole::viewer::compile(p, claims, st);
  EXPECT_TRUE(st.ok()) << st.message;
  keyhole::filter f;
  st = f.run(v, payload.data(), payload.size(), payload.size(), keyhole::payload_format::automatic,
             status_json ? keyhole::output_mode::status_json : keyhole::output_mode::payload);
  answer a;
  a.ok = st.ok();
  if (a.ok) a.output.assign(f.output().data(), f.output().size());
  a.message = st.message;
  a.offset = st.offset;
  return a;
}

// The same filter over a tree built first, with no observer: learnt after the parse.
answer late(const std::string& policy_json, const char* claims, const std::string& payload, bool status_json) {
  keyhole_test::status_viewer v(policy_json, claims);
  EXPECT_TRUE(v.ok());
  json_parser parser;
  keyhole_test::status_answer r = keyhole_test::run_status(v, payload, parser, false, status_json);
  answer a;
  a.ok = r.ok && !r.refused;
  a.output = r.output;
  if (!r.refused) a.message = "payload: " + r.reason, a.offset = r.offset;
  return a;
}

// Early and late give one answer, and it is the previous engine's. Returns it.
answer same_answer(const shape& s, const char* claims, bool status_json = false) {
  std::string payload = page(s);
  EXPECT_GT(payload.size(), size_t(3) << 18) << "the payload should span several windows";
  std::string p = policy();
  answer a = early(p, claims, payload, status_json);
  answer b = late(p, claims, payload, status_json);
  EXPECT_EQ(a.ok, b.ok) << a.message << " | " << b.message;
  EXPECT_EQ(a.output, b.output);
  if (!s.truncated && !a.ok && !(status_json && a.message.find("status.json is answered") != std::string::npos)) {
    EXPECT_EQ(a.message, b.message);
    EXPECT_EQ(a.offset, b.offset);
  }
  reference_engine::result before = reference_engine::run(p, claims, payload, status_json);
  EXPECT_EQ(a.ok, before.code == 0) << a.message;
  if (a.ok) EXPECT_EQ(a.output, before.output);
  return a;
}

void expect_no_canary(const answer& a) {
  size_t at = a.output.find(kCanary);
  EXPECT_EQ(at, std::string::npos) << "a customer's answer holds a restricted string: "
                                   << (at == std::string::npos ? "" : a.output.substr(at > 300 ? at - 300 : 0, 400));
}

TEST(EarlyLearning, ListsInTextOrderGiveTheAnswerOfLearningAfterTheParse) {
  for (const char* order : {"cim", "icm", "mci", "cmi", "imc", "c", "im"}) {
    shape s;
    s.order = order;
    answer customer = same_answer(s, kCustomer);
    EXPECT_TRUE(customer.ok) << order << ": " << customer.message;
    // (Without the components list no group is known, so none is restricted.)
    if (s.order.find('c') != std::string::npos) expect_no_canary(customer);
    answer staff = same_answer(s, kStaff);
    EXPECT_NE(staff.output.find(kCanary), std::string::npos) << order << ": staff see the restricted components";
    same_answer(s, kCustomer, true);
  }
}

TEST(EarlyLearning, EscapedNamesAndSpacedTextGiveTheSameAnswer) {
  for (size_t every : {size_t(1), size_t(997)}) {
    shape s;
    s.escape_every = every;
    expect_no_canary(same_answer(s, kCustomer));
    s.spaced = true;
    expect_no_canary(same_answer(s, kCustomer));
  }
  shape wide;
  wide.wide_numbers = true;  // ~5 nodes for every 16 bytes: the node arrays move between windows
  expect_no_canary(same_answer(wide, kCustomer));
  same_answer(wide, kStaff);
}

TEST(EarlyLearning, AFailureIsTheOneLearningAfterTheParseMeetsFirst) {
  struct failing {
    shape s;
    const char* message;
  };
  std::vector<failing> cases;
  auto add = [&](auto change, const char* message) {
    failing f;
    change(f.s);
    f.message = message;
    cases.push_back(f);
  };
  add([](shape& s) { s.bad_component = 3; }, "a component needs a string id");          // in the first window
  add([](shape& s) { s.bad_component = 5003; }, "a component needs a string id");       // windows later
  add([](shape& s) { s.bad_component = 5003, s.bad_incident = 9; }, "a component needs a string id");
  // Components are learnt first, whatever the text's order.
  add([](shape& s) { s.bad_component = 5003, s.order = "icm", s.bad_incident = 9; }, "a component needs a string id");
  add([](shape& s) { s.bad_incident = 4001; }, "an incident's components must be an array");
  add([](shape& s) { s.bad_status = 4012; }, "a component status is missing or unknown");
  add([](shape& s) { s.bad_component = 3, s.repeat_components = true; }, "duplicate member in the payload's top level");
  add([](shape& s) { s.bad_component = 3, s.incidents_object = true; }, "a component needs a string id");
  add([](shape& s) { s.incidents_object = true; }, "incidents and scheduled_maintenances must be arrays");
  add([](shape& s) { s.bad_component = 3, s.truncated = true; }, "payload: ");  // the parse error, not the component
  for (const failing& f : cases) {
    answer a = same_answer(f.s, kCustomer);
    EXPECT_FALSE(a.ok);
    EXPECT_NE(a.message.find(f.message), std::string::npos) << a.message;
    if (f.s.truncated) EXPECT_EQ(a.message.find("component"), std::string::npos) << a.message;
  }
}

// A page of 20,000 components (~7.8 MB): its id table is past the size from
// which the filter prefetches slots (name_index::prefetch_pays, 512 KiB, at
// the guess of a component per 256 bytes of text), and an update's code that
// names its incident's only copy is found without the table (affected_entry).
TEST(EarlyLearning, APageWhoseIdTableOutgrowsTheCacheGivesTheSameAnswer) {
  for (bool one_copy : {false, true}) {
    shape s;
    s.components = 20000;
    s.one_copy = one_copy;
    name_index as_reserved;  // as the filter reserves it for this text
    as_reserved.reserve(page(s).size() / 256);
#if !defined(__wasm__)
    ASSERT_TRUE(as_reserved.prefetch_pays());
#endif
    answer customer = same_answer(s, kCustomer);
    EXPECT_TRUE(customer.ok) << customer.message;
    expect_no_canary(customer);
    answer staff = same_answer(s, kStaff);
    EXPECT_NE(staff.output.find(kCanary), std::string::npos);
  }
}

TEST(EarlyLearning, ASingleIncidentsCopiesAreNotThePagesComponents) {
  shape s;
  s.single_resource = true;
  answer customer = same_answer(s, kCustomer);
  EXPECT_TRUE(customer.ok) << customer.message;
  expect_no_canary(customer);
  same_answer(s, kStaff);
}

}  // namespace

// Every conformance case's status payload, cut into windows of 16 to 4096
// bytes (so each is learnt over many): the answer of learning after the parse.
TEST(EarlyLearning, EveryCaseInSmallWindowsGivesTheSameAnswer) {
  size_t compared = 0;
  for (const keyhole_test::test_case& c : keyhole_test::load_all_cases(std::filesystem::path(KEYHOLE_TESTS_DIR) / "cases")) {
    if (c.mode != "filter" || !c.has_payload || !c.load_error.empty()) continue;
    if (c.payload.find("\"components\"") == std::string::npos && c.payload.find("\"incidents\"") == std::string::npos) continue;
    keyhole_test::status_viewer v(c.policy, c.claims);
    if (!v.ok()) continue;
    for (size_t window : {size_t(16), size_t(97), size_t(4096)}) {
      for (bool status_json : {false, true}) {
        json_parser windowed = json_parser::for_tests(window, block_kernel::simd);
        json_parser whole;
        keyhole_test::status_answer a = keyhole_test::run_status(v, c.payload, windowed, true, status_json);
        keyhole_test::status_answer b = keyhole_test::run_status(v, c.payload, whole, false, status_json);
        EXPECT_TRUE(a == b) << c.name << ", windows of " << window << (status_json ? ", status.json" : "") << ": "
                            << a.reason << " | " << b.reason;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 600u);
}
