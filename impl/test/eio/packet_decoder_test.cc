#include "sioconf/eio/packet_decoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/grind.h"

namespace sioconf::eio {
namespace {

constexpr std::string_view kHandshake =
    R"({"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000})";

class Recorder : public PacketSink {
 public:
  std::vector<std::string> events;
  std::vector<Packet> packets;
  void on_packet(const Packet& p) noexcept override {
    events.push_back(std::string(name(p.type)) + (p.data_kind == MessageKind::text ? " t " : " b ") +
                     test::printable(p.data));
    packets.push_back(p);
  }
};

struct Msg {
  MessageKind kind;
  std::string bytes;
};
Msg T(std::string s) { return {MessageKind::text, std::move(s)}; }
Msg B(std::string s) { return {MessageKind::binary, std::move(s)}; }

struct Row {
  const char* name;
  std::vector<Msg> messages;
  std::vector<std::string> events;
  std::string outcome;  // "ok" or "error <errc> @<offset>"
  Limits limits = {};
};

Limits max_packet(std::uint64_t n) {
  Limits l;
  l.eio_max_packet_bytes = n;
  return l;
}

std::vector<Row> rows() {
  const std::string hs(kHandshake);
  return {
      // ---- engine.io-protocol v4: the packet type table and its examples ----
      {"open with the handshake", {T("0" + hs)}, {"open t " + hs}, "ok"},
      {"close", {T("1")}, {"close t "}, "ok"},
      {"ping", {T("2")}, {"ping t "}, "ok"},
      {"ping probe", {T("2probe")}, {"ping t probe"}, "ok"},
      {"pong", {T("3")}, {"pong t "}, "ok"},
      {"pong probe", {T("3probe")}, {"pong t probe"}, "ok"},
      {"message hello", {T("4hello")}, {"message t hello"}, "ok"},
      {"upgrade", {T("5")}, {"upgrade t "}, "ok"},
      {"noop", {T("6")}, {"noop t "}, "ok"},
      {"binary frame: bytes as is", {B("\x01\x02\x03\x04")}, {"message b \\x01\\x02\\x03\\x04"}, "ok"},
      {"upgrade sequence", {T("2probe"), T("5"), T("4hello")}, {"ping t probe", "upgrade t ", "message t hello"}, "ok"},
      // ---- corpus/observed/eio-parser-5.2.3.txt Part A: decodePacket(string), sioconf's answer
      {"A: '0' alone (parser: open, no data)", {T("0")}, {}, "error eio_bad_open @1"},
      {"A: '0{\"sid\":\"x\"}' (parser: open)", {T("0{\"sid\":\"x\"}")}, {}, "error eio_bad_open @1"},
      {"A: '4' empty message", {T("4")}, {"message t "}, "ok"},
      {"A: '4 '", {T("4 ")}, {"message t  "}, "ok"},
      {"A: '4\\x1e' (fine over WebSocket)", {T("4\x1e")}, {"message t \\x1e"}, "ok"},
      {"A: '7'", {T("7")}, {}, "error eio_bad_packet_type @0"},
      {"A: '9'", {T("9")}, {}, "error eio_bad_packet_type @0"},
      {"A: 'a'", {T("a")}, {}, "error eio_bad_packet_type @0"},
      {"A: ''", {T("")}, {}, "error eio_empty_packet @0"},
      {"A: ' '", {T(" ")}, {}, "error eio_bad_packet_type @0"},
      {"A: '44'", {T("44")}, {"message t 4"}, "ok"},
      {"A: '4€😀'", {T("4\xe2\x82\xac\xf0\x9f\x98\x80")}, {"message t \\xe2\\x82\\xac\\xf0\\x9f\\x98\\x80"}, "ok"},
      {"A: 'bAQIDBA==' in a text frame (parser: binary)", {T("bAQIDBA==")}, {}, "error eio_bad_packet_type @0"},
      {"A: 'b' in a text frame", {T("b")}, {}, "error eio_bad_packet_type @0"},
      {"A: 'B'", {T("B")}, {}, "error eio_bad_packet_type @0"},
      {"A: '40'", {T("40")}, {"message t 0"}, "ok"},
      {"A: '42[\"a\"]'", {T("42[\"a\"]")}, {"message t 2[\"a\"]"}, "ok"},
      {"A: '-1'", {T("-1")}, {}, "error eio_bad_packet_type @0"},
      {"A: '4xxxxx'", {T("4xxxxx")}, {"message t xxxxx"}, "ok"},
      // ---- corpus/observed/eio-parser-5.2.3.txt Part A: decodePacket(Buffer) ----
      {"A: <010203>", {B("\x01\x02\x03")}, {"message b \\x01\\x02\\x03"}, "ok"},
      {"A: <> empty binary", {B("")}, {"message b "}, "ok"},
      {"A: <'4hello'> binary is not parsed", {B("4hello")}, {"message b 4hello"}, "ok"},
      {"binary need not be UTF-8", {B("\xff\xfe")}, {"message b \\xff\\xfe"}, "ok"},
      // ---- stricter than engine.io-parser: data rules ----
      {"close with data", {T("1x")}, {}, "error eio_unexpected_data @1"},
      {"upgrade with data", {T("5x")}, {}, "error eio_unexpected_data @1"},
      {"noop with data", {T("6 ")}, {}, "error eio_unexpected_data @1"},
      {"ping with other data", {T("2x")}, {}, "error eio_unexpected_data @1"},
      {"pong with other data", {T("3probes")}, {}, "error eio_unexpected_data @1"},
      {"ping probe is case-sensitive", {T("2Probe")}, {}, "error eio_unexpected_data @1"},
      {"v3 payload '2:4€' sent to v4 (parser: ping ':4€')", {T("2:4\xe2\x82\xac")}, {}, "error eio_unexpected_data @1"},
      {"open with a JSON array", {T("0[]")}, {}, "error eio_bad_open @1"},
      {"open with trailing garbage", {T("0" + hs + "x")}, {}, "error eio_bad_open @1"},
      // ---- UTF-8 ----
      {"bad byte", {T("4a\xff")}, {}, "error eio_bad_utf8 @2"},
      {"cut code point at the end", {T("4a\xce")}, {}, "error eio_bad_utf8 @3"},
      {"surrogate", {T("4\xed\xa0\x80")}, {}, "error eio_bad_utf8 @2"},
      {"overlong", {T("4\xc0\xaf")}, {}, "error eio_bad_utf8 @1"},
      {"UTF-8 before the data rule", {T("1\xff")}, {}, "error eio_bad_utf8 @1"},
      {"non-ASCII type byte", {T("\xc3\xa9")}, {}, "error eio_bad_packet_type @0"},
      // ---- offsets count every message before ----
      {"offset across messages",
       {T("4a"), T("4bc"), T("7")},
       {"message t a", "message t bc"},
       "error eio_bad_packet_type @5"},
      {"offset counts binary messages",
       {T("4a"), B("\x01\x02"), T("1x")},
       {"message t a", "message b \\x01\\x02"},
       "error eio_unexpected_data @5"},
      {"nothing after an error", {T("7"), T("4a")}, {}, "error eio_bad_packet_type @0"},
      // ---- Limits::eio_max_packet_bytes: limit and limit + 1 ----
      {"text at the limit", {T("4abcd")}, {"message t abcd"}, "ok", max_packet(5)},
      {"text over the limit", {T("4abcde")}, {}, "error limit_eio_packet_bytes @5", max_packet(5)},
      {"binary at the limit", {B("12345")}, {"message b 12345"}, "ok", max_packet(5)},
      {"binary over the limit", {B("123456")}, {}, "error limit_eio_packet_bytes @5", max_packet(5)},
      {"limit before the type", {T("x23456")}, {}, "error limit_eio_packet_bytes @5", max_packet(5)},
      {"limit in a later message",
       {T("4ab"), T("4abcdef")},
       {"message t ab"},
       "error limit_eio_packet_bytes @8",
       max_packet(5)},
      {"limit 0: empty binary passes", {B("")}, {"message b "}, "ok", max_packet(0)},
      {"limit 0: '4' is over", {T("4")}, {}, "error limit_eio_packet_bytes @0", max_packet(0)},
      {"limit 0: empty text is empty", {T("")}, {}, "error eio_empty_packet @0", max_packet(0)},
      {"default limit: 1e6 bytes",
       {T("4" + std::string(999'999, 'x'))},
       {"message t " + std::string(999'999, 'x')},
       "ok"},
      {"default limit: 1e6 + 1 bytes",
       {T("4" + std::string(1'000'000, 'x'))},
       {},
       "error limit_eio_packet_bytes @1000000"},
  };
}

TEST(EioPacketDecoder, Table) {
  for (const Row& row : rows()) {
    PacketDecoder dec(row.limits);
    Recorder rec;
    std::string outcome = "ok";
    for (const Msg& m : row.messages) {
      if (dec.feed({m.kind, as_bytes(m.bytes)}, rec) == Status::error) {
        outcome = "error " + std::string(name(dec.error().code)) + " @" + std::to_string(dec.error().offset);
        break;
      }
    }
    EXPECT_EQ(dec.finish() == Status::ok, outcome == "ok") << row.name;
    EXPECT_EQ(rec.events, row.events) << row.name;
    EXPECT_EQ(outcome, row.outcome) << row.name;
  }
}

TEST(EioPacketDecoder, DataIsAViewIntoTheMessage) {
  PacketDecoder dec(Limits{});
  Recorder rec;
  const std::string text = "4hello";
  ASSERT_EQ(dec.feed({MessageKind::text, as_bytes(text)}, rec), Status::ok);
  ASSERT_EQ(rec.packets.size(), 1u);
  EXPECT_EQ(rec.packets[0].data.data(), as_bytes(text).data() + 1);
  const std::string bin = "\x01\x02";
  ASSERT_EQ(dec.feed({MessageKind::binary, as_bytes(bin)}, rec), Status::ok);
  EXPECT_EQ(rec.packets[1].data.data(), as_bytes(bin).data());
  EXPECT_EQ(dec.offset(), 8u);
}

TEST(EioPacketDecoder, ErrorsAreStickyUntilReset) {
  PacketDecoder dec(Limits{});
  Recorder rec;
  const std::string bad = "1x", good = "4a";
  EXPECT_EQ(dec.feed({MessageKind::text, as_bytes(good)}, rec), Status::ok);
  EXPECT_EQ(dec.feed({MessageKind::text, as_bytes(bad)}, rec), Status::error);
  const DecodeError e = dec.error();
  EXPECT_EQ(e, (DecodeError{Errc::eio_unexpected_data, 3}));
  EXPECT_EQ(dec.feed({MessageKind::text, as_bytes(good)}, rec), Status::error);
  EXPECT_EQ(dec.feed({MessageKind::binary, as_bytes(good)}, rec), Status::error);
  EXPECT_EQ(dec.finish(), Status::error);
  EXPECT_EQ(dec.error(), e);
  EXPECT_EQ(rec.events.size(), 1u);
  dec.reset();
  EXPECT_FALSE(dec.error());
  EXPECT_EQ(dec.offset(), 0u);
  EXPECT_EQ(dec.feed({MessageKind::text, as_bytes(good)}, rec), Status::ok);
  EXPECT_EQ(dec.finish(), Status::ok);
  EXPECT_EQ(rec.events.back(), "message t a");
}

TEST(EioPacketDecoder, CheckTextPacketAsAPollingRecord) {
  // The shared helper in polling mode: "b" + strict base64 is binary (packet_decoder.h detail).
  std::vector<std::uint8_t> binary{9, 9};
  Packet p;
  EXPECT_EQ(detail::check_text_packet(as_bytes("bAQIDBA=="), &binary, p).code, Errc::none);
  EXPECT_EQ(p.data_kind, MessageKind::binary);
  EXPECT_EQ(std::vector<std::uint8_t>(p.data.begin(), p.data.end()), (std::vector<std::uint8_t>{1, 2, 3, 4}));
  const detail::TextVerdict v = detail::check_text_packet(as_bytes("b!!!!"), &binary, p);
  EXPECT_EQ(v.code, Errc::eio_bad_base64);
  EXPECT_EQ(v.at, 1u);
  EXPECT_EQ(detail::check_text_packet(as_bytes("bAQIDBA=="), nullptr, p).code, Errc::eio_bad_packet_type);
}

}  // namespace
}  // namespace sioconf::eio
