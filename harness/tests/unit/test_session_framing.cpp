// gRPC's length-prefixed messages as the session reads and writes them.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fsutil_types.pb.h"
#include "session/grpc_framing.h"

namespace {

using buildbench::session::frame_grpc_message;
using buildbench::session::GrpcMessageReader;
using fsutil::types::Packet;

std::string framed_packets(int count) {
  std::string stream;
  for (int i = 0; i < count; ++i) {
    Packet packet;
    packet.set_type(Packet::PACKET_DATA);
    packet.set_id(static_cast<uint32_t>(i));
    packet.set_data(std::string(static_cast<size_t>(i) * 7, 'x'));
    stream += frame_grpc_message(packet);
  }
  return stream;
}

}  // namespace

TEST_CASE("gRPC framing: a message frames as flag, big-endian length, bytes", "[session][framing]") {
  Packet packet;
  packet.set_type(Packet::PACKET_FIN);
  const std::string framed = frame_grpc_message(packet);
  REQUIRE(framed.size() == 5 + packet.ByteSizeLong());
  CHECK(framed.substr(0, 5) == std::string("\0\0\0\0\x02", 5));
  CHECK(framed.substr(5) == packet.SerializeAsString());
  CHECK(frame_grpc_message(Packet()) == std::string(5, '\0'));  // an empty message is 5 zero bytes
}

TEST_CASE("gRPC framing: the reader gives the same messages for every split point", "[session][framing]") {
  const std::string stream = framed_packets(6);
  for (size_t split = 0; split <= stream.size(); ++split) {
    GrpcMessageReader reader;
    REQUIRE(reader.feed(stream.substr(0, split)));
    REQUIRE(reader.feed(stream.substr(split)));
    CHECK(reader.at_boundary());
    CHECK(reader.buffered_bytes() == stream.size() - 6 * 5);
    std::vector<uint32_t> ids;
    std::string bytes;
    while (reader.next(bytes)) {
      Packet packet;
      REQUIRE(packet.ParseFromString(bytes));
      ids.push_back(packet.id());
    }
    CHECK(ids == std::vector<uint32_t>{0, 1, 2, 3, 4, 5});
    CHECK(reader.buffered_bytes() == 0);
  }
}

TEST_CASE("gRPC framing: compressed, unknown flags and oversized messages are errors", "[session][framing]") {
  SECTION("compressed") {
    GrpcMessageReader reader;
    auto status = reader.feed(std::string("\x01\0\0\0\x01x", 6));
    REQUIRE_FALSE(status);
    CHECK(status.error().message.find("compressed") != std::string::npos);
    CHECK_FALSE(reader.feed(std::string(5, '\0')));  // stays failed
  }
  SECTION("unknown flags") {
    GrpcMessageReader reader;
    CHECK_FALSE(reader.feed(std::string("\x80\0\0\0\0", 5)));
  }
  SECTION("beyond the limit, refused from the prefix alone") {
    GrpcMessageReader reader(1024);
    auto status = reader.feed(std::string("\0\0\0\x04\x01", 5));
    REQUIRE_FALSE(status);
    CHECK(status.error().message.find("1025 bytes") != std::string::npos);
  }
  SECTION("a message cut short is pending, not an error") {
    GrpcMessageReader reader;
    const std::string stream = framed_packets(3);
    REQUIRE(reader.feed(stream.substr(0, stream.size() - 1)));
    CHECK_FALSE(reader.at_boundary());
  }
}
