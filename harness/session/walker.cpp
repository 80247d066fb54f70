#include "session/walker.h"

#include <dirent.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <unordered_map>

namespace buildbench::session {
namespace {

std::string errno_text(int err) { return std::strerror(err); }

bool is_not_exist(int err) { return err == ENOENT || err == ENOTDIR; }

// ---- Go filepath.Match -----------------------------------------------------

struct Rune {
  uint32_t value;
  size_t length;
};

// utf8.DecodeRuneInString: invalid or truncated sequences decode as U+FFFD
// of length 1, like Go.
Rune decode_rune(std::string_view s, size_t at) {
  constexpr Rune kInvalid{0xFFFD, 1};
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return {lead, 1};
  size_t length = 0;
  uint32_t value = 0;
  uint32_t minimum = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, value = lead & 0x1Fu, minimum = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, value = lead & 0x0Fu, minimum = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, value = lead & 0x07u, minimum = 0x10000;
  } else {
    return kInvalid;
  }
  if (at + length > s.size()) return kInvalid;
  for (size_t i = 1; i < length; ++i) {
    const unsigned char next = byte(at + i);
    if ((next & 0xC0) != 0x80) return kInvalid;
    value = (value << 6) | (next & 0x3Fu);
  }
  if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return kInvalid;
  return {value, length};
}

struct GlobToken {
  enum class Kind { Literal, AnyRune, Star, Class };
  Kind kind = Kind::Literal;
  char literal = 0;
  bool negated = false;
  std::vector<std::pair<uint32_t, uint32_t>> ranges;
};

// getEsc of Go's filepath: one (possibly escaped) rune of a class range.
bool class_rune(std::string_view pattern, size_t& at, uint32_t& out) {
  if (at >= pattern.size() || pattern[at] == '-' || pattern[at] == ']') return false;
  if (pattern[at] == '\\') {
    ++at;
    if (at >= pattern.size()) return false;
  }
  const Rune rune = decode_rune(pattern, at);
  if (rune.value == 0xFFFD && rune.length == 1) return false;
  at += rune.length;
  if (at >= pattern.size()) return false;  // a class must still be closed
  out = rune.value;
  return true;
}

// Parses a glob into tokens; nullopt when malformed (Go: ErrBadPattern).
std::optional<std::vector<GlobToken>> parse_glob(std::string_view pattern) {
  std::vector<GlobToken> tokens;
  size_t at = 0;
  while (at < pattern.size()) {
    GlobToken token;
    const char c = pattern[at];
    if (c == '*') {
      token.kind = GlobToken::Kind::Star;
      ++at;
      if (!tokens.empty() && tokens.back().kind == GlobToken::Kind::Star) continue;  // "**" == "*" here
    } else if (c == '?') {
      token.kind = GlobToken::Kind::AnyRune;
      ++at;
    } else if (c == '[') {
      token.kind = GlobToken::Kind::Class;
      ++at;
      if (at < pattern.size() && pattern[at] == '^') {
        token.negated = true;
        ++at;
      }
      for (;;) {
        if (at < pattern.size() && pattern[at] == ']' && !token.ranges.empty()) {
          ++at;
          break;
        }
        uint32_t lo = 0;
        if (!class_rune(pattern, at, lo)) return std::nullopt;
        uint32_t hi = lo;
        if (pattern[at] == '-') {
          ++at;
          if (!class_rune(pattern, at, hi)) return std::nullopt;
        }
        token.ranges.emplace_back(lo, hi);
      }
    } else if (c == '\\') {
      ++at;
      if (at >= pattern.size()) return std::nullopt;
      token.literal = pattern[at++];
    } else {
      token.literal = c;
      ++at;
    }
    tokens.push_back(std::move(token));
  }
  return tokens;
}

// ---- paths -------------------------------------------------------------------

size_t count_char(std::string_view s, char c) { return static_cast<size_t>(std::count(s.begin(), s.end(), c)); }

// fsutil's matchPrefix: a pattern deeper than the path is cut to the path's
// depth and the match marked partial.
std::pair<bool, bool> match_prefix(std::string_view pattern, std::string_view name) {
  const size_t depth = count_char(name, '/');
  bool partial = false;
  if (count_char(pattern, '/') > depth) {
    size_t seen = 0;
    for (size_t i = 0; i < pattern.size(); ++i) {
      if (pattern[i] == '/' && seen++ == depth) {
        pattern = pattern.substr(0, i);
        break;
      }
    }
    partial = true;
  }
  return {go_path_match(pattern, name), partial};
}

bool has_wildcards(std::string_view name) {
  for (size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '\\') {
      ++i;
    } else if (name[i] == '*' || name[i] == '?' || name[i] == '[') {
      return true;
    }
  }
  return false;
}

