// sioconf/sio/packet.h — the Socket.IO v5 packet as the decoder hands it out.
//
// On the wire a packet is one text message (socket.io-protocol v5, "Packet encoding")
//
//   <type>[<attachment count>-][<namespace>,][<ack id>][<JSON payload>]
//
// followed, for BINARY_EVENT and BINARY_ACK, by one binary message per attachment. In the JSON
// each binary value is replaced by a placeholder {"_placeholder":true,"num":<i>}, where i is the
// index of the binary message that carries it (0 = the first after the text).
//
//   2["foo"]                                         EVENT "foo" on "/"
//   3/admin,13["bar"]                                ACK 13 on "/admin"
//   51-["baz",{"_placeholder":true,"num":0}] + <01 02 03 04>   BINARY_EVENT, one attachment
//
// A Packet is a set of views: the decoder (packet_decoder.h) fills one for each packet it
// completes and passes it to PacketSink::on_packet; nothing in it outlives that call.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "sioconf/bytes.h"

namespace sioconf::sio {

/// The packet type digit (socket.io-protocol v5, "Packet types").
enum class PacketType : std::uint8_t {
  connect = 0,        // C->S: join a namespace (payload: optional auth object); S->C: {"sid":...}
  disconnect = 1,     // leave a namespace; never carries a payload
  event = 2,          // ["name", args...], optional ack id
  ack = 3,            // [results...], always with the ack id it answers
  connect_error = 4,  // S->C: the namespace refused the CONNECT; {"message":...,"data"?:...}
  binary_event = 5,   // an EVENT whose arguments hold binary values (attachments)
  binary_ack = 6,     // an ACK whose results hold binary values
};

/// "connect", "disconnect", "event", "ack", "connect_error", "binary_event", "binary_ack";
/// "unknown" for a value outside 0-6.
std::string_view name(PacketType type) noexcept;

/// True for binary_event and binary_ack: the types that carry an attachment count and attachments.
constexpr bool is_binary(PacketType type) noexcept {
  return type == PacketType::binary_event || type == PacketType::binary_ack;
}

/// One decoded packet. Every view points into the decoder (or into the message just fed) and is
/// valid only during the PacketSink::on_packet call that receives it: copy what you keep.
struct Packet {
  /// As on the wire: a BINARY_EVENT stays binary_event (socket.io-parser reports it as EVENT once
  /// its buffers are put back; sioconf keeps the wire type so the attachments' origin is visible).
  PacketType type = PacketType::connect;
  /// The namespace, starting with '/'; "/" when the packet names none.
  std::string_view nsp = "/";
  /// The ack id, when the packet carries one (EVENT/BINARY_EVENT optionally, ACK/BINARY_ACK always).
  std::optional<std::uint64_t> id;
  /// The JSON payload exactly as received (already validated: one JSON value that obeys the
  /// type's rules, see packet_decoder.h). Empty when the packet has none. In binary packets it
  /// still holds the placeholders; attachments[i] is what {"_placeholder":true,"num":i} names.
  std::string_view payload;
  /// The attachments of a binary packet, in arrival order (empty for the other types). Each one
  /// is named by exactly one placeholder in `payload`.
  std::span<const ByteView> attachments;
};

/// Receives decoded packets. Called from inside PacketDecoder::feed(); must not call back into the
/// decoder that invoked it.
class PacketSink {
 public:
  virtual ~PacketSink() = default;
  virtual void on_packet(const Packet& p) = 0;
};

}  // namespace sioconf::sio
