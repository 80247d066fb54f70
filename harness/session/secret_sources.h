#pragma once
// Where a build's secrets and SSH agents come from, as `docker build` takes
// them: `--secret id=NAME,src=FILE` / `id=NAME,env=VAR` and
// `--ssh default[=SOCKET]`. Values are read once, before the build, so a
// missing file or unset variable is an input error and not a failed RUN.
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace buildbench::session {

// BuildKit refuses larger secrets (secretsprovider.MaxSecretSize).
inline constexpr size_t kMaxSecretBytes = 500 * 1024;

struct SecretSource {
  std::string id;
  std::optional<std::filesystem::path> file;  // exactly one of file / env
  std::optional<std::string> env;
};

struct SshAgent {
  std::string id = "default";
  std::filesystem::path socket;  // the agent's Unix socket
};

// "id=NAME,src=FILE" (also source= and the CLI's type=file|env), or
// "id=NAME,env=VAR"; "id=NAME" alone reads the variable NAME when it is set,
// else the file NAME, as the CLI does. Errors name the flag and what is expected.
util::Result<SecretSource> parse_secret_flag(std::string_view flag);
// The secret's bytes; errors name the id and the file or variable.
util::Result<std::string> read_secret(const SecretSource& source);
// All of them, id -> value; a repeated id is an error.
util::Result<std::map<std::string, std::string>> read_secrets(const std::vector<SecretSource>& sources);

// "default" (the socket $SSH_AUTH_SOCK names) or "ID=SOCKET". Key files,
// which the CLI loads into an agent of its own, are refused with a message.
util::Result<SshAgent> parse_ssh_flag(std::string_view flag);

}  // namespace buildbench::session
