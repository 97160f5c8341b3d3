// Oracle: an Engine.IO long-polling body decodes to the same packets and the same error (name and
// offset) whatever its chunking (whole, byte by byte, or the pieces the input's first byte
// chooses); and a body that decodes cleanly, written again with encode_payload and decoded, gives
// the same packets (decode -> encode -> decode is a fixed point).
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "sioconf/eio/packet_encoder.h"
#include "sioconf/eio/payload_decoder.h"

namespace {

using namespace sioconf;

struct Owned {
  eio::PacketType type;
  MessageKind kind;
  std::vector<std::uint8_t> data;
};

struct Packets : eio::PacketSink {
  std::vector<Owned> packets;
  void on_packet(const eio::Packet& p) noexcept override {
    packets.push_back({p.type, p.data_kind, std::vector<std::uint8_t>(p.data.begin(), p.data.end())});
  }
};

fuzz::Transcript transcript(const Packets& sink, const eio::PayloadDecoder& dec) {
  fuzz::Transcript t;
  for (const Owned& p : sink.packets) {
    t.event(static_cast<std::uint64_t>(p.type) * 2 + (p.kind == MessageKind::binary ? 1 : 0));
    t.add(ByteView(p.data.data(), p.data.size()));
  }
  t.error = dec.error();
  return t;
}

fuzz::Transcript run(const Limits& limits, ByteView body, std::uint8_t how, Packets& sink) {
  eio::PayloadDecoder dec(limits);
  fuzz::each_chunk(body, how, [&](ByteView piece) { return dec.feed(piece, sink).status != Status::error; });
  if (!dec.error()) (void)dec.finish(sink);
  return transcript(sink, dec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t how = in.byte();
  Limits limits;
  limits.eio_max_packet_bytes = 32 + in.byte() * 8;
  limits.eio_max_payload_packets = 1 + in.byte() % 64;
  const ByteView body = in.rest();
  Packets whole_sink;
  const fuzz::Transcript whole = run(limits, body, 0, whole_sink);
  Packets a;  // the chunking byte reaches every split, byte by byte included
  FUZZ_CHECK(run(limits, body, how, a) == whole);
  if (whole.error) return 0;
  std::vector<eio::Packet> packets;
  for (const Owned& p : whole_sink.packets) packets.push_back({p.type, p.kind, ByteView(p.data.data(), p.data.size())});
  std::string again;
  FUZZ_CHECK(eio::encode_payload(packets, again) == Errc::none);
  Packets back;
  const fuzz::Transcript round = run(limits, as_bytes(again), 0, back);
  FUZZ_CHECK(round.hash == whole.hash && round.events == whole.events);
  return 0;
}
