#include "formats/matrix_market.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <unordered_set>

#include "text/chunk_reader.h"

namespace mergeflow {
namespace {

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The file among `files` named `name` or `name`.gz.
const FileInfo* Find(const std::vector<FileInfo>& files, const std::string& name) {
  for (const FileInfo& f : files) {
    const std::string base = BaseName(f.path);
    if (base == name || base == name + ".gz") return &f;
  }
  return nullptr;
}

// The lines of a small text file (decompressed as needed), each split at tabs.
Result<std::vector<std::vector<std::string>>> ReadLines(const FileInfo& file) {
  ChunkReader reader({file}, Dialect{'\t', false}, 1 << 20, 1, ChunkOrder::kFileOrder);
  std::vector<std::vector<std::string>> lines;
  std::string partial;
  Chunk chunk;
  for (;;) {
    MF_ASSIGN_OR_RETURN(const bool more, reader.Next(&chunk));
    if (!more) break;
    const char* at = chunk.data;
    const char* end = chunk.data + chunk.size;
    while (at < end) {
      const char* stop = static_cast<const char*>(std::memchr(at, '\n', static_cast<size_t>(end - at)));
      const char* line_end = stop == nullptr ? end : stop;
      std::string_view line(at, static_cast<size_t>(line_end - at));
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) {
        std::vector<std::string> fields;
        size_t from = 0;
        for (size_t tab = line.find('\t'); tab != std::string_view::npos; tab = line.find('\t', from)) {
          fields.emplace_back(line.substr(from, tab - from));
          from = tab + 1;
        }
        fields.emplace_back(line.substr(from));
        lines.push_back(std::move(fields));
      }
      at = line_end + 1;
    }
    reader.Recycle(std::move(chunk));
  }
  return lines;
}

// Reads "%%MatrixMarket matrix coordinate TYPE general" and the size line.
Status ReadHeader(const FileInfo& file, MatrixMarketDirectory* d, uint64_t* rows, uint64_t* columns) {
  ChunkReader reader({file}, Dialect{'\t', false}, 1 << 16, 1, ChunkOrder::kFileOrder);
  Chunk chunk;
  MF_ASSIGN_OR_RETURN(const bool more, reader.Next(&chunk));
  const std::string_view all = more ? std::string_view(chunk.data, chunk.size) : std::string_view();
  std::string_view text = all;
  auto next_line = [&]() {
    const size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
    return line;
  };
  const std::string banner(next_line());
  if (banner.rfind("%%MatrixMarket matrix coordinate ", 0) != 0)
    return Status::BadInput(file.path + ":1: not a Matrix Market coordinate matrix ('%%MatrixMarket matrix "
                                        "coordinate ...' expected)");
  d->pattern = banner.find(" pattern") != std::string::npos;
  uint64_t line_number = 1;
  std::string_view line;
  do {
    line = next_line();
    ++line_number;
  } while (!line.empty() && line[0] == '%');
  const std::string size(line);
  if (std::sscanf(size.c_str(), "%lu %lu %lu", rows, columns, &d->entries) != 3)
    return Status::BadInput(file.path + ":" + std::to_string(line_number) +
                            ": expected the size line 'ROWS COLUMNS ENTRIES' (within the first 64 KiB)");
  d->data_offset = text.empty() ? all.size() : static_cast<uint64_t>(text.data() - all.data());
  return Status::OK();
}

}  // namespace

bool IsMatrixMarketListing(const std::vector<FileInfo>& files) { return Find(files, "matrix.mtx") != nullptr; }

Result<MatrixMarketDirectory> OpenMatrixMarket(const std::vector<FileInfo>& files) {
  MatrixMarketDirectory d;
  const FileInfo* matrix = Find(files, "matrix.mtx");
  const FileInfo* barcodes = Find(files, "barcodes.tsv");
  const FileInfo* features = Find(files, "features.tsv");
  if (features == nullptr) features = Find(files, "genes.tsv");
  if (matrix == nullptr || barcodes == nullptr || features == nullptr)
    return Status::BadInput("a Matrix Market directory needs matrix.mtx, barcodes.tsv and features.tsv (or genes.tsv)"
                            ", each possibly .gz");
  d.matrix = *matrix;
  MF_ASSIGN_OR_RETURN(auto barcode_lines, ReadLines(*barcodes));
  for (auto& fields : barcode_lines) d.barcodes.push_back(std::move(fields[0]));
  MF_ASSIGN_OR_RETURN(auto feature_lines, ReadLines(*features));
  std::vector<std::string> ids;
  for (auto& fields : feature_lines) {
    ids.push_back(fields[0]);
    d.features.push_back(fields.size() > 1 ? fields[1] : fields[0]);
  }
  if (std::unordered_set<std::string>(d.features.begin(), d.features.end()).size() != d.features.size())
    d.features = ids;
  uint64_t rows = 0;
  uint64_t columns = 0;
  MF_RETURN_IF_ERROR(ReadHeader(*matrix, &d, &rows, &columns));
  if (rows != d.features.size() || columns != d.barcodes.size())
    return Status::BadInput(matrix->path + ": the size line says " + std::to_string(rows) + " features x " +
                            std::to_string(columns) + " barcodes, but there are " + std::to_string(d.features.size()) +
                            " features and " + std::to_string(d.barcodes.size()) + " barcodes");
  return d;
}

bool ParseMatrixMarketEntry(const char* begin, const char* end, bool pattern, uint64_t* feature, uint64_t* barcode,
                            double* value) {
  auto skip = [&] {
    while (begin < end && (*begin == ' ' || *begin == '\t')) ++begin;
  };
  uint64_t row = 0;
  uint64_t column = 0;
  skip();
  auto r = std::from_chars(begin, end, row);
  if (r.ec != std::errc() || row == 0) return false;
  begin = r.ptr;
  skip();
  r = std::from_chars(begin, end, column);
  if (r.ec != std::errc() || column == 0) return false;
  begin = r.ptr;
  skip();
  if (pattern) {
    *value = 1;
  } else {
    const auto v = std::from_chars(begin, end, *value);
    if (v.ec != std::errc()) return false;
    begin = v.ptr;
  }
  skip();
  if (begin != end && !(begin + 1 == end && *begin == '\r')) return false;
  *feature = row - 1;
  *barcode = column - 1;
  return true;
}

}  // namespace mergeflow
