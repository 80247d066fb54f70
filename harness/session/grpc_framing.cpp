#include "session/grpc_framing.h"

namespace buildbench::session {

std::string frame_grpc_message(const google::protobuf::MessageLite& message) {
  const size_t size = message.ByteSizeLong();
  std::string framed(kGrpcPrefixBytes + size, '\0');
  framed[1] = static_cast<char>((size >> 24) & 0xff);
  framed[2] = static_cast<char>((size >> 16) & 0xff);
  framed[3] = static_cast<char>((size >> 8) & 0xff);
  framed[4] = static_cast<char>(size & 0xff);
  message.SerializeWithCachedSizesToArray(reinterpret_cast<uint8_t*>(framed.data() + kGrpcPrefixBytes));
  return framed;
}

util::Status GrpcMessageReader::feed(std::string_view bytes) {
  if (!error_.empty()) return util::error(error_);
  pending_.append(bytes);
  size_t offset = 0;
  while (pending_.size() - offset >= kGrpcPrefixBytes) {
    const auto byte = [&](size_t i) { return static_cast<uint8_t>(pending_[offset + i]); };
    if (byte(0) != 0) {
      error_ = byte(0) == 1 ? "a compressed gRPC message (no compression was negotiated)"
                            : "a gRPC message prefix with flags " + std::to_string(byte(0));
      break;
    }
    const size_t size = (size_t{byte(1)} << 24) | (size_t{byte(2)} << 16) | (size_t{byte(3)} << 8) | size_t{byte(4)};
    if (size > max_message_bytes_) {
      error_ = "a gRPC message of " + std::to_string(size) + " bytes (limit " + std::to_string(max_message_bytes_) + ")";
      break;
    }
    if (pending_.size() - offset - kGrpcPrefixBytes < size) break;
    messages_.emplace_back(pending_, offset + kGrpcPrefixBytes, size);
    queued_bytes_ += size;
    offset += kGrpcPrefixBytes + size;
  }
  pending_.erase(0, offset);
  if (!error_.empty()) return util::error(error_);
  return {};
}

bool GrpcMessageReader::next(std::string& message) {
  if (messages_.empty()) return false;
  message = std::move(messages_.front());
  messages_.pop_front();
  queued_bytes_ -= message.size();
  return true;
}

}  // namespace buildbench::session
