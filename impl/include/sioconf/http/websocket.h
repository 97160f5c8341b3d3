// sioconf/http/websocket.h — the HTTP side of the WebSocket opening handshake (RFC 6455 4.2).
//
//   if (const Errc e = http::check_websocket_upgrade(ex.request()); e != Errc::none)
//     return (void)ex.respond({400, {}, std::string(name(e))});
//   http::Upgraded up = ex.upgrade(http::websocket_accept_response(ex.request()));
//
// What a server requires of the client's request (4.2.1), and the error when it is missing:
//   GET, an Upgrade request (Connection holds the token "upgrade", Upgrade is     http_bad_upgrade
//     "websocket"; case-insensitive)
//   Sec-WebSocket-Version: 13 (the only version; 4.2.2 answers 400 with the       http_bad_websocket_version
//     versions it speaks in a Sec-WebSocket-Version header)
//   Sec-WebSocket-Key: the base64 of 16 bytes (4.2.1 point 5)                    http_bad_websocket_key
// No extension and no subprotocol is negotiated: the answer names neither.
#pragma once

#include <string>
#include <string_view>

#include "sioconf/errc.h"
#include "sioconf/http/request.h"
#include "sioconf/http/server.h"

namespace sioconf::http {

/// Errc::none when `request` is a valid opening handshake, else the first rule it breaks.
Errc check_websocket_upgrade(const Request& request) noexcept;

/// Sec-WebSocket-Accept for `key`: base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string websocket_accept(std::string_view key);

/// The 101 Switching Protocols answer to a checked request.
Response websocket_accept_response(const Request& request);

/// The 400 answer to a request check_websocket_upgrade() refused (with Sec-WebSocket-Version: 13
/// for a wrong version, as 4.2.2 asks).
Response websocket_refusal(Errc why);

}  // namespace sioconf::http
