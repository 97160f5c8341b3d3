// sioconf/engine/server.h — the Engine.IO v4 server: handshakes, sessions found by sid, and the
// requests of each session's transport, behind one path of an http::Server.
//
//   engine::Server eio(loop, limits, {}, [&](std::unique_ptr<engine::Session> s, const http::Request&) {
//     apps.push_back(make_echo(std::move(s)));    // the app owns the session and start()s it
//   });
//   http::Server http(loop, limits, {}, [&](http::Exchange ex) {
//     if (ex.request().path() == "/engine.io/") return eio.handle(std::move(ex));
//     (void)ex.respond({404, {}, ""});
//   });
//
// A request (engine.io-protocol v4, "Transports" and "Handshake"), checked in this order; each
// refusal is engine.io's 400 {"code":N,"message":...} (polling_transport.h, engine_refusal):
//   EIO missing or not 4                                engine_unsupported_version (code 5)
//   transport missing, or not polling/websocket         engine_unknown_transport (code 0)
//   no sid: a handshake
//     not a GET                                         engine_bad_handshake_method (code 2)
//     websocket: not a valid opening handshake          400, http/websocket.h's Errc
//     else a new session: its open packet (sid, upgrades ["websocket"] on polling and [] on
//     WebSocket, pingInterval, pingTimeout, maxPayload = Limits::eio_max_payload_bytes) is the
//     answer to the GET, or the first WebSocket message; on_session gets it
//   a sid no open session has                           engine_unknown_sid (code 1)
//   polling for a session on WebSocket (after its upgrade)   engine_bad_request (code 3)
//   websocket for a polling session: the upgrade (session.h), unless one runs already or the
//     session is on WebSocket                           engine_bad_request (code 3)
//   polling for a polling session: its GET or POST (polling_transport.h)
//
// The server does not own sessions: the application does, and a session it destroys is
// forgotten. Open sessions are bounded by Limits::eio_max_sessions: a handshake past it is
// answered 503 (limit_eio_sessions).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sioconf/engine/polling_transport.h"
#include "sioconf/engine/session.h"
#include "sioconf/http/server.h"
#include "sioconf/io/loop.h"
#include "sioconf/limits.h"

namespace sioconf::engine {

struct ServerOptions {
  std::uint64_t ping_interval_ms = 25'000;  // engine.io's defaults
  std::uint64_t ping_timeout_ms = 20'000;
  std::uint64_t upgrade_timeout_ms = 10'000;  // engine.io's upgradeTimeout (session.h)
  PollingOptions polling;
  std::size_t websocket_high_water = 65'536;
  /// Makes each session id; by default 20 characters of base64url from 15 random bytes, as
  /// engine.io's base64id (a test sets its own, for runs that replay).
  std::function<std::string()> make_sid;
};

/// Gets each new session, not yet started, and the handshake request (its query, headers).
using OnSession = std::function<void(std::unique_ptr<Session> session, const http::Request& handshake)>;

struct ServerCounts {
  std::uint64_t handshakes = 0, upgrades = 0, refused = 0;
};

class Server {
 public:
  Server(io::Loop& loop, const Limits& limits, ServerOptions options, OnSession on_session);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// A request on this server's path.
  void handle(http::Exchange exchange);

  /// Sessions alive now (not yet destroyed by the application).
  std::size_t sessions() const noexcept;
  const ServerCounts& counts() const noexcept { return counts_; }

 private:
  void handshake(http::Exchange exchange, bool websocket);
  void refuse(http::Exchange& exchange, Errc why);
  Session* find(const std::string& sid);
  void forget_gone() const;

  io::Loop& loop_;
  Limits limits_;
  ServerOptions options_;
  OnSession on_session_;
  mutable std::unordered_map<std::string, std::weak_ptr<Session* const>> sessions_;
  ServerCounts counts_;
  std::vector<std::unique_ptr<io::Stream>> refused_streams_;  // WebSockets accepted only to be closed
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);     // tasks posted by this server check it
};

}  // namespace sioconf::engine
