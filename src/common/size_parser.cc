#include "common/size_parser.h"

#include <cctype>
#include <cmath>
#include <string>

namespace mergeflow {

Result<uint64_t> ParseSize(std::string_view text, uint64_t total_bytes) {
  auto bad = [&] {
    return Status::InvalidArgument("invalid size '" + std::string(text) + "' (expected e.g. 512M, 8G or 60%)");
  };
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return bad();
  double number = 0;
  try {
    number = std::stod(std::string(text.substr(0, i)));
  } catch (...) {
    return bad();
  }
  std::string suffix;
  for (char c : text.substr(i)) suffix += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  double multiplier = 1;
  if (suffix == "%") {
    if (number > 100) return bad();
    return static_cast<uint64_t>(static_cast<double>(total_bytes) * number / 100.0);
  }
  if (suffix.ends_with("IB")) suffix.resize(suffix.size() - 2);
  else if (suffix.size() > 1 && suffix.ends_with("B")) suffix.pop_back();
  if (suffix.empty() || suffix == "B") multiplier = 1;
  else if (suffix == "K") multiplier = 1024.0;
  else if (suffix == "M") multiplier = 1024.0 * 1024;
  else if (suffix == "G") multiplier = 1024.0 * 1024 * 1024;
  else if (suffix == "T") multiplier = 1024.0 * 1024 * 1024 * 1024;
  else return bad();
  return static_cast<uint64_t>(std::llround(number * multiplier));
}

}  // namespace mergeflow
