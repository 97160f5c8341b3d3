#include "sioconf/ws/frame_encoder.h"

#include <gtest/gtest.h>

#include "support/hex.h"

#include <cctype>
#include <random>
#include <string>
#include <vector>

#include <functional>
#include "sioconf/ws/frame_decoder.h"
#include "sioconf/ws/message_assembler.h"

namespace sioconf::ws {
namespace {

using test::hex;
std::string str(const std::vector<std::uint8_t>& v) { return std::string(v.begin(), v.end()); }

const MaskKey kKey = {0x37, 0xfa, 0x21, 0x3d};

struct FrameRow {
  const char* name;
  Role role;
  Opcode opcode;
  std::string payload;
  bool fin;
  std::string expected;  // the wire bytes
};

TEST(FrameEncoder, RfcExamplesAndLengthBoundaries) {
  const FrameRow rows[] = {
      {"rfc single-frame unmasked", Role::server, Opcode::text, "Hello", true, hex("81 05 48656c6c6f")},
      {"rfc single-frame masked", Role::client, Opcode::text, "Hello", true, hex("81 85 37fa213d 7f9f4d5158")},
      {"rfc first fragment", Role::server, Opcode::text, "Hel", false, hex("01 03 48656c")},
      {"rfc last fragment", Role::server, Opcode::continuation, "lo", true, hex("80 02 6c6f")},
      {"rfc unmasked ping", Role::server, Opcode::ping, "Hello", true, hex("89 05 48656c6c6f")},
      {"rfc masked pong", Role::client, Opcode::pong, "Hello", true, hex("8a 85 37fa213d 7f9f4d5158")},
      {"rfc 256 bytes binary", Role::server, Opcode::binary, std::string(256, 'x'), true,
       hex("82 7e 0100") + std::string(256, 'x')},
      {"rfc 64 KiB binary", Role::server, Opcode::binary, std::string(65536, 'y'), true,
       hex("82 7f 0000000000010000") + std::string(65536, 'y')},
      {"empty", Role::server, Opcode::binary, "", true, hex("82 00")},
      {"empty masked", Role::client, Opcode::text, "", true, hex("81 80 37fa213d")},
      {"125 bytes: 7-bit", Role::server, Opcode::binary, std::string(125, 'a'), true,
       hex("82 7d") + std::string(125, 'a')},
      {"126 bytes: 16-bit", Role::server, Opcode::binary, std::string(126, 'a'), true,
       hex("82 7e 007e") + std::string(126, 'a')},
      {"65535 bytes: 16-bit", Role::server, Opcode::binary, std::string(65535, 'a'), true,
       hex("82 7e ffff") + std::string(65535, 'a')},
      {"125-byte ping", Role::server, Opcode::ping, std::string(125, 'p'), true, hex("89 7d") + std::string(125, 'p')},
      {"a text fragment may end mid code point", Role::server, Opcode::text, "\xce", false, hex("01 01 ce")},
  };
  for (const FrameRow& row : rows) {
    SCOPED_TRACE(row.name);
    std::vector<std::uint8_t> out = {0xAA};  // appended to, never cleared
    ASSERT_EQ(encode_frame(out, row.role, row.opcode, as_bytes(row.payload), row.fin, kKey), Errc::none);
    EXPECT_EQ(str(out), "\xAA" + row.expected);
  }
}

TEST(FrameEncoder, Close) {
  struct Row {
    Role role;
    std::optional<std::uint16_t> code;
    std::string reason;
    std::string expected;
  };
  const Row rows[] = {
      {Role::server, std::nullopt, "", hex("88 00")},
      {Role::server, 1000, "", hex("88 02 03e8")},
      {Role::server, 1001, "bye", hex("88 05 03e9 627965")},
      {Role::client, 1000, "", hex("88 82 37fa213d") + "\x34\x12"},  // 03 e8 ^ 37 fa
      {Role::server, 4999, std::string(123, 'r'), hex("88 7d 1387") + std::string(123, 'r')},
  };
  for (const Row& row : rows) {
    std::vector<std::uint8_t> out;
    ASSERT_EQ(encode_close(out, row.role, row.code, row.reason, kKey), Errc::none);
    EXPECT_EQ(str(out), row.expected);
  }
}

TEST(FrameEncoder, RefusesWhatTheDecoderRejects) {
  struct Row {
    const char* name;
    Errc expected;
    std::function<Errc(std::vector<std::uint8_t>&)> call;
  };
  const std::string long_ping(126, 'p');
  const Row rows[] = {
      {"reserved opcode", Errc::ws_reserved_opcode,
       [](auto& out) { return encode_frame(out, Role::server, static_cast<Opcode>(3), {}); }},
      {"fragmented ping", Errc::ws_control_fragmented,
       [](auto& out) { return encode_frame(out, Role::server, Opcode::ping, {}, false); }},
      {"fragmented close", Errc::ws_control_fragmented,
       [](auto& out) { return encode_frame(out, Role::client, Opcode::close, {}, false, kKey); }},
      {"126-byte pong", Errc::ws_control_too_long,
       [&](auto& out) { return encode_frame(out, Role::server, Opcode::pong, as_bytes(long_ping)); }},
      {"text not UTF-8", Errc::ws_bad_utf8,
       [](auto& out) { return encode_frame(out, Role::server, Opcode::text, as_bytes("a\xff")); }},
      {"whole text ends mid code point", Errc::ws_bad_utf8,
       [](auto& out) { return encode_frame(out, Role::client, Opcode::text, as_bytes("\xce"), true, kKey); }},
      {"raw close of one byte", Errc::ws_close_payload_one_byte,
       [](auto& out) { return encode_frame(out, Role::server, Opcode::close, as_bytes("\x03")); }},
      {"raw close with code 1005", Errc::ws_bad_close_code,
       [](auto& out) { return encode_frame(out, Role::server, Opcode::close, as_bytes("\x03\xed")); }},
      {"raw close with bad reason", Errc::ws_close_reason_utf8,
       [](auto& out) { return encode_frame(out, Role::server, Opcode::close, as_bytes("\x03\xe8\xff")); }},
      {"close 1005", Errc::ws_bad_close_code, [](auto& out) { return encode_close(out, Role::server, 1005, ""); }},
      {"close 999", Errc::ws_bad_close_code, [](auto& out) { return encode_close(out, Role::server, 999, ""); }},
      {"close 5000", Errc::ws_bad_close_code, [](auto& out) { return encode_close(out, Role::server, 5000, ""); }},
      {"reason without code", Errc::ws_bad_close_code,
       [](auto& out) { return encode_close(out, Role::server, std::nullopt, "why"); }},
      {"reason not UTF-8", Errc::ws_close_reason_utf8,
       [](auto& out) { return encode_close(out, Role::server, 1000, "\xc0\xaf"); }},
      {"reason of 124 bytes", Errc::ws_control_too_long,
       [](auto& out) { return encode_close(out, Role::server, 1000, std::string(124, 'r')); }},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    std::vector<std::uint8_t> out = {1, 2, 3};
    EXPECT_EQ(row.call(out), row.expected);
    EXPECT_EQ(out, (std::vector<std::uint8_t>{1, 2, 3}));  // unchanged
  }
}

TEST(FrameEncoder, HeaderWritesWhatItIsGiven) {
  FrameHeader h;
  h.fin = false;
  h.rsv = 0x4;
  h.opcode = static_cast<Opcode>(0xB);
  h.masked = true;
  h.mask = {1, 2, 3, 4};
  h.payload_length = 0x10000;
  std::vector<std::uint8_t> out;
  encode_header(out, h);
  EXPECT_EQ(str(out), hex("4b ff 0000000000010000 01020304"));
}

// Round trips: what the encoder writes for one role, the assembler of the other role reads back,
// fragmented or not, masked or not, in any chunking.
struct Collected : MessageSink {
  std::vector<std::string> events;
  void on_message(Opcode op, ByteView m) noexcept override {
    events.push_back(std::string(name(op)) + ":" + std::string(as_text(m)));
  }
  void on_control(Opcode op, ByteView p) noexcept override {
    events.push_back(std::string(name(op)) + ":" + std::string(as_text(p)));
  }
  void on_close(std::optional<std::uint16_t> code, std::string_view reason) noexcept override {
    events.push_back("close:" + (code ? std::to_string(*code) : std::string("-")) + ":" + std::string(reason));
  }
};

TEST(FrameEncoder, RoundTripThroughTheAssembler) {
  std::mt19937 rng(20261122);  // fixed seed: failures replay
  for (Role sender : {Role::client, Role::server}) {
    const Role receiver = sender == Role::client ? Role::server : Role::client;
    for (int round = 0; round < 40; ++round) {
      SCOPED_TRACE("seed 20261122 round " + std::to_string(round));
      std::vector<std::uint8_t> wire;
      std::vector<std::string> expected;
      const int messages = 1 + static_cast<int>(rng() % 4);
      for (int m = 0; m < messages; ++m) {
        const bool text = rng() % 2 == 0;
        const std::size_t size = rng() % 3 == 0 ? rng() % 70000 : rng() % 300;
        std::string payload(size, '\0');
        for (char& c : payload) c = text ? static_cast<char>('a' + rng() % 26) : static_cast<char>(rng() & 0xFF);
        // Cut into 1-5 fragments, with a ping after the first one.
        const std::size_t parts = 1 + rng() % 5;
        std::size_t at = 0;
        for (std::size_t p = 0; p < parts; ++p) {
          const std::size_t end = p + 1 == parts ? size : at + (size - at) * (rng() % 100) / 100;
          const MaskKey key = {static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng()),
                               static_cast<std::uint8_t>(rng()), static_cast<std::uint8_t>(rng())};
          const Opcode op = p == 0 ? (text ? Opcode::text : Opcode::binary) : Opcode::continuation;
          ASSERT_EQ(encode_frame(wire, sender, op, as_bytes(std::string_view(payload).substr(at, end - at)),
                                 p + 1 == parts, key),
                    Errc::none);
          if (p == 0 && parts > 1) {
            ASSERT_EQ(encode_frame(wire, sender, Opcode::ping, as_bytes("hb"), true, key), Errc::none);
            expected.push_back("ping:hb");
          }
          at = end;
        }
        expected.push_back(std::string(text ? "text:" : "binary:") + payload);
      }
      ASSERT_EQ(encode_close(wire, sender, 1000, "done", kKey), Errc::none);
      expected.push_back("close:1000:done");

      MessageAssembler in(receiver, Limits{});
      Collected got;
      // Random chunking of the wire.
      std::size_t at = 0;
      while (at < wire.size()) {
        const std::size_t n = std::min<std::size_t>(wire.size() - at, 1 + rng() % 9000);
        const Fed r = in.feed(ByteView(wire.data() + at, n), got);
        ASSERT_NE(r.status, Status::error) << name(in.error().code) << " @" << in.error().offset;
        at += n;
      }
      ASSERT_EQ(in.finish(), Status::ok);
      EXPECT_TRUE(in.closed());
      ASSERT_EQ(got.events.size(), expected.size());
      for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_TRUE(got.events[i] == expected[i]) << "event " << i;
    }
  }
}

TEST(FrameEncoder, EncodedFramesPassTheFrameDecoderOfTheOtherRole) {
  struct Count : FrameSink {
    FrameHeader last{};
    std::string payload;
    Verdict on_frame_header(const FrameHeader& h) noexcept override {
      last = h;
      return {};
    }
    Verdict on_frame_payload(ByteView p) noexcept override {
      payload += as_text(p);
      return {};
    }
    Verdict on_frame_end() noexcept override { return {}; }
  };
  for (std::size_t size : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 70000u}) {
    SCOPED_TRACE(size);
    const std::string payload(size, 'q');
    std::vector<std::uint8_t> wire;
    ASSERT_EQ(encode_frame(wire, Role::client, Opcode::binary, as_bytes(payload), true, kKey), Errc::none);
    EXPECT_EQ(wire.size(), header_size(size, true) + size);
    FrameDecoder dec(Role::server, Limits{});
    Count sink;
    ASSERT_EQ(dec.feed(ByteView(wire), sink).status, Status::ok);
    EXPECT_EQ(sink.last.payload_length, size);
    EXPECT_TRUE(sink.last.masked);
    EXPECT_EQ(sink.last.mask, kKey);
    EXPECT_TRUE(sink.payload == payload);
  }
}

}  // namespace
}  // namespace sioconf::ws
