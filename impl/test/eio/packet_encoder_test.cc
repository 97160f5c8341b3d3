#include "sioconf/eio/packet_encoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sioconf/eio/packet_decoder.h"
#include "sioconf/eio/payload_decoder.h"
#include "support/grind.h"

namespace sioconf::eio {
namespace {

constexpr std::string_view kHandshake =
    R"({"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";
const std::uint8_t kBytes[] = {1, 2, 3, 4};

Packet text(PacketType type, std::string_view data = {}) { return {type, MessageKind::text, as_bytes(data)}; }
Packet binary(ByteView data, PacketType type = PacketType::message) { return {type, MessageKind::binary, data}; }

std::string str(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

TEST(EioPacketEncoder, WebSocketMessages) {
  // engine.io-protocol v4 "Packet encoding / WebSocket", and engine.io-parser 5.2.3's encodePacket
  // outputs (corpus/observed/eio-parser-5.2.3.txt Part A).
  const std::pair<Packet, std::string> table[] = {
      {text(PacketType::open, kHandshake), "0" + std::string(kHandshake)},
      {text(PacketType::close), "1"},
      {text(PacketType::ping), "2"},
      {text(PacketType::ping, "probe"), "2probe"},
      {text(PacketType::pong), "3"},
      {text(PacketType::pong, "probe"), "3probe"},
      {text(PacketType::message, "hello"), "4hello"},
      {text(PacketType::message, ""), "4"},
      {text(PacketType::message,
            "a\x1e"
            "b"),
       "4a\x1e"
       "b"},  // fine in a frame of its own
      {text(PacketType::upgrade), "5"},
      {text(PacketType::noop), "6"},
      {binary(kBytes), "\x01\x02\x03\x04"},  // a binary frame, no type byte
      {binary({}), ""},
  };
  for (const auto& [packet, wire] : table) {
    std::vector<std::uint8_t> out = {'>'};  // appended, never cleared
    EXPECT_EQ(encode_packet(packet, out), Errc::none) << wire;
    EXPECT_EQ(str(out), ">" + wire);
  }
}

TEST(EioPacketEncoder, RefusesWhatTheDecoderRefuses) {
  const std::pair<Packet, Errc> table[] = {
      {text(static_cast<PacketType>(7), "x"), Errc::eio_bad_packet_type},
      {binary(kBytes, static_cast<PacketType>(9)), Errc::eio_bad_packet_type},
      {binary(kBytes, PacketType::ping), Errc::eio_unexpected_data},
      {binary({}, PacketType::close), Errc::eio_unexpected_data},
      {text(PacketType::message, "a\xff"), Errc::eio_bad_utf8},
      {text(PacketType::message, "\xce"), Errc::eio_bad_utf8},
      {text(PacketType::close, "x"), Errc::eio_unexpected_data},
      {text(PacketType::upgrade, "x"), Errc::eio_unexpected_data},
      {text(PacketType::noop, "x"), Errc::eio_unexpected_data},
      {text(PacketType::ping, "x"), Errc::eio_unexpected_data},
      {text(PacketType::pong, "PROBE"), Errc::eio_unexpected_data},
      {text(PacketType::open), Errc::eio_bad_open},
      {text(PacketType::open, R"({"sid":"x"})"), Errc::eio_bad_open},
  };
  for (const auto& [packet, errc] : table) {
    std::vector<std::uint8_t> out = {'>'};
    EXPECT_EQ(encode_packet(packet, out), errc) << name(errc);
    EXPECT_EQ(str(out), ">") << "unchanged on refusal";
    std::string body = ">";
    EXPECT_EQ(encode_payload(std::span<const Packet>(&packet, 1), body), errc) << name(errc);
    EXPECT_EQ(body, ">");
  }
}

TEST(EioPacketEncoder, PayloadSpecExamples) {
  // engine.io-protocol v4 "Packet encoding / HTTP long-polling".
  const Packet three[] = {text(PacketType::message, "hello"), text(PacketType::ping),
                          text(PacketType::message, "world")};
  std::string body;
  ASSERT_EQ(encode_payload(three, body), Errc::none);
  EXPECT_EQ(body,
            "4hello\x1e"
            "2\x1e"
            "4world");
  const Packet mixed[] = {text(PacketType::message, "hello"), binary(kBytes)};
  body.clear();
  ASSERT_EQ(encode_payload(mixed, body), Errc::none);
  EXPECT_EQ(body,
            "4hello\x1e"
            "bAQIDBA==");
  const Packet empty_binary[] = {binary({})};
  body.clear();
  ASSERT_EQ(encode_payload(empty_binary, body), Errc::none);
  EXPECT_EQ(body, "b");
}

TEST(EioPacketEncoder, PayloadRefusesTheSeparatorInText) {
  // engine.io-parser 5.2.3 encodePayload writes "4hello\x1e2\x1ebAQIDBA==\x1e4a\x1eb" for this
  // batch, which decodes back as five packets (corpus/observed/eio-parser-5.2.3.txt Part A).
  // sioconf refuses.
  const Packet batch[] = {text(PacketType::message, "hello"), text(PacketType::ping), binary(kBytes),
                          text(PacketType::message,
                               "a\x1e"
                               "b")};
  std::string body = "keep";
  EXPECT_EQ(encode_payload(batch, body), Errc::eio_separator_in_text);
  EXPECT_EQ(body, "keep");
  const Packet first_ok[] = {text(PacketType::message, "a\x1e")};
  EXPECT_EQ(encode_payload(first_ok, body), Errc::eio_separator_in_text);
}

TEST(EioPacketEncoder, PayloadRefusesAnEmptyBatch) {
  std::string body = "keep";
  EXPECT_EQ(encode_payload({}, body), Errc::eio_empty_payload);
  EXPECT_EQ(body, "keep");
}

class Collect : public PacketSink {
 public:
  std::vector<std::string> events;
  void on_packet(const Packet& p) noexcept override {
    events.push_back(std::string(name(p.type)) + (p.data_kind == MessageKind::text ? " t " : " b ") +
                     test::printable(p.data));
  }
};

TEST(EioPacketEncoder, RoundTripsThroughBothDecoders) {
  std::vector<std::uint8_t> all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<std::uint8_t>(i));
  const Packet batch[] = {text(PacketType::open, kHandshake),
                          text(PacketType::ping, "probe"),
                          text(PacketType::message, "\xe2\x82\xac \x1d"),
                          binary(all),
                          binary({}),
                          text(PacketType::noop),
                          text(PacketType::message)};
  Collect expected;
  for (const Packet& p : batch) expected.on_packet(p);

  std::string body;
  ASSERT_EQ(encode_payload(batch, body), Errc::none);
  PayloadDecoder polling(Limits{});
  Collect from_body;
  ASSERT_EQ(polling.decode_whole(as_bytes(body), from_body), Status::ok);
  EXPECT_EQ(from_body.events, expected.events);

  PacketDecoder frames(Limits{});
  Collect from_frames;
  for (const Packet& p : batch) {
    std::vector<std::uint8_t> message;
    ASSERT_EQ(encode_packet(p, message), Errc::none);
    ASSERT_EQ(frames.feed({p.data_kind, ByteView(message)}, from_frames), Status::ok);
  }
  EXPECT_EQ(from_frames.events, expected.events);
}

}  // namespace
}  // namespace sioconf::eio
