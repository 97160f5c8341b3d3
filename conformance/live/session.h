// A scenario's Engine.IO client: one session with the server under test over long-polling, a
// WebSocket, or long-polling upgraded to a WebSocket, as engine.io-protocol v4 has a client do
// it. Steps see packets (Packet: "4hello", binary bytes) and never the transport: `send` and
// `expect` run unchanged on all three, which is what lets one scenario run on each.
//
// What the client does by itself, as a real one would: it keeps one GET outstanding while
// polling, answers each ping with a pong unless the scenario answers them itself (then pings
// reach the inbox), drops noop packets, and answers a WebSocket ping frame. What it checks of the
// server: the open packet (a JSON object with sid, upgrades, pingInterval, pingTimeout,
// maxPayload), the polling bodies and the WebSocket frames (the reference's decoders), the 101's
// Sec-WebSocket-Accept, and the probe of an upgrade. A broken one is failure().
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "scenario.h"
#include "wire.h"

namespace sioconf::live {

/// What every part of one run shares.
struct RunContext {
  io::Loop& loop;
  WireLog& log;
  Connector connector;
  Shaping shaping;
  std::uint64_t seed;          // of the shaping's cuts; each connection takes the next
  std::string host, path;      // "127.0.0.1:3000", "/socket.io/"
  std::function<void()> poke;  // something changed: the interpreter looks again

  std::unique_ptr<Connection> connection(const std::string& actor) {
    auto c = std::make_unique<Connection>(loop, log, actor, shaping, seed++);
    c->on_change = poke;
    c->connect(connector);
    return c;
  }
  /// A request's bytes: method, path + "?" + query, Host, the extra headers, the body's length.
  std::string request(const std::string& method, const std::string& query, const std::string& body = {},
                      const std::string& extra_headers = {}) const;
};

class Session {
 public:
  /// `query`: what the handshake's query adds after EIO=4&transport=...; `auto_pong`: answer pings.
  Session(RunContext& run, std::string actor, TransportKind kind, bool auto_pong, std::string query);
  /// Over a WebSocket a raw step opened (ws_open): no handshake of its own.
  Session(RunContext& run, std::string actor, std::unique_ptr<Connection> websocket, bool auto_pong);

  void start();
  bool opened() const noexcept { return opened_; }
  /// The open packet's JSON (null before it arrived or for an attached WebSocket).
  const json& handshake() const noexcept { return handshake_; }
  /// The server broke the protocol (empty while it did not): what and where.
  const std::string& failure() const noexcept { return failure_; }
  /// The session is over: how (a polling GET's status, a close frame's code, the connection's end).
  bool closed() const noexcept { return closed_; }
  const std::string& closed_how() const noexcept { return closed_how_; }
  std::optional<int> close_code, close_status;

  /// Packets received and not yet taken, in order.
  std::deque<Packet> inbox;

  /// Sends packets: one POST (expected to be answered with one of `statuses`, 200 "ok" when
  /// empty) or one
  /// frame each. sent() turns true when the POST was answered or the frames were written.
  void send(const std::vector<Packet>& packets, std::vector<int> statuses);
  bool sent() const;
  /// The POST's answer was not the expected one (empty while it was).
  const std::string& send_failure() const noexcept { return send_failure_; }

  void stop_reading();
  void resume_reading();
  void close();
  /// The session's WebSocket once it carries the session (null while polling).
  Connection* websocket() noexcept { return upgraded() || kind_ == TransportKind::websocket ? ws_.get() : nullptr; }
  /// What the server announced (0 before the open packet).
  double ping_interval_ms = 0, ping_timeout_ms = 0;

 private:
  void on_change();
  void poll();
  void finish_upgrade();
  void take_poll_response();
  void take_post_response();
  void take_websocket();
  void post(std::string body, std::vector<int> statuses, bool pong);
  void next_post();
  void deliver(Packet packet, bool over_websocket);
  bool take_open(const Packet& packet);
  void fail(std::string why);
  void end(std::string how);
  bool upgraded() const noexcept { return ws_ != nullptr && probe_done_; }

  RunContext& run_;
  std::string actor_;
  TransportKind kind_;
  bool auto_pong_;
  std::string query_;
  std::string sid_;
  json handshake_;
  bool opened_ = false, closed_ = false, reading_ = true;
  std::string failure_, closed_how_, send_failure_;

  std::unique_ptr<Connection> poller_, poster_, ws_;
  bool get_pending_ = false;
  struct Post {
    std::string body;
    std::vector<int> statuses;  // the answers a send accepts (none: 200 "ok")
    bool pong;                  // the client's own pong: its answer is not the scenario's business
  };
  std::deque<Post> posts_;  // the front is in flight once written; one at a time
  bool post_in_flight_ = false;
  bool ws_accepted_ = false, attached_ = false, probe_sent_ = false, probe_answered_ = false, probe_done_ = false;
};

}  // namespace sioconf::live
