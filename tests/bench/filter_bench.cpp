// Filter throughput against simdjson parse-only on the same bytes (issue 2/3).
// Prints MB/s for both and their ratio, plus peak memory. Figures, not a test.
#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "json_tree.h"  // the core's parse alone (private header: a benchmark, not an API user)
#include "keyhole/keyhole.h"
#include "payload_gen.h"
#include "simdjson.h"

namespace {

struct fixture {
  std::string payload;
  keyhole::policy policy;
};

fixture make(const std::string& payload) {
  fixture f;
  f.payload = payload;
  f.payload.reserve(payload.size() + keyhole::filter::padding());
  keyhole::status st;
  f.policy = keyhole::policy::compile(keyhole_bench::status_policy(), st);
  if (!st.ok()) std::abort();
  return f;
}

const char* kClaims = R"({"sub":"u-42","email":"ann@globex.example","email_verified":true,"orgs":["globex"]})";

void BM_Filter(benchmark::State& state, std::string payload) {
  fixture fx = make(payload);
  keyhole::filter f;
  for (auto _ : state) {
    auto st = f.run(fx.policy, kClaims, fx.payload.data(), fx.payload.size(), fx.payload.capacity(),
                    keyhole::payload_format::automatic);
    if (!st.ok()) state.SkipWithError(st.message.c_str());
    benchmark::DoNotOptimize(f.output().data());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(fx.payload.size()));
  state.counters["out_bytes"] = double(f.output().size());
}

// The practical ceiling: simdjson's DOM parse of the same bytes (full validation).
void BM_ParseOnly(benchmark::State& state, std::string payload) {
  simdjson::padded_string padded(payload);
  simdjson::dom::parser parser;
  for (auto _ : state) {
    simdjson::dom::element doc;
    if (parser.parse(padded).get(doc)) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(payload.size()));
}

// Keyhole's own parse of the same bytes: its structural indexer plus the core's
// stage 2 (json_tree::build), i.e. the filter's first step, with nothing decided.
void time_tree(benchmark::State& state, const std::string& payload, keyhole::detail::json_parser& parser,
               const keyhole::detail::field_table* names = nullptr) {
  std::string padded = payload;
  padded.append(keyhole::detail::json_parser::padding(), '\0');
  keyhole::detail::json_tree tree;
  keyhole::detail::parse_error err;
  for (auto _ : state) {
    if (!tree.build(parser, padded.data(), payload.size(), 1024, err, names)) state.SkipWithError(err.message.c_str());
    benchmark::DoNotOptimize(tree.size());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(payload.size()));
}

void BM_TreeOnly(benchmark::State& state, std::string payload) {
  keyhole::detail::json_parser parser;
  time_tree(state, payload, parser);
}

// The filter's own first step on a status payload: the tree with every
// member name classified as it is read (field_table::api()), which the
// status filter then reads instead of comparing names.
void BM_TreeFields(benchmark::State& state, std::string payload) {
  keyhole::detail::json_parser parser;
  time_tree(state, payload, parser, &keyhole::detail::field_table::api());
}

// Stage 1 alone: simdjson's (its run-time kernel, the whole text into an
// index of 4 bytes per byte) and Keyhole's own indexer (a window at a time into
// a fixed buffer, UTF-8 validated per window), each over the whole text.
bool simdjson_stage1(simdjson::internal::dom_parser_implementation& impl, const std::string& padded, size_t len) {
  return !impl.stage1(reinterpret_cast<const uint8_t*>(padded.data()), len, simdjson::stage1_mode::regular);
}
bool own_stage1(keyhole::detail::json_parser& parser, const std::string& padded, size_t len) {
  parser.begin(padded.data(), len);
  for (parser.refill(0); !parser.finished(); parser.refill(parser.count())) benchmark::DoNotOptimize(parser.positions());
  std::string message;
  return parser.verdict(message);
}

void BM_Stage1Simdjson(benchmark::State& state, std::string payload) {
  std::string padded = payload + std::string(64, '\0');
  std::unique_ptr<simdjson::internal::dom_parser_implementation> impl;
  if (simdjson::get_active_implementation()->create_dom_parser_implementation(payload.size(), 64, impl)) std::abort();
  for (auto _ : state)
    if (!simdjson_stage1(*impl, padded, payload.size())) state.SkipWithError("stage 1 failed");
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(payload.size()));
}

