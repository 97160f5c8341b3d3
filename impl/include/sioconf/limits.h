// sioconf/limits.h — every bound on input-driven memory, in one struct.
//
// Each field bounds one buffer or counter that grows with input, and exceeding it yields exactly
// one `limit_*` Errc (named in the comment), never an allocation. A vector or an adapter request
// can override any field by its key (the field name, see `set_limit`). Defaults are safe for a
// server facing the Internet and match the Node reference where it has a bound.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>

namespace sioconf {

/// 2^53-1 (JavaScript's Number.MAX_SAFE_INTEGER): the largest integer a JavaScript peer holds
/// exactly, so the largest count or id sioconf writes or accepts where a JavaScript peer reads it.
inline constexpr std::uint64_t max_safe_integer = 9'007'199'254'740'991;

struct Limits {
  // ---- ws (RFC 6455) ----
  /// One frame's payload. engine.io passes maxHttpBufferSize (1e6) to ws as maxPayload.
  std::uint64_t ws_max_frame_bytes = 1'000'000;  // limit_ws_frame_bytes (close 1009)
  /// One reassembled message, all fragments together.
  std::uint64_t ws_max_message_bytes = 1'000'000;  // limit_ws_message_bytes (close 1009)
  /// Frames in one fragmented message, empty ones included. ws 8.21 bounds it at 131072 after
  /// CVE-2026-48779; a real client fragments 1 MB into far fewer, so we allow 4096.
  std::uint32_t ws_max_fragments = 4096;  // limit_ws_fragments (close 1008)

  // ---- eio (Engine.IO v4) ----
  /// One Engine.IO packet (engine.io maxPayload = maxHttpBufferSize = 1e6).
  std::uint64_t eio_max_packet_bytes = 1'000'000;  // limit_eio_packet_bytes
  /// One HTTP long-polling body (maxHttpBufferSize; 100 MB before CVE-2020-36048).
  std::uint64_t eio_max_payload_bytes = 1'000'000;  // limit_eio_payload_bytes
  /// Records in one polling body. engine.io has no bound; 1e6 bytes could hold 500k "6" records.
  std::uint32_t eio_max_payload_packets = 10'000;  // limit_eio_payload_packets
  /// Sessions one engine server keeps open at once. engine.io has no bound: every handshake GET
  /// costs the server a session until its ping timeout.
  std::uint32_t eio_max_sessions = 10'000;  // limit_eio_sessions (HTTP 503)
  /// Packets a long-polling session holds for the client's next GET (its bytes are bounded by
  /// stream_max_buffered_bytes). engine.io has no bound: a client that POSTs pings and never GETs
  /// owes it a pong each; past this the session ends.
  std::uint32_t eio_max_queued_packets = 10'000;  // limit_eio_queued_packets

  // ---- sio (Socket.IO v5) ----
  /// One Socket.IO text packet (header + JSON), before its attachments.
  std::uint64_t max_payload_bytes = 1'000'000;  // limit_payload_bytes
  /// JSON nesting: the most arrays/objects any value sits inside. `["a",1]` is depth 1 (its values
  /// sit in one array), `["a",[]]` too, `["a",[1]]` is 2. socket.io-parser has no bound; ~5000
  /// deep kills the Node echo server (corpus/observed/sio-parser-4.2.7.txt Part D). Real payloads
  /// rarely pass 10.
  std::uint32_t max_depth = 32;  // limit_depth
  /// Binary attachments of one packet (socket.io-parser >= 4.2.6 default, CVE-2026-33151).
  std::uint32_t max_attachments = 10;  // limit_attachments
  /// Bytes of all attachments of one packet together.
  std::uint64_t max_attachment_bytes = 1'000'000;  // limit_attachment_bytes
  /// Largest ack id: 2^53-1, the largest integer a JavaScript peer holds exactly.
  std::uint64_t max_ack_id = max_safe_integer;  // limit_ack_id
  /// Digits of an ack id, leading zeros included (CVE-2020-36049 was a digit run).
  std::uint32_t max_ack_id_digits = 16;  // limit_ack_id_digits
  /// Bytes of a namespace name, the leading '/' included.
  std::uint32_t max_namespace_bytes = 256;  // limit_namespace_bytes

  // ---- ndjson ----
  /// One line, without its '\n' (a Node line splitter doing `buffer += chunk` has no bound).
  std::uint64_t ndjson_max_line_bytes = 1'000'000;  // limit_ndjson_line_bytes

  // ---- io (stream) ----
  /// Bytes a stream's write queue may hold. A producer that respects write()'s over_high_water
  /// stays near the high-water mark (io/stream.h); one that ignores it meets this cap: the write
  /// is refused, not queued (Node's socket.write() queues without bound).
  std::uint64_t stream_max_buffered_bytes = 4'194'304;  // limit_stream_buffered_bytes

  // ---- http (HTTP/1.1 requests, and the responses a client reads) ----
  /// A request's method, target, header names and values together (Node's maxHeaderSize, 16 KiB):
  /// a client that never ends its headers is cut off here.
  std::uint64_t http_max_header_bytes = 16'384;  // limit_http_header_bytes (431)
  /// Header lines of one request (Node keeps the first 2000 and drops the rest; real clients send
  /// fewer than 30).
  std::uint32_t http_max_headers = 100;  // limit_http_headers (431)
  /// One request body (engine.io's maxHttpBufferSize bounds POST bodies at 1e6).
  std::uint64_t http_max_body_bytes = 1'000'000;  // limit_http_body_bytes (413)
  /// Open HTTP connections (each holds at most one request at a time: a held polling GET, a body
  /// being read). Node's server.maxConnections is unset by default. A connection past it is
  /// closed at once.
  std::uint32_t http_max_connections = 10'000;  // limit_http_connections

  // ---- ack ----
  /// Acks one socket waits for at once (per namespace). socket.io has no bound: a peer that never
  /// answers makes the server hold every callback until disconnect.
  std::uint32_t max_pending_acks = 10'000;  // limit_pending_acks

  // ---- client ----
  /// Emits a client keeps while it is not connected, to send in order once it joins the namespace
  /// again (socket.io-client's sendBuffer, which has no bound: an application that emits while
  /// the server is down grows it forever).
  std::uint32_t client_max_buffered_emits = 1000;  // limit_client_buffered_emits

  friend bool operator==(const Limits&, const Limits&) = default;
};

/// One shared copy of `limits`: calls with equal Limits on one thread get the same object while
/// any holder keeps it. The per-connection codecs keep their limits this way, for the size of a
/// pointer rather than a copy each (a server with 1,000 idle clients has one Limits, not 3,000).
std::shared_ptr<const Limits> shared_limits(const Limits& limits);

/// Sets the field named `key` (its C++ name, e.g. "max_attachments") to `value`. Returns false for
/// an unknown key or a value the field's type cannot hold.
bool set_limit(Limits& limits, std::string_view key, std::uint64_t value) noexcept;
/// The value of the field named `key`, if there is one.
std::optional<std::uint64_t> get_limit(const Limits& limits, std::string_view key) noexcept;
/// The keys of every field, in declaration order.
std::span<const std::string_view> limit_keys() noexcept;

}  // namespace sioconf
