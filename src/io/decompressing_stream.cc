#include "io/decompressing_stream.h"

#include <isa-l/igzip_lib.h>
#include <zstd.h>

#include <cstring>
#include <vector>

namespace mergeflow {
namespace {

// What an isa-l inflate error code means, in words.
std::string GzipErrorName(int rc) {
  switch (rc) {
    case ISAL_INVALID_BLOCK:
      return "invalid deflate block";
    case ISAL_INVALID_SYMBOL:
      return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK:
      return "invalid back reference";
    case ISAL_INVALID_WRAPPER:
      return "invalid gzip header";
    case ISAL_UNSUPPORTED_METHOD:
      return "unsupported compression method";
    case ISAL_INCORRECT_CHECKSUM:
      return "checksum mismatch";
    default:
      return "error " + std::to_string(rc);
  }
}

}  // namespace
namespace {

constexpr size_t kInputBytes = 1 << 20;

// Serves `prefix` (bytes already read from `raw`), then the rest of `raw`.
class PrefixedStream : public InputStream {
 public:
  PrefixedStream(std::string prefix, std::unique_ptr<InputStream> raw)
      : prefix_(std::move(prefix)), raw_(std::move(raw)) {}

  Result<size_t> Read(char* dst, size_t n) override {
    size_t done = 0;
    if (offset_ < prefix_.size()) {
      done = std::min(n, prefix_.size() - offset_);
      std::memcpy(dst, prefix_.data() + offset_, done);
      offset_ += done;
    }
    if (done == n) return done;
    MF_ASSIGN_OR_RETURN(size_t got, raw_->Read(dst + done, n - done));
    return done + got;
  }

 private:
  std::string prefix_;
  size_t offset_ = 0;
  std::unique_ptr<InputStream> raw_;
};

// Compressed bytes come from `source`; subclasses turn them into output.
class DecoderStream : public InputStream {
 protected:
  DecoderStream(std::unique_ptr<InputStream> source, std::string name)
      : source_(std::move(source)), name_(std::move(name)), input_(kInputBytes) {}

  // Refills the input buffer when it is used up; false at end of input.
  Result<bool> Refill() {
    if (in_pos_ < in_size_) return true;
    MF_ASSIGN_OR_RETURN(in_size_, source_->Read(input_.data(), input_.size()));
    in_pos_ = 0;
    source_read_ += in_size_;
    return in_size_ > 0;
  }

 public:
  // Within one input buffer (1 MiB) of what the decoder has consumed.
  std::optional<uint64_t> SourceBytesRead() const override { return source_read_; }

 protected:

  std::unique_ptr<InputStream> source_;
  std::string name_;
  std::vector<char> input_;
  size_t in_pos_ = 0;
  size_t in_size_ = 0;
  uint64_t source_read_ = 0;
};

// gzip through isa-l's igzip, several times faster than zlib's inflate.
class GzipStream : public DecoderStream {
 public:
  GzipStream(std::unique_ptr<InputStream> source, std::string name) : DecoderStream(std::move(source), std::move(name)) {
    StartMember();
  }

  Result<size_t> Read(char* dst, size_t n) override {
    size_t done = 0;
    while (done < n && !finished_) {
      if (state_.avail_in == 0) {
        MF_ASSIGN_OR_RETURN(bool more, Refill());
        if (!more) {
          if (in_member_) return Status::IOError(name_ + ": truncated gzip data");
          finished_ = true;
          break;
        }
        state_.next_in = reinterpret_cast<uint8_t*>(input_.data() + in_pos_);
        state_.avail_in = static_cast<uint32_t>(in_size_ - in_pos_);
        in_pos_ = in_size_;  // the decoder owns these bytes now
      }
      if (!in_member_) {
        // Another member follows: start afresh on the bytes left over.
        uint8_t* next = state_.next_in;
        const uint32_t available = state_.avail_in;
        StartMember();
        state_.next_in = next;
        state_.avail_in = available;
      }
      in_member_ = true;
      state_.next_out = reinterpret_cast<uint8_t*>(dst + done);
      state_.avail_out = static_cast<uint32_t>(std::min<size_t>(n - done, 1u << 30));
      const int rc = isal_inflate(&state_);
      done = static_cast<size_t>(reinterpret_cast<char*>(state_.next_out) - dst);
      if (rc < 0) return Status::IOError(name_ + ": corrupt gzip data (" + GzipErrorName(rc) + ")");
      if (state_.block_state == ISAL_BLOCK_FINISH) in_member_ = false;
    }
    return done;
  }

 private:
  void StartMember() {
    isal_inflate_init(&state_);
    state_.crc_flag = ISAL_GZIP;
  }

  inflate_state state_;
  bool in_member_ = false;
  bool finished_ = false;
};

class ZstdStream : public DecoderStream {
 public:
  ZstdStream(std::unique_ptr<InputStream> source, std::string name)
      : DecoderStream(std::move(source), std::move(name)), dctx_(ZSTD_createDCtx()) {}
  ~ZstdStream() override { ZSTD_freeDCtx(dctx_); }

  Result<size_t> Read(char* dst, size_t n) override {
    ZSTD_outBuffer out{dst, n, 0};
    while (out.pos < out.size && !finished_) {
      MF_ASSIGN_OR_RETURN(bool more, Refill());
      if (!more) {
        if (in_frame_) return Status::IOError(name_ + ": truncated zstd data");
        finished_ = true;
        break;
      }
      ZSTD_inBuffer in{input_.data(), in_size_, in_pos_};
      const size_t rc = ZSTD_decompressStream(dctx_, &out, &in);
      in_pos_ = in.pos;
      if (ZSTD_isError(rc)) return Status::IOError(name_ + ": corrupt zstd data: " + ZSTD_getErrorName(rc));
      in_frame_ = rc != 0;
    }
    return out.pos;
  }

 private:
  ZSTD_DCtx* dctx_;
  bool in_frame_ = false;
  bool finished_ = false;
};

}  // namespace

Compression DetectCompression(const char* bytes, size_t n) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes);
  if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return Compression::kGzip;
  if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) return Compression::kZstd;
  return Compression::kNone;
}

Result<std::unique_ptr<InputStream>> OpenDecompressed(std::unique_ptr<InputStream> raw, const std::string& name) {
  std::string magic(4, '\0');
  size_t have = 0;
  while (have < magic.size()) {
    MF_ASSIGN_OR_RETURN(size_t got, raw->Read(magic.data() + have, magic.size() - have));
    if (got == 0) break;
    have += got;
  }
  magic.resize(have);
  const Compression compression = DetectCompression(magic.data(), magic.size());
  std::unique_ptr<InputStream> prefixed = std::make_unique<PrefixedStream>(std::move(magic), std::move(raw));
  switch (compression) {
    case Compression::kGzip:
      return std::unique_ptr<InputStream>(std::make_unique<GzipStream>(std::move(prefixed), name));
    case Compression::kZstd:
      return std::unique_ptr<InputStream>(std::make_unique<ZstdStream>(std::move(prefixed), name));
    case Compression::kNone:
      break;
  }
  return prefixed;
}

}  // namespace mergeflow
