#include "sioconf/sio/packet.h"

#include <gtest/gtest.h>

namespace sioconf::sio {
namespace {

TEST(PacketType, NamesAndDigits) {
  const struct {
    PacketType type;
    int digit;
    const char* name;
    bool binary;
  } rows[] = {
      {PacketType::connect, 0, "connect", false},
      {PacketType::disconnect, 1, "disconnect", false},
      {PacketType::event, 2, "event", false},
      {PacketType::ack, 3, "ack", false},
      {PacketType::connect_error, 4, "connect_error", false},
      {PacketType::binary_event, 5, "binary_event", true},
      {PacketType::binary_ack, 6, "binary_ack", true},
  };
  for (const auto& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(static_cast<int>(r.type), r.digit);  // socket.io-protocol v5: the type digit
    EXPECT_EQ(name(r.type), r.name);
    EXPECT_EQ(is_binary(r.type), r.binary);
  }
  EXPECT_EQ(name(static_cast<PacketType>(7)), "unknown");
  EXPECT_FALSE(is_binary(static_cast<PacketType>(7)));
}

TEST(Packet, DefaultsAreTheMainNamespaceWithoutPayload) {
  const Packet p;
  EXPECT_EQ(p.type, PacketType::connect);
  EXPECT_EQ(p.nsp, "/");
  EXPECT_FALSE(p.id.has_value());
  EXPECT_TRUE(p.payload.empty());
  EXPECT_TRUE(p.attachments.empty());
}

}  // namespace
}  // namespace sioconf::sio