std::string join_path(std::string_view a, std::string_view b) {
  if (a.empty()) return clean_path(b);
  if (b.empty()) return clean_path(a);
  std::string joined(a);
  joined += '/';
  joined += b;
  return clean_path(joined);
}

std::string dir_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return ".";
  return clean_path(path.substr(0, slash + 1));
}

std::string base_of(std::string_view path) {
  const size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

// dedupePaths: expects a sorted list; nullopt when "." is present.
std::optional<std::vector<std::string>> dedupe_paths(const std::vector<std::string>& in) {
  std::vector<std::string> out;
  std::string last;
  bool have_last = false;
  for (const auto& path : in) {
    if (path == ".") return std::nullopt;
    if (have_last && path.rfind(last + "/", 0) == 0) continue;
    // Go starts with last == "", so an absolute path ("/x") counts as below it.
    if (!have_last && path.rfind('/', 0) == 0) continue;
    out.push_back(path);
    last = path;
    have_last = true;
  }
  return out;
}

// `failed_errno` (optional) receives errno when readlink fails.
util::Result<std::string> read_link(const std::string& path, size_t size_hint, int* failed_errno = nullptr) {
  std::string target(std::max<size_t>(size_hint, 64) + 1, '\0');
  for (int attempt = 0; attempt < 8; ++attempt) {
    const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
    if (n < 0) {
      const int err = errno;
      if (failed_errno != nullptr) *failed_errno = err;
      return util::error("readlink " + path + ": " + errno_text(err));
    }
    if (static_cast<size_t>(n) < target.size()) {
      target.resize(static_cast<size_t>(n));
      return target;
    }
    target.resize(target.size() * 2);
  }
  return util::error("readlink " + path + ": target keeps growing");
}

class SymlinkResolver {
 public:
  explicit SymlinkResolver(std::filesystem::path root) : root_(std::move(root)) {}

  util::Status append(std::string path, int depth = 0) {
    if (depth > 255) return util::error("followpaths: too many levels of symbolic links at " + path);
    path = join_path(".", path);
    std::string current = ".";
    for (;;) {
      const size_t slash = path.find('/');
      const std::string head = path.substr(0, slash);
      current = join_path(current, head);
      auto targets = read_symlink(current, true);
      if (!targets) return targets.error();
      path = slash == std::string::npos ? std::string() : path.substr(slash + 1);
      if ((path.empty() || targets->has_value()) && resolved_.count(current)) return {};
      if (targets->has_value()) {
        resolved_.insert(current);
        for (const auto& target : **targets) {
          if (auto status = append(join_path(target, path), depth + 1); !status) return status;
        }
        return {};
      }
      if (path.empty()) {
        resolved_.insert(current);
        return {};
      }
    }
  }

  std::vector<std::string> sorted() const { return {resolved_.begin(), resolved_.end()}; }

 private:
  // Targets of the symlink at `relative` (every match when its last component
  // is a wildcard); nullopt when it is not a symlink or does not exist.
  util::Result<std::optional<std::vector<std::string>>> read_symlink(const std::string& relative,
                                                                     bool allow_wildcard) {
    const std::string real = (root_ / relative).string();
    const std::string base = base_of(relative);
    if (allow_wildcard && has_wildcards(base)) {
      const std::string parent = dir_of(relative);
      std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir((root_ / parent).c_str()), ::closedir);
      if (!dir) {
        if (errno == ENOENT) return std::optional<std::vector<std::string>>();
        return util::error("followpaths: readdir " + (root_ / parent).string() + ": " + errno_text(errno));
      }
      std::vector<std::string> names;
      while (const dirent* entry = ::readdir(dir.get())) {
        const std::string_view name = entry->d_name;
        if (name != "." && name != ".." && go_path_match(base, name)) names.emplace_back(name);
      }
      std::sort(names.begin(), names.end());
      std::optional<std::vector<std::string>> out;
      for (const auto& name : names) {
        auto targets = read_symlink(join_path(parent, name), false);
        if (!targets) return targets.error();
        if (targets->has_value()) {
          if (!out) out.emplace();
          out->insert(out->end(), (*targets)->begin(), (*targets)->end());
        }
      }
      return out;
    }
    struct stat st {};
    if (::lstat(real.c_str(), &st) != 0) {
      if (errno == ENOENT) return std::optional<std::vector<std::string>>();
      return util::error("followpaths: lstat " + real + ": " + errno_text(errno));
    }
    if (!S_ISLNK(st.st_mode)) return std::optional<std::vector<std::string>>();
    auto link = read_link(real, static_cast<size_t>(st.st_size));
    if (!link) return link.error();
    std::string target = clean_path(*link);
    // Absolute targets are taken as they are (re-rooted later); relative
    // ones are resolved against the link's directory, clamped at the root.
    if (target.rfind('/', 0) != 0) target = clean_path("/" + join_path(dir_of(relative), target));
    return std::optional<std::vector<std::string>>(std::vector<std::string>{target});
  }

  std::filesystem::path root_;
  std::set<std::string> resolved_;
};

