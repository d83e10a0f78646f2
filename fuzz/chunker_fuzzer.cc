// Fuzzes cutting a file into chunks of rows (the chunk reader and its file
// chunker), in both quoting modes and at chunk sizes from 64 bytes up.
// Oracles: the chunks, in order, are the file (a leading UTF-8 BOM aside);
// each one's offset and first line number are right; every chunk but the
// last ends with a newline; with quoting on, each cut falls where an even
// number of quote characters came before it (never inside a quoted field).
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_check.h"
#include "io/file_system.h"
#include "text/chunk_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  mergeflow::Dialect dialect;
  dialect.separator = (data[0] & 1) ? ',' : '\t';
  dialect.quoting = (data[0] & 2) != 0;
  const size_t chunk_bytes = 64 + static_cast<size_t>(data[1]) * 16;
  const std::string text(reinterpret_cast<const char*>(data + 2), size - 2);
  // Compressed data and Parquet files are recognised by their magic bytes
  // and decoded first: not this target's subject (parquet_reader_fuzzer's;
  // a truncated stream is a clean error there).
  if (text.starts_with("\x1f\x8b") || text.starts_with("\x28\xb5\x2f\xfd") || text.starts_with("PAR1")) return 0;
  char path[] = "/tmp/mergeflow-chunker-fuzz-XXXXXX";
  const int fd = mkstemp(path);
  CHECK(fd >= 0);
  CHECK(write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()));
  close(fd);
  {
    const size_t bom = text.starts_with("\xef\xbb\xbf") ? 3 : 0;
    mergeflow::FileInfo file{path, true, false, text.size()};
    mergeflow::ChunkReader reader({file}, dialect, chunk_bytes, 1, mergeflow::ChunkOrder::kFileOrder);
    std::string joined;
    uint64_t line = 1;
    uint64_t quotes = 0;
    bool last_ended_in_newline = true;
    for (uint32_t id = 0;; ++id) {
      mergeflow::Chunk chunk;
      auto more = reader.Next(&chunk);
      CHECK(more.ok());
      if (!more.value()) break;
      CHECK(last_ended_in_newline);  // only the last chunk may end without one
      CHECK(chunk.id == id);
      CHECK(chunk.file_offset == bom + joined.size());
      CHECK(chunk.first_line == line);
      const std::string part(chunk.data, chunk.size);
      CHECK(!part.empty());
      for (char c : part) {
        line += c == '\n';
        quotes += c == '"';
      }
      last_ended_in_newline = part.back() == '\n';
      if (dialect.quoting && last_ended_in_newline)
        CHECK(quotes % 2 == 0 || joined.size() + part.size() == text.size() - bom);
      joined += part;
    }
    CHECK(joined == text.substr(bom));
  }
  unlink(path);
  return 0;
}
