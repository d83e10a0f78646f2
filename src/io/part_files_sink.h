// PartFilesSink: one part file per lane in an OutputCommitter's staging
// directory, each starting with the header line.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "formats/parquet/parquet_text_file.h"
#include "io/decompressing_stream.h"
#include "io/output_committer.h"
#include "io/output_sink.h"

namespace mergeflow {

// Where part numbers start and how far apart lanes are: lane L writes part
// first + L * stride (MPI rank R of N: first R, stride N, so that ranks
// never clash). With `always_first`, lane 0 makes a part even without
// rows, so that an empty result still carries its header. Parts are named
// PREFIX-NNNNN.
struct PartNumbering {
  int first = 0;
  int stride = 1;
  bool always_first = true;
  std::string prefix = "part";
};

// How parts of extension "parquet" are made from the rows handed to the
// sink (formats/parquet/parquet_text_file.h).
struct ParquetParts {
  std::vector<ColumnType> types;  // one per column, or empty: all text
  ParquetCodec codec = ParquetCodec::kZstd;
  char separator = '\t';  // of the header and rows (RFC 4180 quoting)
};

class PartFilesSink : public OutputSink {
 public:
  // Parts are named part-NNNNN.<extension>[.gz|.zst] (or as numbering says),
  // numbered by lane, and
  // compressed as asked; with a `directory`, they go into that subdirectory
  // of the output (and are named DIRECTORY/part-...). A lane that receives
  // no rows makes no file (but see Numbering). Part sizes and checksums
  // describe the bytes as stored.
  // Extension "parquet" makes Parquet files of the header and rows as
  // `parquet` says (`compression` must then be kNone).
  PartFilesSink(OutputCommitter* committer, int lanes, std::string header, std::string extension,
                Compression compression = Compression::kNone, PartNumbering numbering = PartNumbering(),
                std::string directory = "", ParquetParts parquet = ParquetParts());
  ~PartFilesSink() override;

  Status Write(int lane, std::string_view text, uint64_t rows) override;
  // Closes `lane`'s part now (if it has one), so that a writer of many lanes
  // one after another keeps few files open. REQUIRES: no Write to it after.
  Status FinishLane(int lane);
  Status Finish() override;
  std::vector<PartInfo> parts() const override;

 private:
  struct Lane;
  Status Open(int lane);

  OutputCommitter* committer_;
  std::string header_;
  std::string extension_;
  Compression compression_;
  PartNumbering numbering_;
  std::string directory_;
  ParquetParts parquet_;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<PartInfo> finished_;
  bool first_finished_ = false;  // lane 0 was finished (made, if always_first)
};

// Writes everything to standard output (lanes share it; the header once).
class StdoutSink : public OutputSink {
 public:
  explicit StdoutSink(std::string header);
  Status Write(int lane, std::string_view text, uint64_t rows) override;
  // Closes `lane`'s part now (if it has one), so that a writer of many lanes
  // one after another keeps few files open. REQUIRES: no Write to it after.
  Status FinishLane(int lane);
  Status Finish() override;
  std::vector<PartInfo> parts() const override { return {}; }

 private:
  Status WriteAll(std::string_view text);
  std::mutex mu_;
  std::string header_;
  bool header_written_ = false;
};

}  // namespace mergeflow
