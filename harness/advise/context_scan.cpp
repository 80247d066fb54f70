#include "advise/context_scan.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace buildbench::advise {

bool ContextScan::sent(const std::string& path) const { return !ignore.excluded(path); }

namespace {

util::Result<docker::IgnoreMatcher> read_ignore(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return util::error("cannot read " + file.string());
  std::stringstream text;
  text << in.rdbuf();
  return docker::IgnoreMatcher::parse(text.str(), file.string());
}

void finish(ContextScan& scan) {
  std::sort(scan.files.begin(), scan.files.end(),
            [](const ContextFile& a, const ContextFile& b) { return a.path < b.path; });
  scan.total_bytes = scan.sent_bytes = 0;
  for (auto& f : scan.files) {
    f.sent = !scan.ignore.excluded(f.path);
    scan.total_bytes += f.size;
    if (f.sent) scan.sent_bytes += f.size;
  }
}

}  // namespace

util::Result<ContextScan> scan_context(const std::filesystem::path& root,
                                       const std::optional<std::filesystem::path>& dockerignore) {
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) return util::error(root.string() + " is not a directory");
  ContextScan scan;
  std::filesystem::path ignore_file = dockerignore ? *dockerignore : root / ".dockerignore";
  if (std::filesystem::exists(ignore_file, ec)) {
    auto matcher = read_ignore(ignore_file);
    if (!matcher) return matcher.error();
    scan.ignore = std::move(*matcher);
    scan.has_dockerignore = true;
  } else if (dockerignore) {
    return util::error("cannot read " + dockerignore->string());
  }
  std::filesystem::recursive_directory_iterator it(root, std::filesystem::directory_options::none, ec), end;
  if (ec) return util::error("cannot list " + root.string() + ": " + ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return util::error("cannot list " + root.string() + ": " + ec.message());
    const auto status = it->symlink_status(ec);
    if (ec || std::filesystem::is_directory(status)) continue;
    ContextFile file;
    file.path = std::filesystem::relative(it->path(), root, ec).generic_string();
    if (std::filesystem::is_regular_file(status)) file.size = it->file_size(ec);
    scan.files.push_back(std::move(file));
  }
  finish(scan);
  return scan;
}

util::Result<ContextScan> context_from_list(const std::vector<std::string>& paths, std::string_view dockerignore_text) {
  ContextScan scan;
  if (!dockerignore_text.empty()) {
    auto matcher = docker::IgnoreMatcher::parse(dockerignore_text);
    if (!matcher) return matcher.error();
    scan.ignore = std::move(*matcher);
    scan.has_dockerignore = true;
  }
  for (const auto& p : paths) scan.files.push_back({p, 0, true});
  finish(scan);
  return scan;
}

}  // namespace buildbench::advise
