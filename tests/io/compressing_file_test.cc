#include "io/compressing_file.h"

#include <gtest/gtest.h>

#include "io/local_file_system.h"
#include "test_files.h"

namespace mergeflow {
namespace {

using testing::TempDir;

// Writes `text` through a compressing file in uneven appends, then reads it
// back through OpenDecompressed.
std::string RoundTrip(const TempDir& dir, Compression compression, const std::string& text) {
  LocalFileSystem fs;
  const std::string path = dir / "out";
  std::unique_ptr<WritableFile> file = NewCompressingFile(fs.OpenForWrite(path).value(), compression);
  for (size_t at = 0, step = 1; at < text.size(); at += step, step = step * 3 % 100003 + 1)
    EXPECT_TRUE(file->Append(std::string_view(text).substr(at, step)).ok());
  EXPECT_TRUE(file->Close().ok());
  const std::string stored = testing::ReadFile(path);
  EXPECT_EQ(DetectCompression(stored.data(), stored.size()), compression);
  if (compression != Compression::kNone && text.size() > 1000) {
    EXPECT_LT(stored.size(), text.size() / 2);
  }
  std::unique_ptr<InputStream> in = OpenDecompressed(fs.OpenInputStream(path, 0).value(), path).value();
  std::string out(text.size() + 10, '\0');
  size_t done = 0;
  while (size_t got = in->Read(out.data() + done, out.size() - done).value()) done += got;
  out.resize(done);
  return out;
}

TEST(CompressingFileTest, GzipAndZstdRoundTrip) {
  TempDir dir;
  std::string text;
  for (uint64_t i = 0; i < 400000; ++i) text += std::to_string(i * 7919 % 100003) + "\tvalue " + std::to_string(i) + "\n";
  for (Compression c : {Compression::kGzip, Compression::kZstd}) {
    EXPECT_EQ(RoundTrip(dir, c, text), text);
    EXPECT_EQ(RoundTrip(dir, c, ""), "");
  }
  EXPECT_EQ(CompressionSuffix(Compression::kGzip), ".gz");
  EXPECT_EQ(CompressionSuffix(Compression::kZstd), ".zst");
}

}  // namespace
}  // namespace mergeflow
