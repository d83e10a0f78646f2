#include "pipeline/retry_policy.h"

#include <algorithm>
#include <cmath>

namespace mergeflow {
namespace {

bool Matches(const RetryRule& rule, ErrorClass failure) {
  for (const std::string& name : rule.on) {
    if (name == "all" || name == ErrorClassName(failure)) return true;
  }
  return false;
}

}  // namespace

RetryDecision NextRetry(const std::vector<RetryRule>& rules, ErrorClass failure, std::vector<int>* retries_by_rule,
                        std::mt19937_64* random) {
  RetryDecision decision;
  const std::string name(ErrorClassName(failure));
  if (!IsRetryable(failure)) {
    decision.why_not = name + " is never retried";
    return decision;
  }
  retries_by_rule->resize(rules.size(), 0);
  for (size_t i = 0; i < rules.size(); ++i) {
    const RetryRule& rule = rules[i];
    if (!Matches(rule, failure)) continue;
    int& done = (*retries_by_rule)[i];
    if (done >= rule.max_attempts) {
      decision.why_not = rule.max_attempts == 0
                             ? "its retrier for " + name + " allows no retries"
                             : std::to_string(rule.max_attempts) + " retries for " + name + " used";
      return decision;
    }
    ++done;
    double wait = rule.interval_seconds * std::pow(rule.backoff_rate, done - 1);
    if (rule.max_delay_seconds) wait = std::min(wait, *rule.max_delay_seconds);
    if (rule.full_jitter) wait = std::uniform_real_distribution<double>(0, wait)(*random);
    decision.retry = true;
    decision.wait_seconds = wait;
    return decision;
  }
  decision.why_not = "no retrier is for " + name;
  return decision;
}

}  // namespace mergeflow