void BM_Stage1Own(benchmark::State& state, std::string payload) {
  std::string padded = payload + std::string(64, '\0');
  keyhole::detail::json_parser parser;
  for (auto _ : state)
    if (!own_stage1(parser, padded, payload.size())) state.SkipWithError("stage 1 failed");
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(payload.size()));
}

// The core's parse with another window size (json_parser::kDefaultWindowBytes
// is chosen by these rows) and another kernel (block_kernel: 0 the fastest,
// 1 SSE2, 2 scalar, 3 AVX2, 4 AVX-512).
void BM_TreeOnlyWindow(benchmark::State& state, std::string payload) {
  auto parser = keyhole::detail::json_parser::for_tests(size_t(state.range(0)), keyhole::detail::block_kernel(state.range(1)));
  time_tree(state, payload, parser);
}

// A policy the size of a large status page: `rules` component rules over a
// few named audiences and org atoms (issue 13: compile once, in under 2 ms).
std::string large_policy(int rules) {
  std::string comps;
  for (int i = 0; i < rules; ++i) {
    if (i) comps += ",";
    comps += "\"c" + std::to_string(100000 + i) + "\":{\"allow\":[\"@customer\",\"org:o" + std::to_string(i % 50) +
             "\"],\"inherit\":false}";
  }
  return "{\"keyhole\":1,\"audiences\":{\"staff\":[\"domain:acme.example\",\"group:staff\"],"
         "\"customer\":[\"org:*\",\"@staff\"]},\"status\":{\"default\":{\"allow\":[\"everyone\"]},"
         "\"components\":{" + comps + "}}}";
}

void BM_PolicyCompile(benchmark::State& state) {
  std::string text = large_policy(int(state.range(0)));
  for (auto _ : state) {
    keyhole::status st;
    keyhole::policy p = keyhole::policy::compile(text, st);
    if (!st.ok()) state.SkipWithError(st.message.c_str());
    benchmark::DoNotOptimize(p.impl());
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(text.size()));
}

// A policy whose rules name `atoms` distinct atoms (one user: atom per rule).
std::string distinct_atom_policy(int atoms) {
  std::string comps;
  for (int i = 0; i < atoms; ++i) {
    if (i) comps += ",";
    comps += "\"c" + std::to_string(i) + "\":{\"allow\":[\"user:u-" + std::to_string(i) + "\"]}";
  }
  return "{\"keyhole\":1,\"status\":{\"components\":{" + comps + "}}}";
}

// What a call with claims pays before filtering: the claims parsed and the
// viewer matched against the policy (issue 13: policy size must not cost per
// call), for a policy of 10 and of 3,900 distinct atoms.
void BM_ViewerCompile(benchmark::State& state) {
  keyhole::status st;
  keyhole::policy p = keyhole::policy::compile(distinct_atom_policy(int(state.range(0))), st);
  if (!st.ok()) state.SkipWithError(st.message.c_str());
  for (auto _ : state) {
    keyhole::viewer v = keyhole::viewer::compile(p, kClaims, st);
    benchmark::DoNotOptimize(v.impl());
  }
}

