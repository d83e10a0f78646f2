// Fuzzes the row scanner in every dialect and on every SIMD target this CPU
// runs. Oracles:
//  - on text without quote characters (or with quoting off), the SIMD path's
//    rows, keys and bad rows equal a plain scalar split of the same text;
//  - on any text, every accepted row has the expected field count when split
//    by SplitFields, its key views equal those fields, and rows and bad rows
//    come in increasing offsets, never overlapping.
// Input: byte 0 picks the SIMD target, byte 1 the dialect, expected fields
// and key fields; the rest is the text.
#include <hwy/targets.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "text/row_scanner.h"

namespace {

using mergeflow::Dialect;
using mergeflow::RowScanner;
using mergeflow::RowView;

struct Event {
  bool bad;
  uint64_t offset;
  uint32_t size;                  // rows only
  std::vector<std::string> keys;  // rows only
  std::string message;            // bad rows only
  bool operator==(const Event&) const = default;
};

struct Recorder {
  const char* data;
  Dialect dialect;
  std::vector<Event> events;
  std::vector<std::string_view> fields;
  std::string scratch;
  uint32_t expected_fields;
  std::vector<uint32_t> key_fields;

  void OnRow(const RowView& row) {
    Event e{false, row.offset, row.size, {}, {}};
    for (size_t k = 0; k < key_fields.size(); ++k) e.keys.emplace_back(row.keys[k]);
    // Every accepted row splits into the expected fields, keys among them.
    mergeflow::SplitFields(row.data, row.size, row.quoted, dialect, &fields, &scratch);
    CHECK(fields.size() == expected_fields);
    for (size_t k = 0; k < key_fields.size(); ++k) {
      CHECK(fields[key_fields[k]] == e.keys[k]);
    }
    CHECK(row.data == data + row.offset);
    events.push_back(std::move(e));
  }
  bool OnBadRow(uint64_t offset, std::string message) {
    events.push_back(Event{true, offset, 0, {}, std::move(message)});
    return true;
  }
};

// The plain scalar split: rows end at '\n' (a '\r' before it is dropped),
// blank rows are skipped, fields end at the separator.
std::vector<Event> ScalarSplit(std::string_view text, char sep, uint32_t expected, const std::vector<uint32_t>& keys,
                               bool skip_first_row) {
  std::vector<Event> events;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    const size_t next = nl == std::string_view::npos ? text.size() : nl + 1;
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    if (end > start && text[end - 1] == '\r') --end;
    if (end > start) {
      std::vector<std::string_view> fields;
      size_t f = start;
      for (size_t i = start; i <= end; ++i) {
        if (i == end || text[i] == sep) {
          fields.push_back(text.substr(f, i - f));
          f = i + 1;
        }
      }
      if (fields.size() != expected) {
        events.push_back(
            Event{true, start, 0, {}, mergeflow::DescribeFieldCount(expected, static_cast<uint32_t>(fields.size()))});
        skip_first_row = false;
      } else if (skip_first_row) {
        skip_first_row = false;
      } else {
        Event e{false, start, static_cast<uint32_t>(end - start), {}, {}};
        for (uint32_t k : keys) e.keys.emplace_back(fields[k]);
        events.push_back(std::move(e));
      }
    }
    start = next;
  }
  return events;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  static const std::vector<int64_t> targets = hwy::SupportedAndGeneratedTargets();
  hwy::SetSupportedTargetsForTest(targets[data[0] % targets.size()]);
  const uint8_t shape = data[1];
  Dialect dialect;
  dialect.separator = (shape & 1) ? ',' : '\t';
  dialect.quoting = (shape & 2) != 0;
  const uint32_t expected = 1 + ((shape >> 2) & 3);
  std::vector<uint32_t> keys = {0};
  if ((shape & 0x10) && expected > 1) keys = {expected - 1, 0};
  const bool skip_first_row = (shape & 0x20) != 0;
  // A copy of its own, so that reads past the end are seen.
  std::string text(reinterpret_cast<const char*>(data + 2), size - 2);
  std::unique_ptr<char[]> exact(new char[text.size()]);
  std::memcpy(exact.get(), text.data(), text.size());

  RowScanner scanner(dialect, expected, keys);
  Recorder recorder{exact.get(), dialect, {}, {}, {}, expected, keys};
  scanner.Scan(exact.get(), text.size(), skip_first_row, recorder);
  uint64_t last = 0;
  for (size_t i = 0; i < recorder.events.size(); ++i) {
    const Event& e = recorder.events[i];
    CHECK(i == 0 || e.offset > last);
    CHECK(e.bad || e.offset + e.size <= text.size());
    last = e.offset;
  }
  if (!dialect.quoting || text.find('"') == std::string::npos) {
    CHECK(recorder.events == ScalarSplit(text, dialect.separator, expected, keys, skip_first_row));
  }
  hwy::SetSupportedTargetsForTest(0);
  return 0;
}
