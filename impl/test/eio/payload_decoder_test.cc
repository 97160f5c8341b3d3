#include "sioconf/eio/payload_decoder.h"

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
  std::vector<const std::uint8_t*> data_at;
  void on_packet(const Packet& p) noexcept override {
    events.push_back(std::string(name(p.type)) + (p.data_kind == MessageKind::text ? " t " : " b ") +
                     test::printable(p.data));
    data_at.push_back(p.data.data());
  }
};

std::string describe(DecodeError e, bool at_finish) {
  return std::string(at_finish ? "finish error " : "error ") + std::string(name(e.code)) + " @" +
         std::to_string(e.offset);
}

test::Transcript run(const Limits& limits, const std::vector<ByteView>& chunks) {
  PayloadDecoder dec(limits);
  Recorder rec;
  for (ByteView c : chunks) {
    const Fed r = dec.feed(c, rec);
    if (r.status == Status::error) {
      EXPECT_LE(r.consumed, c.size());
      EXPECT_GE(r.consumed, 1u);  // every error is revealed by a byte of this chunk
      const std::size_t seen = rec.events.size();
      EXPECT_EQ(dec.feed(as_bytes("4x"), rec).status, Status::error);  // sticky
      EXPECT_EQ(dec.feed(as_bytes("4x"), rec).consumed, 0u);
      EXPECT_EQ(dec.finish(rec), Status::error);
      EXPECT_EQ(rec.events.size(), seen);
      return {rec.events, describe(dec.error(), false)};
    }
    EXPECT_EQ(r.status, Status::need_more);
    EXPECT_EQ(r.consumed, c.size());
  }
  if (dec.finish(rec) == Status::error) return {rec.events, describe(dec.error(), true)};
  return {rec.events, "ok"};
}

// decode_whole() must say what feed() + finish() say; it reports no feed/finish split.
test::Transcript run_whole(const Limits& limits, std::string_view body) {
  PayloadDecoder dec(limits);
  Recorder rec;
  if (dec.decode_whole(as_bytes(body), rec) == Status::error) {
    const DecodeError e = dec.error();
    return {rec.events, std::string(name(e.code)) + " @" + std::to_string(e.offset)};
  }
  return {rec.events, "ok"};
}

std::string strip_phase(std::string outcome) {
  for (std::string_view p : {"finish error ", "error "})
    if (outcome.rfind(p, 0) == 0) return outcome.substr(p.size());
  return outcome;
}

struct Row {
  const char* name;
  std::string body;
  std::vector<std::string> events;
  std::string outcome;
  Limits limits = {};
};

Limits lim(std::uint64_t payload_bytes, std::uint64_t packet_bytes, std::uint32_t packets) {
  Limits l;
  l.eio_max_payload_bytes = payload_bytes;
  l.eio_max_packet_bytes = packet_bytes;
  l.eio_max_payload_packets = packets;
  return l;
}

