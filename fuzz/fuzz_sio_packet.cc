// Oracle: a Socket.IO text message and the binary messages after it (the input chooses how many)
// decode without crashing, within the limits, to packets or a named error; a binary packet carries
// exactly the attachments its header counted; and every text packet, encoded again from what was
// decoded (type, namespace, ack id, payload), is accepted by the encoder and decodes to the same
// packet (decode -> encode -> decode is a fixed point), and that encoding is canonical
// (encode(decode(x)) == x for the x the encoder wrote).
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "sioconf/sio/packet_decoder.h"
#include "sioconf/sio/packet_encoder.h"

namespace {

using namespace sioconf;

struct Decoded {
  sio::PacketType type;
  std::string nsp, payload;
  std::optional<std::uint64_t> id;
  std::size_t attachments;
  bool operator==(const Decoded&) const = default;
};

struct Packets : sio::PacketSink {
  std::vector<Decoded> packets;
  void on_packet(const sio::Packet& p) noexcept override {
    packets.push_back({p.type, std::string(p.nsp), std::string(p.payload), p.id, p.attachments.size()});
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  const std::uint8_t shape = in.byte();
  Limits limits;
  limits.max_attachments = 1 + in.byte() % 12;
  limits.max_depth = in.byte() % 40;
  // The messages: text, then up to 3 binary ones, separated by 0x00 in the input.
  std::vector<Message> messages;
  const ByteView rest = in.rest();
  std::size_t start = 0;
  const std::size_t binaries = shape % 4;
  for (std::size_t i = 0; i <= rest.size(); ++i) {
    if (i == rest.size() || (rest[i] == 0 && messages.size() < binaries)) {
      const MessageKind kind = messages.empty() ? MessageKind::text : MessageKind::binary;
      messages.push_back({kind, rest.subspan(start, i - start)});
      start = i + 1;
    }
  }
  sio::PacketDecoder dec(limits);
  Packets sink;
  for (const Message& m : messages)
    if (dec.feed(m, sink) == Status::error) break;
  if (!dec.error()) (void)dec.finish();
  for (const Decoded& p : sink.packets) {
    if (sio::is_binary(p.type)) {
      FUZZ_CHECK(p.attachments >= 1 && p.attachments <= limits.max_attachments);
      continue;
    }
    FUZZ_CHECK(p.attachments == 0);
    JsonWriter w;
    if (!p.payload.empty()) w.raw_json(p.payload);
    const sio::EncodedPacket e = sio::encode(p.type, p.nsp, p.id, w, limits);
    FUZZ_CHECK(e.error == Errc::none);
    sio::PacketDecoder again(limits);
    Packets back;
    FUZZ_CHECK(again.feed(Message{MessageKind::text, as_bytes(e.text)}, back) == Status::ok);
    FUZZ_CHECK(back.packets.size() == 1 && back.packets[0] == p);
    // The encoder's text is canonical: encoding what it decodes to gives it back byte for byte.
    JsonWriter w2;
    if (!back.packets[0].payload.empty()) w2.raw_json(back.packets[0].payload);
    FUZZ_CHECK(sio::encode(p.type, p.nsp, p.id, w2, limits).text == e.text);
  }
  return 0;
}
