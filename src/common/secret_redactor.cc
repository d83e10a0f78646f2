#include "common/secret_redactor.h"

#include <algorithm>
#include <cctype>

extern char** environ;

namespace mergeflow {
namespace {

constexpr size_t kShortestSecret = 6;

bool NamesASecret(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::toupper(c); });
  for (const char* word : {"SECRET", "TOKEN", "PASSWORD", "PASSWD", "CREDENTIAL"}) {
    if (name.find(word) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

SecretRedactor SecretRedactor::FromEnvironment() {
  std::vector<std::string> secrets;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    if (NamesASecret(std::string(text.substr(0, eq)))) secrets.emplace_back(text.substr(eq + 1));
  }
  return SecretRedactor(std::move(secrets));
}

SecretRedactor::SecretRedactor(std::vector<std::string> secrets) {
  for (std::string& s : secrets) {
    if (s.size() >= kShortestSecret) secrets_.push_back(std::move(s));
  }
  std::sort(secrets_.begin(), secrets_.end(), [](const std::string& a, const std::string& b) {
    return a.size() > b.size();
  });
  secrets_.erase(std::unique(secrets_.begin(), secrets_.end()), secrets_.end());
  longest_ = secrets_.empty() ? 0 : secrets_.front().size();
}

std::string SecretRedactor::Redact(std::string_view text) const {
  std::string out(text);
  for (const std::string& secret : secrets_) {
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at)) {
      out.replace(at, secret.size(), "[redacted]");
      at += 10;
    }
  }
  return out;
}

}  // namespace mergeflow
