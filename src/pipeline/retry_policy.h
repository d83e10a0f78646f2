// What a pipeline does after a step's attempt fails, with the semantics of
// AWS Step Functions' Retry field: the retriers are tried in order and the
// first whose `on` matches the failure's class decides (a later one never
// does); each retrier counts its own retries; the n-th retry of a retrier
// waits min(interval x backoff_rate^(n-1), max_delay), or with full jitter
// a uniform time in [0, that]. bad_input and usage failures are never retried.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "common/error_class.h"
#include "pipeline/pipeline_spec.h"

namespace mergeflow {

struct RetryDecision {
  bool retry = false;
  double wait_seconds = 0;
  // Why not, when not: "bad_input is never retried", "no retrier is for
  // timeout", "3 retries of transient used".
  std::string why_not;
};

// Decides after a failure of class `failure`. `retries_by_rule[i]` counts
// the retries retrier i has given (resized to the rules; updated when it
// gives one). `random` draws the jitter.
RetryDecision NextRetry(const std::vector<RetryRule>& rules, ErrorClass failure, std::vector<int>* retries_by_rule,
                        std::mt19937_64* random);

}  // namespace mergeflow
