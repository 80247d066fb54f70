#pragma once
// The build context as a tar stream, produced on demand: read() walks the
// context a little further and lets libarchive write the next header or the
// next chunk of the current file, so memory stays bounded by one chunk
// whatever the context's size (a 1 GB context never sits in memory).
//
// What is sent, as `docker build` 20.10 sends it (moby pkg/archive
// TarWithOptions + the CLI's handling of .dockerignore and -f):
//  - every entry under the context directory, the directory itself excluded,
//    in pre-order with siblings sorted bytewise (parents before children);
//  - minus what <context>/.dockerignore excludes, or `<Dockerfile>.dockerignore`
//    (next to the Dockerfile) when that exists, as BuildKit reads it; the
//    Dockerfile and .dockerignore are always sent. An excluded directory is not entered,
//    unless an exception pattern names something below it (`!dir/keep`); then
//    the directory entry itself is still left out and only re-included
//    children are sent, as Docker does;
//  - symlinks as symlinks (never followed); a regular file with several
//    hard links is sent once, later paths as hard-link entries;
//  - sockets, fifos and devices are skipped and counted (Docker skips
//    sockets and sends the others; nothing a build copies needs them);
//  - a Dockerfile outside the context is appended as
//    `.buildbench-dockerfile-<first 16 hex of its SHA-256>`, as `docker build
//    -f` appends it under a (random) `.dockerfile.<hex>` name.
// Metadata is normalized so that the same tree gives the same bytes: uid and
// gid 0 (the CLI's ChownOpts), no user/group names, mtime in whole seconds
// (Docker truncates too; kept because COPY gives image files these mtimes),
// permission bits as stored (st_mode & 07777), no atime,
// ctime or xattrs. As Docker's headers, the mode field also holds the file
// type bits (0100644), which the classic builder's cache key hashes: a COPY
// step built from this stream shares the cache of `docker build`. The
// format is POSIX ustar, with pax extended headers only
// where ustar cannot hold a value (long or non-ASCII names, huge sizes); the
// stream ends with the two zero blocks and no padding to 10 KiB, as Go's tar
// writer produces.
//
// Errors: the context missing or not a directory, the Dockerfile missing or a
// directory, and a malformed .dockerignore are reported by open(); an
// unreadable file or directory by read(), naming the path. Entries that
// vanish during the walk are skipped; a file that shrinks while being read
// is an error (its header already promised the size).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "docker/dockerignore.h"
#include "docker/engine_client.h"
#include "util/result.h"

namespace buildbench::docker {

struct ContextSource {
  std::filesystem::path context_dir;
  // Absolute or relative to the current directory, as `docker build -f`;
  // default <context>/Dockerfile (or <context>/dockerfile when only that exists).
  std::optional<std::filesystem::path> dockerfile;
};

struct ContextPackStats {
  uint64_t bytes = 0;             // tar bytes handed out by read()
  uint64_t entries = 0;           // tar entries of every kind
  uint64_t files = 0;             // regular files with content (the Dockerfile included)
  uint64_t file_bytes = 0;        // their content bytes
  uint64_t directories = 0;
  uint64_t symlinks = 0;
  uint64_t hardlinks = 0;
  uint64_t excluded = 0;          // paths .dockerignore dropped (a dropped directory counts once)
  uint64_t skipped_special = 0;   // sockets, fifos, devices
  uint64_t vanished = 0;          // entries gone between listing and reading
};

class ContextPacker {
 public:
  // Validates the source, reads .dockerignore and the Dockerfile's place;
  // nothing of the context is read yet.
  static util::Result<ContextPacker> open(const ContextSource& source);

  ContextPacker(ContextPacker&&) noexcept;
  ContextPacker& operator=(ContextPacker&&) noexcept;
  ContextPacker(const ContextPacker&) = delete;
  ContextPacker& operator=(const ContextPacker&) = delete;
  ~ContextPacker();

  // Writes `capacity` bytes of the tar stream into `buffer`, fewer only at
  // its end; 0 after the end. After an error every later call returns the
  // same error (bytes already produced by a failing call are dropped).
  util::Result<size_t> read(char* buffer, size_t capacity);

  // The `dockerfile` query value: the Dockerfile's path inside the tar.
  std::string dockerfile_in_context() const;
  uint64_t bytes_produced() const;
  uint64_t files() const;
  const ContextPackStats& stats() const;
  // The matcher in use (.dockerignore plus the always-sent files).
  const IgnoreMatcher& ignore() const;

  // The most tar bytes held between read() calls so far: bounded by one
  // chunk plus one header, whatever the context's size.
  size_t peak_buffered() const;
  // Bytes of file content read per step.
  static constexpr size_t kChunkSize = 64 * 1024;

 private:
  struct State;
  explicit ContextPacker(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The packer as the engine client's body producer; `packer` must outlive it.
BodySource as_body_source(ContextPacker& packer);

// Packs a whole context into memory: for tests and small contexts only.
util::Result<std::string> pack_context_to_string(const ContextSource& source);

}  // namespace buildbench::docker
