#include "formats/parquet/parquet_text_file.h"

#include <snappy.h>
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "formats/parquet/parquet_encoding.h"
#include "formats/parquet/parquet_footer.h"
#include "formats/parquet/thrift_compact.h"
#include "io/table_sink.h"
#include "text/row_scanner.h"

namespace mergeflow {
namespace {

using namespace parquet;  // NOLINT: the format's names

constexpr uint64_t kPageBytes = uint64_t{1} << 20;
constexpr size_t kNumbersPerPage = kPageBytes / 8;

class ParquetTextFile : public WritableFile {
 public:
  ParquetTextFile(std::unique_ptr<WritableFile> file, Dialect dialect, std::vector<ColumnType> types,
                  ParquetOptions options)
      : file_(std::move(file)), dialect_(dialect), types_(std::move(types)), options_(options) {}

  Status Append(std::string_view text) override {
    if (!have_header_) {
      const size_t end = HeaderEnd(text);
      if (end == std::string_view::npos) {
        pending_header_.append(text);
        return Status::OK();
      }
      pending_header_.append(text.substr(0, end));
      text.remove_prefix(end + 1);
      MF_RETURN_IF_ERROR(ReadHeader());
    }
    if (text.empty()) return Status::OK();
    MF_ASSIGN_OR_RETURN(const uint64_t rows, AppendRowsToColumns(text, dialect_, &columns_));
    rows_ += rows;
    buffered_ += text.size();
    if (buffered_ >= options_.row_group_bytes) return WriteRowGroup();
    return Status::OK();
  }

  Status Sync() override { return file_->Sync(); }

  Status Close() override {
    if (!have_header_) MF_RETURN_IF_ERROR(ReadHeader());
    if (rows_ > 0) MF_RETURN_IF_ERROR(WriteRowGroup());
    std::string footer = ParquetFooter(names_, types_, options_.codec, row_groups_);
    const uint32_t length = static_cast<uint32_t>(footer.size());
    PutU32(&footer, length);
    footer.append(kMagic, 4);
    MF_RETURN_IF_ERROR(file_->Append(footer));
    return file_->Close();
  }

 private:
  // Where the header line ends (its '\n'), or npos while it has not ended.
  size_t HeaderEnd(std::string_view text) const {
    bool quoted = false;
    for (char c : pending_header_) quoted ^= c == '"';
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '"') quoted = !quoted;
      if (text[i] == '\n' && !(quoted && dialect_.quoting)) return i;
    }
    return std::string_view::npos;
  }

  Status ReadHeader() {
    names_ = SplitHeaderLine(pending_header_, dialect_);
    columns_.assign(names_.size(), TextColumn{});
    if (types_.empty()) types_.assign(names_.size(), ColumnType::kText);
    if (types_.size() != names_.size())
      return Status::Internal("a Parquet part of " + std::to_string(names_.size()) + " columns was given " +
                              std::to_string(types_.size()) + " column types");
    have_header_ = true;
    std::string magic(kMagic, 4);
    offset_ = magic.size();
    return file_->Append(magic);
  }

  Status WriteRowGroup() {
    RowGroupMeta group;
    group.rows = rows_;
    std::string out;
    for (size_t c = 0; c < columns_.size(); ++c) {
      TextColumn& column = columns_[c];
      Result<ChunkMeta> written = types_[c] == ColumnType::kText ? WriteTextChunk(column, &out)
                                                                  : WriteNumberChunk(column, c, &out);
      MF_RETURN_IF_ERROR(written.status_or_ok());
      ChunkMeta chunk = std::move(written).value();
      group.bytes += chunk.uncompressed;
      group.chunks.push_back(std::move(chunk));
      column = TextColumn{};
    }
    row_groups_.push_back(std::move(group));
    rows_ = 0;
    buffered_ = 0;
    offset_ += out.size();
    return file_->Append(out);
  }

  // `data` compressed with the file's codec, in compressed_; returns its size.
  Result<size_t> Compress(std::string_view data) {
    switch (options_.codec) {
      case ParquetCodec::kZstd: {
        compressed_.resize(ZSTD_compressBound(data.size()));
        if (zstd_ == nullptr) zstd_.reset(ZSTD_createCCtx());
        const size_t size = ZSTD_compressCCtx(zstd_.get(), compressed_.data(), compressed_.size(), data.data(),
                                              data.size(), options_.zstd_level);
        if (ZSTD_isError(size)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(size));
        return size;
      }
      case ParquetCodec::kSnappy: {
        compressed_.resize(snappy::MaxCompressedLength(data.size()));
        size_t size = 0;
        snappy::RawCompress(data.data(), data.size(), compressed_.data(), &size);
        return size;
      }
      case ParquetCodec::kNone:
        compressed_.assign(data);
        return data.size();
    }
    return Status::Internal("unknown Parquet codec");
  }


