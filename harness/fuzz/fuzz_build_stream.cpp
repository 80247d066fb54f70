// The /build response decoder on arbitrary bytes: it must never crash or
// hang, and must decode the same messages however the bytes are chunked.
// The collector then turns whatever decoded into steps (trace + classic).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "docker/build_record.h"
#include "docker/build_stream.h"

namespace {

using buildbench::docker::BuildStreamDecoder;
using buildbench::docker::StreamMessage;

struct Decoded {
  std::vector<StreamMessage> messages;
  bool ok = true;
};

// Chunk sizes from a small LCG seeded by the input, so every input is cut
// differently but reproducibly.
Decoded decode_in_chunks(std::string_view bytes) {
  Decoded decoded;
  BuildStreamDecoder decoder([&](StreamMessage&& message) -> buildbench::util::Status {
    decoded.messages.push_back(std::move(message));
    return {};
  });
  uint32_t state = static_cast<uint32_t>(bytes.size()) * 2654435761u + 1u;
  size_t offset = 0;
  while (offset < bytes.size() && decoded.ok) {
    state = state * 1664525u + 1013904223u;
    const size_t length = std::min<size_t>(bytes.size() - offset, 1 + (state >> 24) % 64);
    decoded.ok = decoder.feed(bytes.substr(offset, length)).ok();
    offset += length;
  }
  if (decoded.ok) decoded.ok = decoder.finish().ok();
  return decoded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  auto whole = buildbench::docker::decode_build_stream(bytes);
  const Decoded chunked = decode_in_chunks(bytes);
  if (whole.ok() != chunked.ok) std::abort();
  if (whole.ok() && *whole != chunked.messages) std::abort();

  double now = 0;
  buildbench::docker::BuildStreamCollector collector([&] { return now += 0.25; });
  if (collector.feed(bytes).ok()) (void)collector.finish();
  buildbench::docker::BuildRecord record;
  collector.fill(record);
  if (record.ok && (!record.error.empty() || record.image_id.empty())) std::abort();
  if (record.cached_steps > record.total_steps) std::abort();
  return 0;
}
