// Oracle: whatever a client sends (the input's bytes, cut into writes the input chooses) and however
// the simulator schedules it (seeded by the input: lane order, chunking, short writes, stalls,
// time), a server socket never crashes or trips a sanitizer, calls on_close exactly once and no
// handler or ack callback after it, settles each ack it asked for exactly once, and leaves nothing
// behind: no pending ack, no open transport, no byte in transit, no pending timer.
#include <string>

#include "fuzz_support.h"
#include "sioconf/io/sim.h"
#include "sioconf/io/stream.h"
#include "sioconf/session/server_socket.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sioconf;
  fuzz::Input in(data, size);
  io::SeededChoices choices(in.byte());
  io::SimOptions options;
  options.pipe_capacity = 64 + in.byte() * 64;
  options.max_chunk = 1 + in.byte() * 16;
  io::SimLoop loop(choices, options);
  Limits limits;
  limits.ndjson_max_line_bytes = 64 + in.byte() * 32;
  limits.stream_max_buffered_bytes = 1024 + in.byte() * 512;
  const std::uint8_t cut = in.byte();
  const ByteView sent = in.rest();

  int closes = 0, late = 0, acks = 0, asked = 0;
  {
    auto [client_end, server_end] = loop.pipe();
    io::Stream client(loop, std::move(client_end));
    session::ServerSocket socket(loop, std::move(server_end), limits);
    socket.on_close([&](Errc) { ++closes; });
    ack::Emitter& root = socket.of("/");
    socket.of("/admin");
    root.on("connect", [&](const ack::Event&) {
      late += closes;
      if (socket.emit(
              "/", "hello", "[1]", [&](Errc, std::string_view) { ++acks, late += closes; }, 1'000) == Errc::none)
        ++asked;
    });
    root.on("chat", [&](const ack::Event& e) {
      late += closes;
      (void)socket.emit("/", "chat", e.args_json);
    });
    root.on("sum", [&](const ack::Event& e) {
      late += closes;
      if (e.reply) (*e.reply)("[3]");
    });
    // The client writes the input in pieces, then ends; it reads and drops whatever comes back.
    for (ByteView piece : fuzz::chunks(sent, cut)) (void)client.write(piece);
    client.shutdown();
    std::function<void()> drain = [&] {
      (void)client.read([&](Errc e, ByteView bytes) {
        if (e == Errc::none && !bytes.empty()) drain();
      });
    };
    drain();
    socket.start();
    loop.run(200'000);
    if (!socket.ended()) socket.disconnect();
    loop.run(200'000);
    client.close();
    loop.run(200'000);
    loop.run_until(loop.now() + 10'000);  // past every ack timeout
    FUZZ_CHECK(socket.ended());
    FUZZ_CHECK(socket.pending_acks() == 0);
  }
  loop.run();
  FUZZ_CHECK(closes == 1);
  FUZZ_CHECK(late == 0);
  FUZZ_CHECK(acks == asked);  // each ack settled exactly once (reply, timeout or disconnect)
  FUZZ_CHECK(loop.open_transports() == 0);
  FUZZ_CHECK(loop.bytes_in_transit() == 0);
  FUZZ_CHECK(loop.pending_timers() == 0);
  return 0;
}
