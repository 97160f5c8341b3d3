// sioconf/eio/handshake.h — the data of the Engine.IO v4 `open` packet.
//
// The server's first packet on a new session is `0` followed by one JSON object
// (engine.io-protocol v4, "Handshake"):
//
//   0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}
//
//   OpenHandshake h;
//   if (eio::parse_open(json_after_the_0, h) != Errc::none) ...   // Errc::eio_bad_open
//   std::string wire = "0" + eio::encode_open(h);                 // engine.io's exact bytes
//
// What parse_open accepts (sioconf's rule; engine.io-parser checks nothing, engine.io-client
// reads the fields it needs with JSON.parse and ignores the rest):
//
//   - one JSON object (RFC 8259), valid UTF-8, nothing but whitespace around it;
//   - exactly the five keys sid, upgrades, pingInterval, pingTimeout, maxPayload, in any order,
//     each once. A missing key, a duplicate key or an EXTRA key is refused: the peer test suites
//     (engine.io-protocol test-suite, "successfully opens a session") require exactly these five,
//     engine.io writes exactly these five, and a conformance harness should surface anything
//     else rather than silently drop it;
//   - sid: a non-empty string (the client echoes it in every later URL);
//   - upgrades: an array of non-empty strings (transport names: "websocket", "webtransport"; not
//     restricted to known names, and [] for a WebSocket-first session);
//   - pingInterval, pingTimeout, maxPayload: integers written without fraction or exponent, from
//     0 to 2^53-1 (the largest integer a JavaScript peer holds exactly). 25000.0 or 2.5e4 are
//     refused although JSON.parse reads them as 25000: no engine.io writes them;
//   - nesting: nothing deeper than the upgrades array (JSON depth 2).
//
// Any other input is Errc::eio_bad_open; parse_open reports no finer error, and leaves `out`
// unspecified (partly filled) when it fails.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sioconf/errc.h"

namespace sioconf::eio {

/// The handshake object. Strings are UTF-8 (parse_open guarantees it; encode_open assumes it).
struct OpenHandshake {
  std::string sid;                    // session id
  std::vector<std::string> upgrades;  // transports the session may upgrade to
  std::uint64_t ping_interval = 0;    // ms between the server's pings (engine.io default 25000)
  std::uint64_t ping_timeout = 0;     // ms to wait for the pong (default 20000)
  std::uint64_t max_payload = 0;      // bytes per polling body (maxHttpBufferSize, default 1e6)
  friend bool operator==(const OpenHandshake&, const OpenHandshake&) = default;
};

/// Parses the open packet's data (the text after the `0`), as described above. Returns
/// Errc::none and fills `out`, or Errc::eio_bad_open. `json` may be any size: the caller bounds
/// it (the packet decoders do, by Limits::eio_max_packet_bytes). Allocates the strings of `out`
/// and a JSON parser of the input's size.
[[nodiscard]] Errc parse_open(std::string_view json, OpenHandshake& out) noexcept;

/// The JSON engine.io writes, keys in its order, no whitespace:
///   {"sid":"...","upgrades":[...],"pingInterval":N,"pingTimeout":N,"maxPayload":N}
/// Strings are escaped as JSON.stringify escapes them (\" \\ \b \f \n \r \t, other control
/// characters as \u00xx, everything else as is). parse_open(encode_open(h)) gives back h when h
/// is acceptable to parse_open (UTF-8 strings, a non-empty sid and upgrade names, numbers up to
/// 2^53-1); encode_open itself refuses nothing. May allocate (a failed allocation terminates).
std::string encode_open(const OpenHandshake& handshake) noexcept;

}  // namespace sioconf::eio
