#include "ops/aggregate/compensated_sum.h"

#include <algorithm>

namespace mergeflow {
namespace {

// A double-double number: hi + lo with |lo| <= half an ulp of hi.
struct DoubleDouble {
  double hi;
  double lo;
};

DoubleDouble QuickTwoSum(double a, double b) {
  const double s = a + b;
  return {s, b - (s - a)};
}

DoubleDouble Normalize(const CompensatedSum& s) { return QuickTwoSum(s.hi, s.lo); }

DoubleDouble Add(DoubleDouble a, DoubleDouble b) {
  const double s = a.hi + b.hi;
  const double v = s - a.hi;
  double e = (a.hi - (s - v)) + (b.hi - v);
  e += a.lo + b.lo;
  return QuickTwoSum(s, e);
}

DoubleDouble Multiply(DoubleDouble a, DoubleDouble b) {
  const double p = a.hi * b.hi;
  double e = std::fma(a.hi, b.hi, -p);
  e += a.hi * b.lo + a.lo * b.hi;
  return QuickTwoSum(p, e);
}

DoubleDouble Divide(DoubleDouble a, double d) {
  const double q1 = a.hi / d;
  // The remainder a - q1 * d, exactly enough for a second quotient digit.
  const double p = q1 * d;
  const double pe = std::fma(q1, d, -p);
  const double r = ((a.hi - p) - pe) + a.lo;
  return QuickTwoSum(q1, r / d);
}

}  // namespace

double SumOfSquaredDeviations(const CompensatedSum& s1, const CompensatedSum& s2, double n) {
  const DoubleDouble sum = Normalize(s1);
  const DoubleDouble squares = Normalize(s2);
  const DoubleDouble mean_part = Divide(Multiply(sum, sum), n);
  const DoubleDouble m2 = Add(squares, {-mean_part.hi, -mean_part.lo});
  return std::max(0.0, m2.hi + m2.lo);
}

}  // namespace mergeflow
