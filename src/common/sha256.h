// SHA-256 (OpenSSL's libcrypto), for manifests that name other files by
// their digest.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace mergeflow {

// A digest computed piece by piece.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void Update(std::string_view data);
  // The digest of everything given, as 64 lower-case hex digits. Call once.
  std::string HexDigest();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

// The SHA-256 of `data` as 64 lower-case hex digits.
std::string Sha256Hex(std::string_view data);

}  // namespace mergeflow