void register_all() {
  benchmark::RegisterBenchmark("policy/compile/3900_rules", BM_PolicyCompile)->Arg(3900)->Unit(benchmark::kMillisecond);
  benchmark::RegisterBenchmark("policy/viewer", BM_ViewerCompile)->Arg(10)->Arg(3900)->Unit(benchmark::kMicrosecond);
  struct size_def { const char* name; size_t bytes; };
  for (size_def s : {size_def{"4KB", 4 << 10}, {"64KB", 64 << 10}, {"1MB", 1 << 20}, {"16MB", 16 << 20}}) {
    std::string status = keyhole_bench::status_summary(s.bytes);
    benchmark::RegisterBenchmark((std::string("status/filter/") + s.name).c_str(), BM_Filter, status);
    benchmark::RegisterBenchmark((std::string("status/parse_only/") + s.name).c_str(), BM_ParseOnly, status);
    benchmark::RegisterBenchmark((std::string("status/tree_only/") + s.name).c_str(), BM_TreeOnly, status);
    benchmark::RegisterBenchmark((std::string("status/tree_fields/") + s.name).c_str(), BM_TreeFields, status);
    benchmark::RegisterBenchmark((std::string("status/stage1_simdjson/") + s.name).c_str(), BM_Stage1Simdjson, status);
    benchmark::RegisterBenchmark((std::string("status/stage1_own/") + s.name).c_str(), BM_Stage1Own, status);
    if (s.bytes >= (1 << 20))
      benchmark::RegisterBenchmark((std::string("status/tree_only_window/") + s.name).c_str(), BM_TreeOnlyWindow, status)
          ->ArgsProduct({{4 << 10, 16 << 10, 64 << 10, 256 << 10, 1 << 20}, {0, 1, 3}});
    if (s.bytes >= (1 << 20)) {
      std::string search = keyhole_bench::confluence_search(s.bytes);
      benchmark::RegisterBenchmark((std::string("confluence_search/filter/") + s.name).c_str(), BM_Filter, search);
      benchmark::RegisterBenchmark((std::string("confluence_search/parse_only/") + s.name).c_str(), BM_ParseOnly, search);
    }
  }
  std::string deep = keyhole_bench::confluence_search(1 << 20, 50);
  benchmark::RegisterBenchmark("confluence_depth50/filter/1MB", BM_Filter, deep);
  benchmark::RegisterBenchmark("confluence_depth50/parse_only/1MB", BM_ParseOnly, deep);
}

// Prints filter / parse-only ratios after the run.
class ratio_reporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& r : runs) {
      std::string name = r.benchmark_name();
      auto it = r.counters.find("bytes_per_second");
      if (it == r.counters.end()) continue;
      rates_[name] = it->second.value;
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n%-36s %12s %12s %8s\n", "payload", "filter MB/s", "parse MB/s", "ratio");
    for (auto& [name, rate] : rates_) {
      auto pos = name.find("/filter/");
      if (pos == std::string::npos) continue;
      std::string other = name.substr(0, pos) + "/parse_only/" + name.substr(pos + 8);
      auto it = rates_.find(other);
      if (it == rates_.end()) continue;
      std::printf("%-36s %12.1f %12.1f %8.2f\n", (name.substr(0, pos) + " " + name.substr(pos + 8)).c_str(), rate / 1e6,
                  it->second / 1e6, rate / it->second);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    std::printf("peak RSS of the whole benchmark process: %.1f MiB\n", ru.ru_maxrss / 1024.0);
  }

 private:
  std::map<std::string, double> rates_;
};

// `keyhole_bench --instructions=OP --bytes=N [--iterations=K] [--timed]`, OP one of filter,
// dom_parse, stage1 (simdjson's), own_stage1 (Keyhole's indexer, windowed), tree (the core's parse: stage 1 and its own stage 2, member names classified as the filter has them): runs OP K times on the generated status summary of ~N bytes inside
// keyhole_measured_loop() and nothing else of the benchmark, for
//   valgrind --tool=callgrind --collect-atstart=no --toggle-collect=keyhole_measured_loop
// which then counts the instructions of exactly those K calls (compare.mjs divides by
// K x bytes). One warm-up call first, outside the count (first-touch allocations).
enum class measured_op { filter, dom_parse, stage1, tree, own_stage1 };

struct measured_state {
  fixture fx;
  keyhole::filter filter;
  simdjson::padded_string padded;
  simdjson::dom::parser dom;
  std::unique_ptr<simdjson::internal::dom_parser_implementation> stage1;
  keyhole::detail::json_parser tree_parser;
  keyhole::detail::json_tree tree;
  std::string own_text;  // the payload and 64 bytes of padding, for own_stage1
};