// ---- the walk ------------------------------------------------------------------

class Walker {
 public:
  Walker(const WalkOptions& options, const WalkVisitor& visit) : options_(options), visit_(visit) {}

  util::Status run(const std::filesystem::path& root) {
    char* resolved = ::realpath(root.c_str(), nullptr);
    if (resolved == nullptr) return util::error("resolve " + root.string() + ": " + errno_text(errno));
    const std::string real_root(resolved);
    std::free(resolved);
    struct stat st {};
    if (::stat(real_root.c_str(), &st) != 0) return util::error("stat " + real_root + ": " + errno_text(errno));
    if (!S_ISDIR(st.st_mode)) return util::error("walk " + real_root + ": not a directory");

    if (options_.include_patterns) {
      includes_.emplace();
      for (const auto& pattern : *options_.include_patterns) includes_->push_back(clean_path(pattern));
    }
    if (options_.follow_paths) {
      auto targets = follow_links(root, *options_.follow_paths);
      if (!targets) return targets.error();
      if (targets->has_value()) {
        std::vector<std::string> merged = includes_ ? *includes_ : std::vector<std::string>();
        merged.insert(merged.end(), (*targets)->begin(), (*targets)->end());
        // fsutil dedupes the concatenation as it is; a "." anywhere removes the filter.
        auto deduped = dedupe_paths(merged);
        if (deduped) {
          includes_ = std::move(*deduped);
        } else {
          includes_.reset();
        }
      }
    }
    return visit_directory(real_root, "");
  }

 private:
  util::Status visit_directory(const std::string& dir_path, const std::string& relative_dir) {
    std::vector<std::string> names;
    {
      std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(dir_path.c_str()), ::closedir);
      if (!dir) {
        if (is_not_exist(errno)) return {};  // vanished since its stat was sent
        return util::error("open " + dir_path + ": " + errno_text(errno));
      }
      errno = 0;
      while (const dirent* entry = ::readdir(dir.get())) {
        const std::string_view name = entry->d_name;
        if (name != "." && name != "..") names.emplace_back(name);
        errno = 0;
      }
      if (errno != 0) return util::error("readdirent " + dir_path + ": " + errno_text(errno));
    }
    std::sort(names.begin(), names.end());  // bytewise, as Go's sort.Strings

