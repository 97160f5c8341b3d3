// Split invariance: a decoder gives the same items, in the same order, and ends with the
// same error (or none) whatever the cut of its input into pieces. For a generated sequence of
// valid items, encoded with the project's encoders, delivering the bytes in generated pieces (any
// list of piece sizes, cycled: [1] is byte by byte, 0 an empty feed) must match delivering them at
// once. Now and then the stream loses a generated tail, so that "the same error" is tested too
// (truncated, or whatever a cut-short last item is).
//
//   WebSocket      ws::MessageAssembler, both roles: messages in fragments with pings/pongs between
//                  them, long payloads (16/64-bit lengths, several 4 KiB unmasking pieces), close.
//   Engine.IO      the polling body decoder (the one eio decoder that reads a byte stream).
//   Socket.IO      packets with binary attachments, which arrive as separate messages: carried
//                  over WebSocket (each message fragmented, pings between frames) or over polling
//                  (bodies ending between any two records), with Engine.IO pings/pongs/noops
//                  between the messages. The packets must be those the sio decoder gives when fed
//                  the messages directly.
//   NDJSON         lines of JSON values with blanks and \u escapes, LF or CRLF.
//
// Twins: the fuzzers' planted split bugs — ndjson_split (a line cut by a piece boundary loses a
// byte), ws_split (a header cut by a piece boundary loses its masking key), eio_payload_split (a
// record cut by a piece boundary loses a byte).
#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "codec_gen.h"
#include "codec_gen_eio.h"
#include "codec_gen_ndjson.h"
#include "codec_gen_sio.h"
#include "codec_gen_ws.h"
#include "prop.h"
#include "sioconf/eio/packet_decoder.h"
#include "sioconf/eio/packet_encoder.h"
#include "sioconf/eio/payload_decoder.h"
#include "sioconf/ndjson/line_decoder.h"
#include "sioconf/sio/packet_decoder.h"
#include "sioconf/ws/message_assembler.h"

