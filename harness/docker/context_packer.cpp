#include "docker/context_packer.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "util/fd.h"
#include "util/hash.h"

namespace buildbench::docker {
namespace fs = std::filesystem;

namespace {

std::string errno_text(int error_number) { return std::strerror(error_number); }

bool vanished_error(int error_number) { return error_number == ENOENT || error_number == ENOTDIR; }

// Reads a small file (Dockerfile, .dockerignore) whole.
util::Result<std::string> read_small_file(const fs::path& path) {
  util::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (!fd.valid()) return util::error("cannot read " + path.string() + ": " + errno_text(errno));
  std::string text;
  char buffer[16 * 1024];
  while (true) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return util::error("cannot read " + path.string() + ": " + errno_text(errno));
    if (got == 0) break;
    text.append(buffer, static_cast<size_t>(got));
  }
  return text;
}

// The sorted names of a directory, bytewise (std::string compares as
// unsigned char), which is Go's sort.Strings order.
util::Result<std::vector<std::string>> sorted_names(const std::string& dir) {
  DIR* handle = ::opendir(dir.c_str());
  if (handle == nullptr) {
    const int error_number = errno;
    return util::error("cannot read directory " + dir + ": " + errno_text(error_number));
  }
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* entry = ::readdir(handle)) {
    const std::string_view name(entry->d_name);
    if (name != "." && name != "..") names.emplace_back(name);
    errno = 0;
  }
  const int error_number = errno;
  ::closedir(handle);
  if (error_number != 0) return util::error("cannot read directory " + dir + ": " + errno_text(error_number));
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

struct ContextPacker::State {
  // What open() decided.
  std::string root;                 // canonical context directory
  IgnoreMatcher matcher;
  std::string dockerfile_name;      // path inside the tar
  std::optional<std::string> external_dockerfile;  // contents, when outside the context
  int64_t external_dockerfile_mtime = 0;
  unsigned external_dockerfile_mode = 0644;

  // libarchive writes into `pending`; read() drains it from `pending_offset`.
  archive* writer = nullptr;
  archive_entry* entry = nullptr;
  std::string pending;
  size_t pending_offset = 0;
  size_t peak_buffered = 0;

  // The walk: one frame per directory being listed.
  struct Frame {
    std::string rel;                 // "" for the root
    std::vector<std::string> names;  // sorted
    size_t next = 0;
  };
  std::vector<Frame> stack;

  // The regular file whose content is being written.
  util::Fd file;
  std::string file_path;
  uint64_t file_remaining = 0;
  std::vector<char> chunk;

  std::map<std::pair<dev_t, ino_t>, std::string> first_link_path;  // files with st_nlink > 1

  enum class Phase { Walk, ExternalDockerfile, Trailer, Done };
  Phase phase = Phase::Walk;
  std::optional<util::Error> failure;
  ContextPackStats stats;

  State() = default;
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() {
    if (writer != nullptr) archive_write_free(writer);
    if (entry != nullptr) archive_entry_free(entry);
  }

  static la_ssize_t on_write(archive*, void* client_data, const void* buffer, size_t length) {
    auto* self = static_cast<State*>(client_data);
    self->pending.append(static_cast<const char*>(buffer), length);
    return static_cast<la_ssize_t>(length);
  }

  util::Status start_writer() {
    writer = archive_write_new();
    entry = archive_entry_new();
    if (writer == nullptr || entry == nullptr) return util::error("libarchive: out of memory");
    // GNU tar format: long names use ././@LongLink entries, never pax
    // headers. libarchive's pax writer adds a `hdrcharset=BINARY` pax header
    // to every entry when no UTF-8 locale is set, and BuildKit sniffs a tar
    // body by parsing its first header alone: a pax header first makes it
    // treat the whole body as a Dockerfile ("unknown instruction:
    // PAXHEADER/..."). No blocking: each write goes straight to on_write and
    // the stream ends with the 1024-byte trailer, unpadded.
    if (archive_write_set_format_gnutar(writer) != ARCHIVE_OK ||
        archive_write_set_bytes_per_block(writer, 0) != ARCHIVE_OK ||
        archive_write_open(writer, this, nullptr, &State::on_write, nullptr) != ARCHIVE_OK) {
      return libarchive_error("cannot start the tar stream");
    }
    return {};
  }

