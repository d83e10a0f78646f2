#include "text/chunk_reader.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "io/compressing_file.h"
#include "io/faulty_file_system.h"
#include "io/input_listing.h"
#include "io/local_file_system.h"
#include "test_files.h"
#include "text/bad_row_log.h"
#include "text/row_scanner.h"
#include "text/scan_rows.h"

namespace mergeflow {
namespace {

using testing::TempDir;
using testing::WriteFile;

std::vector<Chunk> ReadAll(ChunkReader& reader) {
  std::vector<Chunk> chunks;
  for (;;) {
    Chunk chunk;
    auto more = reader.Next(&chunk);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !more.value()) return chunks;
    chunks.push_back(std::move(chunk));
  }
}

TEST(ChunkReaderTest, ChunksAreWholeRowsAndCoverTheFile) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 500; ++i) text += std::to_string(i) + "\tvalue-" + std::to_string(i * i) + "\n";
  WriteFile(dir / "a.tsv", text);
  ChunkReader reader(ListInputFiles(dir / "a.tsv").value(), Dialect{}, 256, 1, ChunkOrder::kFileOrder);
  auto chunks = ReadAll(reader);
  ASSERT_GT(chunks.size(), 10u);
  std::string joined;
  uint64_t line = 1;
  for (size_t i = 0; i < chunks.size(); ++i) {
    const Chunk& c = chunks[i];
    EXPECT_EQ(c.id, i);
    EXPECT_EQ(c.starts_file, i == 0);
    EXPECT_EQ(c.file_offset, joined.size());
    EXPECT_EQ(c.first_line, line);
    std::string part(c.data, c.size);
    EXPECT_EQ(part.back(), '\n');
    line += std::count(part.begin(), part.end(), '\n');
    joined += part;
  }
  EXPECT_EQ(joined, text);
}

TEST(ChunkReaderTest, QuotedNewlinesNeverEndAChunk) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 200; ++i) text += std::to_string(i) + ",\"multi\nline \"\"" + std::to_string(i) + "\"\"\n\"\n";
  WriteFile(dir / "q.csv", text);
  ChunkReader reader(ListInputFiles(dir / "q.csv").value(), Dialect{',', true}, 128, 2, ChunkOrder::kFileOrder);
  auto chunks = ReadAll(reader);
  ASSERT_GT(chunks.size(), 5u);
  for (const Chunk& c : chunks) {
    std::string part(c.data, c.size);
    // Every chunk starts a record: a row number, then ",\"multi".
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(part[0]))) << part.substr(0, 20);
    EXPECT_EQ(std::count(part.begin(), part.end(), '"') % 2, 0);
  }
}

TEST(ChunkReaderTest, RowsLongerThanAChunkGrowTheBuffer) {
  TempDir dir;
  std::string text = "1\t" + std::string(10000, 'x') + "\n2\ty\n";
  WriteFile(dir / "long.tsv", text);
  ChunkReader reader(ListInputFiles(dir / "long.tsv").value(), Dialect{}, 64, 1, ChunkOrder::kFileOrder);
  auto chunks = ReadAll(reader);
  std::string joined;
  for (const Chunk& c : chunks) joined.append(c.data, c.size);
  EXPECT_TRUE(joined == text);
  EXPECT_GE(chunks[0].size,
            text.size() - 4);  // the first chunk grew to hold the long row
}

TEST(ChunkReaderTest, ManyFilesInOrderSkippingEmptyOnesAndBoms) {
  TempDir dir;
  WriteFile(dir / "part-0.tsv", "\xEF\xBB\xBFid\tv\n1\ta\n");
  WriteFile(dir / "part-1.tsv", "");
  WriteFile(dir / "part-2.tsv", "id\tv\n2\tb");  // no final newline
  WriteFile(dir / "_SUCCESS", "{}");
  WriteFile(dir / ".hidden", "x");
  auto files = ListInputFiles(dir.path()).value();
  ASSERT_EQ(files.size(), 3u);
  ChunkReader reader(files, Dialect{}, 1 << 20, 3, ChunkOrder::kFileOrder);
  auto chunks = ReadAll(reader);
  ASSERT_EQ(chunks.size(), 2u);
  EXPECT_EQ(std::string(chunks[0].data, chunks[0].size), "id\tv\n1\ta\n");
  EXPECT_EQ(chunks[0].file_offset, 3u);
  EXPECT_EQ(chunks[1].file_index, 2u);
  EXPECT_TRUE(chunks[1].starts_file);
  EXPECT_EQ(std::string(chunks[1].data, chunks[1].size), "id\tv\n2\tb");
}

