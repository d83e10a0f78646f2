// The tables of an aggregate result as delimited text (DESIGN section 5):
//  - wide: per statistic, the group columns then one column per feature,
//    one row per group;
//  - transposed: per statistic, a `feature` column then one column per
//    group (several group columns joined by '_'), one row per feature;
//  - long: the group columns, `feature`, then one column per statistic.
// Numbers are written in the shortest form that reads back to the same
// double (text/number_format.h), counts as integers, NaN as an empty field.
#pragma once

#include <string>
#include <vector>

#include "formats/parquet/parquet_text_file.h"
#include "io/output_sink.h"
#include "ops/aggregate/aggregate.h"

namespace mergeflow {

enum class TableLayout { kWide, kTransposed, kLong };

struct TableFormat {
  TableLayout layout = TableLayout::kWide;
  char separator = '\t';
  std::vector<std::string> group_columns;  // the --by names
};

// The header line (with its newline) of statistic `stat`'s table (ignored
// for the long layout, whose one table holds every statistic).
std::string TableHeader(const AggregateResult& result, const std::vector<Statistic>& stats, const TableFormat& format,
                        size_t stat);

// The type of each column of that table, in the header's order: text for
// group and feature names, then the statistics (counts as integers).
std::vector<ColumnType> TableColumnTypes(const AggregateResult& result, const std::vector<Statistic>& stats,
                                         const TableFormat& format, size_t stat);

// Writes the rows of that table to lane 0 of `sink`, about a megabyte at a
// time.
Status WriteTableRows(const AggregateResult& result, const std::vector<Statistic>& stats, const TableFormat& format,
                      size_t stat, OutputSink* sink);

}  // namespace mergeflow