namespace sioconf::prop::codec {
namespace {

// Every property draws its delivery (lost tail, pieces) before its items: RapidCheck shrinks the
// draws in that order and does not go back, and a counterexample is easiest to read once the
// delivery is at its simplest (no lost tail, byte by byte) and the items are shrunk under it.

/// How many bytes the stream loses at its end: none most often.
rc::Gen<std::size_t> lost_tail() {
  return memo([] {
    return one_of<std::size_t>({{3, rc::gen::just<std::size_t>(0)}, {1, rc::gen::inRange<std::size_t>(1, 24)}});
  });
}

ByteView without_tail(const Bytes& wire, std::size_t lost) {
  return ByteView(wire.data(), wire.size() - std::min(lost, wire.size()));
}

void tag_chunking(const Chunking& c) {
  if (c.sizes.empty()) RC_TAG("whole");
  else if (c.sizes == std::vector<std::size_t>{1}) RC_TAG("byte by byte");
  else RC_TAG("pieces");
}

// ---- WebSocket -------------------------------------------------------------------------------

struct WsOutcome {
  std::vector<WsEvent> events;
  DecodeError error;
  Status end = Status::ok;
};

WsOutcome decode_ws(ws::Role role, ByteView wire, const Chunking& chunks) {
  ws::MessageAssembler in(role, Limits{});
  WsRecorder rec;
  for (const ByteView piece : cut(wire, chunks)) (void)in.feed(piece, rec);
  const Status end = in.finish();
  return {std::move(rec.events), in.error(), end};
}

void check_ws_split(ws::Role role, const WsStream& stream, std::size_t lost, const Chunking& chunks) {
  prop::Case c(stream.items.size() + (stream.close ? 1 : 0));
  Bytes wire;
  const std::vector<WsEvent> expected = encode_ws(stream, sender_for(role), wire);
  const ByteView sent = without_tail(wire, lost);
  const WsOutcome whole = decode_ws(role, sent, Chunking{});
  const WsOutcome pieces = decode_ws(role, sent, chunks);
  RC_ASSERT(pieces.events == whole.events);
  RC_ASSERT(pieces.error == whole.error);
  RC_ASSERT(pieces.end == whole.end);
  if (lost == 0) {  // the generated stream is valid: nothing refused, everything delivered
    RC_ASSERT(whole.error == DecodeError{});
    RC_ASSERT(whole.events == expected);
  }
  tag_chunking(chunks);
}

RC_GTEST_PROP(CodecSplit, WebSocketServerRole, ()) {
  const auto lost = *lost_tail();
  const auto chunks = *chunking();
  const auto stream = *ws_stream();
  check_ws_split(ws::Role::server, stream, lost, chunks);
}

RC_GTEST_PROP(CodecSplit, WebSocketClientRole, ()) {
  const auto lost = *lost_tail();
  const auto chunks = *chunking();
  const auto stream = *ws_stream();
  check_ws_split(ws::Role::client, stream, lost, chunks);
}

// ---- Engine.IO polling body ------------------------------------------------------------------

struct EioOutcome {
  std::vector<EioPacket> packets;
  DecodeError error;
  Status end = Status::ok;
};

/// The packets of one polling body: an optional open packet first (a server's first GET answer),
/// then any packets.
rc::Gen<std::vector<EioPacket>> polling_body() {
  return memo([] {
    return rc::gen::map(rc::gen::pair(optional_of(open_handshake()), eio_packets(6, true)),
                        [](std::pair<std::optional<eio::OpenHandshake>, std::vector<EioPacket>> p) {
                          if (p.first) p.second.insert(p.second.begin(), open_packet(*p.first));
                          return std::move(p.second);
                        });
  });
}

Bytes encode_body(const std::vector<EioPacket>& packets) {
  std::vector<eio::Packet> views;
  for (const EioPacket& p : packets) views.push_back(as_packet(p));
  std::string body;
  RC_ASSERT(eio::encode_payload(views, body) == Errc::none);
  return to_bytes(body);
}

void check_eio_split(const std::vector<EioPacket>& packets, std::size_t lost, const Chunking& chunks) {
  prop::Case c(packets.size());
  const Bytes body = encode_body(packets);
  const ByteView sent = without_tail(body, lost);
  EioOutcome whole, pieces;
  {  // at once: decode_whole, which copies no record (feed + finish is what the pieces take)
    eio::PayloadDecoder dec{Limits{}};
    EioRecorder rec;
    whole.end = dec.decode_whole(sent, rec);
    whole.packets = std::move(rec.packets);
    whole.error = dec.error();
  }
  {
    eio::PayloadDecoder dec{Limits{}};
    EioRecorder rec;
    for (const ByteView piece : cut(sent, chunks)) (void)dec.feed(piece, rec);
    pieces.end = dec.finish(rec);
    pieces.packets = std::move(rec.packets);
    pieces.error = dec.error();
  }
  RC_ASSERT(pieces.packets == whole.packets);
  RC_ASSERT(pieces.error == whole.error);
  RC_ASSERT(pieces.end == whole.end);
  if (lost == 0) {
    RC_ASSERT(whole.error == DecodeError{});
    RC_ASSERT(whole.packets == packets);
  }
  tag_chunking(chunks);
}

RC_GTEST_PROP(CodecSplit, EngineIoPollingBody, ()) {
  const auto lost = *lost_tail();
  const auto chunks = *chunking();
  const auto packets = *polling_body();
  check_eio_split(packets, lost, chunks);
}

// ---- Socket.IO over a transport --------------------------------------------------------------

/// Socket.IO packets and how the transport carries their messages. `noise[i]`, if set, is an
/// Engine.IO ping/pong/noop sent after message i (between a binary packet's text and its
/// attachments too: Engine.IO may send them at any time).
struct SioTraffic {
  std::vector<SioPacket> packets;
  std::vector<std::optional<EioPacket>> noise;
};

void showValue(const SioTraffic& t, std::ostream& os) {
  os << "packets:";
  for (const SioPacket& p : t.packets) {
    os << ' ';
    showValue(p, os);
  }
  os << "; engine.io packets between messages:";
  for (std::size_t i = 0; i < t.noise.size(); ++i)
    if (t.noise[i]) os << " after " << i << ' ' << eio::name(t.noise[i]->type);
}

rc::Gen<EioPacket> eio_noise() {
  return memo([] {
    using T = eio::PacketType;
    return rc::gen::map(rc::gen::pair(pick(T::ping, T::pong, T::noop), chance(1, 2)), [](std::pair<T, bool> p) {
      const bool probe = p.second && p.first != T::noop;
      return EioPacket{p.first, MessageKind::text, probe ? to_bytes("probe") : Bytes{}};
    });
  });
}

rc::Gen<SioTraffic> sio_traffic() {
  return memo([] {
    return rc::gen::build<SioTraffic>(
        rc::gen::set(&SioTraffic::packets, sio_packets(4)),
        rc::gen::set(&SioTraffic::noise,
                     vector_of(8, one_of<std::optional<EioPacket>>({{3, rc::gen::just(std::optional<EioPacket>())},
                                                                    {1, rc::gen::map(eio_noise(), [](EioPacket p) {
                                                                       return std::optional(p);
                                                                     })}}))));
  });
}

/// The Socket.IO messages of `traffic`, and the Engine.IO packets that carry them, noise included.
void sio_messages(const SioTraffic& traffic, std::vector<SioMessage>& messages, std::vector<EioPacket>& eio_packets) {
  for (const SioPacket& p : traffic.packets) {
    const sio::EncodedPacket e = encode_sio(p);
    RC_ASSERT(e.error == Errc::none);
    append_messages(e, messages);
  }
  for (std::size_t i = 0; i < messages.size(); ++i) {
    eio_packets.push_back({eio::PacketType::message, messages[i].kind, messages[i].bytes});
    if (i < traffic.noise.size() && traffic.noise[i]) eio_packets.push_back(*traffic.noise[i]);
  }
}

struct SioOutcome {
  std::vector<SioRecord> packets;
  DecodeError error;
  Status end = Status::ok;
  friend bool operator==(const SioOutcome&, const SioOutcome&) = default;
};

void showValue(const SioOutcome& o, std::ostream& os) {
  os << '[';
  for (const SioRecord& r : o.packets) showValue(r, os);
  os << "] ";
  showValue(o.error, os);
}

/// The reference: the sio decoder fed the messages themselves.
SioOutcome sio_direct(const std::vector<SioMessage>& messages) {
  sio::PacketDecoder dec;
  SioRecorder rec;
  for (const SioMessage& m : messages) (void)dec.feed(Message{m.kind, view(m.bytes)}, rec);
  const Status end = dec.finish();
  return {std::move(rec.packets), dec.error(), end};
}

/// Engine.IO packets in, Socket.IO packets out: "message" packets go to the sio decoder, the rest
/// (pings, pongs, noops) are Engine.IO's own.
struct EioToSio : eio::PacketSink {
  sio::PacketDecoder sio;
  SioRecorder packets;
  std::size_t others = 0;
  void on_packet(const eio::Packet& p) noexcept override {
    if (p.type == eio::PacketType::message) (void)sio.feed(Message{p.data_kind, p.data}, packets);
    else ++others;
  }
};

/// WebSocket messages in, Engine.IO packets out (one packet per message).
struct WsToEio : ws::MessageSink {
  explicit WsToEio(eio::PacketSink& next) : next_(next) {}
  eio::PacketDecoder eio{Limits{}};
  void on_message(ws::Opcode opcode, ByteView message) noexcept override {
    (void)eio.feed(Message{opcode == ws::Opcode::binary ? MessageKind::binary : MessageKind::text, message}, next_);
  }
  void on_control(ws::Opcode, ByteView) noexcept override {}
  void on_close(std::optional<std::uint16_t>, std::string_view) noexcept override {}