TEST(ChunkReaderTest, PushBackReturnsTheSameChunk) {
  TempDir dir;
  WriteFile(dir / "a.tsv", "id\tv\n1\ta\n");
  ChunkReader reader(ListInputFiles(dir / "a.tsv").value(), Dialect{}, 1 << 20, 2, ChunkOrder::kFileOrder);
  Chunk first;
  ASSERT_TRUE(reader.Next(&first).value());
  const char* data = first.data;
  reader.PushBack(std::move(first));
  Chunk again;
  ASSERT_TRUE(reader.Next(&again).value());
  EXPECT_EQ(again.data, data);
  EXPECT_FALSE(reader.Next(&again).value());
}

// Writes `text` to `path` compressed with `compression`.
void WriteCompressed(const std::string& path, Compression compression, const std::string& text) {
  LocalFileSystem fs;
  std::unique_ptr<WritableFile> file = NewCompressingFile(fs.OpenForWrite(path).value(), compression);
  ASSERT_TRUE(file->Append(text).ok());
  ASSERT_TRUE(file->Close().ok());
}

TEST(ChunkReaderTest, ManyCompressedFilesReadAtOnceComeOutWholeInEitherOrder) {
  TempDir dir;
  std::vector<std::string> texts;
  const Compression kinds[] = {Compression::kGzip, Compression::kZstd, Compression::kNone};
  for (int f = 0; f < 12; ++f) {
    std::string text;
    const int rows = f == 5 ? 0 : 2000 + 700 * f;  // file 5 is empty
    for (int i = 0; i < rows; ++i) text += std::to_string(f) + "-" + std::to_string(i) + "\tpayload\n";
    char name[32];
    std::snprintf(name, sizeof name, "part-%02d", f);
    WriteCompressed(dir / name, kinds[f % 3], text);
    texts.push_back(text);
  }
  for (ChunkOrder order : {ChunkOrder::kFileOrder, ChunkOrder::kAnyOrder})
    for (int threads : {1, 4, 16}) {
      ChunkReader reader(ListInputFiles(dir.path()).value(), Dialect{}, 4096, threads, order);
      std::vector<std::string> read(texts.size());
      uint32_t expected_id = 0;
      uint32_t last_file = 0;
      for (const Chunk& c : ReadAll(reader)) {
        EXPECT_EQ(c.id, expected_id++);
        if (expected_id == 1) {
          EXPECT_EQ(c.file_index, 0u);  // the header comes first in either order
        }
        if (order == ChunkOrder::kFileOrder) {
          EXPECT_GE(c.file_index, last_file);
        }
        last_file = c.file_index;
        std::string& text = read[c.file_index];
        EXPECT_EQ(c.file_offset, text.size());
        EXPECT_EQ(c.first_line, 1 + static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n')));
        EXPECT_EQ(c.starts_file, text.empty());
        text.append(c.data, c.size);
      }
      EXPECT_GT(expected_id, 12u * 4);
      for (size_t f = 0; f < texts.size(); ++f)
        EXPECT_TRUE(read[f] == texts[f]) << "file " << f << ", threads " << threads;
    }
}

TEST(ChunkReaderTest, ConcurrentCallersGetEveryChunkOnce) {
  TempDir dir;
  std::string expected;
  for (int f = 0; f < 300; ++f) {
    std::string text;
    for (int i = 0; i < 1 + f % 7 * 40; ++i) text += std::to_string(f) + "." + std::to_string(i) + "\n";
    char name[32];
    std::snprintf(name, sizeof name, "part-%03d", f);
    WriteFile(dir / name, text);
    expected += text;
  }
  for (ChunkOrder order : {ChunkOrder::kFileOrder, ChunkOrder::kAnyOrder}) {
    ChunkReader reader(ListInputFiles(dir.path()).value(), Dialect{}, 64, 3, order);
    std::mutex mu;
    std::map<uint32_t, std::pair<uint32_t, std::string>> by_id;
    std::vector<std::thread> callers;
    for (int t = 0; t < 4; ++t) {
      callers.emplace_back([&] {
        Chunk chunk;
        while (reader.Next(&chunk).value()) {
          std::lock_guard<std::mutex> lock(mu);
          EXPECT_TRUE(
              by_id.emplace(chunk.id, std::make_pair(chunk.file_index, std::string(chunk.data, chunk.size))).second);
          reader.Recycle(std::move(chunk));
        }
      });
    }
    for (std::thread& t : callers) t.join();
    // Ids have no gaps; in file order they follow the files; in any order each
    // file's chunks still come front to back.
    std::map<uint32_t, std::string> by_file;
    std::string joined;
    uint32_t expected_id = 0;
    uint32_t last_file = 0;
    for (const auto& [id, chunk] : by_id) {
      EXPECT_EQ(id, expected_id++);
      if (order == ChunkOrder::kFileOrder) {
        EXPECT_GE(chunk.first, last_file);
      }
      last_file = chunk.first;
      by_file[chunk.first] += chunk.second;
    }
    for (const auto& [file, text] : by_file) joined += text;
    EXPECT_TRUE(joined == expected);
  }
}

TEST(ChunkReaderTest, ACorruptFileFailsAfterTheFilesBeforeItAndStopsCleanly) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 5000; ++i) text += std::to_string(i) + "\tx\n";
  WriteCompressed(dir / "a.gz", Compression::kGzip, text);
  WriteCompressed(dir / "b.gz", Compression::kGzip, text);
  std::string corrupt = testing::ReadFile(dir / "b.gz");
  corrupt.resize(corrupt.size() / 2);
  WriteFile(dir / "b.gz", corrupt);
  for (int f = 0; f < 6; ++f) WriteCompressed(dir / ("c" + std::to_string(f) + ".zst"), Compression::kZstd, text);
  ChunkReader reader(ListInputFiles(dir.path()).value(), Dialect{}, 1024, 4, ChunkOrder::kFileOrder);
  std::string a;
  Chunk chunk;
  Result<bool> more = true;
  while ((more = reader.Next(&chunk)).ok() && more.value() && chunk.file_index == 0) a.append(chunk.data, chunk.size);
  EXPECT_TRUE(a == text);
  // b.gz's readable start may come first; then its error, and again.
  while (more.ok() && more.value()) {
    EXPECT_EQ(chunk.file_index, 1u);
    more = reader.Next(&chunk);
  }
  ASSERT_FALSE(more.ok());
  EXPECT_NE(more.status().message().find("b.gz"), std::string::npos) << more.status().message();
  EXPECT_FALSE(reader.Next(&chunk).ok());
  // The reader is destroyed with reading threads waiting on full slots.
}

