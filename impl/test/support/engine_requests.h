// Test support: the bytes a client writes to an Engine.IO server on /engine.io/, whole and well
// formed (a fuzz target that needs malformed ones builds its own): polling GETs and POSTs, the
// WebSocket opening request, and masked client frames.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/ws/frame_encoder.h"

namespace sioconf::test {

/// GET /engine.io/?<query>.
inline std::string eio_get(std::string_view query) {
  return "GET /engine.io/?" + std::string(query) + " HTTP/1.1\r\nHost: h\r\n\r\n";
}

/// POST /engine.io/?<query> with `body` (its Content-Length).
inline std::string eio_post(std::string_view query, std::string_view body) {
  return "POST /engine.io/?" + std::string(query) +
         " HTTP/1.1\r\nHost: h\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

/// The WebSocket opening request (RFC 6455 4.1, version 13) for /engine.io/?<query>.
inline std::string eio_ws_open(std::string_view query) {
  return "GET /engine.io/?" + std::string(query) +
         " HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
         "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
}

/// One final frame as a client sends it (masked, key 1 2 3 4). Empty when the encoder refuses it
/// (a control frame over 125 bytes).
inline std::string client_frame(ws::Opcode op, std::string_view payload) {
  std::vector<std::uint8_t> out;
  if (ws::encode_frame(out, ws::Role::client, op, as_bytes(payload), true, {1, 2, 3, 4}) != Errc::none) return {};
  return std::string(out.begin(), out.end());
}

}  // namespace sioconf::test
