#include "io/decompressing_stream.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>

#include "io/local_file_system.h"
#include "test_files.h"

namespace mergeflow {
namespace {

using testing::TempDir;
using testing::WriteFile;

std::string Gzip(const std::string& text) {
  z_stream z{};
  deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, text.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  z.avail_in = static_cast<uInt>(text.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Zstd(const std::string& text) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), text.data(), text.size(), 3));
  return out;
}

// Reads `bytes` (written to a file) through OpenDecompressed, in small reads.
Result<std::string> ReadThrough(const TempDir& dir, const std::string& bytes) {
  WriteFile(dir / "in", bytes);
  LocalFileSystem fs;
  MF_ASSIGN_OR_RETURN(std::unique_ptr<InputStream> raw, fs.OpenInputStream(dir / "in", 0));
  MF_ASSIGN_OR_RETURN(std::unique_ptr<InputStream> stream, OpenDecompressed(std::move(raw), "in"));
  std::string out;
  char buffer[777];
  for (;;) {
    MF_ASSIGN_OR_RETURN(size_t got, stream->Read(buffer, sizeof(buffer)));
    if (got == 0) return out;
    out.append(buffer, got);
  }
}

std::string SampleText() {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += std::to_string(i) + "\tvalue " + std::to_string(i * 31) + "\n";
  return text;
}

TEST(DecompressingStreamTest, PlainBytesPassThrough) {
  TempDir dir;
  EXPECT_EQ(ReadThrough(dir, "id\tv\n1\ta\n").value(), "id\tv\n1\ta\n");
  EXPECT_EQ(ReadThrough(dir, "x").value(), "x");
  EXPECT_EQ(ReadThrough(dir, "").value(), "");
}

TEST(DecompressingStreamTest, GzipWithSeveralMembers) {
  TempDir dir;
  const std::string text = SampleText();
  const std::string half = text.substr(0, text.size() / 2);
  EXPECT_EQ(ReadThrough(dir, Gzip(text)).value(), text);
  EXPECT_EQ(ReadThrough(dir, Gzip(half) + Gzip(text.substr(half.size()))).value(), text);
}

TEST(DecompressingStreamTest, LargeGzipMembersAcrossReadBuffers) {
  TempDir dir;
  // Members whose compressed bytes span several 1 MiB input buffers, with a
  // tiny and an empty member between them.
  std::string big;
  uint64_t x = 88172645463325252ull;
  while (big.size() < (6u << 20)) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    big += std::to_string(x) + "\t" + std::to_string(x % 1000) + "\n";
  }
  const std::string text = big + "tiny\n" + big.substr(0, 3000001);
  const std::string gz = Gzip(big) + Gzip("tiny\n") + Gzip("") + Gzip(big.substr(0, 3000001));
  ASSERT_GT(gz.size(), size_t{3} << 20);
  EXPECT_EQ(ReadThrough(dir, gz).value(), text);
}

TEST(DecompressingStreamTest, ZstdWithSeveralFrames) {
  TempDir dir;
  const std::string text = SampleText();
  EXPECT_EQ(ReadThrough(dir, Zstd(text)).value(), text);
  EXPECT_EQ(ReadThrough(dir, Zstd(text) + Zstd("more\n")).value(), text + "more\n");
}

TEST(DecompressingStreamTest, TruncatedOrCorruptDataIsAnError) {
  TempDir dir;
  const std::string gz = Gzip(SampleText());
  auto truncated = ReadThrough(dir, gz.substr(0, gz.size() / 2));
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.status().message(), "in: truncated gzip data");
  std::string corrupt = gz;
  for (size_t i = 20; i < 60; ++i) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  EXPECT_FALSE(ReadThrough(dir, corrupt).ok());
  const std::string zst = Zstd(SampleText());
  auto zst_truncated = ReadThrough(dir, zst.substr(0, zst.size() - 10));
  ASSERT_FALSE(zst_truncated.ok());
  EXPECT_EQ(zst_truncated.status().message(), "in: truncated zstd data");
}

TEST(DecompressingStreamTest, DetectsByMagicBytes) {
  EXPECT_EQ(DetectCompression("\x1f\x8b\x08\x00", 4), Compression::kGzip);
  EXPECT_EQ(DetectCompression("\x28\xb5\x2f\xfd", 4), Compression::kZstd);
  EXPECT_EQ(DetectCompression("id\tv", 4), Compression::kNone);
  EXPECT_EQ(DetectCompression("\x1f", 1), Compression::kNone);
}

}  // namespace
}  // namespace mergeflow
