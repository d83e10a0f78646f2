#include "formats/parquet/parquet_column_chunk.h"

#include <brotli/decode.h>
#include <isa-l/igzip_lib.h>
#include <lz4.h>
#include <snappy.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "formats/parquet/parquet_encoding.h"
#include "formats/parquet/parquet_format.h"
#include "formats/parquet/parquet_value_text.h"

namespace mergeflow {
namespace {

using namespace parquet;  // NOLINT: the format's names

std::string EncodingName(int32_t encoding) {
  switch (encoding) {
    case 4:
      return "BIT_PACKED";
    case kDeltaBinaryPacked:
      return "DELTA_BINARY_PACKED";
    case kDeltaLengthByteArray:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case kDeltaByteArray:
      return "DELTA_BYTE_ARRAY";
    case kByteStreamSplit:
      return "BYTE_STREAM_SPLIT";
    default:
      return std::to_string(encoding);
  }
}

// `data` decompressed with `codec` into `out` (`size` bytes expected).
Status Decompress(int32_t codec, std::string_view data, size_t size, std::string* out) {
  out->resize(size);
  switch (codec) {
    case kUncompressed:
      if (data.size() != size) return Status::BadInput("an uncompressed page's sizes disagree");
      std::memcpy(out->data(), data.data(), size);
      return Status::OK();
    case kSnappyCodec: {
      size_t length = 0;
      if (!snappy::GetUncompressedLength(data.data(), data.size(), &length) || length != size ||
          !snappy::RawUncompress(data.data(), data.size(), out->data()))
        return Status::BadInput("a snappy page is corrupt");
      return Status::OK();
    }
    case kZstdCodec: {
      const size_t got = ZSTD_decompress(out->data(), size, data.data(), data.size());
      if (ZSTD_isError(got) || got != size) return Status::BadInput("a zstd page is corrupt");
      return Status::OK();
    }
    case kGzipCodec: {
      inflate_state state;
      isal_inflate_init(&state);
      state.crc_flag = ISAL_GZIP;
      state.next_in = reinterpret_cast<uint8_t*>(const_cast<char*>(data.data()));
      state.avail_in = static_cast<uint32_t>(data.size());
      state.next_out = reinterpret_cast<uint8_t*>(out->data());
      state.avail_out = static_cast<uint32_t>(size);
      if (isal_inflate(&state) != ISAL_DECOMP_OK || state.block_state != ISAL_BLOCK_FINISH || state.avail_out != 0)
        return Status::BadInput("a gzip page is corrupt");
      return Status::OK();
    }
    case kBrotliCodec: {
      size_t got = size;
      if (BrotliDecoderDecompress(data.size(), reinterpret_cast<const uint8_t*>(data.data()), &got,
                                  reinterpret_cast<uint8_t*>(out->data())) != BROTLI_DECODER_RESULT_SUCCESS ||
          got != size)
        return Status::BadInput("a brotli page is corrupt");
      return Status::OK();
    }
    case kLz4RawCodec: {
      if (data.size() > INT32_MAX || size > INT32_MAX ||
          LZ4_decompress_safe(data.data(), out->data(), static_cast<int>(data.size()), static_cast<int>(size)) !=
              static_cast<int>(size))
        return Status::BadInput("an LZ4 page is corrupt");
      return Status::OK();
    }
    default:
      return Status::BadInput("compression codec " + std::to_string(codec) +
                              " is not read (snappy, gzip, zstd, brotli, lz4_raw and none are)");
  }
}

class ChunkDecoder {
 public:
  ChunkDecoder(const ParquetColumn& column, int32_t codec, TextColumn* out)
      : column_(column), codec_(codec), out_(out) {}

