#include "formats/parquet/parquet_metadata.h"

#include <functional>

#include "formats/parquet/parquet_format.h"
#include "formats/parquet/thrift_compact.h"

namespace mergeflow {
namespace {

using Field = ThriftCompactReader::Field;

// Pages beyond these (writers make pages of about 1 MiB) are refused rather
// than given the memory a corrupt header asks for.
constexpr int32_t kMaxPageBytes = 512 << 20;
constexpr int32_t kMaxPageValues = 32 << 20;
using FieldReader = std::function<Status(const Field&)>;

// Walks the struct that starts here, handing each field to `read`, which
// reads it or returns Skip's status.
Status ReadStruct(ThriftCompactReader& r, const FieldReader& read) {
  r.BeginStruct();
  Field field;
  for (;;) {
    MF_ASSIGN_OR_RETURN(const bool more, r.NextField(&field));
    if (!more) return Status::OK();
    MF_RETURN_IF_ERROR(read(field));
  }
}

// Reads the list that starts here, handing each element's type to `read`.
Status ReadList(ThriftCompactReader& r, const std::function<Status(uint8_t)>& read) {
  MF_ASSIGN_OR_RETURN(const ThriftCompactReader::ListHeader list, r.BeginList());
  for (uint32_t i = 0; i < list.size; ++i) MF_RETURN_IF_ERROR(read(list.element_type));
  return Status::OK();
}

// An integer field into `*out`.
template <typename T>
Status ReadInt(ThriftCompactReader& r, const Field& f, T* out) {
  MF_ASSIGN_OR_RETURN(const int64_t v, r.Int(f.type));
  *out = static_cast<T>(v);
  return Status::OK();
}

// Digits of a second of a TimeUnit union (MILLIS, MICROS, NANOS).
Status ReadTimeUnit(ThriftCompactReader& r, int32_t* digits) {
  return ReadStruct(r, [&](const Field& f) {
    *digits = f.id == 1 ? 3 : f.id == 2 ? 6 : 9;
    return r.Skip(f.type);
  });
}

// A LogicalType union into `c`.
Status ReadLogicalType(ThriftCompactReader& r, ParquetColumn* c) {
  return ReadStruct(r, [&](const Field& f) -> Status {
    switch (f.id) {
      case 5:  // DECIMAL
        c->logical = ParquetLogical::kDecimal;
        return ReadStruct(r, [&](const Field& d) { return d.id == 1 ? ReadInt(r, d, &c->scale) : r.Skip(d.type); });
      case 6:  // DATE
        c->logical = ParquetLogical::kDate;
        return r.Skip(f.type);
      case 7:  // TIME
      case 8:  // TIMESTAMP
        c->logical = f.id == 7 ? ParquetLogical::kTime : ParquetLogical::kTimestamp;
        return ReadStruct(r, [&](const Field& t) { return t.id == 2 ? ReadTimeUnit(r, &c->time_unit_digits) : r.Skip(t.type); });
      case 10:  // INTEGER
        return ReadStruct(r, [&](const Field& i) -> Status {
          if (i.id != 2) return r.Skip(i.type);
          MF_ASSIGN_OR_RETURN(const bool is_signed, r.Bool(i.type, false));
          if (!is_signed) c->logical = ParquetLogical::kUnsigned;
          return Status::OK();
        });
      case 14:  // UUID
        c->logical = ParquetLogical::kUuid;
        return r.Skip(f.type);
      default:
        return r.Skip(f.type);
    }
  });
}

// What a legacy ConvertedType says, for files without a LogicalType.
void ApplyConvertedType(int32_t converted, ParquetColumn* c) {
  if (c->logical != ParquetLogical::kNone) return;
  if (converted == 5) c->logical = ParquetLogical::kDecimal;
  if (converted == 6) c->logical = ParquetLogical::kDate;
  if (converted == 7 || converted == 8) c->logical = ParquetLogical::kTime;
  if (converted == 9 || converted == 10) c->logical = ParquetLogical::kTimestamp;
  if (converted == 7 || converted == 9) c->time_unit_digits = 3;
  if (converted == 8 || converted == 10) c->time_unit_digits = 6;
  if (converted >= 11 && converted <= 14) c->logical = ParquetLogical::kUnsigned;
}

// The SchemaElements: the root, then the columns.
Status ReadSchema(ThriftCompactReader& r, std::vector<ParquetColumn>* columns) {
  bool root = true;
  int32_t expected = 0;
  Status status = ReadList(r, [&](uint8_t) -> Status {
    ParquetColumn c;
    int32_t children = 0, converted = -1, repetition = 0;
    bool has_type = false;
    MF_RETURN_IF_ERROR(ReadStruct(r, [&](const Field& f) -> Status {
      switch (f.id) {
        case 1:
          has_type = true;
          return ReadInt(r, f, &c.physical);
        case 2:
          return ReadInt(r, f, &c.type_length);
        case 3:
          return ReadInt(r, f, &repetition);
        case 4: {
          MF_ASSIGN_OR_RETURN(const std::string_view name, r.Binary());
          c.name = name;
          return Status::OK();
        }
        case 5:
          return ReadInt(r, f, &children);
        case 6:
          return ReadInt(r, f, &converted);
        case 7:
          return ReadInt(r, f, &c.scale);
        case 10:
          return ReadLogicalType(r, &c);
        default:
          return r.Skip(f.type);
      }
    }));
    if (root) {
      root = false;
      expected = children;
      return Status::OK();
    }
    if (children > 0 || !has_type) return Status::BadInput("column '" + c.name + "' is nested: only flat columns are read");
    if (repetition == parquet::kRepeated)
      return Status::BadInput("column '" + c.name + "' is repeated: only flat columns are read");
    c.optional = repetition == parquet::kOptional;
    ApplyConvertedType(converted, &c);
    if (c.physical == parquet::kInt96) {
      c.logical = ParquetLogical::kTimestamp;
      c.time_unit_digits = 9;
    }
    columns->push_back(std::move(c));
    return Status::OK();
  });
  MF_RETURN_IF_ERROR(status);
  if (static_cast<size_t>(expected) != columns->size())
    return Status::BadInput("the schema's root names " + std::to_string(expected) + " columns but " +
                            std::to_string(columns->size()) + " follow");
  return Status::OK();
}

Status ReadColumnMeta(ThriftCompactReader& r, ParquetChunkMeta* chunk) {
  int64_t data_page = -1, dictionary_page = -1;
  MF_RETURN_IF_ERROR(ReadStruct(r, [&](const Field& f) -> Status {
    switch (f.id) {
      case 4:
        return ReadInt(r, f, &chunk->codec);
      case 5:
        return ReadInt(r, f, &chunk->values);
      case 6:
        return ReadInt(r, f, &chunk->uncompressed_size);
      case 7:
        return ReadInt(r, f, &chunk->compressed_size);
      case 9:
        return ReadInt(r, f, &data_page);
      case 11:
        return ReadInt(r, f, &dictionary_page);
      default:
        return r.Skip(f.type);
    }
  }));
  // Some writers record a dictionary offset of 0 for chunks without one.
  chunk->start = dictionary_page > 0 && dictionary_page < data_page ? dictionary_page : data_page;
  if (chunk->start < 4 || chunk->compressed_size < 0 || chunk->values < 0)
    return Status::BadInput("a column chunk's offsets or sizes are invalid");
  return Status::OK();
}

Status ReadRowGroup(ThriftCompactReader& r, ParquetRowGroup* group) {
  return ReadStruct(r, [&](const Field& f) -> Status {
    if (f.id == 3) return ReadInt(r, f, &group->rows);
    if (f.id != 1) return r.Skip(f.type);
    return ReadList(r, [&](uint8_t) {
      ParquetChunkMeta chunk;
      bool has_meta = false;
      MF_RETURN_IF_ERROR(ReadStruct(r, [&](const Field& c) -> Status {
        if (c.id == 1) return Status::BadInput("a column chunk lives in another file: not read");
        if (c.id != 3) return r.Skip(c.type);
        has_meta = true;
        return ReadColumnMeta(r, &chunk);
      }));
      if (!has_meta) return Status::BadInput("a column chunk has no metadata");
      group->chunks.push_back(chunk);
      return Status::OK();
    });
  });
}

}  // namespace

Result<ParquetFileMeta> ReadParquetMetadata(std::string_view footer) {
  ThriftCompactReader r(footer);
  ParquetFileMeta meta;
  MF_RETURN_IF_ERROR(ReadStruct(r, [&](const Field& f) -> Status {
    if (f.id == 2) return ReadSchema(r, &meta.columns);
    if (f.id != 4) return r.Skip(f.type);
    return ReadList(r, [&](uint8_t) {
      ParquetRowGroup group;
      MF_RETURN_IF_ERROR(ReadRowGroup(r, &group));
      meta.row_groups.push_back(std::move(group));
      return Status::OK();
    });
  }));
  for (const ParquetRowGroup& g : meta.row_groups) {
    if (g.chunks.size() != meta.columns.size())
      return Status::BadInput("a row group has " + std::to_string(g.chunks.size()) + " column chunks for " +
                              std::to_string(meta.columns.size()) + " columns");
  }
  return meta;
}

Result<ParquetPageHeader> ReadParquetPageHeader(std::string_view bytes) {
  ThriftCompactReader r(bytes);
  ParquetPageHeader h;
  MF_RETURN_IF_ERROR(ReadStruct(r, [&](const Field& f) -> Status {
    switch (f.id) {
      case 1:
        return ReadInt(r, f, &h.type);
      case 2:
        return ReadInt(r, f, &h.uncompressed_size);
      case 3:
        return ReadInt(r, f, &h.compressed_size);
      case 5:  // DataPageHeader
      case 7:  // DictionaryPageHeader
        return ReadStruct(r, [&](const Field& d) -> Status {
          if (d.id == 1) return ReadInt(r, d, &h.values);
          if (d.id == 2) return ReadInt(r, d, &h.encoding);
          return r.Skip(d.type);
        });
      case 8:  // DataPageHeaderV2
        h.v2 = true;
        return ReadStruct(r, [&](const Field& d) -> Status {
          switch (d.id) {
            case 1:
              return ReadInt(r, d, &h.values);
            case 4:
              return ReadInt(r, d, &h.encoding);
            case 5:
              return ReadInt(r, d, &h.definition_bytes);
            case 6:
              return ReadInt(r, d, &h.repetition_bytes);
            case 7: {
              MF_ASSIGN_OR_RETURN(h.values_compressed, r.Bool(d.type, false));
              return Status::OK();
            }
            default:
              return r.Skip(d.type);
          }
        });
      default:
        return r.Skip(f.type);
    }
  }));
  if (h.uncompressed_size < 0 || h.compressed_size < 0 || h.values < 0 || h.definition_bytes < 0 ||
      h.repetition_bytes < 0 || h.definition_bytes + int64_t{h.repetition_bytes} > h.compressed_size)
    return Status::BadInput("a page header's sizes are invalid");
  if (h.uncompressed_size > kMaxPageBytes || h.values > kMaxPageValues)
    return Status::BadInput("a page of more than 512 MiB or 32 Mi values: not read");
  h.header_size = r.position();
  return h;
}

}  // namespace mergeflow
