// Numbers written as text: the shortest form that reads back to the same
// double, spelled as Python's repr spells it (2.0, 0.1, 1e-05, 1e+16), so
// that pandas, awk and people read the same value mergeflow computed.
#pragma once

#include <cstdint>
#include <string>

namespace mergeflow {

// Appends `value` as Python's repr(float) would: the fewest significant
// digits that read back to the same double; fixed notation with at least one
// digit after the point when the decimal exponent is in [-4, 16), otherwise
// d.ddde+XX with at least two exponent digits; "inf", "-inf", "nan".
void AppendShortestDouble(std::string* out, double value);

// The same for a float: the fewest digits that read back to the same float
// (0.1f is "0.1", not the double nearest it).
void AppendShortestFloat(std::string* out, float value);

// Appends `value` in decimal.
void AppendCount(std::string* out, uint64_t value);

}  // namespace mergeflow