  // Decodes the page at the start of `bytes`, of at most `values_left`
  // values; returns the bytes it took.
  Result<size_t> Page(std::string_view bytes, size_t values_left) {
    MF_ASSIGN_OR_RETURN(const ParquetPageHeader h, ReadParquetPageHeader(bytes));
    if (h.type != kDictionaryPage && static_cast<size_t>(h.values) > values_left)
      return Status::BadInput("its pages hold more values than its metadata says");
    if (static_cast<uint64_t>(h.compressed_size) > bytes.size() - h.header_size)
      return Status::BadInput("a page runs past its column chunk");
    const std::string_view stored = bytes.substr(h.header_size, static_cast<size_t>(h.compressed_size));
    if (h.type == kDictionaryPage) {
      MF_RETURN_IF_ERROR(Decompress(codec_, stored, static_cast<size_t>(h.uncompressed_size), &page_));
      MF_RETURN_IF_ERROR(Dictionary(h.values));
    } else if (h.type == kDataPage || h.type == kDataPageV2) {
      MF_RETURN_IF_ERROR(DataPage(h, stored));
    }  // other pages (index pages) hold no values
    return h.header_size + static_cast<size_t>(h.compressed_size);
  }

 private:
  Status Dictionary(int32_t count) {
    dictionary_ = TextColumn{};
    MF_ASSIGN_OR_RETURN(const size_t used, PlainValues(page_, static_cast<size_t>(count), &dictionary_));
    (void)used;
    have_dictionary_ = true;
    return Status::OK();
  }

  Status DataPage(const ParquetPageHeader& h, std::string_view stored) {
    const size_t count = static_cast<size_t>(h.values);
    std::string_view levels, values;
    if (h.v2) {
      const size_t level_bytes = static_cast<size_t>(h.repetition_bytes + h.definition_bytes);
      if (static_cast<size_t>(h.uncompressed_size) < level_bytes) return Status::BadInput("a page's sizes disagree");
      levels = stored.substr(static_cast<size_t>(h.repetition_bytes), static_cast<size_t>(h.definition_bytes));
      const std::string_view rest = stored.substr(level_bytes);
      if (h.values_compressed && codec_ != kUncompressed) {
        MF_RETURN_IF_ERROR(Decompress(codec_, rest, static_cast<size_t>(h.uncompressed_size) - level_bytes, &page_));
        values = page_;
      } else {
        values = rest;
      }
    } else {
      MF_RETURN_IF_ERROR(Decompress(codec_, stored, static_cast<size_t>(h.uncompressed_size), &page_));
      values = page_;
      if (column_.optional) {
        MF_ASSIGN_OR_RETURN(const uint32_t length, LengthPrefix(values));
        levels = values.substr(4, length);
        values.remove_prefix(4 + length);
      }
    }
    defined_.assign(count, 1);
    if (column_.optional) MF_RETURN_IF_ERROR(DecodeHybrid(levels, 1, count, defined_.data()).status_or_ok());
    size_t present = 0;
    for (uint32_t d : defined_) present += d;
    if (present == count) return Values(h.encoding, values, count, out_);  // no NULLs: straight into out_
    decoded_.bytes.clear();
    decoded_.ends.clear();
    MF_RETURN_IF_ERROR(Values(h.encoding, values, present, &decoded_));
    size_t next = 0;
    for (size_t i = 0; i < count; ++i) {
      if (defined_[i]) out_->bytes.append(decoded_.Value(next++));
      out_->ends.push_back(out_->bytes.size());
    }
    return Status::OK();
  }

