#include "cluster/key_sample.h"

#include <algorithm>
#include <unordered_map>

#include "cluster/rank_bytes.h"
#include "engine/key_encoder.h"
#include "text/row_scanner.h"

namespace mergeflow {

Result<SideSample> SampleKeys(const JoinSide& side, bool null_keys_equal, uint64_t max_rows, size_t top) {
  struct Visitor {
    KeyEncoder encoder;
    std::unordered_map<uint64_t, uint64_t>* counts;
    uint64_t rows = 0;
    void OnRow(const RowView& r) {
      ++rows;
      std::string_view key;
      if (encoder.Encode(r.keys, &key)) ++(*counts)[KeyEncoder::Hash(key)];
    }
    bool OnBadRow(uint64_t, std::string) { return true; }
  };
  std::unordered_map<uint64_t, uint64_t> counts;
  Visitor visitor{KeyEncoder(side.schema.key_fields.size(), null_keys_equal), &counts};
  RowScanner scanner(side.dialect, static_cast<uint32_t>(side.schema.names.size()), side.schema.key_fields);
  Chunk chunk;
  while (visitor.rows < max_rows) {
    MF_ASSIGN_OR_RETURN(bool more, side.reader->Next(&chunk));
    if (!more) break;
    scanner.Scan(chunk.data, chunk.size, side.header && chunk.starts_file, visitor);
    side.reader->Recycle(std::move(chunk));
  }
  SideSample sample;
  sample.rows = visitor.rows;
  for (const auto& [hash, rows] : counts) sample.top.push_back({hash, rows});
  const size_t keep = std::min(top, sample.top.size());
  std::partial_sort(sample.top.begin(), sample.top.begin() + keep, sample.top.end(),
                    [](const KeyCount& a, const KeyCount& b) { return a.rows > b.rows; });
  sample.top.resize(keep);
  return sample;
}

std::string EncodeSample(const SideSample& sample) {
  std::string bytes;
  PutNumber(sample.rows, &bytes);
  PutNumber(sample.top.size(), &bytes);
  for (const KeyCount& k : sample.top) {
    PutNumber(k.hash, &bytes);
    PutNumber(k.rows, &bytes);
  }
  return bytes;
}

SideSample DecodeSample(const std::string& bytes, size_t* at) {
  SideSample sample;
  sample.rows = TakeNumber(bytes, at);
  const uint64_t n = TakeNumber(bytes, at);
  for (uint64_t i = 0; i < n && *at < bytes.size(); ++i) {
    const uint64_t hash = TakeNumber(bytes, at);
    sample.top.push_back({hash, TakeNumber(bytes, at)});
  }
  return sample;
}

}  // namespace mergeflow
