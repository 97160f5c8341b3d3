// properties/codec_gen_sio.h — Socket.IO packets for the codec properties: generated (binary leaves
// anywhere in the payload), written with the project's encoder, recorded as the decoder gives them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec_gen.h"
#include "codec_gen_json.h"
#include "sioconf/sio/packet.h"
#include "sioconf/sio/packet_encoder.h"

namespace sioconf::prop::codec {

/// Writes `j` with the Socket.IO JSON writer (binary leaves as placeholders + attachments).
inline void write_json(const Json& j, JsonWriter& w) {
  switch (j.kind) {
    case Json::Kind::null: w.null(); break;
    case Json::Kind::boolean: w.boolean(j.flag); break;
    case Json::Kind::negative: w.number(j.negative); break;
    case Json::Kind::unsigned_int: w.number(j.unsigned_int); break;
    case Json::Kind::real: w.number(j.real); break;
    case Json::Kind::string: w.string(j.text); break;
    case Json::Kind::binary: w.binary(view(j.bytes)); break;
    case Json::Kind::array:
      w.begin_array();
      for (const Json& item : j.items) write_json(item, w);
      w.end_array();
      break;
    case Json::Kind::object:
      w.begin_object();
      for (std::size_t i = 0; i < j.items.size(); ++i) {
        w.key(j.keys[i]);
        write_json(j.items[i], w);
      }
      w.end_object();
      break;
  }
}

// ---- Socket.IO packets -----------------------------------------------------------------------

/// A Socket.IO packet before encoding. `type` is connect, disconnect, event, ack or connect_error:
/// an event or ack whose payload holds binary leaves goes out as binary_event / binary_ack.
struct SioPacket {
  sio::PacketType type = sio::PacketType::event;
  std::string nsp = "/";
  std::optional<std::uint64_t> id;
  std::optional<Json> payload;
};

/// The type the decoder reports: the encoder turns EVENT/ACK with attachments into BINARY_*.
inline sio::PacketType wire_type(const SioPacket& p) {
  if (p.payload && binary_leaves(*p.payload) > 0) {
    if (p.type == sio::PacketType::event) return sio::PacketType::binary_event;
    if (p.type == sio::PacketType::ack) return sio::PacketType::binary_ack;
  }
  return p.type;
}

inline void showValue(const SioPacket& p, std::ostream& os) {
  os << '{' << sio::name(p.type) << ' ';
  show_bytes(as_bytes(p.nsp), os);
  if (p.id) os << " id " << *p.id;
  if (p.payload) {
    os << ' ';
    show_json(*p.payload, os);
  }
  os << '}';
}

inline bool reserved_event_name(std::string_view name) {
  return name == "connect" || name == "connect_error" || name == "disconnect" || name == "disconnecting" ||
         name == "newListener" || name == "removeListener";
}

/// "/" most often, else '/' and a few characters a namespace may hold (no control, '"', '[',
/// '{' or ',': packet_decoder.h).
inline rc::Gen<std::string> sio_namespace() {
  return memo([] {
    const auto refused = [](std::uint32_t c) {
      return c < 0x20 || c == 0x7f || c == '"' || c == '[' || c == '{' || c == ',';
    };
    return one_of<std::string>({
        {3, rc::gen::just(std::string("/"))},
        {2, rc::gen::map(utf8_text_without(6, refused), [](std::string s) { return "/" + s; })},
    });
  });
}

/// An ack id: small, any up to 2^53-1 (Limits::max_ack_id), or one of the edges.
inline rc::Gen<std::uint64_t> ack_id() {
  return memo([] {
    constexpr std::uint64_t kMaxSafe = 9'007'199'254'740'991;
    return one_of<std::uint64_t>({
        {4, rc::gen::inRange<std::uint64_t>(0, 100)},
        {1, rc::gen::inRange<std::uint64_t>(0, kMaxSafe + 1)},
        {1, pick<std::uint64_t>(0, 9, 10, 999'999'999'999'999, kMaxSafe)},
    });
  });
}

/// An event name: a string that is not reserved, or a number (CVE-2023-32695: nothing else).
inline rc::Gen<Json> event_name() {
  return memo([] {
    return one_of<Json>({
        {4,
         rc::gen::map(utf8_text(6), [](std::string s) { return json_string(reserved_event_name(s) ? s + "!" : s); })},
        {1, rc::gen::map(rc::gen::inRange<std::int64_t>(-10, 100), json_integer)},
    });
  });
}

/// Keeps the first `budget` binary leaves (document order) and makes the others null, so that a
/// packet stays within Limits::max_attachments.
inline void cap_binary_leaves(Json& j, std::size_t& budget) {
  if (j.kind == Json::Kind::binary) {
    if (budget == 0) j = Json{};
    else --budget;
  }
  for (Json& item : j.items) cap_binary_leaves(item, budget);
}

/// A packet of any type, with namespace, ack id where the type takes one, and a payload of the
/// type's shape. Binary leaves (so BINARY_EVENT / BINARY_ACK) only if `with_binary`; payload
/// values nested at most `depth` containers below the packet's array.
inline rc::Gen<SioPacket> sio_packet(bool with_binary = true, int depth = 2) {
  return memo(
      [=] {
        using T = sio::PacketType;
        const auto type = one_of<T>({{5, rc::gen::just(T::event)},
                                     {3, rc::gen::just(T::ack)},
                                     {1, rc::gen::just(T::connect)},
                                     {1, rc::gen::just(T::disconnect)},
                                     {1, rc::gen::just(T::connect_error)}});
        const auto nsp = sio_namespace();
        const auto maybe_id = optional_of(ack_id());
        const auto id = ack_id();
        const auto name = event_name();
        const auto args = vector_of(4, json_value(depth, with_binary));
        const auto with_auth = chance(1, 2);
        const auto object = json_object_of(json_value(depth - 1, false));
        const auto reason = one_of<Json>({{1, rc::gen::map(utf8_text(8), json_string)}, {1, object}});
        return rc::gen::exec([=] {
          SioPacket p;
          p.type = *type;
          p.nsp = *nsp;
          switch (p.type) {
            case T::event: {
              p.id = *maybe_id;
              std::vector<Json> items{*name};
              for (Json& arg : *args) items.push_back(std::move(arg));
              p.payload = json_array(std::move(items));
              break;
            }
            case T::ack:
              p.id = *id;
              p.payload = json_array(*args);
              break;
            case T::connect:  // an optional auth object
              if (*with_auth) p.payload = *object;
              break;
            case T::connect_error:  // a message string, or an object ({"message": ..., "data": ...})
              p.payload = *reason;
              break;
            default:  // disconnect: nothing but the namespace
              break;
          }
          std::size_t attachments = Limits{}.max_attachments;
          if (p.payload) cap_binary_leaves(*p.payload, attachments);
          return p;
        });
      },
      with_binary, depth);
}

/// At least one packet (a DISCONNECT from "/" if the draw had none).
inline rc::Gen<std::vector<SioPacket>> sio_packets(std::size_t max) {
  return memo(
      [=] {
        return nonempty_vector_of(max, sio_packet(),
                                  SioPacket{sio::PacketType::disconnect, "/", std::nullopt, std::nullopt});
      },
      max);
}

/// The encoder's output for `p` (encoded with `limits`); error() tells whether it refused.
inline sio::EncodedPacket encode_sio(const SioPacket& p, const Limits& limits = {}) {
  JsonWriter w;
  if (p.payload) write_json(*p.payload, w);
  return sio::encode(p.type, p.nsp, p.id, w, limits);
}

/// The Engine.IO messages that carry `p`: its text, then one binary message per attachment.
struct SioMessage {
  MessageKind kind = MessageKind::text;
  Bytes bytes;
};

inline void append_messages(const sio::EncodedPacket& e, std::vector<SioMessage>& out) {
  out.push_back({MessageKind::text, to_bytes(e.text)});
  for (const auto& a : e.attachments) out.push_back({MessageKind::binary, a});
}

/// One decoded Socket.IO packet, copied out of the decoder's views.
struct SioRecord {
  sio::PacketType type = sio::PacketType::connect;
  std::string nsp;
  std::optional<std::uint64_t> id;
  std::string payload;
  std::vector<Bytes> attachments;
  friend bool operator==(const SioRecord&, const SioRecord&) = default;
};

inline void showValue(const SioRecord& r, std::ostream& os) {
  os << '{' << sio::name(r.type) << ' ';
  show_bytes(as_bytes(r.nsp), os);
  if (r.id) os << " id " << *r.id;
  os << ' ';
  show_bytes(as_bytes(r.payload), os);
  for (const Bytes& a : r.attachments) {
    os << " + ";
    show_bytes(view(a), os);
  }
  os << '}';
}

struct SioRecorder : sio::PacketSink {
  std::vector<SioRecord> packets;
  void on_packet(const sio::Packet& p) override {
    SioRecord r{p.type, std::string(p.nsp), p.id, std::string(p.payload), {}};
    for (const ByteView a : p.attachments) r.attachments.emplace_back(a.begin(), a.end());
    packets.push_back(std::move(r));
  }
};

}  // namespace sioconf::prop::codec