  // The values of a data page (NULLs left out) into `into`.
  Status Values(int32_t encoding, std::string_view data, size_t count, TextColumn* into) {
    if (encoding == kPlain) return PlainValues(data, count, into).status_or_ok();
    if (encoding == kRle && column_.physical == kBoolean) {
      MF_ASSIGN_OR_RETURN(const uint32_t length, LengthPrefix(data));
      indexes_.resize(count);
      MF_RETURN_IF_ERROR(DecodeHybrid(data.substr(4, length), 1, count, indexes_.data()).status_or_ok());
      for (uint32_t bit : indexes_) PushText(into, bit != 0 ? "true" : "false");
      return Status::OK();
    }
    if (encoding == kPlainDictionary || encoding == kRleDictionary) {
      if (!have_dictionary_) return Status::BadInput("a dictionary-encoded page comes without a dictionary");
      if (data.empty() && count > 0) return Status::BadInput("a page's values end early");
      indexes_.resize(count);
      if (count > 0) {
        MF_RETURN_IF_ERROR(
            DecodeHybrid(data.substr(1), static_cast<uint8_t>(data[0]), count, indexes_.data()).status_or_ok());
      }
      for (uint32_t index : indexes_) {
        if (index >= dictionary_.ends.size()) return Status::BadInput("a dictionary index is out of range");
        PushText(into, dictionary_.Value(index));
      }
      return Status::OK();
    }
    if (encoding == kDeltaBinaryPacked) return DeltaIntegers(data, count, into);
    if (encoding == kDeltaLengthByteArray || encoding == kDeltaByteArray) return DeltaByteArrays(encoding, data, count, into);
    if (encoding == kByteStreamSplit) return ByteStreamSplit(data, count, into);
    return Status::BadInput("column '" + column_.name + "': encoding " + EncodingName(encoding) + " is not read");
  }

  // DELTA_BINARY_PACKED integers (INT32, INT64), spelled as PLAIN ones are.
  Status DeltaIntegers(std::string_view data, size_t count, TextColumn* into) {
    if (column_.physical != kInt32Type && column_.physical != kInt64Type)
      return Status::BadInput("DELTA_BINARY_PACKED on a column that is not an integer");
    MF_RETURN_IF_ERROR(DecodeDeltaBinaryPacked(data, count, &integers_).status_or_ok());
    const size_t width = PlainValueBytes(column_);
    for (size_t i = 0; i < count; ++i) {
      char bytes[8];
      if (width == 4) {
        const int32_t v = static_cast<int32_t>(integers_[i]);
        std::memcpy(bytes, &v, 4);
      } else {
        std::memcpy(bytes, &integers_[i], 8);
      }
      MF_RETURN_IF_ERROR(AppendPlainValueText(column_, std::string_view(bytes, width), &into->bytes).status_or_ok());
      into->ends.push_back(into->bytes.size());
    }
    return Status::OK();
  }

  // DELTA_LENGTH_BYTE_ARRAY (lengths, then the bytes one after another) and
  // DELTA_BYTE_ARRAY (prefix lengths shared with the value before, then the
  // suffixes as DELTA_LENGTH_BYTE_ARRAY).
  Status DeltaByteArrays(int32_t encoding, std::string_view data, size_t count, TextColumn* into) {
    if (column_.physical != kByteArray && column_.physical != kFixedLenByteArray)
      return Status::BadInput(EncodingName(encoding) + " on a column that is not a byte array");
    std::vector<int64_t> prefixes;
    if (encoding == kDeltaByteArray) {
      MF_ASSIGN_OR_RETURN(const size_t used, DecodeDeltaBinaryPacked(data, count, &prefixes));
      data.remove_prefix(used);
    }
    MF_ASSIGN_OR_RETURN(const size_t used, DecodeDeltaBinaryPacked(data, count, &integers_));
    data.remove_prefix(used);
    std::string previous, value;
    for (size_t i = 0; i < count; ++i) {
      const int64_t prefix = prefixes.empty() ? 0 : prefixes[i];
      const int64_t length = integers_[i];
      if (prefix < 0 || static_cast<uint64_t>(prefix) > previous.size() || length < 0 ||
          static_cast<uint64_t>(length) > data.size())
        return Status::BadInput("a delta-encoded byte array's lengths are out of range");
      value.assign(previous, 0, static_cast<size_t>(prefix));
      value.append(data.substr(0, static_cast<size_t>(length)));
      data.remove_prefix(static_cast<size_t>(length));
      MF_RETURN_IF_ERROR(AppendValueBytes(value, into));
      previous.swap(value);
    }
    return Status::OK();
  }

