// Oracle: one Engine.IO message (text or binary, the input chooses) decodes to one packet or a
// named error; a packet that decodes, encoded again with encode_packet and decoded, is the same
// packet (decode -> encode -> decode is a fixed point), and for text the encoding is the input
// itself (Engine.IO text packets have one written form).
#include <vector>

#include "fuzz_support.h"
#include "sioconf/eio/packet_decoder.h"
#include "sioconf/eio/packet_encoder.h"

namespace {

using namespace sioconf;

struct One : eio::PacketSink {
  int count = 0;
  eio::PacketType type{};
  MessageKind kind{};
  std::vector<std::uint8_t> data;
  void on_packet(const eio::Packet& p) noexcept override {
    ++count;
    type = p.type;
    kind = p.data_kind;
    data.assign(p.data.begin(), p.data.end());
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const MessageKind kind = (in.byte() & 1) != 0 ? MessageKind::binary : MessageKind::text;
  Limits limits;
  limits.eio_max_packet_bytes = 16 + in.byte() * 16;
  const ByteView bytes = in.rest();
  eio::PacketDecoder dec(limits);
  One first;
  if (dec.feed(Message{kind, bytes}, first) == Status::error) {
    FUZZ_CHECK(first.count == 0);
    return 0;
  }
  FUZZ_CHECK(first.count == 1);
  std::vector<std::uint8_t> wire;
  FUZZ_CHECK(eio::encode_packet({first.type, first.kind, ByteView(first.data.data(), first.data.size())}, wire) ==
             Errc::none);
  if (kind == MessageKind::text) FUZZ_CHECK(wire == std::vector<std::uint8_t>(bytes.begin(), bytes.end()));
  eio::PacketDecoder again(limits);
  One second;
  FUZZ_CHECK(again.feed(Message{first.kind, ByteView(wire.data(), wire.size())}, second) == Status::ok);
  FUZZ_CHECK(second.count == 1 && second.type == first.type && second.kind == first.kind && second.data == first.data);
  return 0;
}