 private:
  eio::PacketSink& next_;
};

/// How the WebSocket transport frames each message: cut by `fragments` (cycled, as Chunking cuts a
/// stream) into frames, with a ping between two frames where `pings` (cycled) says so.
struct WsFraming {
  Chunking fragments;
  std::vector<bool> pings;
  std::vector<ws::MaskKey> keys;
};

void showValue(const WsFraming& f, std::ostream& os) {
  os << "frames of ";
  showValue(f.fragments, os);
  os << ", pings";
  for (const bool p : f.pings) os << ' ' << p;
}

rc::Gen<WsFraming> ws_framing() {
  return memo([] {
    return rc::gen::build<WsFraming>(rc::gen::set(&WsFraming::fragments, chunking()),
                                     rc::gen::set(&WsFraming::pings, vector_of(3, rc::gen::arbitrary<bool>())),
                                     rc::gen::set(&WsFraming::keys, mask_keys(2)));
  });
}

void check_sio_over_ws(const SioTraffic& traffic, const WsFraming& framing, const Chunking& chunks) {
  prop::Case c(traffic.packets.size());
  std::vector<SioMessage> messages;
  std::vector<EioPacket> eio_packets;
  sio_messages(traffic, messages, eio_packets);
  // The client's WebSocket stream.
  Bytes wire;
  std::size_t frame = 0;
  const auto key = [&] { return framing.keys[frame++ % framing.keys.size()]; };
  for (const EioPacket& p : eio_packets) {
    std::vector<std::uint8_t> message;
    RC_ASSERT(eio::encode_packet(as_packet(p), message) == Errc::none);
    const ws::Opcode opcode = p.kind == MessageKind::binary ? ws::Opcode::binary : ws::Opcode::text;
    std::vector<ByteView> frames = cut(ByteView(message), framing.fragments);
    if (frames.empty()) frames.emplace_back();
    for (std::size_t i = 0; i < frames.size(); ++i) {
      const bool last = i + 1 == frames.size();
      RC_ASSERT(ws::encode_frame(wire, ws::Role::client, i == 0 ? opcode : ws::Opcode::continuation, frames[i], last,
                                 key()) == Errc::none);
      if (!last && !framing.pings.empty() && framing.pings[i % framing.pings.size()])
        RC_ASSERT(ws::encode_frame(wire, ws::Role::client, ws::Opcode::ping, as_bytes("hb"), true, key()) ==
                  Errc::none);
    }
  }
  EioToSio sio_side;
  WsToEio eio_side(sio_side);
  ws::MessageAssembler in(ws::Role::server, Limits{});
  for (const ByteView piece : cut(view(wire), chunks)) (void)in.feed(piece, eio_side);
  RC_ASSERT(in.finish() == Status::ok);
  RC_ASSERT(eio_side.eio.error() == DecodeError{});
  RC_ASSERT(sio_side.others == eio_packets.size() - messages.size());
  const SioOutcome carried{std::move(sio_side.packets.packets), sio_side.sio.error(), sio_side.sio.finish()};
  const SioOutcome direct = sio_direct(messages);
  RC_ASSERT(direct.error == DecodeError{});
  RC_ASSERT(carried == direct);
  tag_chunking(chunks);
}

RC_GTEST_PROP(CodecSplit, SocketIoOverWebSocket, ()) {
  const auto chunks = *chunking();
  const auto framing = *ws_framing();
  const auto traffic = *sio_traffic();
  check_sio_over_ws(traffic, framing, chunks);
}

/// The polling transport: the Engine.IO packets go out in bodies of bodies[0], bodies[1], ...
/// packets (cycled; 0 counts as 1), each body cut by `chunks`.
void check_sio_over_polling(const SioTraffic& traffic, const std::vector<std::size_t>& bodies, const Chunking& chunks) {
  prop::Case c(traffic.packets.size());
  std::vector<SioMessage> messages;
  std::vector<EioPacket> eio_packets;
  sio_messages(traffic, messages, eio_packets);
  EioToSio sio_side;
  eio::PayloadDecoder in{Limits{}};
  std::size_t body_count = 0;
  for (std::size_t at = 0; at < eio_packets.size(); ++body_count) {
    const std::size_t wanted =
        bodies.empty() ? eio_packets.size() : std::max<std::size_t>(1, bodies[body_count % bodies.size()]);
    const std::size_t n = std::min(wanted, eio_packets.size() - at);
    const Bytes body = encode_body(std::vector<EioPacket>(eio_packets.begin() + static_cast<std::ptrdiff_t>(at),
                                                          eio_packets.begin() + static_cast<std::ptrdiff_t>(at + n)));
    for (const ByteView piece : cut(view(body), chunks)) (void)in.feed(piece, sio_side);
    RC_ASSERT(in.finish(sio_side) == Status::ok);
    at += n;
  }
  RC_ASSERT(sio_side.others == eio_packets.size() - messages.size());
  const SioOutcome carried{std::move(sio_side.packets.packets), sio_side.sio.error(), sio_side.sio.finish()};
  const SioOutcome direct = sio_direct(messages);
  RC_ASSERT(direct.error == DecodeError{});
  RC_ASSERT(carried == direct);
  RC_TAG(body_count == 1 ? "one body" : "several bodies");
}

RC_GTEST_PROP(CodecSplit, SocketIoOverPolling, ()) {
  const auto chunks = *chunking();
  const auto bodies = *vector_of(4, rc::gen::inRange<std::size_t>(0, 4));
  const auto traffic = *sio_traffic();
  check_sio_over_polling(traffic, bodies, chunks);
}

// ---- NDJSON ----------------------------------------------------------------------------------

struct NdjsonOutcome {
  std::vector<std::string> lines;
  DecodeError error;
  Status end = Status::ok;
};

NdjsonOutcome decode_ndjson(ByteView stream, const Chunking& chunks) {
  ndjson::LineDecoder dec;
  LineRecorder rec;
  for (const ByteView piece : cut(stream, chunks)) (void)dec.feed(piece, rec);
  const Status end = dec.finish(rec);
  return {std::move(rec.lines), dec.error(), end};
}

void check_ndjson_split(const std::vector<NdjsonLine>& lines, std::size_t lost, const Chunking& chunks) {
  prop::Case c(lines.size());
  std::string stream;
  std::vector<std::string> texts;
  for (const NdjsonLine& line : lines) texts.push_back(append_ndjson_line(line, stream));
  const Bytes bytes = to_bytes(stream);
  const ByteView sent = without_tail(bytes, lost);
  const NdjsonOutcome whole = decode_ndjson(sent, Chunking{});
  const NdjsonOutcome pieces = decode_ndjson(sent, chunks);
  RC_ASSERT(pieces.lines == whole.lines);
  RC_ASSERT(pieces.error == whole.error);
  RC_ASSERT(pieces.end == whole.end);
  if (lost == 0) {
    RC_ASSERT(whole.error == DecodeError{});
    RC_ASSERT(whole.lines == texts);
  }
  tag_chunking(chunks);
}

RC_GTEST_PROP(CodecSplit, NdjsonLines, ()) {
  const auto lost = *lost_tail();
  const auto chunks = *chunking();
  const auto lines = *vector_of(5, ndjson_line());
  check_ndjson_split(lines, lost, chunks);
}

// ---- the planted twins -----------------------------------------------------------------------

// A line cut by a piece boundary loses a byte. Observed at 1000 cases, seeds 1-50 and 1000-1300:
// always one line (e.g. "null" fed byte by byte), found after 1 to 12 passing cases (median 2).
PLANTED_TWIN(ndjson_split) {
  prop::expect_counterexample(
      [] {
        const auto lost = *lost_tail();
        const auto chunks = *chunking();
        const auto lines = *vector_of(5, ndjson_line());
        check_ndjson_split(lines, lost, chunks);
      },
      1);
}

// A frame header cut by a piece boundary loses its masking key, so a server (which receives
// masked frames) reads the payload still masked. Observed at 1000 cases, seeds 1-50 and
// 1000-1300: always one item (e.g. a close 1000 masked with 1.0.0.0, byte by byte), found after 1
// to 28 passing cases (median 10).
PLANTED_TWIN(ws_split) {
  prop::expect_counterexample(
      [] {
        const auto lost = *lost_tail();
        const auto chunks = *chunking();
        const auto stream = *ws_stream();
        check_ws_split(ws::Role::server, stream, lost, chunks);
      },
      1);
}

// A record cut by a piece boundary loses a byte (the body's last record, which feed() always
// copies, too). Observed at 1000 cases, seeds 1-50 and 1000-1300: always one packet (e.g. a noop,
// whole), found after 0 to 3 passing cases.
PLANTED_TWIN(eio_payload_split) {
  prop::expect_counterexample(
      [] {
        const auto lost = *lost_tail();
        const auto chunks = *chunking();
        const auto packets = *polling_body();
        check_eio_split(packets, lost, chunks);
      },
      1);
}

}  // namespace
}  // namespace sioconf::prop::codec
