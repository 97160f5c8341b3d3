// sioconf/eio/packet.h — the Engine.IO v4 packet, as every eio decoder hands it out.
//
// On the wire (engine.io-protocol v4, "Protocol" and "Packet encoding"):
//
//   WebSocket text frame    <type digit 0-6>[<data>]        "4hello", "2probe", "6"
//   WebSocket binary frame  <bytes>                          a `message` packet, no type byte
//   polling record          <type digit 0-6>[<data>]         records joined by \x1e in one body
//                           b<base64 of the bytes>           a binary `message` packet
//
// A Packet is a view: `data` points into the decoder's input or its buffers and is valid only
// during the PacketSink callback that receives it. Copy what you keep.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "sioconf/bytes.h"

namespace sioconf::eio {

/// The seven packet types of Engine.IO v4; the enumerator's value is its wire digit.
///   open     server -> client, data = the handshake JSON (handshake.h)
///   close    either side: the transport may be closed; no data
///   ping     the server's heartbeat (no data), or the client's upgrade probe ("probe")
///   pong     the answer to a ping (no data), or to the probe ("probe")
///   message  application data: text, or binary (WebSocket binary frame / polling "b" record)
///   upgrade  client -> server: the upgrade to WebSocket is complete; no data
///   noop     server -> client during the upgrade (flushes a pending polling GET); no data
enum class PacketType : std::uint8_t { open = 0, close, ping, pong, message, upgrade, noop };

/// "open", "close", "ping", "pong", "message", "upgrade", "noop": the spelling engine.io-parser
/// uses for `packet.type`, and the adapter protocol's. "unknown" for a value outside the enum.
std::string_view name(PacketType type) noexcept;

/// The type spelled `name` (one of the seven above), if any.
std::optional<PacketType> packet_type_from_name(std::string_view name) noexcept;

/// One decoded packet.
///   type       what it is
///   data_kind  text (valid UTF-8, from a text frame or a text record) or binary (only ever with
///              type == message: a binary frame's bytes, or a "b" record's decoded base64)
///   data       the data after the type digit (text), or the bytes (binary); may be empty.
///              Valid only during the sink callback.
struct Packet {
  PacketType type = PacketType::message;
  MessageKind data_kind = MessageKind::text;
  ByteView data;
};

/// Receives decoded packets, in order. The callback is noexcept and must not call back into the
/// decoder that invoked it.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void on_packet(const Packet& packet) noexcept = 0;
};

}  // namespace sioconf::eio
