#pragma once
// gRPC's length-prefixed messages on an HTTP/2 stream: each message is one
// byte "compressed" flag, a 4-byte big-endian length, then the protobuf
// bytes. The daemon never compresses (we advertise no grpc-accept-encoding),
// so a compressed message is an error, as is one beyond the size limit.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

#include <google/protobuf/message_lite.h>

#include "util/result.h"

namespace buildbench::session {

inline constexpr size_t kGrpcPrefixBytes = 5;

// The message with its prefix, ready for the stream's DATA.
std::string frame_grpc_message(const google::protobuf::MessageLite& message);

// Splits a stream's DATA, in chunks split anywhere, back into messages.
class GrpcMessageReader {
 public:
  explicit GrpcMessageReader(size_t max_message_bytes = 4 * 1024 * 1024) : max_message_bytes_(max_message_bytes) {}

  // Takes the next bytes; complete messages queue up for next(). After an
  // error the reader stays failed.
  util::Status feed(std::string_view bytes);
  // The oldest complete message, if any.
  bool next(std::string& message);
  // True when the bytes fed so far end between messages.
  bool at_boundary() const { return pending_.empty(); }
  // Bytes held: complete messages not yet taken plus a partial one.
  size_t buffered_bytes() const { return queued_bytes_ + pending_.size(); }

 private:
  size_t max_message_bytes_;
  std::string pending_;
  std::deque<std::string> messages_;
  size_t queued_bytes_ = 0;
  std::string error_;
};

}  // namespace buildbench::session
