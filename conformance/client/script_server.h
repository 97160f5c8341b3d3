// The server `sioconf client-check` plays (corpus/live-client/README.md): an Engine.IO v4 server
// on one port for one case, whose every move the scenario makes. By itself it only answers
// handshakes (an open packet with the scenario's timings), keeps polling GETs held until it has
// packets, takes POSTs, runs the upgrade (probe, noop to the held GET, switch on "5") and pings
// every pingInterval, ending a session whose pong is later than pingTimeout. Everything of
// Socket.IO is the scenario's: it expects the client's packets and sends its own, and it can do
// what a well-behaved server never does: stop pinging and answering (stall), drop every
// connection at once, refuse handshakes or upgrades, send any packet at all.
//
// It decodes the client with the reference's decoders (HTTP requests, WebSocket frames, polling
// bodies), so a client that breaks HTTP, RFC 6455 or the payload format is caught where it did:
// violation() says what. Every request, answer and packet goes to the case's wire log.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "scenario.h"
#include "sioconf/http/server.h"
#include "sioconf/io/loop.h"
#include "sioconf/io/stream.h"
#include "wire.h"

namespace sioconf::client {

using live::json;
using live::Packet;

struct ServerSettings {
  std::uint64_t ping_interval_ms = 300, ping_timeout_ms = 200;  // what the open packet announces
  std::uint64_t max_payload = 1'000'000;
  std::string path = "/socket.io/";
};

class ScriptServer;
class WebSocketPeer;

/// One Engine.IO session a client opened, as the scenario sees it.
class ScriptSession {
 public:
  ScriptSession(ScriptServer& server, std::string sid);
  ~ScriptSession();
  ScriptSession(const ScriptSession&) = delete;
  ScriptSession& operator=(const ScriptSession&) = delete;

  const std::string& sid() const noexcept { return sid_; }
  /// "polling" or "websocket": the transport the session carries its packets on now.
  const char* transport() const noexcept;
  /// Packets from the client not yet taken, in order. Pongs stay out unless keep_pongs is set.
  std::deque<Packet> inbox;
  bool keep_pongs = false;
  /// Why the session ended ("" while it is open): "the client closed", "ping timeout", ...
  const std::string& ended() const noexcept { return ended_; }

  /// Packets to the client: on the WebSocket one frame each, on polling in the next GET's body.
  void send(std::vector<Packet> packets);
  /// From now on the server sends nothing on this session: no pings, GETs stay held, and the
  /// client's pongs go unchecked. It still reads what the client sends.
  void stall();
  /// A close packet, then the end of the session.
  void close();
  /// Every connection of the session ends at once (TCP FIN): no close packet, no answer.
  void drop();

 private:
  friend class ScriptServer;
  friend class WebSocketPeer;
  void poll(http::Exchange exchange);
  void post(http::Exchange exchange);
  void upgrade(std::unique_ptr<WebSocketPeer> peer);
  /// The session's packets go on `peer` from now on (its WebSocket from the start, or upgraded).
  void carry_on(std::unique_ptr<WebSocketPeer> peer);
  void from_client(Packet packet, bool probe_transport);
  void flush();
  void ping();
  void end(std::string why, bool dropped = false);
  void log(const char* dir, const std::string& what);

  ScriptServer& server_;
  std::string sid_;
  std::string ended_;
  bool stalled_ = false;
  std::deque<Packet> outbox_;                 // for the next polling GET
  std::unique_ptr<http::Exchange> held_get_;  // a GET waiting for packets
  std::unique_ptr<WebSocketPeer> ws_;         // the session's WebSocket (from the start, or upgraded)
  std::unique_ptr<WebSocketPeer> probe_;      // a WebSocket being probed for the upgrade
  bool probe_answered_ = false;
  io::TimerId ping_timer_ = 0, pong_timer_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

class ScriptServer {
 public:
  ScriptServer(io::Loop& loop, live::WireLog& log, ServerSettings settings);
  ~ScriptServer();
  ScriptServer(const ScriptServer&) = delete;
  ScriptServer& operator=(const ScriptServer&) = delete;

  /// An accepted connection.
  void add(io::TransportPtr connection);
  /// Runs when something changed (a session, a packet, an attempt, an end): from the loop, at
  /// most once per turn.
  std::function<void()> on_change;

  /// Sessions in the order their handshakes were answered.
  std::vector<std::unique_ptr<ScriptSession>> sessions;
  /// When each handshake came (loop time), answered or refused: the client's connection attempts.
  std::vector<std::uint64_t> attempts;
  /// How handshakes and upgrades are met from now on: answered, or refused with this HTTP status.
  int refuse_handshakes = 0, refuse_upgrades = 0;
  /// A rule of HTTP, RFC 6455 or Engine.IO the client broke ("" while none).
  std::string violation;

  /// Ends every connection (TCP FIN) and forgets every session; new connections are served.
  void drop_all();
  /// Ends everything for good; `done` runs once, from the loop.
  void close(std::function<void()> done);

  const ServerSettings& settings() const noexcept { return settings_; }
  io::Loop& loop() noexcept { return loop_; }
  live::WireLog& log() noexcept { return log_; }
  void changed();
  void broke(std::string what);

 private:
  void handle(http::Exchange exchange);
  void handshake(http::Exchange exchange, bool websocket);
  ScriptSession* find(const std::string& sid);
  std::unique_ptr<http::Server> make_http();

  io::Loop& loop_;
  live::WireLog& log_;
  ServerSettings settings_;
  std::unique_ptr<http::Server> http_;
  std::vector<std::unique_ptr<http::Server>> retired_;  // dropped, closing
  int next_sid_ = 1;
  bool change_posted_ = false, closed_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sioconf::client
