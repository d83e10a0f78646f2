// Embedding: what a program that runs mergeflow's commands inside its own
// process (the Python module) asks of them and gets back, beside what the
// command line says. The command-line program passes none.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "io/table_sink.h"

namespace mergeflow {

struct Embedding {
  // Asked: a command that would print its result on standard output (join
  // or aggregate without -o) keeps its tables in `tables` instead.
  bool keep_tables = false;
  // Given back: the join's table, or aggregate's tables (one per statistic,
  // in the order given; one long table with --layout long).
  std::vector<std::unique_ptr<TableSink>> tables;
  // Asked: the mergeflow program that commands starting mergeflow processes
  // (a pipeline's steps) run; empty: this process's own executable.
  std::string program;
  // Given back: the manifest (_SUCCESS) of the output the command committed,
  // or a pipeline run's record (run.json).
  std::string manifest;
};

}  // namespace mergeflow
