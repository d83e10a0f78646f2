// SecretRedactor: keeps secrets out of what mergeflow records (a pipeline's
// run records and step logs). The secrets are the values of environment
// variables that hold credentials: AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN
// and any variable whose name contains SECRET, TOKEN, PASSWORD, PASSWD or
// CREDENTIAL (values of fewer than 6 characters are too common to be told
// apart from ordinary text and are left).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mergeflow {

class SecretRedactor {
 public:
  // The secrets of this process's environment.
  static SecretRedactor FromEnvironment();
  explicit SecretRedactor(std::vector<std::string> secrets);

  // `text` with every secret replaced by "[redacted]".
  std::string Redact(std::string_view text) const;
  // The longest secret's length: text cut into pieces is redacted whole
  // when each piece is held back until this many more bytes follow it.
  size_t longest() const { return longest_; }

 private:
  std::vector<std::string> secrets_;  // longest first, so that one inside another goes whole
  size_t longest_ = 0;
};

}  // namespace mergeflow
