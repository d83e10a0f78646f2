#include "io/compressing_file.h"

#include <isa-l/igzip_lib.h>
#include <zstd.h>

#include <vector>

namespace mergeflow {
namespace {

constexpr size_t kOutputBytes = 1 << 20;

// How far a codec call goes: keep data for better compression, write out
// all it holds (so that it can be synced), or end the stream.
enum class Flush { kNone, kAll, kEnd };

// Feeds appended bytes to a codec; Sync writes out what the codec holds
// and syncs the sink; Close ends the codec's stream, then the sink.
class CompressingFile : public WritableFile {
 public:
  explicit CompressingFile(std::unique_ptr<WritableFile> sink) : sink_(std::move(sink)) {}
  Status Append(std::string_view data) override { return Compress(data, Flush::kNone); }
  Status Sync() override {
    MF_RETURN_IF_ERROR(Compress({}, Flush::kAll));
    return sink_->Sync();
  }
  Status Close() override {
    MF_RETURN_IF_ERROR(Compress({}, Flush::kEnd));
    return sink_->Close();
  }

 protected:
  // Compresses `data` into sink_, then flushes as `flush` says.
  virtual Status Compress(std::string_view data, Flush flush) = 0;
  std::unique_ptr<WritableFile> sink_;
};

class GzipFile : public CompressingFile {
 public:
  explicit GzipFile(std::unique_ptr<WritableFile> sink)
      : CompressingFile(std::move(sink)), level_buffer_(ISAL_DEF_LVL1_DEFAULT), out_(kOutputBytes) {
    isal_deflate_init(&stream_);
    stream_.level = 1;
    stream_.level_buf = level_buffer_.data();
    stream_.level_buf_size = static_cast<uint32_t>(level_buffer_.size());
    stream_.gzip_flag = IGZIP_GZIP;
  }

 private:
  Status Compress(std::string_view data, Flush flush) override {
    stream_.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(data.data()));
    stream_.avail_in = static_cast<uint32_t>(data.size());
    stream_.end_of_stream = flush == Flush::kEnd ? 1 : 0;
    stream_.flush = flush == Flush::kAll ? SYNC_FLUSH : NO_FLUSH;
    const bool finish = flush == Flush::kEnd;
    do {
      stream_.next_out = out_.data();
      stream_.avail_out = static_cast<uint32_t>(out_.size());
      if (isal_deflate(&stream_) != COMP_OK) return Status::Internal("gzip compression failed");
      const size_t produced = out_.size() - stream_.avail_out;
      if (produced > 0)
        MF_RETURN_IF_ERROR(sink_->Append(std::string_view(reinterpret_cast<char*>(out_.data()), produced)));
    } while (stream_.avail_in > 0 || stream_.avail_out == 0 ||
             (finish && stream_.internal_state.state != ZSTATE_END));
    return Status::OK();
  }

  isal_zstream stream_;
  std::vector<uint8_t> level_buffer_;
  std::vector<uint8_t> out_;
};

class ZstdFile : public CompressingFile {
 public:
  explicit ZstdFile(std::unique_ptr<WritableFile> sink)
      : CompressingFile(std::move(sink)), context_(ZSTD_createCCtx()), out_(ZSTD_CStreamOutSize()) {
    ZSTD_CCtx_setParameter(context_, ZSTD_c_compressionLevel, 3);
  }
  ~ZstdFile() override { ZSTD_freeCCtx(context_); }

 private:
  Status Compress(std::string_view data, Flush flush) override {
    const ZSTD_EndDirective mode = flush == Flush::kEnd   ? ZSTD_e_end
                                   : flush == Flush::kAll ? ZSTD_e_flush
                                                          : ZSTD_e_continue;
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    size_t remaining;
    do {
      ZSTD_outBuffer out{out_.data(), out_.size(), 0};
      remaining = ZSTD_compressStream2(context_, &out, &in, mode);
      if (ZSTD_isError(remaining))
        return Status::Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(remaining));
      if (out.pos > 0) MF_RETURN_IF_ERROR(sink_->Append(std::string_view(out_.data(), out.pos)));
    } while (in.pos < in.size || (mode != ZSTD_e_continue && remaining != 0));
    return Status::OK();
  }

  ZSTD_CCtx* context_;
  std::vector<char> out_;
};

}  // namespace

std::unique_ptr<WritableFile> NewCompressingFile(std::unique_ptr<WritableFile> sink, Compression compression) {
  switch (compression) {
    case Compression::kGzip:
      return std::make_unique<GzipFile>(std::move(sink));
    case Compression::kZstd:
      return std::make_unique<ZstdFile>(std::move(sink));
    case Compression::kNone:
      break;
  }
  return sink;
}

std::string CompressionSuffix(Compression compression) {
  switch (compression) {
    case Compression::kGzip:
      return ".gz";
    case Compression::kZstd:
      return ".zst";
    case Compression::kNone:
      break;
  }
  return "";
}

}  // namespace mergeflow
