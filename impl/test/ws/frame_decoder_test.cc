#include "sioconf/ws/frame_decoder.h"

#include <gtest/gtest.h>

#include <cctype>
#include <functional>
#include <string>
#include <vector>

#include "support/grind.h"
#include "support/hex.h"

namespace sioconf::ws {
namespace {

using test::hex;
using test::hex_of;
// `n` bytes counting up from 0 (mod 256).
std::string counting(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(i & 0xFF);
  return s;
}

// The payload masked with `key` (RFC 6455 5.3), written independently of the decoder.
std::string masked(std::string_view payload, std::string_view key) {
  std::string out(payload);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<char>(out[i] ^ key[i % 4]);
  return out;
}

// Records frame events; adjacent payload pieces are merged (their split is not an event).
class Recorder : public FrameSink {
 public:
  std::vector<std::string> events;
  std::size_t largest_piece = 0;

  Verdict on_frame_header(const FrameHeader& h) noexcept override {
    std::string e = std::string("hdr ") + (h.fin ? "fin" : "more") + " " + std::string(name(h.opcode));
    if (h.masked) e += " mask=" + hex_of(ByteView(h.mask));
    e += " len=" + std::to_string(h.payload_length);
    events.push_back(e);
    return {};
  }
  Verdict on_frame_payload(ByteView piece) noexcept override {
    EXPECT_FALSE(piece.empty());
    largest_piece = std::max(largest_piece, piece.size());
    if (events.empty() || events.back().rfind("data ", 0) != 0) events.emplace_back("data ");
    events.back() += test::printable(piece);
    return {};
  }
  Verdict on_frame_end() noexcept override {
    events.emplace_back("end");
    return {};
  }
};

std::string outcome_of(DecodeError e, bool at_finish) {
  return std::string(at_finish ? "finish error " : "error ") + std::string(name(e.code)) + " @" +
         std::to_string(e.offset);
}

test::Transcript run(Role role, const Limits& limits, const std::vector<ByteView>& chunks) {
  FrameDecoder dec(role, limits);
  Recorder rec;
  for (ByteView c : chunks) {
    const Fed r = dec.feed(c, rec);
    if (r.status == Status::error) {
      EXPECT_LE(r.consumed, c.size());
      EXPECT_EQ(dec.feed(as_bytes("x"), rec).status, Status::error);  // sticky
      return {rec.events, outcome_of(dec.error(), false)};
    }
    EXPECT_EQ(r.consumed, c.size());
  }
  if (dec.finish() == Status::error) return {rec.events, outcome_of(dec.error(), true)};
  return {rec.events, "ok"};
}

struct Row {
  const char* name;
  Role role;
  std::string input;
  std::vector<std::string> events;
  std::string outcome;
  std::uint64_t max_frame_bytes = 1'000'000;
};

const std::string kHello = "Hello";
const std::string kKey = hex("37fa213d");

std::vector<Row> rows() {
  const Role S = Role::server, C = Role::client;
  std::vector<Row> r = {
      // ---- RFC 6455 5.7 examples ----
      {"rfc single-frame unmasked", C, hex("81 05 48656c6c6f"), {"hdr fin text len=5", "data Hello", "end"}, "ok"},
      {"rfc single-frame masked",
       S,
       hex("81 85 37fa213d 7f9f4d5158"),
       {"hdr fin text mask=37fa213d len=5", "data Hello", "end"},
       "ok"},
      {"rfc fragmented unmasked",
       C,
       hex("01 03 48656c 80 02 6c6f"),
       {"hdr more text len=3", "data Hel", "end", "hdr fin continuation len=2", "data lo", "end"},
       "ok"},
      {"rfc unmasked ping", C, hex("89 05 48656c6c6f"), {"hdr fin ping len=5", "data Hello", "end"}, "ok"},
      {"rfc masked pong",
       S,
       hex("8a 85 37fa213d 7f9f4d5158"),
       {"hdr fin pong mask=37fa213d len=5", "data Hello", "end"},
       "ok"},
      {"rfc 256 bytes binary",
       C,
       hex("82 7e 0100") + counting(256),
       {"hdr fin binary len=256", "data " + test::printable(as_bytes(counting(256))), "end"},
       "ok"},
      // ---- valid edges ----
      {"empty masked frame", S, hex("81 80 00000000"), {"hdr fin text mask=00000000 len=0", "end"}, "ok"},
      {"empty frame then a frame",
       C,
       hex("82 00 82 01 ff"),
       {"hdr fin binary len=0", "end", "hdr fin binary len=1", "data \\xff", "end"},
       "ok"},
      {"125-byte control frame",
       C,
       hex("89 7d") + counting(125),
       {"hdr fin ping len=125", "data " + test::printable(as_bytes(counting(125))), "end"},
       "ok"},
      {"16-bit length 126 is minimal",
       S,
       hex("82 fe 007e 01020304") + masked(counting(126), hex("01020304")),
       {"hdr fin binary mask=01020304 len=126", "data " + test::printable(as_bytes(counting(126))), "end"},
       "ok"},
      {"masked payload over the 4 KiB scratch",
       S,
       hex("82 fe 1068 a1b2c3d4") + masked(counting(4200), hex("a1b2c3d4")),
       {"hdr fin binary mask=a1b2c3d4 len=4200", "data " + test::printable(as_bytes(counting(4200))), "end"},
       "ok"},
      {"error after a complete frame",
       C,
       hex("81 01 61 c1 00"),
       {"hdr fin text len=1", "data a", "end"},
       "error ws_reserved_bits @3"},
      // ---- close ends the stream ----
      {"close then nothing", C, hex("88 02 03e8"), {"hdr fin close len=2", "data \\x03\\xe8", "end"}, "ok"},
      {"frame after close", C, hex("88 00 81 00"), {"hdr fin close len=0", "end"}, "error ws_frame_after_close @2"},
      {"garbage after close",
       S,
       hex("88 80 00000000 ff"),
       {"hdr fin close mask=00000000 len=0", "end"},
       "error ws_frame_after_close @6"},
      // ---- byte 0 ----
      {"rsv1", S, hex("c1 80 00000000"), {}, "error ws_reserved_bits @0"},
      {"rsv2", S, hex("a1 80 00000000"), {}, "error ws_reserved_bits @0"},
      {"rsv3", C, hex("91 00"), {}, "error ws_reserved_bits @0"},
      {"rsv before reserved opcode", C, hex("f3 00"), {}, "error ws_reserved_bits @0"},
      {"reserved opcode 3", S, hex("83 80 00000000"), {}, "error ws_reserved_opcode @0"},
      {"reserved opcode 7", C, hex("87 00"), {}, "error ws_reserved_opcode @0"},
      {"reserved opcode 0xb", C, hex("8b 00"), {}, "error ws_reserved_opcode @0"},
      {"reserved opcode 0xf non-fin", C, hex("0f 00"), {}, "error ws_reserved_opcode @0"},
      {"fragmented ping", S, hex("09 80 00000000"), {}, "error ws_control_fragmented @0"},
      {"fragmented close", C, hex("08 00"), {}, "error ws_control_fragmented @0"},
      {"fragmented pong", C, hex("0a 00"), {}, "error ws_control_fragmented @0"},
      // ---- byte 1 ----
      {"unmasked frame to a server", S, hex("81 05 48656c6c6f"), {}, "error ws_unmasked_frame @1"},
      {"masked frame to a client", C, hex("81 85 37fa213d 7f9f4d5158"), {}, "error ws_masked_frame @1"},
      {"ping with 16-bit length", S, hex("89 fe 007e"), {}, "error ws_control_too_long @1"},
      {"close with 64-bit length", C, hex("88 7f"), {}, "error ws_control_too_long @1"},
      {"control 126 non-minimal still too long", C, hex("8a 7e 0005"), {}, "error ws_control_too_long @1"},
      // ---- extended length ----
      {"16-bit length 125", S, hex("82 fe 007d"), {}, "error ws_non_minimal_length @2"},
      {"16-bit length 0", C, hex("82 7e 0000"), {}, "error ws_non_minimal_length @2"},
      {"64-bit length 65535", C, hex("82 7f 000000000000ffff"), {}, "error ws_non_minimal_length @2"},
      {"64-bit length 5", S, hex("82 ff 0000000000000005"), {}, "error ws_non_minimal_length @2"},
      {"64-bit length top bit", C, hex("82 7f 80"), {}, "error ws_length_top_bit @2"},
      {"64-bit length all ones", S, hex("82 ff ffffffffffffffff 00000000"), {}, "error ws_length_top_bit @2"},
      // ---- offsets are absolute ----
      {"error in the third frame",
       C,
       hex("89 00 8a 00 82 7e 0001"),
       {"hdr fin ping len=0", "end", "hdr fin pong len=0", "end"},
       "error ws_non_minimal_length @6"},
      // ---- truncation ----
      {"empty stream", C, "", {}, "ok"},
      {"cut in byte 1", C, hex("81"), {}, "finish error truncated @1"},
      {"cut in the extended length", C, hex("82 7e 01"), {}, "finish error truncated @3"},
      {"cut in the masking key", S, hex("81 85 37fa"), {}, "finish error truncated @4"},
      {"cut in the payload", C, hex("81 05 4865"), {"hdr fin text len=5", "data He"}, "finish error truncated @4"},
      {"cut after a header",
       S,
       hex("82 81 00000000"),
       {"hdr fin binary mask=00000000 len=1"},
       "finish error truncated @6"},
      // ---- Limits::ws_max_frame_bytes at limit and limit + 1 ----
      {"frame at limit (7-bit)",
       C,
       hex("82 05 0102030405"),
       {"hdr fin binary len=5", "data \\x01\\x02\\x03\\x04\\x05", "end"},
       "ok",
       5},
      {"frame over limit (7-bit)", C, hex("82 06 010203040506"), {}, "error limit_ws_frame_bytes @1", 5},
      {"frame at limit (16-bit)",
       C,
       hex("82 7e 00c8") + counting(200),
       {"hdr fin binary len=200", "data " + test::printable(as_bytes(counting(200))), "end"},
       "ok",
       200},
      {"frame over limit (16-bit), refused from the header",
       C,
       hex("82 7e 00c9"),
       {},
       "error limit_ws_frame_bytes @2",
       200},
      {"frame over limit (64-bit)", S, hex("82 ff 0000000100000000"), {}, "error limit_ws_frame_bytes @2"},
      {"control rule before frame limit", C, hex("89 7e"), {}, "error ws_control_too_long @1", 5},
  };
  return r;
}

TEST(FrameDecoder, Table) {
  for (const Row& row : rows()) {
    SCOPED_TRACE(row.name);
    Limits limits;
    limits.ws_max_frame_bytes = row.max_frame_bytes;
    const test::Transcript t =
        test::grind([&](const std::vector<ByteView>& chunks) { return run(row.role, limits, chunks); }, row.input);
    EXPECT_EQ(t.events, row.events);
    EXPECT_EQ(t.outcome, row.outcome);
  }
}

TEST(FrameDecoder, SixtyFourKibFrame) {
  // RFC 6455 5.7: "82 7F 0000000000010000" + 65536 bytes. grind() would map one guard page pair
  // per byte (above vm.max_map_count), so this row is cut at a sample of points instead.
  const std::string input = hex("82 7f 0000000000010000") + counting(65536);
  const Limits limits;
  const std::vector<std::string> events = {"hdr fin binary len=65536",
                                           "data " + test::printable(as_bytes(counting(65536))), "end"};
  std::vector<std::vector<std::size_t>> cuts = {{}, {1}, {2}, {9}, {10}, {11}, {4096}, {65545}, {10, 4106, 8202}};
  for (std::size_t i = 0; i < input.size(); i += 997) cuts.push_back({i});
  for (const auto& c : cuts) {
    const test::Transcript t = test::run_guarded(
        [&](const std::vector<ByteView>& chunks) { return run(Role::client, limits, chunks); }, input, c);
    EXPECT_EQ(t.events, events);
    EXPECT_EQ(t.outcome, "ok");
  }
}

TEST(FrameDecoder, StatusAndConsumed) {
  FrameDecoder dec(Role::client, Limits{});
  Recorder rec;
  const std::string in = hex("81 05 48656c6c6f 82 00");
  Fed r = dec.feed(as_bytes(std::string_view(in).substr(0, 1)), rec);
  EXPECT_EQ(r.status, Status::need_more);
  EXPECT_EQ(r.consumed, 1u);
  r = dec.feed(as_bytes(std::string_view(in).substr(1, 3)), rec);  // rest of header + "He"
  EXPECT_EQ(r.status, Status::need_more);
  EXPECT_EQ(r.consumed, 3u);
  r = dec.feed(as_bytes(std::string_view(in).substr(4)), rec);
  EXPECT_EQ(r.status, Status::ok);
  EXPECT_EQ(r.consumed, in.size() - 4);
  EXPECT_EQ(dec.offset(), in.size());
  EXPECT_EQ(dec.feed({}, rec).status, Status::ok);
  EXPECT_EQ(dec.finish(), Status::ok);
  EXPECT_FALSE(dec.error());
}

TEST(FrameDecoder, ErrorIsStickyUntilReset) {
  FrameDecoder dec(Role::server, Limits{});
  Recorder rec;
  const std::string bad = hex("81 05 48656c6c6f");
  Fed r = dec.feed(as_bytes(bad), rec);
  EXPECT_EQ(r.status, Status::error);
  EXPECT_EQ(r.consumed, 2u);  // up to and including byte 1, which revealed it
  EXPECT_EQ(dec.error(), (DecodeError{Errc::ws_unmasked_frame, 1}));
  r = dec.feed(as_bytes(hex("81 80 00000000")), rec);
  EXPECT_EQ(r.status, Status::error);
  EXPECT_EQ(r.consumed, 0u);
  EXPECT_EQ(dec.finish(), Status::error);
  EXPECT_TRUE(rec.events.empty());
  dec.reset();
  EXPECT_FALSE(dec.error());
  r = dec.feed(as_bytes(hex("81 80 00000000")), rec);
  EXPECT_EQ(r.status, Status::ok);
  EXPECT_EQ(dec.offset(), 6u);
  EXPECT_EQ(rec.events, (std::vector<std::string>{"hdr fin text mask=00000000 len=0", "end"}));
}

TEST(FrameDecoder, ClosedStateAndReset) {
  FrameDecoder dec(Role::client, Limits{});
  Recorder rec;
  EXPECT_EQ(dec.feed(as_bytes(hex("88 00")), rec).status, Status::ok);
  EXPECT_TRUE(dec.closed());
  EXPECT_EQ(dec.finish(), Status::ok);
  const Fed r = dec.feed(as_bytes(hex("00")), rec);
  EXPECT_EQ(r.status, Status::error);
  EXPECT_EQ(r.consumed, 1u);
  EXPECT_EQ(dec.error(), (DecodeError{Errc::ws_frame_after_close, 2}));
  dec.reset();
  EXPECT_FALSE(dec.closed());
}

TEST(FrameDecoder, UnmaskedPiecesPointIntoTheInputMaskedOnesAreBounded) {
  FrameDecoder dec(Role::client, Limits{});
  struct Where : FrameSink {
    const std::uint8_t* first = nullptr;
    Verdict on_frame_header(const FrameHeader&) noexcept override { return {}; }
    Verdict on_frame_payload(ByteView p) noexcept override {
      if (!first) first = p.data();
      return {};
    }
    Verdict on_frame_end() noexcept override { return {}; }
  } where;
  const std::string in = hex("82 03 010203");
  ASSERT_EQ(dec.feed(as_bytes(in), where).status, Status::ok);
  EXPECT_EQ(where.first, reinterpret_cast<const std::uint8_t*>(in.data()) + 2);

  FrameDecoder server(Role::server, Limits{});
  Recorder rec;
  const std::string big = hex("82 ff 0000000000030000 00000000") + std::string(0x30000, 'x');
  ASSERT_EQ(server.feed(as_bytes(big), rec).status, Status::ok);
  EXPECT_EQ(rec.largest_piece, 4096u);
  EXPECT_EQ(rec.events.size(), 3u);
}

// The unmask scratch is shared by the decoders of a thread: a decoder fed from inside another's
// payload callback must neither overwrite the piece the outer sink holds nor get wrong bytes.
TEST(FrameDecoder, ADecoderFedInsideAnothersCallbackLeavesItsPieceAlone) {
  const std::string key = "\x11\x22\x33\x44";
  const std::string outer_payload = counting(5000), inner_payload(1000, 'i');
  const std::string outer_frame = hex("82 fe 1388") + key + masked(outer_payload, key);
  const std::string inner_frame = hex("82 fe 03e8") + key + masked(inner_payload, key);
  struct Nesting : FrameSink {
    const std::string* inner_frame = nullptr;
    std::string got, inner_got;
    std::size_t inner_largest = 0;
    bool nested = false;
    Verdict on_frame_header(const FrameHeader&) noexcept override { return {}; }
    Verdict on_frame_payload(ByteView p) noexcept override {
      if (!nested) {  // in the middle of the first piece: another decoder, another frame
        nested = true;
        FrameDecoder inner(Role::server, Limits{});
        Recorder rec;
        EXPECT_EQ(inner.feed(as_bytes(*inner_frame), rec).status, Status::ok);
        inner_got = rec.events.size() == 3 ? rec.events[1].substr(5) : "";
        inner_largest = rec.largest_piece;
      }
      got += as_text(p);
      return {};
    }
    Verdict on_frame_end() noexcept override { return {}; }
  } sink;
  sink.inner_frame = &inner_frame;
  FrameDecoder outer(Role::server, Limits{});
  ASSERT_EQ(outer.feed(as_bytes(outer_frame), sink).status, Status::ok);
  EXPECT_EQ(sink.got, outer_payload);
  EXPECT_EQ(sink.inner_got, inner_payload);
  EXPECT_EQ(sink.inner_largest, 256u);  // the nested one used its own small buffer
}

// A sink that refuses one event, to check where the decoder places the sink's verdicts.
class Refuser : public FrameSink {
 public:
  enum class At { header, payload, end };
  Refuser(At at, std::uint64_t index) : at_(at), index_(index) {}
  Verdict on_frame_header(const FrameHeader&) noexcept override {
    seen_ = 0;
    return at_ == At::header ? Verdict{Errc::ws_expected_continuation, index_} : Verdict{};
  }
  Verdict on_frame_payload(ByteView p) noexcept override {
    const std::uint64_t from = seen_;
    seen_ += p.size();
    if (at_ == At::payload && index_ >= from && index_ < seen_) return {Errc::ws_bad_utf8, index_};
    return {};
  }
  Verdict on_frame_end() noexcept override { return at_ == At::end ? Verdict{Errc::ws_bad_utf8, 99} : Verdict{}; }

