// sioconf/sio/packet_encoder.h — Socket.IO v5 packets out: a JSON writer for the payload, then
// one text message plus one binary message per attachment.
//
//   JsonWriter w;                                       // sioconf/json_writer.h
//   w.begin_array().string("upload").binary(file_bytes).end_array();
//   sio::EncodedPacket p = sio::encode(sio::PacketType::event, "/files", 7, w);
//   if (p.error != Errc::none) ...   // refused: nothing was written
//   // p.text == "51-/files,7[\"upload\",{\"_placeholder\":true,\"num\":0}]", p.attachments[0] == file_bytes
//
// The text is `<type>[<n>-][<nsp>,][<id>][<json>]` (socket.io-protocol v5, "Packet encoding"):
// the namespace is written only when it is not "/", the count only for binary types. As
// socket.io-parser does, an EVENT or ACK whose payload holds binary() values becomes a
// BINARY_EVENT or BINARY_ACK.
//
// ---- Refusals ------------------------------------------------------------------------------------
// encode() writes only what a sioconf PacketDecoder with the same Limits accepts, and returns the
// Errc that decoder would report otherwise, checking in the decoder's order (nothing is written
// then):
//   the writer's own error; a container or key left open     JsonWriter::error(); json_syntax
//   type outside 0-6                                         sio_bad_packet_type
//   binary() values in CONNECT, DISCONNECT, CONNECT_ERROR    sio_unexpected_binary
//   BINARY_EVENT/BINARY_ACK without any binary() value       sio_bad_attachments
//   the text longer than Limits::max_payload_bytes           limit_payload_bytes
//   more binary() values than Limits::max_attachments        limit_attachments
//   nsp empty or not starting with '/' (socket.io-parser
//     writes '2nsp-without-slash,[...]', which it cannot
//     read back)                                             sio_bad_namespace
//   nsp longer than Limits::max_namespace_bytes              limit_namespace_bytes
//   nsp holding ',', a control byte, '"', '[' or '{'         sio_bad_namespace
//   nsp not valid UTF-8                                      bad_utf8
//   id with more digits than Limits::max_ack_id_digits       limit_ack_id_digits
//   id > Limits::max_ack_id                                  limit_ack_id
//   an id on CONNECT, DISCONNECT, CONNECT_ERROR              sio_ack_id_not_allowed
//   no id on ACK, BINARY_ACK                                 sio_ack_without_id
//   the payload rules of packet_decoder.h (presence, JSON validity, max_depth, per-type shape,
//     event names, placeholders), checked by parsing the written JSON exactly as the decoder
//     does, e.g. ["connect"]                                 sio_reserved_event_name
//   attachments above Limits::max_attachment_bytes in total  limit_attachment_bytes
//
// ---- JSON text ----------------------------------------------------------------------------------
// The payload is written with sioconf::JsonWriter (json_writer.h), whose text is byte-identical to
// socket.io-parser's. Its binary() values are the placeholders; their bytes follow the text as
// attachments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/json_writer.h"
#include "sioconf/limits.h"
#include "sioconf/sio/packet.h"

namespace sioconf::sio {

/// One packet ready to send: `text` as one text message, then each attachment as one binary
/// message, in order. When `error` is not Errc::none the packet was refused and both are empty.
struct EncodedPacket {
  Errc error = Errc::none;
  std::string text;
  std::vector<std::vector<std::uint8_t>> attachments;
};

/// Encodes packets under one set of Limits (shared, limits.h). Checks payloads with the thread's
/// checker, so that encoding allocates only for the output and an encoder costs two pointers.
class PacketEncoder {
 public:
  explicit PacketEncoder(const Limits& limits = {});
  ~PacketEncoder();
  PacketEncoder(PacketEncoder&&) noexcept;
  PacketEncoder& operator=(PacketEncoder&&) noexcept;
  PacketEncoder(const PacketEncoder&) = delete;
  PacketEncoder& operator=(const PacketEncoder&) = delete;

  /// Encodes one packet into `out` (its previous content is replaced, its capacity reused).
  /// `nsp` "/" is the main namespace. `payload` empty = no payload. Returns Errc::none, or the
  /// refusal (see above); then `out.error` holds it too and out.text/out.attachments are empty.
  [[nodiscard]] Errc encode(PacketType type, std::string_view nsp, std::optional<std::uint64_t> id,
                            const JsonWriter& payload, EncodedPacket& out) noexcept;

 private:
  std::shared_ptr<const Limits> limits_;
};

/// One-shot form of PacketEncoder::encode with a fresh result.
EncodedPacket encode(PacketType type, std::string_view nsp, std::optional<std::uint64_t> id, const JsonWriter& payload,
                     const Limits& limits = {}) noexcept;

}  // namespace sioconf::sio