  util::Error libarchive_error(const std::string& what) const {
    const char* detail = writer != nullptr ? archive_error_string(writer) : nullptr;
    return util::error("libarchive: " + what + (detail != nullptr ? std::string(": ") + detail : std::string()));
  }

  // One unit of work: a header, a chunk of file content, a directory step or
  // the trailer. May produce no bytes (an excluded entry).
  util::Status step() {
    if (file.valid()) return copy_chunk();
    switch (phase) {
      case Phase::Walk:
        return walk_step();
      case Phase::ExternalDockerfile:
        phase = Phase::Trailer;
        return write_external_dockerfile();
      case Phase::Trailer:
        if (archive_write_close(writer) != ARCHIVE_OK) return libarchive_error("cannot finish the tar stream");
        phase = Phase::Done;
        return {};
      case Phase::Done:
        return {};
    }
    return {};
  }

  util::Status walk_step() {
    if (stack.empty()) {
      phase = external_dockerfile ? Phase::ExternalDockerfile : Phase::Trailer;
      return {};
    }
    Frame& frame = stack.back();
    if (frame.next >= frame.names.size()) {
      stack.pop_back();
      return {};
    }
    const std::string& name = frame.names[frame.next++];
    std::string rel = frame.rel.empty() ? name : frame.rel + "/" + name;
    return visit(std::move(rel));
  }

  util::Status visit(std::string rel) {
    const std::string path = root + "/" + rel;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
      const int error_number = errno;
      if (vanished_error(error_number)) {
        ++stats.vanished;
        return {};
      }
      return util::error("cannot stat " + path + ": " + errno_text(error_number));
    }
    const bool is_dir = S_ISDIR(st.st_mode);
    if (matcher.excluded(rel)) {
      // Docker enters an excluded directory only when an exception pattern
      // names something below it, and even then does not send the directory.
      if (is_dir && matcher.may_contain_reincluded(rel)) return push_directory(std::move(rel), path);
      ++stats.excluded;
      return {};
    }
    if (is_dir) {
      if (auto status = write_header(rel + "/", AE_IFDIR, st, 0); !status) return status;
      ++stats.directories;
      return push_directory(std::move(rel), path);
    }
    if (S_ISLNK(st.st_mode)) return write_symlink(rel, path, st);
    if (S_ISREG(st.st_mode)) return start_file(rel, path, st);
    ++stats.skipped_special;
    return {};
  }

  util::Status push_directory(std::string rel, const std::string& path) {
    auto names = sorted_names(path);
    if (!names) {
      // A directory removed after it was listed is skipped like a file.
      std::error_code ec;
      if (!fs::exists(path, ec) && !ec) {
        ++stats.vanished;
        return {};
      }
      return names.error();
    }
    stack.push_back(Frame{std::move(rel), std::move(names).value(), 0});
    return {};
  }

  util::Status write_header(const std::string& name, unsigned type, const struct stat& st, int64_t size,
                            const char* symlink = nullptr, const char* hardlink = nullptr) {
    archive_entry_clear(entry);
    archive_entry_copy_pathname(entry, name.c_str());
    archive_entry_set_filetype(entry, type);
    archive_entry_set_perm(entry, static_cast<mode_t>(st.st_mode & 07777));
    archive_entry_set_uid(entry, 0);
    archive_entry_set_gid(entry, 0);
    archive_entry_set_mtime(entry, st.st_mtim.tv_sec, 0);
    archive_entry_set_size(entry, size);
    if (symlink != nullptr) archive_entry_copy_symlink(entry, symlink);
    if (hardlink != nullptr) archive_entry_copy_hardlink(entry, hardlink);
    // Names are raw bytes as on disk (Linux names have no charset). A name
    // that is not valid in the locale's charset makes libarchive warn and
    // store it as is with `hdrcharset=BINARY`; the entry is complete.
    const size_t before = pending.size();
    const int status = archive_write_header(writer, entry);
    if (status != ARCHIVE_OK && status != ARCHIVE_WARN) return libarchive_error("cannot write the tar header of " + name);
    if (auto patched = add_type_bits_to_mode(before, type, st); !patched) return patched;
    ++stats.entries;
    return {};
  }

