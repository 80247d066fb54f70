#include "session/secret_sources.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

namespace buildbench::session {
namespace {

constexpr std::string_view kSecretUsage = "expected id=NAME,src=FILE or id=NAME,env=VARIABLE";

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    const size_t comma = text.find(',', start);
    parts.push_back(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) return parts;
    start = comma + 1;
  }
}

}  // namespace

util::Result<SecretSource> parse_secret_flag(std::string_view flag) {
  SecretSource source;
  std::string type;
  std::optional<std::string> src;
  for (std::string_view part : split_commas(flag)) {
    const size_t equals = part.find('=');
    if (equals == std::string_view::npos) {
      return util::error("--secret " + std::string(flag) + ": \"" + std::string(part) + "\" has no value; " +
                         std::string(kSecretUsage));
    }
    const std::string key(part.substr(0, equals));
    const std::string value(part.substr(equals + 1));
    if (key == "id") {
      source.id = value;
    } else if (key == "src" || key == "source") {
      src = value;
    } else if (key == "env") {
      source.env = value;
    } else if (key == "type") {
      if (value != "file" && value != "env") {
        return util::error("--secret " + std::string(flag) + ": type must be file or env, not \"" + value + "\"");
      }
      type = value;
    } else {
      return util::error("--secret " + std::string(flag) + ": unknown key \"" + key + "\"; " +
                         std::string(kSecretUsage));
    }
  }
  if (source.id.empty()) return util::error("--secret " + std::string(flag) + ": no id; " + std::string(kSecretUsage));
  if (src && source.env) {
    return util::error("--secret " + std::string(flag) + ": give src or env, not both");
  }
  if (src) {
    if (type == "env") {
      source.env = *src;
    } else {
      source.file = std::filesystem::path(*src);
    }
  } else if (!source.env) {
    // As the CLI: the variable named like the id when it is set, else the file.
    if (type == "env" || (type.empty() && std::getenv(source.id.c_str()) != nullptr)) {
      source.env = source.id;
    } else {
      source.file = std::filesystem::path(source.id);
    }
  }
  if (source.env && source.env->empty()) {
    return util::error("--secret " + std::string(flag) + ": env names no variable");
  }
  return source;
}

util::Result<std::string> read_secret(const SecretSource& source) {
  std::string value;
  if (source.env) {
    const char* set = std::getenv(source.env->c_str());
    if (set == nullptr) {
      return util::error("secret \"" + source.id + "\": environment variable " + *source.env + " is not set");
    }
    value = set;
  } else if (source.file) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(*source.file, ec)) {
      return util::error("secret \"" + source.id + "\": " + source.file->string() + " is not a readable file");
    }
    std::ifstream in(*source.file, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return util::error("secret \"" + source.id + "\": cannot read " + source.file->string());
    }
    value = content.str();
  } else {
    return util::error("secret \"" + source.id + "\": neither a file nor an environment variable");
  }
  if (value.size() > kMaxSecretBytes) {
    return util::error("secret \"" + source.id + "\" is " + std::to_string(value.size()) +
                       " bytes; BuildKit takes at most " + std::to_string(kMaxSecretBytes));
  }
  return value;
}

util::Result<std::map<std::string, std::string>> read_secrets(const std::vector<SecretSource>& sources) {
  std::map<std::string, std::string> values;
  for (const auto& source : sources) {
    auto value = read_secret(source);
    if (!value) return value.error();
    if (!values.emplace(source.id, std::move(value).value()).second) {
      return util::error("secret \"" + source.id + "\" is given twice");
    }
  }
  return values;
}

util::Result<SshAgent> parse_ssh_flag(std::string_view flag) {
  SshAgent agent;
  const size_t equals = flag.find('=');
  agent.id = std::string(flag.substr(0, equals));
  if (agent.id.empty()) return util::error("--ssh " + std::string(flag) + ": no id; expected default or ID=SOCKET");
  if (equals == std::string_view::npos) {
    const char* sock = std::getenv("SSH_AUTH_SOCK");
    if (sock == nullptr || *sock == '\0') {
      return util::error("--ssh " + std::string(flag) +
                         ": SSH_AUTH_SOCK is not set; start an agent (ssh-agent) or name its socket with " +
                         agent.id + "=SOCKET");
    }
    agent.socket = sock;
  } else {
    const std::string_view path = flag.substr(equals + 1);
    if (path.find(',') != std::string_view::npos) {
      return util::error("--ssh " + std::string(flag) + ": one agent socket per id (key files are not supported)");
    }
    agent.socket = std::filesystem::path(std::string(path));
  }
  struct stat st {};
  if (::stat(agent.socket.c_str(), &st) != 0) {
    return util::error("--ssh " + std::string(flag) + ": " + agent.socket.string() + " does not exist");
  }
  if (!S_ISSOCK(st.st_mode)) {
    return util::error("--ssh " + std::string(flag) + ": " + agent.socket.string() +
                       " is not an agent socket (key files are not supported: add the key to ssh-agent "
                       "and pass its socket)");
  }
  return agent;
}

}  // namespace buildbench::session