std::vector<Row> rows() {
  const std::string hs(kHandshake);
  return {
      // ---- engine.io-protocol v4 "Packet encoding / HTTP long-polling" examples ----
      {"spec: 4hello\\x1e2\\x1e4world",
       "4hello\x1e"
       "2\x1e"
       "4world",
       {"message t hello", "ping t ", "message t world"},
       "ok"},
      {"spec: 4hello\\x1ebAQIDBA==",
       "4hello\x1e"
       "bAQIDBA==",
       {"message t hello", "message b \\x01\\x02\\x03\\x04"},
       "ok"},
      {"spec: handshake body", "0" + hs, {"open t " + hs}, "ok"},
      {"one binary record", "bAQIDBA==", {"message b \\x01\\x02\\x03\\x04"}, "ok"},
      {"b alone: an empty binary message", "b", {"message b "}, "ok"},
      {"upgrade flush: noop", "6", {"noop t "}, "ok"},
      // ---- corpus/observed/eio-parser-5.2.3.txt Part A: decodePayload(string), sioconf's answer
      {"A: 4hello", "4hello", {"message t hello"}, "ok"},
      {"A: empty body", "", {}, "finish error eio_empty_payload @0"},
      {"A: separator alone", "\x1e", {}, "error eio_empty_record @0"},
      {"A: trailing separator", "4a\x1e", {"message t a"}, "finish error eio_empty_record @3"},
      {"A: leading separator",
       "\x1e"
       "4a",
       {},
       "error eio_empty_record @0"},
      {"A: doubled separator",
       "4a\x1e\x1e"
       "4b",
       {"message t a"},
       "error eio_empty_record @3"},
      {"A: bad type in the middle",
       "4a\x1ex\x1e"
       "4b",
       {"message t a"},
       "error eio_bad_packet_type @3"},
      {"A: type 7 in the middle",
       "4a\x1e"
       "7\x1e"
       "4b",
       {"message t a"},
       "error eio_bad_packet_type @3"},
      {"A: abc", "abc", {}, "finish error eio_bad_packet_type @0"},
      {"A: 0x1d is no separator",
       "4a\x1d"
       "4b",
       {"message t a\\x1d4b"},
       "ok"},
      {"A: three messages",
       "4test1\x1e"
       "4test2\x1e"
       "4test3",
       {"message t test1", "message t test2", "message t test3"},
       "ok"},
      {"A: close", "1", {"close t "}, "ok"},
      {"A: close between messages",
       "4a\x1e"
       "1\x1e"
       "4b",
       {"message t a", "close t ", "message t b"},
       "ok"},
      {"A: v3 payload 2:4€ (parser: ping ':4€')", "2:4\xe2\x82\xac", {}, "finish error eio_unexpected_data @1"},
      {"A: 4a\\x1eb (encodePayload of 'a\\x1eb')",
       "4a\x1e"
       "b",
       {"message t a", "message b "},
       "ok"},
      // ---- strict base64 (parser: Buffer.from lenient) ----
      {"A: b!!!! (parser: empty buffer)", "b!!!!", {}, "finish error eio_bad_base64 @1"},
      {"A: bAQIDBA (parser: no padding ok)", "bAQIDBA", {}, "finish error eio_bad_base64 @1"},
      {"A: bAQ IDBA== (parser: space skipped)", "bAQ IDBA==", {}, "finish error eio_bad_base64 @1"},
      {"A: b==== (parser: empty buffer)", "b====", {}, "finish error eio_bad_base64 @1"},
      {"A: bAQID (3 bytes, no padding needed)", "bAQID", {"message b \\x01\\x02\\x03"}, "ok"},
      {"non-zero unused bits", "bAQIDBB==", {}, "finish error eio_bad_base64 @1"},
      {"bad base64 after a separator",
       "4a\x1e"
       "b!!\x1e"
       "4b",
       {"message t a"},
       "error eio_bad_base64 @4"},
      {"B is not the binary prefix", "BAQIDBA==", {}, "finish error eio_bad_packet_type @0"},
      // ---- stricter data rules, as in packet_decoder.h ----
      {"ping probe", "2probe", {"ping t probe"}, "ok"},
      {"pong other data",
       "4a\x1e"
       "3x",
       {"message t a"},
       "finish error eio_unexpected_data @4"},
      {"open without handshake", "0", {}, "finish error eio_bad_open @1"},
      {"open after a message",
       "4a\x1e"
       "0{}\x1e"
       "4b",
       {"message t a"},
       "error eio_bad_open @4"},
      // ---- UTF-8 ----
      {"bad byte", "4\xff", {}, "finish error eio_bad_utf8 @1"},
      {"code point cut by a separator",
       "4a\x1e"
       "4\xce\x1e"
       "4b",
       {"message t a"},
       "error eio_bad_utf8 @5"},
      {"code point cut by the end", "4\xce", {}, "finish error eio_bad_utf8 @2"},
      {"multi-byte text",
       "4\xe2\x82\xac\x1e"
       "4\xf0\x9f\x98\x80",
       {"message t \\xe2\\x82\\xac", "message t \\xf0\\x9f\\x98\\x80"},
       "ok"},
      {"base64 record with a non-ASCII byte", "bAQ\xc3\xa9", {}, "finish error eio_bad_base64 @1"},
      {"base64 record not UTF-8", "bAQ\xff", {}, "finish error eio_bad_utf8 @3"},
      // ---- Limits::eio_max_payload_bytes (maxHttpBufferSize): limit and limit + 1 ----
      {"body at the limit", "4123456789", {"message t 123456789"}, "ok", lim(10, 100, 100)},
      {"body over the limit", "41234567890", {}, "error limit_eio_payload_bytes @10", lim(10, 100, 100)},
      {"body over the limit after a record",
       "4a\x1e"
       "4bcdefgh",
       {"message t a"},
       "error limit_eio_payload_bytes @10",
       lim(10, 100, 100)},
      {"body limit on the separator: the record never ends",
       "4123456789\x1e"
       "4",
       {},
       "error limit_eio_payload_bytes @10",
       lim(10, 100, 100)},
      {"body limit 0", "4", {}, "error limit_eio_payload_bytes @0", lim(0, 100, 100)},
      {"body limit 0, empty body", "", {}, "finish error eio_empty_payload @0", lim(0, 100, 100)},
      // ---- Limits::eio_max_packet_bytes: limit and limit + 1 ----
      {"record at the limit", "4ab", {"message t ab"}, "ok", lim(100, 3, 100)},
      {"record over the limit", "4abc", {}, "error limit_eio_packet_bytes @3", lim(100, 3, 100)},
      {"second record over the limit",
       "4ab\x1e"
       "4abc\x1e"
       "4",
       {"message t ab"},
       "error limit_eio_packet_bytes @7",
       lim(100, 3, 100)},
      {"record limit counts base64 text", "bAQIDBA==", {}, "error limit_eio_packet_bytes @8", lim(100, 8, 100)},
      {"record limit before content", "x1234", {}, "error limit_eio_packet_bytes @3", lim(100, 3, 100)},
      {"record limit before body limit", "412345", {}, "error limit_eio_packet_bytes @3", lim(5, 3, 100)},
      {"record limit 0", "4", {}, "error limit_eio_packet_bytes @0", lim(100, 0, 100)},
      {"record limit 0, separator first", "\x1e", {}, "error eio_empty_record @0", lim(100, 0, 100)},
      // ---- Limits::eio_max_payload_packets: limit and limit + 1 ----
      {"records at the limit",
       "4a\x1e"
       "4b",
       {"message t a", "message t b"},
       "ok",
       lim(100, 100, 2)},
      {"records over the limit",
       "4a\x1e"
       "4b\x1e"
       "4c",
       {"message t a", "message t b"},
       "error limit_eio_payload_packets @6",
       lim(100, 100, 2)},
      {"trailing separator over the limit",
       "4a\x1e"
       "4b\x1e",
       {"message t a", "message t b"},
       "error limit_eio_payload_packets @6",
       lim(100, 100, 2)},
      {"a bad record before the count",
       "4a\x1e"
       "7\x1e"
       "4c",
       {"message t a"},
       "error eio_bad_packet_type @3",
       lim(100, 100, 2)},
      {"record count 0", "4", {}, "error limit_eio_payload_packets @0", lim(100, 100, 0)},
      {"record count 1",
       "6\x1e"
       "6",
       {"noop t "},
       "error limit_eio_payload_packets @2",
       lim(100, 100, 1)},
  };
}

