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

// Milliseconds since the epoch of an ISO 8601 UTC time: "YYYY-MM-DD",
// "YYYY-MM-DDTHH:MM:SS" with optional ".fraction" and optional "Z", or the
// compact "YYYYMMDDTHHMMSSZ". nullopt when `text` is none of these.
std::optional<int64_t> ParseUtcMillis(std::string_view text);

// Seconds in a duration: a number with a unit s, m, h, d or w ("90s", "7d").
// InvalidArgument naming the text otherwise.
Result<int64_t> ParseDurationSeconds(std::string_view text);

}  // namespace mergeflow