  // BYTE_STREAM_SPLIT: byte k of every value, then byte k + 1 of every value...
  Status ByteStreamSplit(std::string_view data, size_t count, TextColumn* into) {
    const size_t width = PlainValueBytes(column_);
    if (width == 0 || width > 16 || data.size() / width < count)
      return Status::BadInput("BYTE_STREAM_SPLIT values end early, or on a column of no fixed width");
    std::string value(width, '\0');
    for (size_t i = 0; i < count; ++i) {
      for (size_t k = 0; k < width; ++k) value[k] = data[k * count + i];
      MF_RETURN_IF_ERROR(AppendPlainValueText(column_, value, &into->bytes).status_or_ok());
      into->ends.push_back(into->bytes.size());
    }
    return Status::OK();
  }

  // One byte-array value (a FIXED_LEN_BYTE_ARRAY's too), spelled as PLAIN ones are.
  Status AppendValueBytes(std::string_view bytes, TextColumn* into) {
    std::string plain;
    if (column_.physical == kByteArray) PutPlain(&plain, bytes);
    else plain.assign(bytes);
    MF_RETURN_IF_ERROR(AppendPlainValueText(column_, plain, &into->bytes).status_or_ok());
    into->ends.push_back(into->bytes.size());
    return Status::OK();
  }

  // `count` PLAIN values from `data` into `into`; returns the bytes used.
  Result<size_t> PlainValues(std::string_view data, size_t count, TextColumn* into) {
    if (column_.physical == kBoolean) {
      if ((count + 7) / 8 > data.size()) return Status::BadInput("a page's values end early");
      for (size_t i = 0; i < count; ++i) PushText(into, (data[i / 8] >> (i % 8)) & 1 ? "true" : "false");
      return (count + 7) / 8;
    }
    size_t pos = 0;
    for (size_t i = 0; i < count; ++i) {
      MF_ASSIGN_OR_RETURN(const size_t used, AppendPlainValueText(column_, data.substr(pos), &into->bytes));
      into->ends.push_back(into->bytes.size());
      pos += used;
    }
    return pos;
  }

  static void PushText(TextColumn* into, std::string_view text) {
    into->bytes.append(text);
    into->ends.push_back(into->bytes.size());
  }

  static Result<uint32_t> LengthPrefix(std::string_view data) {
    uint32_t length = 0;
    if (data.size() >= 4) std::memcpy(&length, data.data(), 4);
    if (data.size() < 4 || length > data.size() - 4) return Status::BadInput("a page's levels end early");
    return length;
  }

  const ParquetColumn& column_;
  const int32_t codec_;
  TextColumn* const out_;
  TextColumn dictionary_;
  TextColumn decoded_;  // a page's values when it has NULLs, before they are placed
  bool have_dictionary_ = false;
  std::string page_;  // the page being decoded, decompressed
  std::vector<uint32_t> defined_, indexes_;
  std::vector<int64_t> integers_;
};

}  // namespace

Status DecodeColumnChunk(const ParquetColumn& column, const ParquetChunkMeta& chunk, std::string_view bytes,
                         TextColumn* out) {
  ChunkDecoder decoder(column, chunk.codec, out);
  const size_t start = out->ends.size();
  out->ends.reserve(start + static_cast<size_t>(chunk.values));
  // About the text's size: the values' own, as the metadata says (bounded:
  // a corrupt footer could claim anything).
  out->bytes.reserve(out->bytes.size() + static_cast<size_t>(std::clamp<int64_t>(chunk.uncompressed_size, 0, 1 << 28)));
  const size_t expected = start + static_cast<size_t>(chunk.values);
  while (out->ends.size() < expected) {
    if (bytes.empty()) return Status::BadInput("column '" + column.name + "': its pages end before its values");
    Result<size_t> used = decoder.Page(bytes, expected - out->ends.size());
    if (!used.ok()) {
      const std::string& message = used.status().message();
      return Status::BadInput(message.starts_with("column '") ? message
                                                              : "column '" + column.name + "': " + message);
    }
    bytes.remove_prefix(used.value());
  }
  if (out->ends.size() != expected)
    return Status::BadInput("column '" + column.name + "': its pages hold more values than its metadata says");
  return Status::OK();
}

}  // namespace mergeflow