 private:
  At at_;
  std::uint64_t index_;
  std::uint64_t seen_ = 0;
};

TEST(FrameDecoder, SinkVerdictsArePlacedInTheFrame) {
  struct Case {
    Refuser::At at;
    std::uint64_t index;
    std::string outcome;
  };
  // Second frame (masked, 7 payload bytes) starts at offset 7; its payload at 7 + 6 = 13.
  const std::string input = hex("81 81 00000000 61 81 87 01020304") + masked("abcdefg", hex("01020304"));
  const Case cases[] = {
      {Refuser::At::header, 0, "error ws_expected_continuation @0"},
      {Refuser::At::header, 1, "error ws_expected_continuation @1"},
      {Refuser::At::payload, 0, "error ws_bad_utf8 @6"},
      {Refuser::At::payload, 5, "error ws_bad_utf8 @18"},
      {Refuser::At::end, 0, "error ws_bad_utf8 @7"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.outcome);
    const test::Transcript t = test::grind(
        [&](const std::vector<ByteView>& chunks) {
          FrameDecoder dec(Role::server, Limits{});
          Refuser sink(c.at, c.index);
          for (ByteView chunk : chunks) {
            if (dec.feed(chunk, sink).status == Status::error)
              return test::Transcript{{}, outcome_of(dec.error(), false)};
          }
          return test::Transcript{{}, dec.finish() == Status::ok ? "ok" : outcome_of(dec.error(), true)};
        },
        input);
    // index 5 is in the second frame only (the first has 1 payload byte)
    EXPECT_EQ(t.outcome, c.outcome);
  }
}

}  // namespace
}  // namespace sioconf::ws
