// Oracle: a WebSocket byte stream, read by the server role or the client role (the input chooses),
// gives the same messages, control frames, close and error (name and offset) whatever its
// chunking (whole, byte by byte, or the pieces the input chooses); frames are refused from their
// header before any payload is held, so a message never exceeds Limits::ws_max_message_bytes; and
// what was read, written again by the peer's encoder (frames of at most the frame limit, masked
// when the peer is a client), reads back the same (decode -> encode -> decode is a fixed point)
// and writes the same bytes again (encode(decode(x)) == x for the canonical x).
#include <algorithm>
#include <optional>
#include <vector>

#include "fuzz_support.h"
#include "sioconf/ws/frame_encoder.h"
#include "sioconf/ws/message_assembler.h"

namespace {

using namespace sioconf;

struct Events : ws::MessageSink {
  fuzz::Transcript t;
  std::uint64_t max_message_bytes = 0, max_frame_bytes = 0;
  std::vector<std::uint8_t>* rewrite = nullptr;  // the peer's encoding of every event, when set
  ws::Role peer = ws::Role::client;
  void on_message(ws::Opcode opcode, ByteView message) noexcept override {
    FUZZ_CHECK(message.size() <= max_message_bytes);
    t.event(1);
    t.add(static_cast<std::uint64_t>(opcode));
    t.add(message);
    if (rewrite == nullptr) return;
    // Frames of at most max_frame_bytes: never more of them than the original message had.
    std::size_t at = 0;
    do {
      const std::size_t n = std::min<std::size_t>(message.size() - at, max_frame_bytes);
      const ws::Opcode op = at == 0 ? opcode : ws::Opcode::continuation;
      FUZZ_CHECK(ws::encode_frame(*rewrite, peer, op, message.subspan(at, n), at + n == message.size(), kMask) ==
                 Errc::none);
      at += n;
    } while (at < message.size());
  }
  void on_control(ws::Opcode opcode, ByteView payload) noexcept override {
    t.event(2);
    t.add(static_cast<std::uint64_t>(opcode));
    t.add(payload);
    if (rewrite) FUZZ_CHECK(ws::encode_frame(*rewrite, peer, opcode, payload, true, kMask) == Errc::none);
  }
  void on_close(std::optional<std::uint16_t> code, std::string_view reason) noexcept override {
    t.event(3);
    t.add(code ? *code : 0x10000);
    t.add(as_bytes(reason));
    if (rewrite) FUZZ_CHECK(ws::encode_close(*rewrite, peer, code, reason, kMask) == Errc::none);
  }
  static constexpr ws::MaskKey kMask{0x37, 0xfa, 0x21, 0x3d};
};

fuzz::Transcript run(ws::Role role, const Limits& limits, ByteView stream, std::uint8_t how,
                     std::vector<std::uint8_t>* rewrite = nullptr) {
  ws::MessageAssembler dec(role, limits);
  Events sink;
  sink.max_message_bytes = limits.ws_max_message_bytes;
  sink.max_frame_bytes = limits.ws_max_frame_bytes;
  sink.rewrite = rewrite;
  sink.peer = role == ws::Role::server ? ws::Role::client : ws::Role::server;
  fuzz::each_chunk(stream, how, [&](ByteView piece) { return dec.feed(piece, sink).status != Status::error; });
  if (!dec.error()) (void)dec.finish();
  fuzz::Transcript t = std::move(sink.t);
  t.error = dec.error();
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t flags = in.byte();
  const std::uint8_t how = in.byte();
  const ws::Role role = (flags & 1) != 0 ? ws::Role::client : ws::Role::server;
  Limits limits;
  limits.ws_max_frame_bytes = 16 + in.byte() * 64;
  limits.ws_max_message_bytes = 16 + in.byte() * 128;
  limits.ws_max_fragments = 1 + in.byte() % 32;
  const ByteView stream = in.rest();
  // Half the inputs (the flags byte chooses) also check the round trip: both oracles stay within
  // reach of every input while the target keeps its speed.
  const bool round_trip = (flags & 2) != 0;
  std::vector<std::uint8_t> rewritten;
  if (round_trip) rewritten.reserve(stream.size() + 64);
  const fuzz::Transcript whole = run(role, limits, stream, 0, round_trip ? &rewritten : nullptr);
  FUZZ_CHECK(run(role, limits, stream, how) == whole);  // how = 1: byte by byte
  if (round_trip) {
    std::vector<std::uint8_t> canonical;
    canonical.reserve(rewritten.size());
    const fuzz::Transcript again = run(role, limits, ByteView(rewritten.data(), rewritten.size()), 0, &canonical);
    FUZZ_CHECK(again.hash == whole.hash && again.events == whole.events);
    // The peer's encoding is canonical: written again from what it decodes to, it is the same bytes.
    FUZZ_CHECK(canonical == rewritten);
  }
  return 0;
}