    for (const auto& name : names) {
      const std::string full = dir_path + "/" + name;
      const std::string relative = relative_dir.empty() ? name : relative_dir + "/" + name;
      struct stat st {};
      if (::lstat(full.c_str(), &st) != 0) {
        if (is_not_exist(errno)) continue;
        return util::error("lstat " + full + ": " + errno_text(errno));
      }
      const bool is_dir = S_ISDIR(st.st_mode);

      auto pass = passes_filters(relative, is_dir);
      if (!pass) return pass.error();
      if (!*pass) continue;

      WalkEntry entry;
      auto made = make_stat(full, relative, st, entry.stat);
      if (!made) return made;
      if (!made_entry_) continue;  // vanished while being read
      if (options_.zero_owner) entry.stat.uid = entry.stat.gid = 0;
      entry.source = full;
      entry.is_socket = S_ISSOCK(st.st_mode);
      if (auto status = visit_(std::move(entry)); !status) return status;

      if (is_dir) {
        if (auto status = visit_directory(full, relative); !status) return status;
      }
    }
    return {};
  }

  util::Result<bool> passes_filters(const std::string& relative, bool is_dir) {
    if (includes_) {
      const bool below_included_dir =
          !last_included_dir_.empty() && relative.rfind(last_included_dir_ + "/", 0) == 0;
      if (!below_included_dir) {
        bool matched = false;
        bool partial = true;
        for (const auto& pattern : *includes_) {
          auto [ok, is_partial] = match_prefix(pattern, relative);
          if (ok) {
            matched = true;
            if (!is_partial) {
              partial = false;
              break;
            }
          }
        }
        if (!matched) return false;
        if (!partial && is_dir) last_included_dir_ = relative;
      }
    }
    if (options_.excludes && options_.excludes->excluded) {
      auto excluded = options_.excludes->excluded(relative);
      if (!excluded) return util::error("failed to match excludepatterns: " + excluded.error().message);
      if (*excluded) {
        if (!is_dir) return false;
        // An excluded directory is still entered when an exception pattern
        // may re-include something below it.
        const auto& reopen = options_.excludes->may_contain_reincluded;
        return reopen && reopen(relative);
      }
    }
    return true;
  }

  util::Status make_stat(const std::string& full, const std::string& relative, const struct stat& st,
                         FileStat& out) {
    made_entry_ = true;
    out.path = relative;
    out.mode = go_file_mode(st.st_mode) & ~kGoModeSocket;
    out.uid = st.st_uid;
    out.gid = st.st_gid;
    out.mod_time_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    if (!S_ISDIR(st.st_mode)) {
      out.size = static_cast<int64_t>(st.st_size);
      out.devmajor = static_cast<int64_t>((st.st_rdev >> 8) & 0xfff);
      out.devminor = static_cast<int64_t>((st.st_rdev & 0xff) | ((st.st_rdev >> 12) & 0xfff00));
      // Hardlinks: later names of an inode point at the first one sent.
      if (st.st_nlink > 1) {
        auto [it, inserted] = first_path_of_inode_.try_emplace(st.st_ino, relative);
        if (!inserted) out.linkname = it->second;
      }
      if (S_ISLNK(st.st_mode)) {
        int link_errno = 0;
        auto link = read_link(full, static_cast<size_t>(st.st_size), &link_errno);
        if (!link) {
          if (is_not_exist(link_errno)) {
            made_entry_ = false;
            return {};
          }
          return link.error();
        }
        out.linkname = std::move(*link);
      }
    }
    return load_xattrs(full, out);
  }

  util::Status load_xattrs(const std::string& full, FileStat& out) {
    std::string names;
    for (int attempt = 0;; ++attempt) {
      const ssize_t size = ::llistxattr(full.c_str(), nullptr, 0);
      if (size < 0) {
        if (errno == ENOTSUP) return {};
        if (is_not_exist(errno)) {
          made_entry_ = false;
          return {};
        }
        return util::error("failed to xattr " + full + ": " + errno_text(errno));
      }
      if (size == 0) return {};
      names.assign(static_cast<size_t>(size), '\0');
      const ssize_t got = ::llistxattr(full.c_str(), names.data(), names.size());
      if (got >= 0) {
        names.resize(static_cast<size_t>(got));
        break;
      }
      if (errno != ERANGE || attempt > 8) return util::error("failed to xattr " + full + ": " + errno_text(errno));
    }
    for (size_t at = 0; at < names.size();) {
      const size_t end = names.find('\0', at);
      const std::string name = names.substr(at, end == std::string::npos ? std::string::npos : end - at);
      at = end == std::string::npos ? names.size() : end + 1;
      if (name.empty()) continue;
      const ssize_t size = ::lgetxattr(full.c_str(), name.c_str(), nullptr, 0);
      if (size < 0) continue;  // fsutil drops values it cannot read
      std::string value(static_cast<size_t>(size), '\0');
      const ssize_t got = ::lgetxattr(full.c_str(), name.c_str(), value.data(), value.size());
      if (got < 0) continue;
      value.resize(static_cast<size_t>(got));
      out.xattrs.emplace(name, std::move(value));
    }
    return {};
  }

  const WalkOptions& options_;
  const WalkVisitor& visit_;
  std::optional<std::vector<std::string>> includes_;
  std::string last_included_dir_;
  std::unordered_map<ino_t, std::string> first_path_of_inode_;
  bool made_entry_ = true;
};

}  // namespace

