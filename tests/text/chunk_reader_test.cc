#include "text/chunk_reader.h"

#include <gtest/gtest.h>

#include "io/input_listing.h"
#include "test_files.h"

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
  ChunkReader reader(ListInputFiles(dir / "a.tsv").value(), Dialect{}, 256);
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
  ChunkReader reader(ListInputFiles(dir / "q.csv").value(), Dialect{',', true}, 128);
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
  ChunkReader reader(ListInputFiles(dir / "long.tsv").value(), Dialect{}, 64);
  auto chunks = ReadAll(reader);
  std::string joined;
  for (const Chunk& c : chunks) joined.append(c.data, c.size);
  EXPECT_TRUE(joined == text);
  EXPECT_GE(chunks[0].size, text.size() - 4);  // the first chunk grew to hold the long row
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
  ChunkReader reader(files, Dialect{}, 1 << 20);
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
  ChunkReader reader(ListInputFiles(dir / "a.tsv").value(), Dialect{}, 1 << 20);
  Chunk first;
  ASSERT_TRUE(reader.Next(&first).value());
  const char* data = first.data;
  reader.PushBack(std::move(first));
  Chunk again;
  ASSERT_TRUE(reader.Next(&again).value());
  EXPECT_EQ(again.data, data);
  EXPECT_FALSE(reader.Next(&again).value());
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

}  // namespace
}  // namespace mergeflow
