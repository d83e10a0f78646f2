#include "ops/aggregate/aggregate_tables.h"

#include <cmath>

#include "text/field_writer.h"
#include "text/number_format.h"

namespace mergeflow {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

void AppendValue(std::string* out, const Statistic& stat, double value) {
  if (std::isnan(value)) return;
  if (stat.is_count())
    AppendCount(out, static_cast<uint64_t>(value));
  else
    AppendShortestDouble(out, value);
}

std::string JoinedGroup(const std::vector<std::string>& values) {
  std::string name;
  for (const std::string& v : values) name += (name.empty() ? "" : "_") + v;
  return name;
}

// Appends the fields of `fields` (each quoted as needed), separated.
void AppendFields(std::string* out, const std::vector<std::string>& fields, char separator) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out->push_back(separator);
    AppendField(out, fields[i], separator);
  }
}

// Hands `text` (holding `rows` rows) to the sink when it is large, or `last`.
Status Deliver(OutputSink* sink, std::string* text, uint64_t* rows, bool last) {
  if (!last && text->size() < kFlushBytes) return Status::OK();
  Status status = text->empty() ? Status::OK() : sink->Write(0, *text, *rows);
  text->clear();
  *rows = 0;
  return status;
}

}  // namespace

std::string TableHeader(const AggregateResult& result, const std::vector<Statistic>& stats, const TableFormat& format,
                        size_t /*stat*/) {
  const char sep = format.separator;
  std::string header;
  switch (format.layout) {
    case TableLayout::kWide:
      AppendFields(&header, format.group_columns, sep);
      for (const std::string& feature : result.feature_names) {
        header.push_back(sep);
        AppendField(&header, feature, sep);
      }
      break;
    case TableLayout::kTransposed:
      header = "feature";
      for (const std::vector<std::string>& group : result.groups) {
        header.push_back(sep);
        AppendField(&header, JoinedGroup(group), sep);
      }
      break;
    case TableLayout::kLong:
      AppendFields(&header, format.group_columns, sep);
      header.push_back(sep);
      header += "feature";
      for (const Statistic& s : stats) {
        header.push_back(sep);
        AppendField(&header, s.name, sep);
      }
      break;
  }
  header.push_back('\n');
  return header;
}

std::vector<ColumnType> TableColumnTypes(const AggregateResult& result, const std::vector<Statistic>& stats,
                                         const TableFormat& format, size_t stat) {
  const auto type_of = [](const Statistic& s) { return s.is_count() ? ColumnType::kInt64 : ColumnType::kDouble; };
  std::vector<ColumnType> types;
  switch (format.layout) {
    case TableLayout::kWide:
      types.assign(format.group_columns.size(), ColumnType::kText);
      types.resize(types.size() + result.feature_names.size(), type_of(stats[stat]));
      break;
    case TableLayout::kTransposed:
      types.assign(1, ColumnType::kText);
      types.resize(1 + result.groups.size(), type_of(stats[stat]));
      break;
    case TableLayout::kLong:
      types.assign(format.group_columns.size() + 1, ColumnType::kText);
      for (const Statistic& s : stats) types.push_back(type_of(s));
      break;
  }
  return types;
}

Status WriteTableRows(const AggregateResult& result, const std::vector<Statistic>& stats, const TableFormat& format,
                      size_t stat, OutputSink* sink) {
  const char sep = format.separator;
  const size_t features = result.feature_names.size();
  const size_t groups = result.groups.size();
  std::string text;
  uint64_t rows = 0;
  if (format.layout == TableLayout::kTransposed) {
    for (size_t f = 0; f < features; ++f) {
      AppendField(&text, result.feature_names[f], sep);
      for (size_t g = 0; g < groups; ++g) {
        text.push_back(sep);
        AppendValue(&text, stats[stat], result.values[stat][g * features + f]);
      }
      text.push_back('\n');
      ++rows;
      MF_RETURN_IF_ERROR(Deliver(sink, &text, &rows, false));
    }
    return Deliver(sink, &text, &rows, true);
  }
  for (size_t g = 0; g < groups; ++g) {
    if (format.layout == TableLayout::kWide) {
      AppendFields(&text, result.groups[g], sep);
      for (size_t f = 0; f < features; ++f) {
        text.push_back(sep);
        AppendValue(&text, stats[stat], result.values[stat][g * features + f]);
      }
      text.push_back('\n');
      ++rows;
      MF_RETURN_IF_ERROR(Deliver(sink, &text, &rows, false));
      continue;
    }
    for (size_t f = 0; f < features; ++f) {
      AppendFields(&text, result.groups[g], sep);
      text.push_back(sep);
      AppendField(&text, result.feature_names[f], sep);
      for (size_t s = 0; s < stats.size(); ++s) {
        text.push_back(sep);
        AppendValue(&text, stats[s], result.values[s][g * features + f]);
      }
      text.push_back('\n');
      ++rows;
      MF_RETURN_IF_ERROR(Deliver(sink, &text, &rows, false));
    }
  }
  return Deliver(sink, &text, &rows, true);
}

}  // namespace mergeflow
