#include "ops/aggregate/group_states.h"

#include <cmath>
#include <cstring>

namespace mergeflow {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

template <class T>
void Grow(std::vector<T>* v, size_t by, T value) {
  v->resize(v->size() + by, value);
}

template <class T>
void AppendRange(const std::vector<T>& v, size_t begin, size_t n, std::string* out) {
  out->append(reinterpret_cast<const char*>(v.data() + begin), n * sizeof(T));
}

template <class T>
bool ReadRange(const std::string& data, size_t* at, size_t n, std::vector<T>* v) {
  const size_t bytes = n * sizeof(T);
  if (data.size() - *at < bytes) return false;
  const size_t old = v->size();
  v->resize(old + n);
  std::memcpy(v->data() + old, data.data() + *at, bytes);
  *at += bytes;
  return true;
}

}  // namespace

GroupStates::GroupStates(const StateNeeds& needs, size_t features)
    : needs_(needs), features_(features), ge_(needs.ge_thresholds.size()), gt_(needs.gt_thresholds.size()) {}

size_t GroupStates::AddGroup() {
  rows_.push_back(0);
  Grow(&missing_, features_, uint64_t{0});
  if (needs_.sum) Grow(&sum_, features_, CompensatedSum{});
  if (needs_.sum_sq) Grow(&sum_sq_, features_, CompensatedSum{});
  if (needs_.nnz) Grow(&nnz_, features_, uint64_t{0});
  if (needs_.min_max) {
    Grow(&min_, features_, kInf);
    Grow(&max_, features_, -kInf);
  }
  for (auto& counts : ge_) Grow(&counts, features_, uint64_t{0});
  for (auto& counts : gt_) Grow(&counts, features_, uint64_t{0});
  return rows_.size() - 1;
}

void GroupStates::Merge(const GroupStates& other, size_t from, size_t to) {
  rows_[to] += other.rows_[from];
  for (size_t f = 0; f < features_; ++f) {
    const size_t i = to * features_ + f;
    const size_t j = from * features_ + f;
    missing_[i] += other.missing_[j];
    if (needs_.sum) sum_[i].Add(other.sum_[j]);
    if (needs_.sum_sq) sum_sq_[i].Add(other.sum_sq_[j]);
    if (needs_.nnz) nnz_[i] += other.nnz_[j];
    if (needs_.min_max) {
      min_[i] = std::min(min_[i], other.min_[j]);
      max_[i] = std::max(max_[i], other.max_[j]);
    }
    for (size_t t = 0; t < ge_.size(); ++t) ge_[t][i] += other.ge_[t][j];
    for (size_t t = 0; t < gt_.size(); ++t) gt_[t][i] += other.gt_[t][j];
  }
}

double GroupStates::Value(const Statistic& stat, size_t group, size_t feature, int ddof) const {
  const size_t i = group * features_ + feature;
  const uint64_t n = rows_[group] - missing_[i];
  const double count = static_cast<double>(n);
  // Values equal to 0 (present, so counted in n, but in no other state).
  auto zeros = [&] { return n - nnz_[i]; };
  auto threshold_count = [&](const std::vector<std::vector<uint64_t>>& counts, const std::vector<double>& thresholds,
                             bool zero_counts) {
    size_t t = 0;
    while (thresholds[t] != stat.threshold) ++t;
    return static_cast<double>(counts[t][i] + (zero_counts ? zeros() : 0));
  };
  switch (stat.kind) {
    case StatKind::kCount:
      return count;
    case StatKind::kSum:
      return sum_[i].value();
    case StatKind::kMean:
      return n == 0 ? kNaN : sum_[i].value() / count;
    case StatKind::kVar:
    case StatKind::kStd: {
      if (static_cast<double>(n) - ddof <= 0) return kNaN;
      const double var = SumOfSquaredDeviations(sum_[i], sum_sq_[i], count) / (count - ddof);
      return stat.kind == StatKind::kVar ? var : std::sqrt(var);
    }
    case StatKind::kMin:
      if (n == 0) return kNaN;
      return zeros() > 0 ? std::min(min_[i], 0.0) : min_[i];
    case StatKind::kMax:
      if (n == 0) return kNaN;
      return zeros() > 0 ? std::max(max_[i], 0.0) : max_[i];
    case StatKind::kNnz:
      return static_cast<double>(nnz_[i]);
    case StatKind::kFracNnz:
      return n == 0 ? kNaN : static_cast<double>(nnz_[i]) / count;
    case StatKind::kCountGe:
      return threshold_count(ge_, needs_.ge_thresholds, 0 >= stat.threshold);
    case StatKind::kCountGt:
      return threshold_count(gt_, needs_.gt_thresholds, 0 > stat.threshold);
  }
  return kNaN;
}

void GroupStates::EncodeGroup(size_t group, std::string* out) const {
  const size_t begin = group * features_;
  AppendRange(rows_, group, 1, out);
  AppendRange(missing_, begin, features_, out);
  if (needs_.sum) AppendRange(sum_, begin, features_, out);
  if (needs_.sum_sq) AppendRange(sum_sq_, begin, features_, out);
  if (needs_.nnz) AppendRange(nnz_, begin, features_, out);
  if (needs_.min_max) {
    AppendRange(min_, begin, features_, out);
    AppendRange(max_, begin, features_, out);
  }
  for (const auto& counts : ge_) AppendRange(counts, begin, features_, out);
  for (const auto& counts : gt_) AppendRange(counts, begin, features_, out);
}

bool GroupStates::DecodeGroup(const std::string& data, size_t* at) {
  bool ok = ReadRange(data, at, 1, &rows_) && ReadRange(data, at, features_, &missing_);
  if (ok && needs_.sum) ok = ReadRange(data, at, features_, &sum_);
  if (ok && needs_.sum_sq) ok = ReadRange(data, at, features_, &sum_sq_);
  if (ok && needs_.nnz) ok = ReadRange(data, at, features_, &nnz_);
  if (ok && needs_.min_max) ok = ReadRange(data, at, features_, &min_) && ReadRange(data, at, features_, &max_);
  for (auto& counts : ge_) ok = ok && ReadRange(data, at, features_, &counts);
  for (auto& counts : gt_) ok = ok && ReadRange(data, at, features_, &counts);
  return ok;
}

}  // namespace mergeflow
