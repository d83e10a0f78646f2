// Times as mergeflow writes and reads them: UTC, ISO 8601, and durations
// such as "7d".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace mergeflow {

// Milliseconds since the Unix epoch, now.
int64_t NowMillis();

// "YYYY-MM-DDTHH:MM:SSZ", now.
std::string UtcTimestamp();

// "YYYY-MM-DDTHH:MM:SS.mmmZ" for `millis` since the epoch.
std::string FormatUtcMillis(int64_t millis);

// A point in time: seconds since the Unix epoch and nanoseconds after.
struct UtcTime {
  int64_t seconds = 0;
  int32_t nanos = 0;
};

// Parses an ISO 8601 time: "YYYY-MM-DD", or "YYYY-MM-DD" and 'T' (or ' ')
// and "HH:MM:SS", an optional fraction (up to 9 digits) and an optional "Z"
// or "+HH:MM"/"-HH:MM" offset (none: UTC); or the compact
// "YYYYMMDDTHHMMSSZ". nullopt when `text` is none of these or names no
// real date (February 30th).
std::optional<UtcTime> ParseUtcTime(std::string_view text);

// ParseUtcTime in milliseconds since the epoch.
std::optional<int64_t> ParseUtcMillis(std::string_view text);

// Seconds in a duration: a number with a unit s, m, h, d or w ("90s", "7d").
// InvalidArgument naming the text otherwise.
Result<int64_t> ParseDurationSeconds(std::string_view text);

}  // namespace mergeflow
