// Round trip: decode(encode(p)) == p for every generated item at each layer — WebSocket
// frames (header fields, masking keys, the 7/16/64-bit length forms, control frames, close codes
// and reasons) and messages (fragments, pings/pongs between them, close), Engine.IO packets of
// every type as WebSocket messages (binary ones included) and as polling bodies, Socket.IO packets
// of every type with namespaces, ack ids and binary attachments anywhere in the payload, NDJSON
// lines. A Socket.IO payload comes back as JSON text with placeholders: it is parsed with
// nlohmann::json (a parser that is not the project's) and the placeholders are replaced by the
// attachments they name, which must give back the generated value.
//
// Twins: sio_ack_id (the Socket.IO encoder drops the ack id of a packet outside "/") and
// eio_probe (the Engine.IO encoder drops a ping's "probe").
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
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
#include "sioconf/ws/frame_decoder.h"
#include "sioconf/ws/message_assembler.h"

namespace sioconf::prop::codec {
namespace {

// ---- WebSocket frames ------------------------------------------------------------------------

/// One frame as the frame layer sees it (no message rules: any opcode may follow any other).
/// Control frames are final with at most 125 bytes; text frames hold UTF-8.
struct FrameSpec {
  ws::Opcode opcode = ws::Opcode::binary;
  bool fin = true;
  WsPayload payload;
};

void showValue(const FrameSpec& f, std::ostream& os) {
  os << '{' << ws::name(f.opcode) << (f.fin ? " fin " : " ");
  show_payload(f.payload, os);
  os << '}';
}

rc::Gen<FrameSpec> frame_spec() {
  return memo([] {
    using O = ws::Opcode;
    const auto opcode = pick(O::binary, O::text, O::continuation, O::ping, O::pong);
    const auto control_payload = one_of<Bytes>({{3, bytes_up_to(8)}, {1, bytes_up_to(125)}});
    const auto fragment = chance(1, 3);
    const auto text = utf8_text(10);
    const auto bytes = bytes_up_to(12);
    const auto padding = ws_padding();
    return rc::gen::exec([=] {
      FrameSpec f;
      f.opcode = *opcode;
      if (ws::is_control(f.opcode)) {
        f.payload.head = *control_payload;
        return f;
      }
      f.fin = !*fragment;
      f.payload.head = f.opcode == O::text ? to_bytes(*text) : *bytes;
      f.payload.padding = *padding;
      return f;
    });
  });
}

/// A frame the decoder handed out: its header and its payload, pieces joined.
struct DecodedFrame {
  ws::FrameHeader header;
  Bytes payload;
  friend bool operator==(const DecodedFrame&, const DecodedFrame&) = default;
};

void showValue(const DecodedFrame& f, std::ostream& os) {
  os << '{' << ws::name(f.header.opcode) << (f.header.fin ? " fin" : "") << (f.header.masked ? " masked" : "")
     << " length " << f.header.payload_length << ' ';
  show_bytes(view(f.payload), os);
  os << '}';
}

struct FrameRecorder : ws::FrameSink {
  std::vector<DecodedFrame> frames;
  ws::Verdict on_frame_header(const ws::FrameHeader& header) noexcept override {
    frames.push_back({header, {}});
    return {};
  }
  ws::Verdict on_frame_payload(ByteView piece) noexcept override {
    frames.back().payload.insert(frames.back().payload.end(), piece.begin(), piece.end());
    return {};
  }
  ws::Verdict on_frame_end() noexcept override { return {}; }
};

void check_ws_frames(ws::Role receiver, const std::vector<FrameSpec>& specs, const std::optional<WsClose>& close,
                     const std::vector<ws::MaskKey>& keys) {
  prop::Case c(specs.size() + (close ? 1 : 0));
  const ws::Role sender = sender_for(receiver);
  Bytes wire;
  std::vector<DecodedFrame> expected;
  std::size_t frame = 0;
  const auto header_of = [&](ws::Opcode opcode, bool fin, std::size_t length) {
    ws::FrameHeader h;
    h.fin = fin;
    h.opcode = opcode;
    h.masked = sender == ws::Role::client;
    h.mask = h.masked ? keys[frame % keys.size()] : ws::MaskKey{};
    h.payload_length = length;
    ++frame;
    return h;
  };
  for (const FrameSpec& f : specs) {
    const Bytes payload = f.payload.bytes();
    const ws::FrameHeader h = header_of(f.opcode, f.fin, payload.size());
    RC_ASSERT(ws::encode_frame(wire, sender, f.opcode, view(payload), f.fin, h.mask) == Errc::none);
    expected.push_back({h, payload});
  }
  if (close) {
    Bytes body;
    if (close->code) {
      body = {static_cast<std::uint8_t>(*close->code >> 8), static_cast<std::uint8_t>(*close->code)};
      body.insert(body.end(), close->reason.begin(), close->reason.end());
    }
    const ws::FrameHeader h = header_of(ws::Opcode::close, true, body.size());
    RC_ASSERT(ws::encode_close(wire, sender, close->code, close->reason, h.mask) == Errc::none);
    expected.push_back({h, body});
  }
  // The wire form too: header_size() bytes of header, the minimal length encoding.
  std::size_t wire_size = 0;
  for (const DecodedFrame& f : expected)
    wire_size += ws::header_size(f.header.payload_length, f.header.masked) + f.header.payload_length;
  RC_ASSERT(wire.size() == wire_size);

  ws::FrameDecoder dec(receiver, Limits{});
  FrameRecorder rec;
  const Fed fed = dec.feed(view(wire), rec);
  RC_ASSERT(fed.status == Status::ok);
  RC_ASSERT(fed.consumed == wire.size());
  RC_ASSERT(dec.finish() == Status::ok);
  RC_ASSERT(dec.closed() == close.has_value());
  RC_ASSERT(rec.frames == expected);
  RC_CLASSIFY(std::any_of(expected.begin(), expected.end(),
                          [](const DecodedFrame& f) { return f.header.payload_length > 65535; }),
              "a 64-bit length");
  RC_CLASSIFY(std::any_of(expected.begin(), expected.end(),
                          [](const DecodedFrame& f) {
                            return f.header.payload_length > 125 && f.header.payload_length <= 65535;
                          }),
              "a 16-bit length");
}

RC_GTEST_PROP(CodecRoundtrip, WebSocketFrames, ()) {
  const auto receiver = *pick(ws::Role::server, ws::Role::client);
  const auto specs = *vector_of(5, frame_spec());
  const auto close = *optional_of(ws_close());
  const auto keys = *mask_keys(3);
  check_ws_frames(receiver, specs, close, keys);
}

// ---- WebSocket messages ----------------------------------------------------------------------

RC_GTEST_PROP(CodecRoundtrip, WebSocketMessages, ()) {
  const auto receiver = *pick(ws::Role::server, ws::Role::client);
  const auto stream = *ws_stream();
  prop::Case c(stream.items.size() + (stream.close ? 1 : 0));
  Bytes wire;
  const std::vector<WsEvent> expected = encode_ws(stream, sender_for(receiver), wire);
  ws::MessageAssembler in(receiver, Limits{});
  WsRecorder rec;
  const Fed fed = in.feed(view(wire), rec);
  RC_ASSERT(fed.status == Status::ok);
  RC_ASSERT(in.finish() == Status::ok);
  RC_ASSERT(rec.events == expected);
}

// ---- Engine.IO packets -----------------------------------------------------------------------

/// A packet, and for an open packet the handshake its data must parse back to.
struct EioCase {
  EioPacket packet;
  std::optional<eio::OpenHandshake> handshake;
};

void showValue(const EioCase& e, std::ostream& os) { showValue(e.packet, os); }

rc::Gen<EioCase> eio_case(bool polling) {
  return memo(
      [=] {
        return one_of<EioCase>({
            {6, rc::gen::map(eio_packet(polling),
                             [](EioPacket p) {
                               return EioCase{std::move(p), std::nullopt};
                             })},
            {1, rc::gen::map(open_handshake(),
                             [](eio::OpenHandshake h) {
                               return EioCase{open_packet(h), h};
                             })},
        });
      },
      polling);
}

void check_handshakes(const std::vector<EioCase>& cases, const std::vector<EioPacket>& decoded) {
  for (std::size_t i = 0; i < cases.size() && i < decoded.size(); ++i) {
    if (!cases[i].handshake) continue;
    eio::OpenHandshake back;
    RC_ASSERT(eio::parse_open(as_text(view(decoded[i].data)), back) == Errc::none);
    RC_ASSERT(back == *cases[i].handshake);
  }
}

/// Each packet as one WebSocket message (text, or binary for binary data).
void check_eio_packets(const std::vector<EioCase>& cases) {
  prop::Case c(cases.size());
  eio::PacketDecoder dec{Limits{}};
  EioRecorder rec;
  std::vector<EioPacket> packets;
  for (const EioCase& e : cases) {
    std::vector<std::uint8_t> message;
    RC_ASSERT(eio::encode_packet(as_packet(e.packet), message) == Errc::none);
    RC_ASSERT(dec.feed(Message{e.packet.kind, view(message)}, rec) == Status::ok);
    packets.push_back(e.packet);
  }
  RC_ASSERT(dec.finish() == Status::ok);
  RC_ASSERT(rec.packets == packets);
  check_handshakes(cases, rec.packets);
}

RC_GTEST_PROP(CodecRoundtrip, EngineIoPackets, ()) { check_eio_packets(*vector_of(6, eio_case(false))); }

/// The packets as one polling body.
RC_GTEST_PROP(CodecRoundtrip, EngineIoPollingBody, ()) {
  const auto cases =
      *nonempty_vector_of(6, eio_case(true), EioCase{{eio::PacketType::noop, MessageKind::text, {}}, std::nullopt});
  prop::Case c(cases.size());
  std::vector<eio::Packet> views;
  std::vector<EioPacket> packets;
  for (const EioCase& e : cases) {
    views.push_back(as_packet(e.packet));
    packets.push_back(e.packet);
  }
  std::string body;
  RC_ASSERT(eio::encode_payload(views, body) == Errc::none);
  eio::PayloadDecoder dec{Limits{}};
  EioRecorder rec;
  RC_ASSERT(dec.decode_whole(as_bytes(body), rec) == Status::ok);
  RC_ASSERT(rec.packets == packets);
  check_handshakes(cases, rec.packets);
}

// ---- Socket.IO packets -----------------------------------------------------------------------

bool is_placeholder(const nlohmann::ordered_json& v, std::size_t attachments) {
  if (!v.is_object() || v.size() != 2 || !v.contains("_placeholder") || !v.contains("num")) return false;
  const auto& flag = v["_placeholder"];
  const auto& num = v["num"];
  return flag.is_boolean() && flag.get<bool>() && num.is_number_unsigned() && num.get<std::uint64_t>() < attachments;
}

/// The value a decoded payload stands for: placeholders replaced by their attachments.
Json value_of(const nlohmann::ordered_json& v, const std::vector<Bytes>& attachments, bool binary_packet) {
  using nlohmann::ordered_json;
  Json j;
  switch (v.type()) {
    case ordered_json::value_t::null: break;
    case ordered_json::value_t::boolean:
      j.kind = Json::Kind::boolean;
      j.flag = v.get<bool>();
      break;
    case ordered_json::value_t::number_integer: return json_integer(v.get<std::int64_t>());
    case ordered_json::value_t::number_unsigned: return json_unsigned(v.get<std::uint64_t>());
    case ordered_json::value_t::number_float:
      j.kind = Json::Kind::real;
      j.real = v.get<double>();
      break;
    case ordered_json::value_t::string: return json_string(v.get<std::string>());
    case ordered_json::value_t::array:
      j.kind = Json::Kind::array;
      for (const auto& item : v) j.items.push_back(value_of(item, attachments, binary_packet));
      break;
    case ordered_json::value_t::object:
      if (binary_packet && is_placeholder(v, attachments.size())) {
        j.kind = Json::Kind::binary;
        j.bytes = attachments[v["num"].get<std::size_t>()];
        break;
      }
      j.kind = Json::Kind::object;
      for (const auto& [key, item] : v.items()) {
        j.keys.push_back(key);
        j.items.push_back(value_of(item, attachments, binary_packet));
      }
      break;
    default: RC_FAIL("a JSON type nlohmann should not produce here");
  }
  return j;
}

void check_sio_packets(const std::vector<SioPacket>& packets) {
  prop::Case c(packets.size());
  std::vector<SioMessage> messages;
  for (const SioPacket& p : packets) {
    const sio::EncodedPacket e = encode_sio(p);
    RC_ASSERT(e.error == Errc::none);
    append_messages(e, messages);
  }
  sio::PacketDecoder dec;
  SioRecorder rec;
  for (const SioMessage& m : messages) RC_ASSERT(dec.feed(Message{m.kind, view(m.bytes)}, rec) == Status::ok);
  RC_ASSERT(dec.finish() == Status::ok);
  RC_ASSERT(rec.packets.size() == packets.size());
  for (std::size_t i = 0; i < packets.size(); ++i) {
    const SioPacket& sent = packets[i];
    const SioRecord& got = rec.packets[i];
    RC_ASSERT(got.type == wire_type(sent));
    RC_ASSERT(got.nsp == sent.nsp);
    RC_ASSERT(got.id == sent.id);
    RC_ASSERT(got.payload.empty() == !sent.payload.has_value());
    if (!sent.payload) continue;
    std::vector<Bytes> attachments;
    collect_binary(*sent.payload, attachments);
    RC_ASSERT(got.attachments == attachments);  // placeholders are numbered in document order
    nlohmann::ordered_json parsed;
    try {
      parsed = nlohmann::ordered_json::parse(got.payload);
    } catch (const nlohmann::json::exception& e) {
      RC_FAIL(std::string("the decoded payload is not JSON: ") + e.what());
    }
    RC_ASSERT(same_value(value_of(parsed, got.attachments, sio::is_binary(got.type)), *sent.payload));
  }
}

RC_GTEST_PROP(CodecRoundtrip, SocketIoPackets, ()) {
  const auto packets = *vector_of(4, sio_packet());
  check_sio_packets(packets);
  RC_CLASSIFY(
      std::any_of(packets.begin(), packets.end(), [](const SioPacket& p) { return sio::is_binary(wire_type(p)); }),
      "a binary packet");
  RC_CLASSIFY(std::any_of(packets.begin(), packets.end(), [](const SioPacket& p) { return p.nsp != "/" && p.id; }),
              "a namespace and an ack id");
}

// ---- NDJSON ----------------------------------------------------------------------------------

RC_GTEST_PROP(CodecRoundtrip, NdjsonLines, ()) {
  const auto lines = *vector_of(5, ndjson_line());
  prop::Case c(lines.size());
  std::string stream;
  std::vector<std::string> texts;
  for (const NdjsonLine& line : lines) texts.push_back(append_ndjson_line(line, stream));
  ndjson::LineDecoder dec;
  LineRecorder rec;
  RC_ASSERT(dec.feed(as_bytes(stream), rec).status == Status::ok);
  RC_ASSERT(dec.finish(rec) == Status::ok);
  RC_ASSERT(rec.lines == texts);
}

// ---- the planted twins -----------------------------------------------------------------------

// The Socket.IO encoder drops the ack id of packets outside "/". Observed at 1000 cases, seeds 1-50
// and 1000-1300: always one packet (e.g. an EVENT in "/ " with id 0), found after 1 to 59 passing
// cases (median 13).
PLANTED_TWIN(sio_ack_id) {
  prop::expect_counterexample([] { check_sio_packets(*vector_of(4, sio_packet())); }, 1);
}

// The Engine.IO encoder drops a ping's "probe". Observed at 1000 cases, seeds 1-50 and 1000-1300:
// always one packet (ping "probe"), found after 1 to 91 passing cases (median 24).
PLANTED_TWIN(eio_probe) {
  prop::expect_counterexample([] { check_eio_packets(*vector_of(6, eio_case(false))); }, 1);
}

}  // namespace
}  // namespace sioconf::prop::codec
