// `sioconf serve`, the reference server (serve.cc): its options, and the two JSON readings its
// handlers need (serve_json.cc). Light on purpose: serve.cc includes no JSON library, so that it
// and its planted copies (planted/, the broken servers) compile quickly.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "sioconf/limits.h"

namespace sioconf::cli {

struct ServeOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 3000;             // 0: any free port (printed)
  std::uint64_t ping_interval_ms = 300;  // the official test suites' server contract
  std::uint64_t ping_timeout_ms = 200;
  std::uint64_t connect_timeout_ms = 1000;
  Limits limits;     // eio_max_payload_bytes is the handshake's maxPayload
  bool log = false;  // one line per session on stderr
};

/// Serves until SIGINT or SIGTERM; prints "listening on http://HOST:PORT" first. Exit status 0,
/// or 1 when it cannot listen.
int run_serve(const ServeOptions& options, std::ostream& out, std::ostream& log);

/// An event's arguments (a JSON array) as a room's name (the first, a string) and the rest as a
/// JSON array; nothing when they are not like that.
std::optional<std::pair<std::string, std::string>> room_and_rest(std::string_view args_json);

/// Is `auth_json` an object whose "token" is the string `token`? (Any other type is no.)
bool auth_has_token(std::string_view auth_json, std::string_view token);

}  // namespace sioconf::cli