  // Appends one page (header, then data compressed) to `out`.
  Status PutPage(int32_t type, std::string_view data, uint64_t values, int32_t encoding, ChunkMeta* chunk,
                 std::string* out) {
    MF_ASSIGN_OR_RETURN(const size_t size, Compress(data));
    ThriftCompactWriter header;
    header.BeginStruct();
    header.I32(1, type);
    header.I32(2, static_cast<int32_t>(data.size()));
    header.I32(3, static_cast<int32_t>(size));
    header.BeginStructField(type == kDataPage ? 5 : 7);  // data_page_header or dictionary_page_header
    header.I32(1, static_cast<int32_t>(values));
    header.I32(2, encoding);
    if (type == kDataPage) {
      header.I32(3, kRle);  // definition levels, when the column is OPTIONAL
      header.I32(4, kRle);  // repetition levels: none (no nesting)
    }
    header.EndStruct();
    header.EndStruct();
    if (type == kDataPage && chunk->data_page_offset == 0) chunk->data_page_offset = offset_ + out->size();
    if (type == kDictionaryPage) chunk->dictionary_page_offset = static_cast<int64_t>(offset_ + out->size());
    out->append(header.bytes());
    out->append(compressed_.data(), size);
    chunk->uncompressed += header.bytes().size() + data.size();
    chunk->compressed += header.bytes().size() + size;
    return Status::OK();
  }

  // The column chunk of number column `c` (its pages) appended to `out`.
  Result<ChunkMeta> WriteNumberChunk(const TextColumn& column, size_t c, std::string* out) {
    ChunkMeta chunk;
    const size_t n = column.ends.size();
    chunk.values = n;
    chunk.encodings = {kPlain, kRle};
    std::vector<bool> defined(n);
    std::string values;  // of the defined rows, 8 bytes each
    values.reserve(n * 8);
    double min = 0, max = 0;
    int64_t min_int = 0, max_int = 0;
    for (size_t i = 0; i < n; ++i) {
      const std::string_view v = column.Value(i);
      defined[i] = !v.empty();
      if (v.empty()) {
        ++chunk.nulls;
        continue;
      }
      char bytes[8];
      if (!ParseNumber(v, types_[c], bytes))
        return Status::BadInput("column " + names_[c] + ": '" + std::string(v) + "' is not " +
                                (types_[c] == ColumnType::kInt64 ? "an integer" : "a number"));
      values.append(bytes, 8);
      if (types_[c] == ColumnType::kInt64) {
        int64_t x;
        std::memcpy(&x, bytes, 8);
        if (!chunk.has_min_max || x < min_int) min_int = x;
        if (!chunk.has_min_max || x > max_int) max_int = x;
        chunk.has_min_max = true;
      } else {
        double x;
        std::memcpy(&x, bytes, 8);
        if (x != x) continue;  // NaN takes no part in min and max
        if (!chunk.has_min_max || x < min) min = x;
        if (!chunk.has_min_max || x > max) max = x;
        chunk.has_min_max = true;
      }
    }
    if (chunk.has_min_max) {
      char lo[8], hi[8];
      std::memcpy(lo, types_[c] == ColumnType::kInt64 ? static_cast<const void*>(&min_int) : &min, 8);
      std::memcpy(hi, types_[c] == ColumnType::kInt64 ? static_cast<const void*>(&max_int) : &max, 8);
      chunk.min.assign(lo, 8);
      chunk.max.assign(hi, 8);
    }
    std::string page;
    size_t value_at = 0;
    for (size_t start = 0; start < n || (n == 0 && start == 0); start += kNumbersPerPage) {
      const size_t count = std::min(kNumbersPerPage, n - start);
      page.clear();
      PutDefinitionLevels(&page, defined, start, count);
      size_t present = 0;
      for (size_t i = start; i < start + count; ++i) present += defined[i];
      page.append(values, value_at * 8, present * 8);
      value_at += present;
      MF_RETURN_IF_ERROR(PutPage(kDataPage, page, count, kPlain, &chunk, out));
      if (n == 0) break;
    }
    return chunk;
  }