// The text of the rows that readers of `ranges`, each on its own, find.
std::string ReadRanges(const std::vector<FileInfo>& files, const std::vector<FileRange>& ranges, size_t chunk_bytes) {
  std::string text;
  for (const FileRange& range : ranges) {
    ChunkReader reader(files, {range}, Dialect{}, chunk_bytes, 2, ChunkOrder::kFileOrder);
    bool first = true;
    for (const Chunk& c : ReadAll(reader)) {
      EXPECT_EQ(c.starts_file, first && range.begin == 0);
      EXPECT_EQ(c.first_line == 0, range.begin != 0);
      EXPECT_EQ(c.data[c.size - 1], '\n');
      first = false;
      text.append(c.data, c.size);
    }
  }
  return text;
}

TEST(ChunkReaderTest, RangesOfAFileTakeEveryRowOnce) {
  TempDir dir;
  std::string text;
  for (uint64_t i = 0; i < 3000; ++i) text += std::to_string(i) + "\t" + std::string(i * 7919 % 97, 'v') + "\n";
  WriteFile(dir / "a.tsv", text);
  auto fs = std::make_shared<FaultyFileSystem>();
  fs->map_files = false;
  RegisterFileSystem("faulty", fs);
  for (const std::string& path : {dir / "a.tsv", "faulty://" + dir / "a.tsv"}) {
    FileInfo file{path, true, false, text.size()};
    for (uint64_t pieces : {1, 2, 3, 7, 64}) {
      std::vector<FileRange> ranges;
      for (uint64_t p = 0; p < pieces; ++p)
        ranges.push_back({0, text.size() * p / pieces, text.size() * (p + 1) / pieces});
      EXPECT_TRUE(ReadRanges({file}, ranges, 1000) == text) << path << " in " << pieces;
    }
    // Cuts exactly at a row start, just after and just before one.
    const uint64_t row_start = text.find("100\t");
    for (uint64_t cut : {row_start - 1, row_start, row_start + 1}) {
      EXPECT_TRUE(ReadRanges({file}, {{0, 0, cut}, {0, cut, text.size()}}, 512) == text) << path << " cut at " << cut;
      std::string second = ReadRanges({file}, {{0, cut, text.size()}}, 512);
      EXPECT_TRUE(second.starts_with(cut <= row_start ? "100\t" : "101\t")) << second.substr(0, 10);
    }
  }
}

TEST(ChunkReaderTest, ACompressedFileIsTakenWholeByTheRangeHoldingItsStart) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + "\tz\n";
  WriteCompressed(dir / "a.data", Compression::kZstd, text);
  const uint64_t size = testing::ReadFile(dir / "a.data").size();
  FileInfo file{dir / "a.data", true, false, size};
  EXPECT_TRUE(ReadRanges({file}, {{0, 0, size / 3}}, 4096) == text);
  EXPECT_EQ(ReadRanges({file}, {{0, size / 3, size}}, 4096), "");
}

