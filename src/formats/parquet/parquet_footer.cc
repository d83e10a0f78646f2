#include "formats/parquet/parquet_footer.h"

#include "formats/parquet/thrift_compact.h"

namespace mergeflow {
namespace {

using namespace parquet;  // NOLINT: the format's names

// The SchemaElements: the root, then one per column.
void PutSchema(ThriftCompactWriter& w, const std::vector<std::string>& names, const std::vector<ColumnType>& types) {
  w.BeginList(2, ThriftCompactWriter::kStruct, static_cast<uint32_t>(names.size() + 1));
  w.BeginStruct();
  w.Binary(4, "schema");
  w.I32(5, static_cast<int32_t>(names.size()));  // num_children
  w.EndStruct();
  for (size_t c = 0; c < names.size(); ++c) {
    w.BeginStruct();
    w.I32(1, PhysicalType(types[c]));
    w.I32(3, types[c] == ColumnType::kText ? kRequired : kOptional);
    w.Binary(4, names[c]);
    if (types[c] == ColumnType::kText) {
      w.I32(6, kUtf8);         // converted_type
      w.BeginStructField(10);  // logicalType
      w.BeginStructField(1);   // STRING
      w.EndStruct();
      w.EndStruct();
    }
    w.EndStruct();
  }
}

// One ColumnChunk (with its ColumnMetaData) of column `name`.
void PutColumnChunk(ThriftCompactWriter& w, const std::string& name, ColumnType type, ParquetCodec codec,
                    const ChunkMeta& m) {
  w.BeginStruct();
  w.I64(2, m.dictionary_page_offset >= 0 ? m.dictionary_page_offset : static_cast<int64_t>(m.data_page_offset));
  w.BeginStructField(3);  // meta_data
  w.I32(1, PhysicalType(type));
  w.BeginList(2, ThriftCompactWriter::kI32, static_cast<uint32_t>(m.encodings.size()));
  for (int32_t e : m.encodings) w.ListI32(e);
  w.BeginList(3, ThriftCompactWriter::kBinary, 1);  // path_in_schema
  w.ListBinary(name);
  w.I32(4, CodecId(codec));
  w.I64(5, static_cast<int64_t>(m.values));
  w.I64(6, static_cast<int64_t>(m.uncompressed));
  w.I64(7, static_cast<int64_t>(m.compressed));
  w.I64(9, static_cast<int64_t>(m.data_page_offset));
  if (m.dictionary_page_offset >= 0) w.I64(11, m.dictionary_page_offset);
  w.BeginStructField(12);  // statistics
  w.I64(3, static_cast<int64_t>(m.nulls));  // null_count
  if (m.has_min_max) {
    w.Binary(5, m.max);  // max_value
    w.Binary(6, m.min);  // min_value
  }
  w.EndStruct();
  w.EndStruct();
  w.EndStruct();
}

}  // namespace

std::string ParquetFooter(const std::vector<std::string>& names, const std::vector<ColumnType>& types,
                          ParquetCodec codec, const std::vector<RowGroupMeta>& row_groups) {
  ThriftCompactWriter w;
  w.BeginStruct();
  w.I32(1, 1);  // version
  PutSchema(w, names, types);
  uint64_t rows = 0;
  for (const RowGroupMeta& g : row_groups) rows += g.rows;
  w.I64(3, static_cast<int64_t>(rows));
  w.BeginList(4, ThriftCompactWriter::kStruct, static_cast<uint32_t>(row_groups.size()));
  for (const RowGroupMeta& g : row_groups) {
    w.BeginStruct();
    w.BeginList(1, ThriftCompactWriter::kStruct, static_cast<uint32_t>(g.chunks.size()));
    for (size_t c = 0; c < g.chunks.size(); ++c) PutColumnChunk(w, names[c], types[c], codec, g.chunks[c]);
    w.I64(2, static_cast<int64_t>(g.bytes));
    w.I64(3, static_cast<int64_t>(g.rows));
    w.EndStruct();
  }
  w.Binary(6, std::string("mergeflow version ") + MERGEFLOW_VERSION);  // created_by
  w.EndStruct();
  return w.Take();
}

}  // namespace mergeflow
