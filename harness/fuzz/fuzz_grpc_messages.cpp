// Fuzzes the gRPC message reader (the DATA of a session call, as the daemon
// sends it). Input: byte 0 picks a chunk size, the rest is the stream.
// Besides "no crash, no hang", it checks that the messages and the verdict
// do not depend on how the bytes were split, and that what was read frames
// back to exactly the bytes consumed.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "session/grpc_framing.h"

namespace {

struct Outcome {
  std::vector<std::string> messages;
  bool failed = false;
  bool at_boundary = false;
};

Outcome read_all(std::string_view stream, size_t chunk) {
  buildbench::session::GrpcMessageReader reader(64 * 1024);
  Outcome outcome;
  for (size_t offset = 0; offset < stream.size() && !outcome.failed; offset += chunk) {
    if (!reader.feed(stream.substr(offset, chunk))) {
      outcome.failed = true;
      // An error must say what is wrong, and the reader stays failed.
      if (reader.feed("x")) std::abort();
    }
    std::string message;
    while (reader.next(message)) outcome.messages.push_back(message);
  }
  outcome.at_boundary = reader.at_boundary();
  return outcome;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = size_t{data[0]} % 17 + 1;
  const std::string_view stream(reinterpret_cast<const char*>(data + 1), size - 1);
  const Outcome whole = read_all(stream, stream.size() + 1);
  const Outcome split = read_all(stream, chunk);
  if (whole.failed != split.failed || whole.messages != split.messages) std::abort();
  if (!whole.failed && whole.at_boundary != split.at_boundary) std::abort();
  // Re-framing the messages gives back the bytes they were read from.
  std::string framed;
  for (const auto& message : whole.messages) {
    const size_t n = message.size();
    framed += std::string{'\0', static_cast<char>(n >> 24), static_cast<char>((n >> 16) & 0xff),
                          static_cast<char>((n >> 8) & 0xff), static_cast<char>(n & 0xff)};
    framed += message;
  }
  if (stream.substr(0, framed.size()) != framed) std::abort();
  if (!whole.failed && whole.at_boundary && framed.size() != stream.size()) std::abort();
  return 0;
}
