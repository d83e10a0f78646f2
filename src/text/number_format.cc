#include "text/number_format.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace mergeflow {

namespace {

// AppendShortestDouble's spelling of the shortest digits of `value` as a T.
template <typename T>
void AppendShortest(std::string* out, T value) {
  if (std::isnan(value)) {
    out->append("nan");
    return;
  }
  if (std::isinf(value)) {
    out->append(value < 0 ? "-inf" : "inf");
    return;
  }
  if (std::signbit(value)) out->push_back('-');
  // The shortest round-trip digits, as d[.ddd]e±X.
  char buf[40];
  const auto result = std::to_chars(buf, buf + sizeof(buf), std::fabs(value), std::chars_format::scientific);
  char* e = buf;
  while (*e != 'e') ++e;
  std::string digits(1, buf[0]);
  if (buf[1] == '.') digits.append(buf + 2, static_cast<size_t>(e - (buf + 2)));
  int exponent = 0;
  std::from_chars(e + 1 + (e[1] == '+' ? 1 : 0), result.ptr, exponent);
  if (exponent < -4 || exponent >= 16) {
    out->push_back(digits[0]);
    if (digits.size() > 1) {
      out->push_back('.');
      out->append(digits, 1);
    }
    out->push_back('e');
    out->push_back(exponent < 0 ? '-' : '+');
    const int magnitude = std::abs(exponent);
    if (magnitude < 10) out->push_back('0');
    AppendCount(out, static_cast<uint64_t>(magnitude));
    return;
  }
  const int point = exponent + 1;  // digits before the decimal point
  const int count = static_cast<int>(digits.size());
  if (point <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-point), '0');
    out->append(digits);
  } else if (point < count) {
    out->append(digits, 0, static_cast<size_t>(point));
    out->push_back('.');
    out->append(digits, static_cast<size_t>(point));
  } else {
    out->append(digits);
    out->append(static_cast<size_t>(point - count), '0');
    out->append(".0");
  }
}

}  // namespace

void AppendShortestDouble(std::string* out, double value) { AppendShortest(out, value); }

void AppendShortestFloat(std::string* out, float value) { AppendShortest(out, value); }

void AppendCount(std::string* out, uint64_t value) {
  char buf[24];
  const auto result = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, result.ptr);
}

}  // namespace mergeflow
