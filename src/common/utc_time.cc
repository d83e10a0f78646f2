#include "common/utc_time.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <ctime>

namespace mergeflow {
namespace {

// Reads exactly `digits` decimal digits at text[*at]; advances *at.
std::optional<int> Digits(std::string_view text, size_t* at, size_t digits) {
  if (*at + digits > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < digits; ++i) {
    const char c = text[*at + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  *at += digits;
  return value;
}

bool Expect(std::string_view text, size_t* at, char c, bool compact) {
  if (compact) return true;
  if (*at >= text.size() || text[*at] != c) return false;
  ++*at;
  return true;
}

}  // namespace

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FormatUtcMillis(int64_t millis) {
  const std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[40];
  const size_t n = std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(text + n, sizeof(text) - n, ".%03dZ", static_cast<int>(millis % 1000));
  return text;
}

std::string UtcTimestamp() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::optional<UtcTime> ParseUtcTime(std::string_view text) {
  const bool compact = text.size() >= 9 && text[8] == 'T';
  size_t at = 0;
  std::tm utc{};
  const auto year = Digits(text, &at, 4);
  if (!year || !Expect(text, &at, '-', compact)) return std::nullopt;
  const auto month = Digits(text, &at, 2);
  if (!month || !Expect(text, &at, '-', compact)) return std::nullopt;
  const auto day = Digits(text, &at, 2);
  if (!day || *month < 1 || *month > 12 || *day < 1 || *day > 31) return std::nullopt;
  utc.tm_year = *year - 1900;
  utc.tm_mon = *month - 1;
  utc.tm_mday = *day;
  UtcTime time;
  int offset_seconds = 0;
  if (at < text.size()) {
    if (text[at] != 'T' && (compact || text[at] != ' ')) return std::nullopt;
    ++at;
    const auto hour = Digits(text, &at, 2);
    if (!hour || !Expect(text, &at, ':', compact)) return std::nullopt;
    const auto minute = Digits(text, &at, 2);
    if (!minute || !Expect(text, &at, ':', compact)) return std::nullopt;
    const auto second = Digits(text, &at, 2);
    if (!second || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
    utc.tm_hour = *hour;
    utc.tm_min = *minute;
    utc.tm_sec = *second;
    if (!compact && at < text.size() && (text[at] == '.' || text[at] == ',')) {
      ++at;
      int digits = 0;
      for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, ++digits) {
        if (digits == 9) return std::nullopt;
        time.nanos = time.nanos * 10 + (text[at] - '0');
      }
      if (digits == 0) return std::nullopt;
      for (; digits < 9; ++digits) time.nanos *= 10;
    }
    if (at < text.size() && text[at] == 'Z') {
      ++at;
    } else if (compact) {
      return std::nullopt;
    } else if (at < text.size() && (text[at] == '+' || text[at] == '-')) {
      const int sign = text[at++] == '-' ? -1 : 1;
      const auto hours = Digits(text, &at, 2);
      if (!hours || !Expect(text, &at, ':', false)) return std::nullopt;
      const auto minutes = Digits(text, &at, 2);
      if (!minutes || *hours > 23 || *minutes > 59) return std::nullopt;
      offset_seconds = sign * (*hours * 3600 + *minutes * 60);
    }
    if (at != text.size()) return std::nullopt;
  } else if (compact) {
    return std::nullopt;
  }
  time.seconds = static_cast<int64_t>(timegm(&utc)) - offset_seconds;
  // timegm normalises impossible dates (February 30th to March 2nd) in
  // place; refuse those.
  if (utc.tm_mday != *day || utc.tm_mon != *month - 1) return std::nullopt;
  return time;
}

std::optional<int64_t> ParseUtcMillis(std::string_view text) {
  const std::optional<UtcTime> time = ParseUtcTime(text);
  if (!time) return std::nullopt;
  return time->seconds * 1000 + time->nanos / 1000000;
}

Result<int64_t> ParseDurationSeconds(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [next, error] = std::from_chars(text.data(), end, value);
  const Status bad =
      Status::InvalidArgument("not a duration: '" + std::string(text) + "' (a number and a unit: 90s, 30m, 12h, 7d)");
  if (error != std::errc() || next + 1 != end || value < 0) return bad;
  switch (*next) {
    case 's':
      return value;
    case 'm':
      return value * 60;
    case 'h':
      return value * 3600;
    case 'd':
      return value * 86400;
    case 'w':
      return value * 7 * 86400;
    default:
      return bad;
  }
}

}  // namespace mergeflow