uint32_t go_file_mode(mode_t st_mode) {
  uint32_t mode = static_cast<uint32_t>(st_mode & 0777);
  switch (st_mode & S_IFMT) {
    case S_IFBLK: mode |= kGoModeDevice; break;
    case S_IFCHR: mode |= kGoModeDevice | kGoModeCharDevice; break;
    case S_IFDIR: mode |= kGoModeDir; break;
    case S_IFIFO: mode |= kGoModeNamedPipe; break;
    case S_IFLNK: mode |= kGoModeSymlink; break;
    case S_IFSOCK: mode |= kGoModeSocket; break;
    default: break;
  }
  if (st_mode & S_ISUID) mode |= kGoModeSetuid;
  if (st_mode & S_ISGID) mode |= kGoModeSetgid;
  if (st_mode & S_ISVTX) mode |= kGoModeSticky;
  return mode;
}

bool go_path_match(std::string_view pattern, std::string_view name) {
  auto tokens = parse_glob(pattern);
  if (!tokens) return false;
  // reach[p]: the first i tokens can match name[0, p). One pass per token
  // keeps this O(tokens × name) whatever the pattern.
  std::string reach(name.size() + 1, '\0');  // std::string: GCC sees no null data()
  reach[0] = 1;
  for (const auto& token : *tokens) {
    std::string next(name.size() + 1, '\0');
    bool any = false;
    for (size_t p = 0; p <= name.size(); ++p) {
      if (!reach[p]) continue;
      switch (token.kind) {
        case GlobToken::Kind::Star: {
          next[p] = 1;
          for (size_t q = p; q < name.size() && name[q] != '/'; ++q) next[q + 1] = 1;
          break;
        }
        case GlobToken::Kind::Literal:
          if (p < name.size() && name[p] == token.literal) next[p + 1] = 1;
          break;
        case GlobToken::Kind::AnyRune:
          if (p < name.size() && name[p] != '/') next[p + decode_rune(name, p).length] = 1;
          break;
        case GlobToken::Kind::Class: {
          if (p >= name.size()) break;
          const Rune rune = decode_rune(name, p);
          bool in_range = false;
          for (const auto& [lo, hi] : token.ranges) in_range = in_range || (lo <= rune.value && rune.value <= hi);
          if (in_range != token.negated) next[p + rune.length] = 1;
          break;
        }
      }
    }
    for (char c : next) any = any || c;
    if (!any) return false;
    reach.swap(next);
  }
  return reach[name.size()] != 0;
}

util::Result<std::optional<std::vector<std::string>>> follow_links(const std::filesystem::path& root,
                                                                   const std::vector<std::string>& paths) {
  SymlinkResolver resolver(root);
  for (const auto& path : paths) {
    if (auto status = resolver.append(path); !status) return status.error();
  }
  return dedupe_paths(resolver.sorted());
}

util::Status walk(const std::filesystem::path& root, const WalkOptions& options, const WalkVisitor& visit) {
  Walker walker(options, visit);
  return walker.run(root);
}

}  // namespace buildbench::session
