// Micro-benchmarks of the text and join hot paths (Google Benchmark):
//   build/mergeflow-microbench --benchmark_filter=Scan
#include <benchmark/benchmark.h>

#include <string>

#include "engine/key_encoder.h"
#include "text/row_scanner.h"

namespace mergeflow {
namespace {

// 2-column TSV like the join benchmark's: a decimal key and a 15-byte value.
std::string MakeRows(size_t rows) {
  std::string text;
  uint64_t x = 88172645463325252ull;
  for (size_t i = 0; i < rows; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    text += std::to_string(x % 20000000) + "\tabcdefghijklmno\n";
  }
  return text;
}

struct CountingVisitor {
  uint64_t rows = 0;
  uint64_t key_bytes = 0;
  void OnRow(const RowView& r) {
    ++rows;
    key_bytes += r.keys[0].size();
  }
  bool OnBadRow(uint64_t, std::string) { return false; }
};

struct HashingVisitor {
  KeyEncoder encoder{1, false};
  uint64_t sum = 0;
  void OnRow(const RowView& r) {
    std::string_view key;
    if (encoder.Encode(r.keys, &key)) sum += KeyEncoder::Hash(key);
  }
  bool OnBadRow(uint64_t, std::string) { return false; }
};

template <class Visitor>
void BM_Scan(benchmark::State& state) {
  const std::string text = MakeRows(200000);
  RowScanner scanner(Dialect{'\t', true}, 2, {0});
  for (auto _ : state) {
    Visitor visitor;
    scanner.Scan(text.data(), text.size(), false, visitor);
    benchmark::DoNotOptimize(visitor);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 200000));
}
BENCHMARK(BM_Scan<CountingVisitor>)->Name("ScanRows");
BENCHMARK(BM_Scan<HashingVisitor>)->Name("ScanAndHashKeys");

void BM_Classify(benchmark::State& state) {
  const std::string text = MakeRows(200000);
  std::vector<uint64_t> sep(text.size() / 64), nl(text.size() / 64);
  for (auto _ : state) {
    ClassifyBlocks(text.data(), sep.size(), '\t', sep.data(), nl.data());
    benchmark::DoNotOptimize(sep.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * sep.size() * 64));
}
BENCHMARK(BM_Classify)->Name("ClassifyBlocks");

}  // namespace
}  // namespace mergeflow

BENCHMARK_MAIN();
