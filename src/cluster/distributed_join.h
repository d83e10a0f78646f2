// The join command on several MPI ranks: each rank reads its byte ranges of
// both inputs, shuffles rows to their key's owner rank (spreading heavy
// keys), joins what it received with the single-process engine, writes its
// own part files, and the ranks commit one output together (rank 0 writes
// `_SUCCESS` once every rank has published its parts).
#pragma once

#include <string>
#include <vector>

#include "cli/run_manifest.h"
#include "cluster/mpi_world.h"
#include "formats/parquet/parquet_text_file.h"
#include "io/decompressing_stream.h"
#include "ops/join/join_executor.h"
#include "ops/join/output_schema.h"

namespace mergeflow {

// One prepared input: its files and its JoinSide (schema, dialect, size).
struct DistributedInput {
  std::vector<FileInfo> files;
  const JoinSide* side = nullptr;
};

// The output of a distributed join.
struct DistributedOutput {
  std::string target;  // -o
  std::string header;  // the header line of every part
  std::string extension;
  Compression compression = Compression::kNone;
  ParquetCodec parquet_codec = ParquetCodec::kZstd;  // extension "parquet"
  char separator = '\t';
  bool whole_files = false;  // --multiline: files are not cut between ranks
};

// Runs the join on every rank of `world` (each calls it). `record` holds
// what the CLI knows of the run (with the same run id on every rank); rank 0
// completes it into the manifest
// (`start_seconds`: MonotonicSeconds() when the run began).
// Errors name the rank they happened on; a rank that did not fail but
// stopped because another did says which.
Status RunDistributedJoin(const MpiWorld& world, const DistributedInput& left, const DistributedInput& right,
                          const std::vector<OutputColumn>& columns, const JoinOptions& options,
                          const DistributedOutput& output, double start_seconds, RunRecord* record);

}  // namespace mergeflow
