// CompensatedSum: a sum kept as an unevaluated pair hi + lo (double-double),
// so that a sum of many doubles carries about 106 bits: adding values in
// another order, or adding partial sums of threads and MPI ranks together,
// changes the result far below a double's last bit. Rounded to a double at
// the end, sums over any split of the rows agree.
#pragma once

#include <cmath>

namespace mergeflow {

struct CompensatedSum {
  double hi = 0;
  double lo = 0;

  // Adds x (Knuth's TwoSum: the rounding error of hi + x goes to lo).
  void Add(double x) {
    const double s = hi + x;
    const double b = s - hi;
    lo += (hi - (s - b)) + (x - b);
    hi = s;
  }
  // Adds x * x with its rounding error (fused multiply-add gives it exactly).
  void AddSquare(double x) {
    const double p = x * x;
    Add(p);
    lo += std::fma(x, x, -p);
  }
  // Adds another sum.
  void Add(const CompensatedSum& other) {
    Add(other.hi);
    lo += other.lo;
  }
  double value() const { return hi + lo; }
};

// The exact-as-possible value of (s2 - s1 * s1 / n), the sum of squared
// deviations from the mean of n values with sum s1 and sum of squares s2,
// computed in double-double so that the subtraction does not cancel the
// digits a variance needs. Never negative.
double SumOfSquaredDeviations(const CompensatedSum& s1, const CompensatedSum& s2, double n);

}  // namespace mergeflow