TEST(ChunkReaderTest, SkippedRowsAreLeftOutWhereverTheyFall) {
  TempDir dir;
  std::string text;
  std::vector<ByteRange> skip;
  std::string expected;
  for (uint64_t i = 0; i < 3000; ++i) {
    const std::string row = std::to_string(i) + "\t" + std::string(i * 7919 % 97, 'v') + "\n";
    // Runs of neighbours, single rows, the first and the last row.
    if (i == 0 || i == 2999 || i % 13 == 0 || (i >= 1000 && i < 1400) || i * 31 % 7 == 3) {
      if (!skip.empty() && skip.back().end == text.size()) {
        skip.back().end += row.size();
      } else {
        skip.push_back({text.size(), text.size() + row.size()});
      }
    } else {
      expected += row;
    }
    text += row;
  }
  WriteFile(dir / "a.tsv", text);
  WriteCompressed(dir / "a.zst", Compression::kZstd, text);
  auto fs = std::make_shared<FaultyFileSystem>();
  fs->map_files = false;
  RegisterFileSystem("faulty", fs);
  const auto ranges = std::make_shared<const std::vector<ByteRange>>(skip);
  for (const std::string& path : {dir / "a.tsv", "faulty://" + dir / "a.tsv", dir / "a.zst"}) {
    FileInfo file{path, true, false, testing::ReadFile(path.starts_with("faulty") ? dir / "a.tsv" : path).size()};
    file.skip = ranges;
    for (size_t chunk_bytes : {256, 1000, 1 << 20}) {
      ChunkReader reader({file}, Dialect{}, chunk_bytes, 2, ChunkOrder::kFileOrder);
      std::string read;
      for (const Chunk& c : ReadAll(reader)) {
        EXPECT_GT(c.size, 0u);
        EXPECT_EQ(c.data[c.size - 1], '\n');
        read.append(c.data, c.size);
      }
      EXPECT_TRUE(read == expected) << path << " in chunks of " << chunk_bytes;
    }
    // Cut into pieces, as ranks read it.
    if (path.ends_with(".zst")) continue;
    std::string pieces;
    for (uint64_t p = 0; p < 5; ++p) {
      ChunkReader reader({file}, {{0, file.size * p / 5, file.size * (p + 1) / 5}}, Dialect{}, 700, 1,
                         ChunkOrder::kFileOrder);
      for (const Chunk& c : ReadAll(reader)) pieces.append(c.data, c.size);
    }
    EXPECT_TRUE(pieces == expected) << path << " in ranges";
  }
}

TEST(InputListingTest, MissingInputsAreClearErrors) {
  TempDir dir;
  auto missing = ListInputFiles(dir / "nope.tsv");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(), "cannot open " + (dir / "nope.tsv") + ": No such file or directory");
  auto empty_glob = ListInputFiles(dir / "*.tsv");
  ASSERT_FALSE(empty_glob.ok());
  EXPECT_NE(empty_glob.status().message().find("no input file matches"), std::string::npos);
  WriteFile(dir / "b.tsv", "x");
  WriteFile(dir / "a.tsv", "x");
  auto glob = ListInputFiles(dir / "*.tsv").value();
  ASSERT_EQ(glob.size(), 2u);
  EXPECT_EQ(glob[0].path, dir / "a.tsv");
}

TEST(ChunkReaderTest, LinesCountedOnlyWhenShownStillNameTheBadRow) {
  TempDir dir;
  std::string text = "id\tv\n";
  for (int i = 0; i < 5000; ++i) text += std::to_string(i) + (i == 3210 ? "\n" : "\tvalue\n");  // line 3212 lacks v
  WriteFile(dir / "a.tsv", text);
  WriteCompressed(dir / "a.zst", Compression::kZstd, text);
  for (const std::string& path : {dir / "a.tsv", dir / "a.zst"}) {
    for (int threads : {1, 2}) {
      ChunkReader reader(ListInputFiles(path).value(), Dialect{}, 512, threads, ChunkOrder::kAnyOrder);
      reader.CountLinesOnlyWhenShown();
      Chunk first;
      ASSERT_TRUE(reader.Next(&first).value());
      // A mapped text file's chunks say nothing of their lines; a
      // decompressed one's still do.
      EXPECT_EQ(first.first_line, path.ends_with(".tsv") ? 0u : 1u) << path;
      reader.PushBack(std::move(first));
      BadRowLog log(false, &reader);
      RowScanner scanner(Dialect{}, 2, {0});
      uint64_t rows = 0;
      Status status = ScanRows(&reader, &scanner, &log, [](const RowView&, const Chunk&) {}, [] { return Status::OK(); },
                               &rows);
      EXPECT_TRUE(status.message().starts_with(path + ":3212: ")) << status.message();
    }
  }
}

}  // namespace
}  // namespace mergeflow
