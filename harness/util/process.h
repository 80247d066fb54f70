#pragma once
// Running other programs (dockerd, debootstrap, go): argv in, exit status and
// captured output out. No shell is involved, so arguments need no quoting.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace buildbench::util {

struct ProcessOutput {
  int exit_code = -1;       // exit status, or 128 + signal when killed
  std::string out;          // stdout
  std::string err;          // stderr
};

struct RunOptions {
  std::optional<std::filesystem::path> cwd;
  std::vector<std::string> extra_env;  // "KEY=VALUE", added to the environment
  std::optional<std::string> stdin_data;
};

// Runs argv[0] (searched in PATH) to completion and captures its output.
// Fails only when the program cannot be started at all.
Result<ProcessOutput> run_process(const std::vector<std::string>& argv, const RunOptions& options = {});

// Starts argv[0] in its own session (so a Ctrl-C on our terminal does not reach
// it) with stdout and stderr appended to `log_file`; returns its pid.
// `extra_env` ("KEY=VALUE") is added to, or replaces entries of, our environment.
Result<pid_t> spawn_detached(const std::vector<std::string>& argv, const std::filesystem::path& log_file,
                             const std::vector<std::string>& extra_env = {});

// True while a process with this pid exists (and is not a zombie of ours).
bool process_alive(pid_t pid);

// Waits up to `timeout` for pid to exit (reaping it when it is our child).
bool wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

// Absolute path of a program found in PATH, if any.
std::optional<std::filesystem::path> find_program(const std::string& name);

}  // namespace buildbench::util
