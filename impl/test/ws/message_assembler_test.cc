#include "sioconf/ws/message_assembler.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "support/grind.h"
#include "support/hex.h"

namespace sioconf::ws {
namespace {

using test::hex;
std::string masked(std::string_view payload, std::string_view key) {
  std::string out(payload);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(out[i] ^ key[i % 4]);
  return out;
}

// A client frame (masked with 00000000 unless a key is given), written by hand from RFC 6455 5.2
// so that these tests do not lean on frame_encoder.
std::string cframe(std::uint8_t b0, std::string_view payload, std::string_view key = std::string_view("\0\0\0\0", 4)) {
  std::string f(1, static_cast<char>(b0));
  const std::size_t n = payload.size();
  if (n < 126) {
    f += static_cast<char>(0x80 | n);
  } else {
    f += static_cast<char>(0x80 | 126);
    f += static_cast<char>(n >> 8);
    f += static_cast<char>(n & 0xFF);
  }
  f += std::string(key.substr(0, 4));
  return f + masked(payload, key);
}

class Recorder : public MessageSink {
 public:
  std::vector<std::string> events;
  void on_message(Opcode op, ByteView m) noexcept override {
    events.push_back(std::string(name(op)) + " " + test::printable(m));
  }
  void on_control(Opcode op, ByteView p) noexcept override {
    events.push_back(std::string(name(op)) + " " + test::printable(p));
  }
  void on_close(std::optional<std::uint16_t> code, std::string_view reason) noexcept override {
    events.push_back("close " + (code ? std::to_string(*code) : std::string("-")) + " " +
                     test::printable(as_bytes(reason)));
  }
};

std::string outcome_of(DecodeError e, bool at_finish) {
  return std::string(at_finish ? "finish error " : "error ") + std::string(name(e.code)) + " @" +
         std::to_string(e.offset);
}

test::Transcript run(Role role, const Limits& limits, const std::vector<ByteView>& chunks) {
  MessageAssembler in(role, limits);
  Recorder rec;
  for (ByteView c : chunks) {
    const Fed r = in.feed(c, rec);
    if (r.status == Status::error) {
      EXPECT_LE(r.consumed, c.size());
      EXPECT_EQ(in.feed(as_bytes("x"), rec).status, Status::error);  // sticky
      EXPECT_EQ(in.finish(), Status::error);
      return {rec.events, outcome_of(in.error(), false)};
    }
    EXPECT_EQ(r.consumed, c.size());
  }
  if (in.finish() == Status::error) return {rec.events, outcome_of(in.error(), true)};
  return {rec.events, "ok"};
}

struct Row {
  const char* name;
  Role role;
  std::string input;
  std::vector<std::string> events;
  std::string outcome;
  Limits limits = {};
};

Limits with(std::uint64_t message_bytes, std::uint32_t fragments, std::uint64_t frame_bytes = 1'000'000) {
  Limits l;
  l.ws_max_message_bytes = message_bytes;
  l.ws_max_fragments = fragments;
  l.ws_max_frame_bytes = frame_bytes;
  return l;
}

std::string close_frame(std::uint16_t code) {
  std::string p;
  p += static_cast<char>(code >> 8);
  p += static_cast<char>(code & 0xFF);
  return hex("88 02") + p;
}

std::vector<Row> rows() {
  const Role S = Role::server, C = Role::client;
  std::vector<Row> r = {
      // ---- RFC 6455 5.7 ----
      {"rfc single-frame unmasked", C, hex("81 05 48656c6c6f"), {"text Hello"}, "ok"},
      {"rfc single-frame masked", S, hex("81 85 37fa213d 7f9f4d5158"), {"text Hello"}, "ok"},
      {"rfc fragmented", C, hex("01 03 48656c 80 02 6c6f"), {"text Hello"}, "ok"},
      {"rfc unmasked ping", C, hex("89 05 48656c6c6f"), {"ping Hello"}, "ok"},
      {"rfc masked pong", S, hex("8a 85 37fa213d 7f9f4d5158"), {"pong Hello"}, "ok"},
      {"rfc 256 bytes binary", C, hex("82 7e 0100") + std::string(256, 'b'), {"binary " + std::string(256, 'b')}, "ok"},
      // ---- messages ----
      {"empty text", C, hex("81 00"), {"text "}, "ok"},
      {"empty fragments", C, hex("01 00 00 00 80 00"), {"text "}, "ok"},
      {"binary fragments",
       S,
       cframe(0x02, "\x01\x02") + cframe(0x00, "\x03") + cframe(0x80, "\x04"),
       {"binary \\x01\\x02\\x03\\x04"},
       "ok"},
      {"binary need not be UTF-8", C, hex("82 02 ff fe"), {"binary \\xff\\xfe"}, "ok"},
      {"control frames between fragments",
       C,
       hex("01 03 48656c 89 01 70 8a 00 80 02 6c6f"),
       {"ping p", "pong ", "text Hello"},
       "ok"},
      {"masked text across fragments with a ping",
       S,
       cframe(0x01, "Hel", hex("01020304")) + cframe(0x89, "", hex("05060708")) + cframe(0x80, "lo", hex("090a0b0c")),
       {"ping ", "text Hello"},
       "ok"},
      {"two messages", C, hex("81 01 61 82 01 62"), {"text a", "binary b"}, "ok"},
      {"code point split across fragments", C, hex("01 01 ce 00 00 80 01 ba"), {"text \\xce\\xba"}, "ok"},
      // ---- continuation rules (RFC 6455 5.4) ----
      {"continuation first", C, hex("80 01 61"), {}, "error ws_unexpected_continuation @0"},
      {"continuation after a whole message",
       C,
       hex("81 01 61 00 01 62"),
       {"text a"},
       "error ws_unexpected_continuation @3"},
      {"text while fragmented", C, hex("01 01 61 81 01 62"), {}, "error ws_expected_continuation @3"},
      {"binary while fragmented", S, cframe(0x02, "a") + cframe(0x02, "b"), {}, "error ws_expected_continuation @7"},
      {"frame rule before message rule", C, hex("01 01 61 81 81"), {}, "error ws_masked_frame @4"},
      // ---- UTF-8 (RFC 6455 8.1), fail fast ----
      {"bad byte in one frame", C, hex("81 03 61 ff 62"), {}, "error ws_bad_utf8 @3"},
      {"bad byte in a masked frame", S, cframe(0x81, "ab\xc0\xaf", hex("37fa213d")), {}, "error ws_bad_utf8 @8"},
      {"bad byte in the second fragment", C, hex("01 02 61 ce 80 02 41 62"), {}, "error ws_bad_utf8 @6"},
      {"bad byte after an empty fragment", C, hex("01 01 ce 00 00 00 01 41 80 00"), {}, "error ws_bad_utf8 @7"},
      {"bad first fragment fails before the rest comes", C, hex("01 02 61 ff 80"), {}, "error ws_bad_utf8 @3"},
      {"surrogate", C, hex("81 03 eda080"), {}, "error ws_bad_utf8 @3"},
      {"text ends inside a code point", C, hex("81 01 ce"), {}, "error ws_bad_utf8 @3"},
      {"fragmented text ends inside a code point", C, hex("01 01 ce 80 00"), {}, "error ws_bad_utf8 @5"},
      {"ping between fragments does not end the text",
       C,
       hex("01 01 ce 89 00 80 01 ba"),
       {"ping ", "text \\xce\\xba"},
       "ok"},
      // ---- close (RFC 6455 5.5.1, 7.4) ----
      {"close without a body", C, hex("88 00"), {"close - "}, "ok"},
      {"close 1000", C, hex("88 02 03e8"), {"close 1000 "}, "ok"},
      {"close with reason",
       S,
       cframe(0x88,
              "\x03\xe8"
              "bye"),
       {"close 1000 bye"},
       "ok"},
      {"close with UTF-8 reason", C, hex("88 04 03e8 cebA"), {"close 1000 \\xce\\xba"}, "ok"},
      {"close after a fragment", C, hex("01 01 61 88 00"), {"close - "}, "ok"},
      {"close one byte", C, hex("88 01 03"), {}, "error ws_close_payload_one_byte @1"},
      {"close one byte masked", S, cframe(0x88, "\x03"), {}, "error ws_close_payload_one_byte @1"},
      {"close reason bad byte", C, hex("88 05 03e8 61 ff 62"), {}, "error ws_close_reason_utf8 @5"},
      {"close reason cut short", C, hex("88 04 03e8 61 ce"), {}, "error ws_close_reason_utf8 @6"},
      {"bad close code before the reason", C, hex("88 03 03ed ff"), {}, "error ws_bad_close_code @2"},
      {"frame after close", C, hex("88 00 81 00"), {"close - "}, "error ws_frame_after_close @2"},
      {"byte after close", S, cframe(0x88, "\x0b\xb8") + "x", {"close 3000 "}, "error ws_frame_after_close @8"},
      // ---- truncation ----
      {"empty stream", C, "", {}, "ok"},
      {"cut inside a frame", C, hex("81 05 4865"), {}, "finish error truncated @4"},
      {"cut between fragments", C, hex("01 01 61"), {}, "finish error truncated @3"},
      {"cut between fragments after a ping", C, hex("01 01 61 89 00"), {"ping "}, "finish error truncated @5"},
      // ---- Limits::ws_max_message_bytes at limit and limit + 1 ----
      {"message at limit", C, hex("81 05 48656c6c6f"), {"text Hello"}, "ok", with(5, 10)},
      {"message over limit", C, hex("81 06 48656c6c6f21"), {}, "error limit_ws_message_bytes @1", with(5, 10)},
      {"fragments at limit", C, hex("01 03 616263 80 02 6465"), {"text abcde"}, "ok", with(5, 10)},
      {"fragments over limit, from the header",
       C,
       hex("01 03 616263 80 03"),
       {},
       "error limit_ws_message_bytes @6",
       with(5, 10)},
      {"16-bit length over limit", C, hex("82 7e 00c9"), {}, "error limit_ws_message_bytes @2", with(200, 10)},
      {"controls do not count",
       C,
       hex("01 03 616263 89 05 7070707070 80 02 6465"),
       {"ping ppppp", "text abcde"},
       "ok",
       with(5, 10)},
      {"frame limit first", C, hex("81 06"), {}, "error limit_ws_frame_bytes @1", with(5, 10, 5)},
      // ---- Limits::ws_max_fragments at limit and limit + 1 (CVE-2026-48779) ----
      {"3 frames at limit 3", C, hex("01 01 61 00 01 62 80 01 63"), {"text abc"}, "ok", with(100, 3)},
      {"4 frames over limit 3",
       C,
       hex("01 01 61 00 01 62 00 01 63 80 01 64"),
       {},
       "error limit_ws_fragments @9",
       with(100, 3)},
      {"empty fragments count", C, hex("02 00 00 00 00 00 80 00"), {}, "error limit_ws_fragments @6", with(100, 3)},
      {"pings between fragments do not count",
       C,
       hex("01 01 61 89 00 00 01 62 89 00 80 01 63"),
       {"ping ", "ping ", "text abc"},
       "ok",
       with(100, 3)},
      {"one frame at limit 1", C, hex("81 01 61 81 01 62"), {"text a", "text b"}, "ok", with(100, 1)},
      {"two frames over limit 1",
       S,
       cframe(0x01, "a") + cframe(0x80, "b"),
       {},
       "error limit_ws_fragments @7",
       with(100, 1)},
  };
  // Every close code: the allowed ones are delivered, the others refused at the code's first byte.
  for (int code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999})
    r.push_back({"allowed close code",
                 C,
                 close_frame(static_cast<std::uint16_t>(code)),
                 {"close " + std::to_string(code) + " "},
                 "ok"});
  for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
    r.push_back(
        {"refused close code", C, close_frame(static_cast<std::uint16_t>(code)), {}, "error ws_bad_close_code @2"});
  return r;
}

TEST(MessageAssembler, Table) {
  for (const Row& row : rows()) {
    SCOPED_TRACE(std::string(row.name) + " " + test::printable(as_bytes(row.input)));
    const test::Transcript t =
        test::grind([&](const std::vector<ByteView>& chunks) { return run(row.role, row.limits, chunks); }, row.input);
    EXPECT_EQ(t.events, row.events);
    EXPECT_EQ(t.outcome, row.outcome);
  }
}

TEST(MessageAssembler, LargeMaskedTextFailsAtTheBadByte) {
  // 5000 bytes of text in two masked frames; the payload goes through the 4 KiB scratch in pieces.
  std::string text(5000, 'a');
  text[4500] = '\xff';
  const std::string key = hex("a1b2c3d4");
  const std::string input = cframe(0x01, text.substr(0, 3000), key) + cframe(0x80, text.substr(3000), key);
  // second frame: header at 3008 (4 + 4 + 3000), 8 header bytes, payload index 1500
  const test::Transcript t =
      test::grind([&](const std::vector<ByteView>& chunks) { return run(Role::server, Limits{}, chunks); }, input, 0);
  EXPECT_EQ(t.outcome, "error ws_bad_utf8 @4516");
  EXPECT_TRUE(t.events.empty());

  text[4500] = 'z';
  const std::string good = cframe(0x01, text.substr(0, 3000), key) + cframe(0x80, text.substr(3000), key);
  const test::Transcript ok =
      test::grind([&](const std::vector<ByteView>& chunks) { return run(Role::server, Limits{}, chunks); }, good, 0);
  EXPECT_EQ(ok.events, std::vector<std::string>{"text " + text});
  EXPECT_EQ(ok.outcome, "ok");
}

// Where a message view points: the input for a one-frame message, the assembler's buffer otherwise.
struct Views : MessageSink {
  std::vector<ByteView> messages;
  void on_message(Opcode, ByteView m) noexcept override { messages.push_back(m); }
  void on_control(Opcode, ByteView) noexcept override {}
  void on_close(std::optional<std::uint16_t>, std::string_view) noexcept override {}
};

TEST(MessageAssembler, OneFrameMessagesAreNotCopied) {
  MessageAssembler in(Role::client, Limits{});
  Views views;
  const std::string input = hex("82 03 010203 02 01 04 80 01 05");
  ASSERT_EQ(in.feed(as_bytes(input), views).status, Status::ok);
  ASSERT_EQ(views.messages.size(), 2u);
  EXPECT_EQ(views.messages[0].data(), reinterpret_cast<const std::uint8_t*>(input.data()) + 2);
  EXPECT_EQ(views.messages[1].size(), 2u);
  EXPECT_FALSE(views.messages[1].data() >= reinterpret_cast<const std::uint8_t*>(input.data()) &&
               views.messages[1].data() < reinterpret_cast<const std::uint8_t*>(input.data()) + input.size());
}

TEST(MessageAssembler, StatusAndStickiness) {
  MessageAssembler in(Role::client, Limits{});
  Recorder rec;
  Fed r = in.feed(as_bytes(hex("01 01 61")), rec);
  EXPECT_EQ(r.status, Status::need_more);  // a fragmented message is open
  EXPECT_EQ(r.consumed, 3u);
  r = in.feed(as_bytes(hex("80 01 62")), rec);
  EXPECT_EQ(r.status, Status::ok);
  EXPECT_EQ(in.offset(), 6u);
  r = in.feed(as_bytes(hex("80 00")), rec);
  EXPECT_EQ(r.status, Status::error);
  EXPECT_EQ(r.consumed, 2u);
  EXPECT_EQ(in.error(), (DecodeError{Errc::ws_unexpected_continuation, 6}));
  EXPECT_EQ(ws_close_code(in.error().code), 1002);
  EXPECT_EQ(in.feed(as_bytes(hex("81 00")), rec).status, Status::error);
  EXPECT_EQ(rec.events, std::vector<std::string>{"text ab"});
  in.reset();
  EXPECT_FALSE(in.error());
  EXPECT_EQ(in.feed(as_bytes(hex("81 00")), rec).status, Status::ok);
  EXPECT_EQ(in.finish(), Status::ok);
}

TEST(MessageAssembler, FinishTruncatedIsStickyAndCloseIsFinal) {
  MessageAssembler in(Role::client, Limits{});
  Recorder rec;
  ASSERT_EQ(in.feed(as_bytes(hex("01 00")), rec).status, Status::need_more);
  EXPECT_EQ(in.finish(), Status::error);
  EXPECT_EQ(in.error(), (DecodeError{Errc::truncated, 2}));
  EXPECT_EQ(in.feed(as_bytes(hex("80 00")), rec).status, Status::error);
  in.reset();
  ASSERT_EQ(in.feed(as_bytes(hex("88 00")), rec).status, Status::ok);
  EXPECT_TRUE(in.closed());
  EXPECT_EQ(in.finish(), Status::ok);
}

TEST(MessageAssembler, CloseCodesOfTheErrors) {
  // The close code each error must be answered with (errc.def), one per rule class.
  EXPECT_EQ(ws_close_code(Errc::ws_bad_utf8), 1007);
  EXPECT_EQ(ws_close_code(Errc::ws_close_reason_utf8), 1007);
  EXPECT_EQ(ws_close_code(Errc::limit_ws_fragments), 1008);
  EXPECT_EQ(ws_close_code(Errc::limit_ws_message_bytes), 1009);
  EXPECT_EQ(ws_close_code(Errc::limit_ws_frame_bytes), 1009);
  EXPECT_EQ(ws_close_code(Errc::ws_expected_continuation), 1002);
}

}  // namespace
}  // namespace sioconf::ws
