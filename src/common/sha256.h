// SHA-256 (OpenSSL's libcrypto), for manifests that name other files by
// their digest.
#pragma once

#include <string>
#include <string_view>

namespace mergeflow {

// The SHA-256 of `data` as 64 lower-case hex digits.
std::string Sha256Hex(std::string_view data);

}  // namespace mergeflow
