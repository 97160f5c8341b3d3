// Oracle: a WebSocket byte stream, read by the server role or the client role (the input chooses),
// gives the same messages, control frames, close and error (name and offset) whatever its
// chunking (whole, byte by byte, or the pieces the input chooses); frames are refused from their
// header before any payload is held, so a message never exceeds Limits::ws_max_message_bytes.
#include <optional>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "sioconf/ws/message_assembler.h"

namespace {

using namespace sioconf;

struct Events : ws::MessageSink {
  std::vector<std::string> events;
  std::uint64_t max_message_bytes = 0;
  void on_message(ws::Opcode opcode, ByteView message) noexcept override {
    FUZZ_CHECK(message.size() <= max_message_bytes);
    events.push_back("message " + std::to_string(static_cast<int>(opcode)) + " " + fuzz::digest(message));
  }
  void on_control(ws::Opcode opcode, ByteView payload) noexcept override {
    events.push_back("control " + std::to_string(static_cast<int>(opcode)) + " " + fuzz::digest(payload));
  }
  void on_close(std::optional<std::uint16_t> code, std::string_view reason) noexcept override {
    events.push_back("close " + (code ? std::to_string(*code) : std::string("-")) + " " + std::string(reason));
  }
};

fuzz::Transcript run(ws::Role role, const Limits& limits, const std::vector<ByteView>& pieces) {
  ws::MessageAssembler dec(role, limits);
  Events sink;
  sink.max_message_bytes = limits.ws_max_message_bytes;
  for (ByteView piece : pieces)
    if (dec.feed(piece, sink).status == Status::error) break;
  if (!dec.error()) (void)dec.finish();
  fuzz::Transcript t;
  t.events = std::move(sink.events);
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
  const fuzz::Transcript whole = run(role, limits, {stream});
  FUZZ_CHECK(run(role, limits, fuzz::chunks(stream, how)) == whole);
  if (stream.size() <= 256)  // byte by byte for short inputs; the chunking byte can choose it for any
    FUZZ_CHECK(run(role, limits, fuzz::chunks(stream, 1)) == whole);
  return 0;
}