  // The column chunk of text column `column` (its pages) appended to `out`.
  Result<ChunkMeta> WriteTextChunk(const TextColumn& column, std::string* out) {
    ChunkMeta chunk;
    const size_t n = column.ends.size();
    chunk.values = n;
    chunk.has_min_max = n > 0;
    // The dictionary, unless it cannot pay: more distinct values than half
    // the rows, judged first on a sample (building it for a column of
    // distinct values would cost more than all the rest of the writing).
    constexpr size_t kSample = 16384;
    std::unordered_map<std::string_view, uint32_t> ids;
    ids.reserve(std::min(n, kSample));
    std::vector<std::string_view> dictionary;
    std::vector<uint32_t> indexes;
    indexes.reserve(n);
    uint64_t plain_bytes = 0, dictionary_bytes = 0;
    bool use_dictionary = n > 0;
    for (size_t i = 0; i < n; ++i) {
      const std::string_view v = column.Value(i);
      if (i == 0 || v < chunk.min) chunk.min = v;
      if (i == 0 || v > chunk.max) chunk.max = v;
      plain_bytes += 4 + v.size();
      if (!use_dictionary) continue;
      auto [it, added] = ids.emplace(v, static_cast<uint32_t>(dictionary.size()));
      if (added) {
        dictionary.push_back(v);
        dictionary_bytes += 4 + v.size();
        use_dictionary = dictionary.size() <= n / 2 + 1;
      }
      indexes.push_back(it->second);
      if (i + 1 == kSample && dictionary.size() * 2 > kSample) use_dictionary = false;
    }
    const int width = std::max(1, static_cast<int>(std::bit_width(dictionary.size() - (dictionary.empty() ? 0 : 1))));
    use_dictionary = use_dictionary && dictionary_bytes + (n * width + 7) / 8 < plain_bytes;
    std::string page;
    if (use_dictionary) {
      for (std::string_view v : dictionary) PutPlain(&page, v);
      MF_RETURN_IF_ERROR(PutPage(kDictionaryPage, page, dictionary.size(), kPlain, &chunk, out));
      chunk.encodings = {kPlain, kRleDictionary, kRle};
      const size_t per_page = std::max<size_t>(1, kPageBytes * 8 / width);
      for (size_t start = 0; start < n; start += per_page) {
        page.clear();
        const size_t count = std::min(per_page, n - start);
        PutIndexes(&page, indexes.data() + start, count, width);
        MF_RETURN_IF_ERROR(PutPage(kDataPage, page, count, kRleDictionary, &chunk, out));
      }
    } else {
      chunk.encodings = {kPlain, kRle};
      size_t start = 0;
      while (start < n || (n == 0 && chunk.data_page_offset == 0)) {
        page.clear();
        size_t i = start;
        while (i < n && (i == start || page.size() < kPageBytes)) PutPlain(&page, column.Value(i++));
        MF_RETURN_IF_ERROR(PutPage(kDataPage, page, i - start, kPlain, &chunk, out));
        if (n == 0) break;
        start = i;
      }
    }
    return chunk;
  }



  std::unique_ptr<WritableFile> file_;
  const Dialect dialect_;
  std::vector<ColumnType> types_;  // per column (all text when none were given)
  const ParquetOptions options_;
  bool have_header_ = false;
  std::string pending_header_;
  std::vector<std::string> names_;
  std::vector<TextColumn> columns_;  // the rows of the row group being gathered
  uint64_t rows_ = 0;
  uint64_t buffered_ = 0;  // text bytes in columns_
  uint64_t offset_ = 0;    // bytes written to file_
  std::vector<RowGroupMeta> row_groups_;
  std::string compressed_;
  struct FreeZstd {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  };
  std::unique_ptr<ZSTD_CCtx, FreeZstd> zstd_;  // one context for every page of the file
};

}  // namespace

ParquetOptions ParquetOptionsFromEnvironment(ParquetCodec codec) {
  ParquetOptions options;
  options.codec = codec;
  if (const char* bytes = std::getenv("MERGEFLOW_PARQUET_ROW_GROUP_BYTES"); bytes != nullptr && std::atoll(bytes) > 0)
    options.row_group_bytes = static_cast<uint64_t>(std::atoll(bytes));
  return options;
}

std::unique_ptr<WritableFile> NewParquetTextFile(std::unique_ptr<WritableFile> file, Dialect dialect,
                                                 std::vector<ColumnType> types, ParquetOptions options) {
  return std::make_unique<ParquetTextFile>(std::move(file), dialect, std::move(types), options);
}

}  // namespace mergeflow
