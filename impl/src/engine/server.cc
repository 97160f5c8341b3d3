#include "sioconf/engine/server.h"

#include <random>

#include "sioconf/base64.h"
#include "sioconf/eio/handshake.h"
#include "sioconf/engine/websocket_transport.h"
#include "sioconf/http/websocket.h"

namespace sioconf::engine {
namespace {

// engine.io's base64id: 15 random bytes as base64url (20 characters).
std::string random_sid() {
  static std::mt19937_64 rng{std::random_device{}()};
  std::uint8_t bytes[15];
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
  std::string sid = base64_encode(ByteView(bytes, sizeof bytes));
  for (char& c : sid) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return sid;
}

}  // namespace

Server::Server(io::Loop& loop, const Limits& limits, ServerOptions options, OnSession on_session)
    : loop_(loop), limits_(limits), options_(std::move(options)), on_session_(std::move(on_session)) {
  if (!options_.make_sid) options_.make_sid = random_sid;
}

Server::~Server() = default;

void Server::refuse(http::Exchange& exchange, Errc why) {
  ++counts_.refused;
  (void)exchange.respond(engine_refusal(why));
}

void Server::forget_gone() const {
  std::erase_if(sessions_, [](const auto& entry) {
    const auto handle = entry.second.lock();
    return !handle || *handle == nullptr;
  });
}

std::size_t Server::sessions() const noexcept {
  forget_gone();
  return sessions_.size();
}

Session* Server::find(const std::string& sid) {
  const auto it = sessions_.find(sid);
  if (it == sessions_.end()) return nullptr;
  const auto handle = it->second.lock();
  if (!handle || *handle == nullptr) {
    sessions_.erase(it);
    return nullptr;
  }
  // A session that is over is unknown to requests (as with engine.io), but it stays in the table
  // until the application destroys it: it still counts against eio_max_sessions.
  return (*handle)->over() ? nullptr : *handle;
}

void Server::handle(http::Exchange exchange) {
  const http::Request& request = exchange.request();
  if (request.query("EIO") != "4") return refuse(exchange, Errc::engine_unsupported_version);
  const std::string transport = request.query("transport");
  if (transport != "polling" && transport != "websocket") return refuse(exchange, Errc::engine_unknown_transport);
  const bool websocket = transport == "websocket";
  if (!request.has_query("sid")) return handshake(std::move(exchange), websocket);

  Session* session = find(request.query("sid"));
  if (session == nullptr) return refuse(exchange, Errc::engine_unknown_sid);
  auto* polling = dynamic_cast<PollingTransport*>(&session->transport());
  if (!websocket) {
    if (polling == nullptr) return refuse(exchange, Errc::engine_bad_request);  // upgraded already
    return polling->handle(std::move(exchange));
  }
  // The upgrade of a polling session to WebSocket.
  if (const Errc e = http::check_websocket_upgrade(request); e != Errc::none) {
    ++counts_.refused;
    return void(exchange.respond(http::websocket_refusal(e)));
  }
  http::Upgraded up = exchange.upgrade(http::websocket_accept_response(request));
  if (!up.stream) return;
  if (polling == nullptr || session->upgrading()) {
    // Upgraded already, or upgrading: engine.io accepts the WebSocket and closes it at once.
    ++counts_.refused;
    io::Stream* stream = up.stream.get();
    refused_streams_.push_back(std::move(up.stream));
    stream->close([this, stream] {
      loop_.post([this, stream, alive = std::weak_ptr<int>(alive_)] {
        if (alive.expired()) return;
        std::erase_if(refused_streams_, [stream](const auto& s) { return s.get() == stream; });
      });
    });
    return;
  }
  ++counts_.upgrades;
  (void)session->upgrade(std::make_unique<WebSocketTransport>(loop_, std::move(up.stream), std::move(up.rest), limits_,
                                                              options_.websocket_high_water));
}

void Server::handshake(http::Exchange exchange, bool websocket) {
  const http::Request& request = exchange.request();
  if (request.method != "GET") return refuse(exchange, Errc::engine_bad_handshake_method);
  if (websocket) {
    if (const Errc e = http::check_websocket_upgrade(request); e != Errc::none) {
      ++counts_.refused;
      return void(exchange.respond(http::websocket_refusal(e)));
    }
  }
  forget_gone();
  if (sessions_.size() >= limits_.eio_max_sessions) {
    ++counts_.refused;
    return void(exchange.respond({503, {{"content-type", "text/plain"}}, "limit_eio_sessions"}));
  }
  std::string sid = options_.make_sid();
  while (sessions_.count(sid) != 0) sid = options_.make_sid();
  const eio::OpenHandshake open{sid, websocket ? std::vector<std::string>{} : std::vector<std::string>{"websocket"},
                                options_.ping_interval_ms, options_.ping_timeout_ms, limits_.eio_max_payload_bytes};
  const std::string open_json = eio::encode_open(open);
  const eio::Packet open_packet{eio::PacketType::open, MessageKind::text, as_bytes(open_json)};

  TransportPtr transport;
  PollingTransport* polling = nullptr;
  http::Request copy = request;  // the handshake as on_session sees it (the Exchange may go)
  if (websocket) {
    http::Upgraded up = exchange.upgrade(http::websocket_accept_response(request));
    if (!up.stream) return;
    transport = std::make_unique<WebSocketTransport>(loop_, std::move(up.stream), std::move(up.rest), limits_,
                                                     options_.websocket_high_water);
  } else {
    auto p = std::make_unique<PollingTransport>(loop_, limits_, options_.polling);
    polling = p.get();
    transport = std::move(p);
  }
  (void)transport->send(open_packet);
  auto session = std::make_unique<Session>(
      std::move(transport),
      SessionOptions{sid, &loop_, options_.ping_interval_ms, options_.ping_timeout_ms, options_.upgrade_timeout_ms});
  sessions_[sid] = session->handle();
  ++counts_.handshakes;
  const std::weak_ptr<Session* const> handle = session->handle();
  on_session_(std::move(session), copy);
  // The handshake GET is the session's first poll: it takes the open packet.
  if (polling != nullptr) {
    const auto alive = handle.lock();
    if (alive && *alive != nullptr) polling->handle(std::move(exchange));
    else refuse(exchange, Errc::engine_unknown_sid);
  }
}

}  // namespace sioconf::engine