  // Docker's headers carry the file type in the mode field as well (moby
  // pkg/archive fillGo18FileTypeBits: 0100644 for a file, 040755 for a
  // directory); libarchive writes permission bits only. The classic
  // builder's COPY cache key hashes this field, so without the type bits no
  // step would share the cache of a `docker build` of the same files
  // (checked against dockerd 20.10). The ustar block is the last 512 bytes
  // archive_write_header produced (after any pax extended header).
  util::Status add_type_bits_to_mode(size_t header_start, unsigned type, const struct stat& st) {
    constexpr size_t kBlock = 512;
    constexpr size_t kModeOffset = 100;
    constexpr size_t kChecksumOffset = 148;
    constexpr size_t kMagicOffset = 257;
    const size_t written = pending.size() - header_start;
    if (written < kBlock || written % kBlock != 0) return util::error("libarchive: unexpected tar header layout");
    char* block = pending.data() + pending.size() - kBlock;
    if (std::memcmp(block + kMagicOffset, "ustar", 5) != 0) return util::error("libarchive: unexpected tar header layout");
    unsigned type_bits = 0100000;  // regular files and hard links
    if (type == AE_IFDIR) type_bits = 040000;
    if (type == AE_IFLNK) type_bits = 0120000;
    char field[16];
    std::snprintf(field, sizeof field, "%07o", static_cast<unsigned>(st.st_mode & 07777) | type_bits);
    std::memcpy(block + kModeOffset, field, 8);  // 7 digits and the NUL, as Go writes it
    std::memset(block + kChecksumOffset, ' ', 8);
    unsigned checksum = 0;
    for (size_t i = 0; i < kBlock; ++i) checksum += static_cast<unsigned char>(block[i]);
    std::snprintf(field, sizeof field, "%06o", checksum);
    std::memcpy(block + kChecksumOffset, field, 7);  // 6 digits, NUL, then the space stays
    return {};
  }