// Returns false when the operation fails (then the count means nothing).
bool run_once(measured_op op, measured_state& m) {
  switch (op) {
    case measured_op::filter:
      return m.filter.run(m.fx.policy, kClaims, m.fx.payload.data(), m.fx.payload.size(), m.fx.payload.capacity(),
                          keyhole::payload_format::automatic).ok();
    case measured_op::dom_parse: {
      simdjson::dom::element doc;
      return !m.dom.parse(m.padded).get(doc);
    }
    case measured_op::stage1:
      return !m.stage1->stage1(reinterpret_cast<const uint8_t*>(m.padded.data()), m.padded.size(),
                               simdjson::stage1_mode::regular);
    case measured_op::own_stage1: {
      return own_stage1(m.tree_parser, m.own_text, m.padded.size());
    }
    case measured_op::tree: {
      keyhole::detail::parse_error err;
      return m.tree.build(m.tree_parser, m.padded.data(), m.padded.size(), 1024, err, &keyhole::detail::field_table::api());
    }
  }
  return false;
}

}  // namespace

extern "C" __attribute__((noinline)) int keyhole_measured_loop(int op, void* state, long iterations) {
  int failures = 0;
  for (long i = 0; i < iterations; ++i) failures += !run_once(measured_op(op), *static_cast<measured_state*>(state));
  return failures;
}

namespace {

// `--timed`: each of the K calls timed alone, the minimum and the median
// printed. On a shared machine other work only ever adds time to a call, so
// the minimum of many is the figure to compare two builds by (A/B), where
// Google Benchmark's means move by tens of percent from run to run.
int timed_calls(measured_op op, measured_state& m, long iterations, const std::string& op_name, size_t bytes) {
  std::vector<double> ns;
  ns.reserve(size_t(iterations));
  for (long i = 0; i < iterations; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    if (!run_once(op, m)) return 1;
    ns.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ns.begin(), ns.end());
  std::printf("{\"op\":\"%s\",\"bytes\":%zu,\"calls\":%ld,\"min_ns\":%.0f,\"median_ns\":%.0f}\n", op_name.c_str(), bytes,
              iterations, ns.front(), ns[ns.size() / 2]);
  return 0;
}

int instructions_mode(int argc, char** argv) {
  std::string op_name = argv[1] + 15;
  size_t bytes = 1 << 20;
  long iterations = 3;
  bool timed = false;
  for (int i = 2; i < argc; ++i) {
    if (std::strncmp(argv[i], "--bytes=", 8) == 0) bytes = std::strtoull(argv[i] + 8, nullptr, 10);
    if (std::strncmp(argv[i], "--iterations=", 13) == 0) iterations = std::strtol(argv[i] + 13, nullptr, 10);
    if (std::strcmp(argv[i], "--timed") == 0) timed = true;
  }
  measured_op op;
  if (op_name == "filter") op = measured_op::filter;
  else if (op_name == "dom_parse") op = measured_op::dom_parse;
  else if (op_name == "stage1") op = measured_op::stage1;
  else if (op_name == "tree") op = measured_op::tree;
  else if (op_name == "own_stage1") op = measured_op::own_stage1;
  else { std::fprintf(stderr, "--instructions=filter|dom_parse|stage1|own_stage1|tree\n"); return 2; }
  auto m = std::make_unique<measured_state>();
  std::string payload = keyhole_bench::status_summary(bytes);
  m->fx = make(payload);
  m->padded = simdjson::padded_string(payload);
  m->own_text = payload + std::string(64, '\0');
  if (simdjson::get_active_implementation()->create_dom_parser_implementation(payload.size(), simdjson::DEFAULT_MAX_DEPTH,
                                                                              m->stage1)) return 1;
  if (!run_once(op, *m)) {  // the warm-up call
    std::fprintf(stderr, "%s failed\n", op_name.c_str());
    return 1;
  }
  if (timed) return timed_calls(op, *m, iterations, op_name, payload.size());
  int failures = keyhole_measured_loop(int(op), m.get(), iterations);
  std::printf("{\"op\":\"%s\",\"bytes\":%zu,\"iterations\":%ld,\"kernel\":\"%s\",\"failures\":%d}\n", op_name.c_str(),
              payload.size(), iterations, simdjson::get_active_implementation()->name().c_str(), failures);
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::strncmp(argv[1], "--instructions=", 15) == 0) return instructions_mode(argc, argv);
  register_all();
  benchmark::Initialize(&argc, argv);
  ratio_reporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
