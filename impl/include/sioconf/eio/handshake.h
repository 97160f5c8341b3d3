// sioconf/eio/handshake.h — the data of the Engine.IO v4 `open` packet.
//
// The server's first packet is `0` + one JSON object (engine.io-protocol v4, "Handshake"):
//   0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}
//
// What parse_open accepts (engine.io-parser checks nothing; engine.io-client JSON.parses it):
//   - one JSON object (RFC 8259, UTF-8) holding exactly the five keys, in any order, each once.
//     A missing, repeated or EXTRA key is refused: engine.io-protocol's test-suite requires these
//     five, engine.io writes exactly these five, and a harness should surface anything else;
//   - sid: a non-empty string; upgrades: an array of non-empty strings (any transport name);
//   - pingInterval, pingTimeout, maxPayload: integer literals from 0 to 2^53-1 (what a
//     JavaScript peer holds exactly); 25000.0 and 2.5e4 are refused (no engine.io writes them);
//   - nothing nested deeper than the upgrades array.
// Anything else is Errc::eio_bad_open, with no finer error; `out` is then partly filled.
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

/// Parses the open packet's data (after the `0`): Errc::none and `out` filled, or
/// Errc::eio_bad_open. The caller bounds `json` (the decoders by Limits::eio_max_packet_bytes);
/// allocates `out`'s strings and a JSON parser of the input's size.
[[nodiscard]] Errc parse_open(std::string_view json, OpenHandshake& out) noexcept;

/// The JSON engine.io writes, keys in its order, no whitespace:
///   {"sid":"...","upgrades":[...],"pingInterval":N,"pingTimeout":N,"maxPayload":N}
/// with strings escaped as JSON.stringify escapes them (sioconf/json_writer.h).
/// parse_open(encode_open(h)) == h whenever parse_open would accept h. A string that is not
/// UTF-8 (which parse_open never gives) makes the result empty, which no decoder accepts.
std::string encode_open(const OpenHandshake& handshake) noexcept;

}  // namespace sioconf::eio