  util::Status write_symlink(const std::string& rel, const std::string& path, const struct stat& st) {
    std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 0) + 1, '\0');
    while (true) {
      const ssize_t length = ::readlink(path.c_str(), target.data(), target.size());
      if (length < 0) {
        const int error_number = errno;
        if (vanished_error(error_number) || error_number == EINVAL) {  // EINVAL: no longer a symlink
          ++stats.vanished;
          return {};
        }
        return util::error("cannot read symlink " + path + ": " + errno_text(error_number));
      }
      if (static_cast<size_t>(length) < target.size()) {
        target.resize(static_cast<size_t>(length));
        break;
      }
      target.resize(target.size() * 2);  // the link grew since lstat
    }
    if (auto status = write_header(rel, AE_IFLNK, st, 0, target.c_str()); !status) return status;
    ++stats.symlinks;
    return {};
  }

  util::Status start_file(const std::string& rel, const std::string& path, const struct stat& st) {
    const auto link_key = std::make_pair(st.st_dev, st.st_ino);
    if (st.st_nlink > 1) {
      const auto seen = first_link_path.find(link_key);
      if (seen != first_link_path.end()) {
        if (auto status = write_header(rel, AE_IFREG, st, 0, nullptr, seen->second.c_str()); !status) return status;
        ++stats.hardlinks;
        return {};
      }
    }
    // Open before the header: an unreadable file fails cleanly, mid-stream
    // bytes never promise content that cannot come.
    util::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
    if (!fd.valid()) {
      const int error_number = errno;
      if (vanished_error(error_number)) {
        ++stats.vanished;
        return {};
      }
      return util::error("cannot read " + path + ": " + errno_text(error_number));
    }
    struct stat opened {};
    if (::fstat(fd.get(), &opened) != 0 || !S_ISREG(opened.st_mode)) {
      return util::error("cannot read " + path + ": it changed while being packed");
    }
    ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_SEQUENTIAL);
    if (auto status = write_header(rel, AE_IFREG, opened, opened.st_size); !status) return status;
    // Only a path that was sent may be a later hard link's target.
    if (st.st_nlink > 1) first_link_path.emplace(link_key, rel);
    ++stats.files;
    file_remaining = static_cast<uint64_t>(opened.st_size);
    if (file_remaining == 0) return finish_file();
    file = std::move(fd);
    file_path = path;
    return {};
  }

  util::Status copy_chunk() {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(file_remaining, chunk.size()));
    ssize_t got = 0;
    do {
      got = ::read(file.get(), chunk.data(), want);
    } while (got < 0 && errno == EINTR);
    if (got < 0) return util::error("cannot read " + file_path + ": " + errno_text(errno));
    if (got == 0) {
      return util::error("cannot read " + file_path + ": the file shrank while being packed (" +
                         std::to_string(file_remaining) + " bytes missing)");
    }
    if (auto status = write_data(chunk.data(), static_cast<size_t>(got)); !status) return status;
    file_remaining -= static_cast<uint64_t>(got);
    stats.file_bytes += static_cast<uint64_t>(got);
    if (file_remaining == 0) {
      file.close();  // a file that grew meanwhile is cut at its header's size
      return finish_file();
    }
    return {};
  }

  util::Status write_data(const char* data, size_t length) {
    const la_ssize_t written = archive_write_data(writer, data, length);
    if (written < 0 || static_cast<size_t>(written) != length) {
      return libarchive_error("cannot write file data");
    }
    return {};
  }

  util::Status finish_file() {
    if (archive_write_finish_entry(writer) != ARCHIVE_OK) return libarchive_error("cannot finish a tar entry");
    return {};
  }

  util::Status write_external_dockerfile() {
    struct stat st {};
    st.st_mode = external_dockerfile_mode;
    st.st_mtim.tv_sec = external_dockerfile_mtime;
    const std::string& content = *external_dockerfile;
    if (auto status = write_header(dockerfile_name, AE_IFREG, st, static_cast<int64_t>(content.size())); !status) {
      return status;
    }
    ++stats.files;
    stats.file_bytes += content.size();
    if (auto status = write_data(content.data(), content.size()); !status) return status;
    return finish_file();
  }
};

ContextPacker::ContextPacker(std::unique_ptr<State> state) : state_(std::move(state)) {}
ContextPacker::ContextPacker(ContextPacker&&) noexcept = default;
ContextPacker& ContextPacker::operator=(ContextPacker&&) noexcept = default;
ContextPacker::~ContextPacker() = default;

