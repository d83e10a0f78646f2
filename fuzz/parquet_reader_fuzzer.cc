// Fuzzes mergeflow's Parquet reader (formats/parquet/parquet_text_stream.h)
// on whole files. The oracle: a file is refused with BadInput or read to
// text whose every row splits back into exactly the header's number of
// fields; nothing crashes, overreads or leaks (the sanitizers watch).
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "formats/parquet/parquet_text_stream.h"
#include "fuzz_check.h"
#include "io/table_sink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string path = "/tmp/mergeflow-parquet-fuzz-XXXXXX";
  const int fd = mkstemp(path.data());
  if (fd < 0) std::abort();
  if (write(fd, data, size) != static_cast<ssize_t>(size)) std::abort();
  close(fd);
  const mergeflow::Dialect dialect;
  auto stream = mergeflow::OpenParquetAsText(path, dialect);
  std::string text;
  mergeflow::Status status = stream.status_or_ok();
  if (status.ok()) {
    char buffer[65536];
    for (;;) {
      auto got = stream.value()->Read(buffer, sizeof buffer);
      if (!got.ok()) {
        status = got.status();
        break;
      }
      if (got.value() == 0) break;
      text.append(buffer, got.value());
    }
  }
  unlink(path.c_str());
  if (!status.ok()) {
    CHECK(status.code() == mergeflow::Status::Code::kBadInput);
    CHECK(status.message().rfind(path + ": ", 0) == 0);
    return 0;
  }
  // The header line ends at the first line break outside quotes (a column
  // name may hold one, quoted).
  size_t header_end = 0;
  bool quoted = false;
  while (header_end < text.size() && (quoted || text[header_end] != '\n')) quoted ^= text[header_end++] == '"';
  CHECK(header_end < text.size());
  const std::vector<std::string> names = mergeflow::SplitHeaderLine(std::string_view(text).substr(0, header_end), dialect);
  std::vector<mergeflow::TextColumn> columns(names.size());
  CHECK(mergeflow::AppendRowsToColumns(std::string_view(text).substr(header_end + 1), dialect, &columns).ok());
  return 0;
}
