#pragma once
// SHA-256 through OpenSSL: scenario and fixture hashes, the Go module proxy's
// h1: sums, session shared keys.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "util/result.h"

namespace buildbench::util {

class Sha256 {
 public:
  Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  ~Sha256();
  void update(std::string_view bytes);
  std::string hex_digest();      // lowercase hex, 64 chars; ends the hash
  std::string raw_digest();      // 32 bytes; ends the hash

 private:
  void* context_;  // EVP_MD_CTX, kept opaque so callers need no OpenSSL headers
};

std::string sha256_hex(std::string_view bytes);
Result<std::string> sha256_file_hex(const std::filesystem::path& file);
std::string base64_encode(std::string_view bytes);
// Standard or URL-safe alphabet, padding optional; fails on other characters.
Result<std::string> base64_decode(std::string_view text);
std::string random_hex(size_t bytes);

}  // namespace buildbench::util
