// Dialect: how delimited text is laid out.
#pragma once

namespace mergeflow {

struct Dialect {
  char separator = '\t';
  // RFC 4180 quoting: a field that starts with '"' runs to the matching '"'
  // and may hold separators, newlines and doubled quotes. Off for raw TSV.
  bool quoting = true;
};

}  // namespace mergeflow