util::Result<ContextPacker> ContextPacker::open(const ContextSource& source) {
  std::error_code ec;
  const fs::path context = source.context_dir.empty() ? fs::path(".") : source.context_dir;
  if (!fs::exists(context, ec)) return util::error("build context " + context.string() + " does not exist");
  if (!fs::is_directory(context, ec)) return util::error("build context " + context.string() + " is not a directory");
  const fs::path root = fs::canonical(context, ec);
  if (ec) return util::error("cannot resolve build context " + context.string() + ": " + ec.message());

  auto state = std::make_unique<State>();
  state->root = root.string();
  if (state->root == "/") state->root.clear();  // so that root + "/" + rel stays clean
  state->chunk.resize(kChunkSize);

  // The Dockerfile: -f is relative to the current directory, the default
  // lives in the context (Docker falls back to a lowercase `dockerfile`).
  fs::path dockerfile;
  if (source.dockerfile) {
    dockerfile = fs::absolute(*source.dockerfile, ec);
  } else {
    dockerfile = root / "Dockerfile";
    if (!fs::exists(dockerfile, ec) && fs::exists(root / "dockerfile", ec)) dockerfile = root / "dockerfile";
  }
  if (!fs::exists(dockerfile, ec)) return util::error("cannot locate Dockerfile " + dockerfile.string());
  if (fs::is_directory(dockerfile, ec)) return util::error("Dockerfile " + dockerfile.string() + " is a directory");
  const fs::path real_dockerfile = fs::canonical(dockerfile, ec);
  if (ec) return util::error("cannot resolve Dockerfile " + dockerfile.string() + ": " + ec.message());
  const fs::path relative = real_dockerfile.lexically_relative(root);
  const bool inside = !relative.empty() && *relative.begin() != "..";
  if (inside) {
    state->dockerfile_name = relative.generic_string();
  } else {
    auto content = read_small_file(real_dockerfile);
    if (!content) return content.error();
    struct stat st {};
    if (::stat(real_dockerfile.c_str(), &st) == 0) {
      state->external_dockerfile_mtime = st.st_mtim.tv_sec;
      state->external_dockerfile_mode = static_cast<unsigned>(st.st_mode & 07777);
    }
    state->dockerfile_name = ".buildbench-dockerfile-" + util::sha256_hex(*content).substr(0, 16);
    state->external_dockerfile = std::move(content).value();
  }

  // As BuildKit's dockerui frontend (and the session path, where the daemon
  // reads it): `<Dockerfile>.dockerignore`, next to the Dockerfile (inside
  // the context or not), replaces <context>/.dockerignore when it exists,
  // even empty. The daemon applies no excludes to a tar body, so we must.
  const fs::path dockerfile_ignore = dockerfile.string() + ".dockerignore";
  const fs::path ignore_file = fs::is_regular_file(dockerfile_ignore, ec) ? dockerfile_ignore : root / ".dockerignore";
  if (fs::exists(ignore_file, ec)) {
    auto text = read_small_file(ignore_file);
    if (!text) return text.error();
    auto matcher = IgnoreMatcher::parse(*text, ignore_file.string());
    if (!matcher) return matcher.error();
    state->matcher = std::move(matcher).value();
  }
  // As the CLI's TrimBuildFilesFromExcludes: both are sent whatever the patterns say.
  state->matcher.keep_always(".dockerignore");
  if (inside) state->matcher.keep_always(state->dockerfile_name);

  if (auto status = state->start_writer(); !status) return status.error();
  auto names = sorted_names(root.string());
  if (!names) return names.error();
  state->stack.push_back(State::Frame{"", std::move(names).value(), 0});
  return ContextPacker(std::move(state));
}

util::Result<size_t> ContextPacker::read(char* buffer, size_t capacity) {
  State& s = *state_;
  if (s.failure) return *s.failure;
  // Fills the buffer rather than handing out one step's bytes: libcurl sends
  // each read as its own HTTP chunk, and a context of small files would
  // otherwise go out as one write (and one poll) per 512-byte header.
  size_t filled = 0;
  while (filled < capacity) {
    if (s.pending_offset == s.pending.size()) {
      if (s.phase == State::Phase::Done) break;
      s.pending.clear();
      s.pending_offset = 0;
      if (auto status = s.step(); !status) {
        s.failure = status.error();
        return status.error();
      }
      s.peak_buffered = std::max(s.peak_buffered, s.pending.size());
      continue;
    }
    const size_t n = std::min(capacity - filled, s.pending.size() - s.pending_offset);
    std::memcpy(buffer + filled, s.pending.data() + s.pending_offset, n);
    s.pending_offset += n;
    filled += n;
  }
  s.stats.bytes += filled;
  return filled;
}

std::string ContextPacker::dockerfile_in_context() const { return state_->dockerfile_name; }
uint64_t ContextPacker::bytes_produced() const { return state_->stats.bytes; }
uint64_t ContextPacker::files() const { return state_->stats.files; }
const ContextPackStats& ContextPacker::stats() const { return state_->stats; }
const IgnoreMatcher& ContextPacker::ignore() const { return state_->matcher; }
size_t ContextPacker::peak_buffered() const { return state_->peak_buffered; }

BodySource as_body_source(ContextPacker& packer) {
  return [&packer](char* buffer, size_t capacity) { return packer.read(buffer, capacity); };
}

util::Result<std::string> pack_context_to_string(const ContextSource& source) {
  auto packer = ContextPacker::open(source);
  if (!packer) return packer.error();
  std::string tar;
  std::vector<char> buffer(ContextPacker::kChunkSize);
  while (true) {
    auto n = packer->read(buffer.data(), buffer.size());
    if (!n) return n.error();
    if (*n == 0) break;
    tar.append(buffer.data(), *n);
  }
  return tar;
}

}  // namespace buildbench::docker
