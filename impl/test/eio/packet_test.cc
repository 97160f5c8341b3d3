#include "sioconf/eio/packet.h"

#include <gtest/gtest.h>

namespace sioconf::eio {
namespace {

TEST(EioPacket, NamesAreEngineIoParserSpellingsAndWireDigits) {
  // engine.io-protocol v4 "Protocol": the table of packet types and their ids.
  const std::pair<PacketType, std::string_view> table[] = {
      {PacketType::open, "open"}, {PacketType::close, "close"},     {PacketType::ping, "ping"},
      {PacketType::pong, "pong"}, {PacketType::message, "message"}, {PacketType::upgrade, "upgrade"},
      {PacketType::noop, "noop"}};
  int digit = 0;
  for (const auto& [type, spelling] : table) {
    EXPECT_EQ(static_cast<int>(type), digit++) << spelling;
    EXPECT_EQ(name(type), spelling);
    EXPECT_EQ(packet_type_from_name(spelling), type);
  }
}

TEST(EioPacket, UnknownNamesAndValues) {
  EXPECT_EQ(name(static_cast<PacketType>(7)), "unknown");
  EXPECT_EQ(name(static_cast<PacketType>(255)), "unknown");
  for (std::string_view bad : {"", "error", "Message", "4", "message "})
    EXPECT_EQ(packet_type_from_name(bad), std::nullopt) << bad;
}

TEST(EioPacket, DefaultIsAnEmptyTextMessage) {
  const Packet p;
  EXPECT_EQ(p.type, PacketType::message);
  EXPECT_EQ(p.data_kind, MessageKind::text);
  EXPECT_TRUE(p.data.empty());
}

}  // namespace
}  // namespace sioconf::eio
