// Linked as an object file ahead of Debian's static libarchive.a (see
// BUILDBENCH_STATIC_ARCHIVE in the top-level CMakeLists.txt).
//
// libarchive's table of write formats (archive_write_set_format.o, which the
// gnutar writer needs) names every writer, and the xar writer is the only
// part of the library that needs libxml2, which in turn loads ICU. Loading
// those two cost ~2 ms of every buildbench process start, ~4% of a warm no-op
// build. buildbench never writes xar, so this definition takes the xar
// writer's place: the linker then has no reason to pull it, or libxml2, in.
// Should anything else ever need the real writer, the link fails with a
// duplicate symbol instead of silently picking one.
#include <archive.h>

#include <cerrno>

extern "C" int archive_write_set_format_xar(struct archive* archive) {
  archive_set_error(archive, ENOTSUP, "buildbench is linked without libarchive's xar writer");
  return ARCHIVE_FATAL;
}