TEST(EioPayloadDecoder, TableUnderEverySplit) {
  for (const Row& row : rows()) {
    SCOPED_TRACE(row.name);
    const Limits limits = row.limits;
    const test::Transcript t = test::grind([&](const std::vector<ByteView>& c) { return run(limits, c); }, row.body);
    EXPECT_EQ(t.events, row.events);
    EXPECT_EQ(t.outcome, row.outcome);
    const test::Transcript whole = run_whole(limits, row.body);
    EXPECT_EQ(whole.events, row.events);
    EXPECT_EQ(whole.outcome, strip_phase(row.outcome));
  }
}

TEST(EioPayloadDecoder, DefaultLimitsExactlyLikeEngineIo) {
  // engine.io 6.6.12: exactly maxHttpBufferSize (1e6) bytes accepted, one more is HTTP 413.
  const std::string at = "4" + std::string(999'999, 'x');
  const std::string over = "4" + std::string(1'000'000, 'x');
  PayloadDecoder dec(Limits{});
  Recorder rec;
  EXPECT_EQ(dec.decode_whole(as_bytes(at), rec), Status::ok);
  EXPECT_EQ(rec.events.size(), 1u);
  dec.reset();
  EXPECT_EQ(dec.decode_whole(as_bytes(over), rec), Status::error);
  // The body limit and the packet limit are both 1e6; the body's byte 1e6 is over the body
  // limit first (the record reaches 1e6 + 1 bytes at the same byte).
  EXPECT_EQ(dec.error(), (DecodeError{Errc::limit_eio_payload_bytes, 1'000'000}));
}

TEST(EioPayloadDecoder, DefaultRecordCount) {
  std::string body = "6";
  for (int i = 1; i < 10'000; ++i)
    body +=
        "\x1e"
        "6";
  PayloadDecoder dec(Limits{});
  Recorder rec;
  EXPECT_EQ(dec.decode_whole(as_bytes(body), rec), Status::ok);
  EXPECT_EQ(rec.events.size(), 10'000u);
  dec.reset();
  body +=
      "\x1e"
      "6";
  EXPECT_EQ(dec.decode_whole(as_bytes(body), rec), Status::error);
  EXPECT_EQ(dec.error(), (DecodeError{Errc::limit_eio_payload_packets, body.size() - 1}));
}

TEST(EioPayloadDecoder, ConsumedStopsAtTheRevealingByte) {
  const struct {
    std::string body;
    std::size_t consumed;
    Limits limits;
  } cases[] = {
      {"4a\x1e"
       "7\x1e"
       "4b",
       5, Limits{}},  // through the separator ending the bad record
      {"\x1e"
       "4a",
       1, Limits{}},                     // the separator ending the empty first record
      {"4abcdef", 4, lim(100, 3, 100)},  // through the byte over the packet limit
      {"4abcdef", 3, lim(2, 100, 100)},  // through the byte over the body limit
      {"4a\x1e"
       "4b",
       3, lim(100, 100, 1)},        // through the separator beginning record 2
      {"4a", 1, lim(100, 100, 0)},  // the first byte begins record 1
  };
  for (const auto& c : cases) {
    PayloadDecoder dec(c.limits);
    Recorder rec;
    const Fed r = dec.feed(as_bytes(c.body), rec);
    EXPECT_EQ(r.status, Status::error) << test::printable(as_bytes(c.body));
    EXPECT_EQ(r.consumed, c.consumed) << test::printable(as_bytes(c.body));
    EXPECT_EQ(dec.offset(), c.consumed);
  }
}

TEST(EioPayloadDecoder, WholeRecordsInAChunkAreViewsNotCopies) {
  const std::string body =
      "4hello\x1e"
      "2\x1e"
      "4world";
  PayloadDecoder dec(Limits{});
  Recorder rec;
  const ByteView in = as_bytes(body);
  ASSERT_EQ(dec.feed(in, rec).status, Status::need_more);
  ASSERT_EQ(rec.events.size(), 2u);  // the last record waits for finish()
  EXPECT_EQ(rec.data_at[0], in.data() + 1);
  EXPECT_EQ(rec.data_at[1], in.data() + 8);
  ASSERT_EQ(dec.finish(rec), Status::ok);
  EXPECT_EQ(rec.events.back(), "message t world");

  Recorder whole;
  ASSERT_EQ(dec.decode_whole(in, whole), Status::ok);  // the decoder is ready for a new body
  ASSERT_EQ(whole.events.size(), 3u);
  EXPECT_EQ(whole.data_at[2], in.data() + 10);  // even the last record, in decode_whole
}

TEST(EioPayloadDecoder, OneBodyAfterAnother) {
  PayloadDecoder dec(Limits{});
  Recorder rec;
  for (int round = 0; round < 3; ++round) {
    EXPECT_EQ(dec.feed(as_bytes("4a\x1e"
                                "4"),
                       rec)
                  .status,
              Status::need_more);
    EXPECT_EQ(dec.feed(as_bytes("b"), rec).status, Status::need_more);
    EXPECT_EQ(dec.records(), 2u);
    EXPECT_EQ(dec.finish(rec), Status::ok);
    EXPECT_EQ(dec.offset(), 0u);
    EXPECT_EQ(dec.records(), 0u);
  }
  EXPECT_EQ(rec.events, (std::vector<std::string>{"message t a", "message t b", "message t a", "message t b",
                                                  "message t a", "message t b"}));
  EXPECT_EQ(dec.finish(rec), Status::error);  // finish() right after finish(): an empty body
  EXPECT_EQ(dec.error(), (DecodeError{Errc::eio_empty_payload, 0}));
  EXPECT_EQ(dec.feed(as_bytes("4a"), rec).status, Status::error);
  dec.reset();
  EXPECT_FALSE(dec.error());
  EXPECT_EQ(dec.decode_whole(as_bytes("4c"), rec), Status::ok);
  EXPECT_EQ(rec.events.back(), "message t c");
}

TEST(EioPayloadDecoder, SpilledRecordAtThePacketLimitAcrossManyChunks) {
  // A record of exactly eio_max_packet_bytes, fed one byte at a time, then one byte more.
  Limits l = lim(1'000, 64, 10);
  const std::string record = "4" + std::string(63, 'z');
  PayloadDecoder dec(l);
  Recorder rec;
  for (char c : record) ASSERT_EQ(dec.feed(as_bytes(std::string(1, c)), rec).status, Status::need_more);
  Recorder copy = rec;
  EXPECT_EQ(dec.finish(rec), Status::ok);
  EXPECT_EQ(rec.events.back(), "message t " + std::string(63, 'z'));
  for (char c : record) ASSERT_EQ(dec.feed(as_bytes(std::string(1, c)), copy).status, Status::need_more);
  const Fed r = dec.feed(as_bytes("z"), copy);
  EXPECT_EQ(r.status, Status::error);
  EXPECT_EQ(dec.error(), (DecodeError{Errc::limit_eio_packet_bytes, 64}));
}

}  // namespace
}  // namespace sioconf::eio
