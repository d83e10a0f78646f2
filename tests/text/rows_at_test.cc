// RowsAtReader: the rows at chosen offsets of a real file come back whole
// (quoted newlines, rows longer than the first guess, a last row without a
// line end) and in order, rows close together share a read, and a read's
// failure, an offset past the end and an error of the caller stop it.
#include "text/rows_at.h"

#include <gtest/gtest.h>

#include <random>

#include "io/faulty_file_system.h"
#include "test_files.h"

namespace mergeflow {
namespace {

using testing::TempDir;
using testing::WriteFile;

struct RowsFile {
  std::string text;
  std::vector<uint64_t> starts;
  std::vector<std::string> rows;
};

// Rows of random length (a few far longer than RowReads' first guess), some
// with a quoted field holding a newline; the last without a line end.
RowsFile RandomRows(std::mt19937& rng, int count) {
  RowsFile f;
  for (int i = 0; i < count; ++i) {
    std::string row = std::to_string(i) + ",";
    if (rng() % 5 == 0) row += "\"quoted\nnewline, " + std::to_string(i) + "\",";
    row += std::string(rng() % 10 == 0 ? 5000 + rng() % 20000 : rng() % 80, 'a' + i % 26);
    if (i + 1 < count) row += "\n";
    f.starts.push_back(f.text.size());
    f.rows.push_back(row);
    f.text += row;
  }
  return f;
}

TEST(RowsAtTest, RowsAtChosenOffsetsComeBackWholeAndInOrder) {
  TempDir dir;
  std::mt19937 rng(11);
  const RowsFile f = RandomRows(rng, 3000);
  WriteFile(dir / "part.csv", f.text);
  auto fs = std::make_shared<FaultyFileSystem>(std::make_shared<LocalFileSystem>(), "");
  auto file = fs->OpenForRandomAccess(dir / "part.csv").value();
  for (RowReads reads : {RowReads{}, RowReads{.hole = 0, .longest = 1, .row_guess = 1},
                         RowReads{.hole = 300, .longest = 2000, .row_guess = 16}}) {
    for (int every : {1, 3, 100}) {
      std::vector<uint64_t> offsets;
      std::vector<std::string> expected;
      for (size_t i = 0; i < f.starts.size(); ++i) {
        if (rng() % every == 0 || i + 1 == f.starts.size()) {
          offsets.push_back(f.starts[i]);
          expected.push_back(f.rows[i]);
        }
      }
      std::vector<uint64_t> seen_offsets;
      std::vector<std::string> seen;
      ASSERT_TRUE(RowsAtReader()
                      .Read(*file, "part.csv", offsets, true, reads,
                            [&](uint64_t offset, std::string_view row) {
                              seen_offsets.push_back(offset);
                              seen.emplace_back(row);
                              return Status::OK();
                            })
                      .ok());
      EXPECT_EQ(seen_offsets, offsets) << "one row in " << every << ", hole " << reads.hole;
      EXPECT_EQ(seen, expected) << "one row in " << every << ", hole " << reads.hole;
    }
  }
}

TEST(RowsAtTest, RowsCloseTogetherShareARead) {
  TempDir dir;
  std::string text;
  std::vector<uint64_t> starts;
  for (int i = 0; i < 10000; ++i) {
    starts.push_back(text.size());
    text += std::to_string(i) + "\tvalue\n";  // about 11 bytes a row
  }
  WriteFile(dir / "part.tsv", text);
  auto fs = std::make_shared<FaultyFileSystem>(std::make_shared<LocalFileSystem>(), "");
  auto file = fs->OpenForRandomAccess(dir / "part.tsv").value();
  auto reads_for = [&](const std::vector<uint64_t>& offsets, RowReads reads) {
    const int before = fs->Calls(FsOp::kRead);
    EXPECT_TRUE(
        RowsAtReader()
            .Read(*file, "part.tsv", offsets, false, reads, [](uint64_t, std::string_view) { return Status::OK(); })
            .ok());
    return fs->Calls(FsOp::kRead) - before;
  };
  std::vector<uint64_t> every_tenth;  // about 110 bytes apart
  for (size_t i = 0; i < starts.size(); i += 10) every_tenth.push_back(starts[i]);
  EXPECT_EQ(reads_for(every_tenth, RowReads{}), 1);
  EXPECT_EQ(reads_for(every_tenth, RowReads{.hole = 50}), 1000);  // farther apart than the hole
  const uint64_t span = every_tenth.back() - every_tenth.front();
  const int capped = reads_for(every_tenth, RowReads{.longest = 11000});  // about 100 rows a read
  EXPECT_GE(capped, static_cast<int>(span / 11000));
  EXPECT_LE(capped, static_cast<int>(span / 11000) + 2);
  EXPECT_EQ(reads_for({starts[5], starts[9000]}, RowReads{}), 2);
}

TEST(RowsAtTest, FailuresStopTheReadingWithTheirError) {
  TempDir dir;
  WriteFile(dir / "part.tsv", "a\t1\nb\t2\nc\t3\n");
  auto fs = std::make_shared<FaultyFileSystem>(std::make_shared<LocalFileSystem>(), "");
  auto file = fs->OpenForRandomAccess(dir / "part.tsv").value();
  auto nothing = [](uint64_t, std::string_view) { return Status::OK(); };
  RowsAtReader reader;
  Status past = reader.Read(*file, "ds/part-00003.tsv", std::vector<uint64_t>{4, 12}, false, {}, nothing);
  EXPECT_EQ(past.message(), "ds/part-00003.tsv: no row starts at byte 12");
  fs->FailNth(FsOp::kRead, 1, Status::IOError("read failed"));
  EXPECT_EQ(reader.Read(*file, "p", std::vector<uint64_t>{0}, false, {}, nothing).message(), "read failed");
  int calls = 0;
  Status stopped =
      reader.Read(*file, "p", std::vector<uint64_t>{0, 4, 8}, false, {}, [&](uint64_t, std::string_view row) {
        ++calls;
        return row == "b\t2\n" ? Status::BadInput("bad row") : Status::OK();
      });
  EXPECT_EQ(stopped.message(), "bad row");
  EXPECT_EQ(calls, 2);
}

TEST(RowsAtTest, RemoteStoresShareAReadAmongRowsFartherApart) {
  EXPECT_EQ(RowReadsFor("ds/part-00001.csv").hole, RowReads{}.hole);
  EXPECT_EQ(RowReadsFor("file:///ds/part-00001.csv").hole, RowReads{}.hole);
  EXPECT_EQ(RowReadsFor("s3://bucket/ds/part-00001.csv").hole, uint64_t{1} << 20);
  EXPECT_GT(RowReadsFor("s3://bucket/ds/part-00001.csv").longest, RowReads{}.longest);
}

TEST(RowsAtTest, RowLengthEndsAtTheFirstNewlineOutsideQuotes) {
  EXPECT_EQ(RowLength("ab\ncd\n", 6, false), 3u);
  EXPECT_EQ(RowLength("\"a\nb\"\nc", 7, true), 6u);
  EXPECT_EQ(RowLength("\"a\nb\"\nc", 7, false), 3u);
  EXPECT_EQ(RowLength("abc", 3, false), 0u);
  EXPECT_EQ(RowLength("\"a\n", 3, true), 0u);
}

}  // namespace
}  // namespace mergeflow
