// Oracle: a WebSocket byte stream, read by the server role or the client role (the input chooses),
// gives the same messages, control frames, close and error (name and offset) whatever its
// chunking (whole, byte by byte, or the pieces the input chooses); frames are refused from their
// header before any payload is held, so a message never exceeds Limits::ws_max_message_bytes.
#include <optional>
#include <vector>

#include "fuzz_support.h"
#include "sioconf/ws/message_assembler.h"

namespace {

using namespace sioconf;

struct Events : ws::MessageSink {
  fuzz::Transcript t;
  std::uint64_t max_message_bytes = 0;
  void on_message(ws::Opcode opcode, ByteView message) noexcept override {
    FUZZ_CHECK(message.size() <= max_message_bytes);
    t.event(1);
    t.add(static_cast<std::uint64_t>(opcode));
    t.add(message);
  }
  void on_control(ws::Opcode opcode, ByteView payload) noexcept override {
    t.event(2);
    t.add(static_cast<std::uint64_t>(opcode));
    t.add(payload);
  }
  void on_close(std::optional<std::uint16_t> code, std::string_view reason) noexcept override {
    t.event(3);
    t.add(code ? *code : 0x10000);
    t.add(as_bytes(reason));
  }
};

fuzz::Transcript run(ws::Role role, const Limits& limits, ByteView stream, std::uint8_t how) {
  ws::MessageAssembler dec(role, limits);
  Events sink;
  sink.max_message_bytes = limits.ws_max_message_bytes;
  fuzz::each_chunk(stream, how, [&](ByteView piece) { return dec.feed(piece, sink).status != Status::error; });
  if (!dec.error()) (void)dec.finish();
  fuzz::Transcript t = std::move(sink.t);
  t.outcome = dec.error() ? fuzz::outcome("error", dec.error().code, dec.error().offset) : "ok";
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
  const fuzz::Transcript whole = run(role, limits, stream, 0);
  FUZZ_CHECK(run(role, limits, stream, how) == whole);  // how = 1: byte by byte
  return 0;
}
