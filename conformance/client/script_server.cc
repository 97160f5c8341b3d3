#include "script_server.h"

#include <utility>

#include "sioconf/base64.h"
#include "sioconf/eio/payload_decoder.h"
#include "sioconf/http/websocket.h"
#include "sioconf/ws/frame_encoder.h"
#include "sioconf/ws/message_assembler.h"

namespace sioconf::client {
namespace {

constexpr char kSeparator = '\x1e';  // between the packets of a polling body

std::string text_of(ByteView bytes) { return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()); }

// A polling body as engine.io writes one: text packets as they are, binary ones as "b" + base64.
std::string polling_body(const std::deque<Packet>& packets) {
  std::string body;
  for (const Packet& p : packets) {
    if (!body.empty()) body += kSeparator;
    body += p.binary ? "b" + base64_encode(as_bytes(p.bytes)) : p.bytes;
  }
  return body;
}

// engine.io's refusal of a request it cannot place: 400 {"code":N,"message":...}.
http::Response refusal(int code, const char* message) {
  return {400,
          {{"content-type", "application/json"}},
          "{\"code\":" + std::to_string(code) + ",\"message\":\"" + message + "\"}"};
}

}  // namespace

// One WebSocket of a session, server side: frames in through the reference's assembler (a
// client must mask), one Engine.IO packet per data message; pings answered, a close frame
// answered and the end reported.
class WebSocketPeer final : ws::MessageSink {
 public:
  WebSocketPeer(ScriptServer& server, std::unique_ptr<io::Stream> stream, std::string rest)
      : server_(server), stream_(std::move(stream)), frames_(ws::Role::server, live::client_limits()) {
    if (!rest.empty()) pending_ = std::move(rest);
  }
  ~WebSocketPeer() override {
    *alive_ = false;
    if (stream_) stream_->close();
  }

  std::function<void(Packet)> on_packet;
  std::function<void(std::string why)> on_end;

  void start() {
    if (!pending_.empty()) {
      const std::string first = std::move(pending_);
      take(as_bytes(first));
    }
    read_more();
  }

  void send(const Packet& packet) { frame(packet.binary ? ws::Opcode::binary : ws::Opcode::text, packet.bytes); }
  /// Gracefully: what was written goes out first, then the FIN; else at once.
  void close(bool graceful) {
    if (ended_) return;
    ended_ = true;
    if (!graceful) return stream_->close();
    stream_->shutdown([this, alive = alive_](Errc) {
      if (*alive) stream_->close();
    });
  }

 private:
  void frame(ws::Opcode opcode, std::string_view payload) {
    if (ended_) return;
    std::vector<std::uint8_t> wire;
    if (ws::encode_frame(wire, ws::Role::server, opcode, as_bytes(payload)) != Errc::none) {
      wire.clear();  // what the encoder refuses (text that is not UTF-8) goes out as it is
      ws::FrameHeader header;
      header.opcode = opcode;
      header.payload_length = payload.size();
      ws::encode_header(wire, header);
      wire.insert(wire.end(), payload.begin(), payload.end());
    }
    (void)stream_->write(ByteView(wire.data(), wire.size()));
  }

  void read_more() {
    if (ended_) return;
    (void)stream_->read([this, alive = alive_](Errc error, ByteView bytes) {
      if (!*alive || ended_) return;
      if (error != Errc::none) return finish("the client's connection failed (" + std::string(name(error)) + ")");
      if (bytes.empty()) return finish("the client ended the connection");
      take(bytes);
      if (*alive) read_more();
    });
  }

  void take(ByteView bytes) {
    const auto alive = alive_;
    const Fed r = frames_.feed(bytes, *this);
    if (!*alive || ended_) return;
    if (r.status == Status::error) {
      server_.broke("the client's WebSocket frames break RFC 6455: " + std::string(name(frames_.error().code)) +
                    " at byte " + std::to_string(frames_.error().offset));
      finish("a malformed frame");
    }
  }

  void on_message(ws::Opcode opcode, ByteView message) noexcept override {
    if (on_packet) on_packet(Packet{opcode == ws::Opcode::binary, text_of(message)});
  }
  void on_control(ws::Opcode opcode, ByteView payload) noexcept override {
    if (opcode == ws::Opcode::ping) frame(ws::Opcode::pong, text_of(payload));
  }
  void on_close(std::optional<std::uint16_t> code, std::string_view) noexcept override {
    std::vector<std::uint8_t> wire;
    if (ws::encode_close(wire, ws::Role::server, code, "") == Errc::none)
      (void)stream_->write(ByteView(wire.data(), wire.size()));
    finish("the client closed the WebSocket" + (code ? " (" + std::to_string(*code) + ")" : std::string()));
  }

  void finish(std::string why) {
    if (ended_) return;
    ended_ = true;
    stream_->close();
    if (on_end) on_end(std::move(why));
  }

  ScriptServer& server_;
  std::unique_ptr<io::Stream> stream_;
  ws::MessageAssembler frames_;
  std::string pending_;
  bool ended_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// --- ScriptSession ---------------------------------------------------------------------------

ScriptSession::ScriptSession(ScriptServer& server, std::string sid) : server_(server), sid_(std::move(sid)) {
  ping_timer_ = server_.loop().start_timer(server_.settings().ping_interval_ms, [this] { ping(); });
}

ScriptSession::~ScriptSession() {
  *alive_ = false;
  server_.loop().cancel_timer(ping_timer_);
  server_.loop().cancel_timer(pong_timer_);
}

const char* ScriptSession::transport() const noexcept { return ws_ ? "websocket" : "polling"; }

void ScriptSession::log(const char* dir, const std::string& what) { server_.log().add(sid_, dir, what); }

void ScriptSession::send(std::vector<Packet> packets) {
  if (!ended_.empty()) return;
  for (Packet& p : packets) {
    log("<", live::describe(p));
    outbox_.push_back(std::move(p));
  }
  flush();
}

void ScriptSession::flush() {
  if (stalled_ || !ended_.empty()) return;
  if (ws_) {
    while (!outbox_.empty()) {
      ws_->send(outbox_.front());
      outbox_.pop_front();
    }
    return;
  }
  if (!held_get_ || outbox_.empty()) return;
  std::unique_ptr<http::Exchange> get = std::move(held_get_);
  (void)get->respond({200, {{"content-type", "text/plain; charset=UTF-8"}}, polling_body(outbox_)});
  outbox_.clear();
}

void ScriptSession::ping() {
  ping_timer_ = 0;
  if (stalled_ || !ended_.empty()) return;
  send({Packet{false, "2"}});
  pong_timer_ = server_.loop().start_timer(server_.settings().ping_timeout_ms, [this] {
    pong_timer_ = 0;
    if (!stalled_) end("ping timeout: no pong within pingTimeout");
  });
}

void ScriptSession::from_client(Packet packet, bool probe_transport) {
  if (!ended_.empty()) return;
  log(">", live::describe(packet) + (probe_transport ? " (probe WebSocket)" : ""));
  if (probe_transport) {
    if (!packet.binary && packet.bytes == "2probe") {
      probe_->send(Packet{false, "3probe"});
      probe_answered_ = true;
      if (held_get_) {  // the held GET comes back, so the client can pause polling
        std::unique_ptr<http::Exchange> get = std::move(held_get_);
        (void)get->respond({200, {{"content-type", "text/plain; charset=UTF-8"}}, "6"});
      }
      return;
    }
    if (!packet.binary && packet.bytes == "5" && probe_answered_) {
      carry_on(std::move(probe_));
      log("*", "upgraded: the session is on the WebSocket");
      server_.changed();
      return flush();
    }
    server_.broke("the client sent " + live::describe(packet) + " on the WebSocket it was upgrading to");
    probe_.reset();
    return;
  }
  if (!packet.binary && packet.bytes == "3") {
    server_.loop().cancel_timer(pong_timer_);
    pong_timer_ = 0;
    if (!stalled_) ping_timer_ = server_.loop().start_timer(server_.settings().ping_interval_ms, [this] { ping(); });
    if (!keep_pongs) return;
  }
  if (!packet.binary && packet.bytes == "1") return end("the client closed the session");
  inbox.push_back(std::move(packet));
  server_.changed();
}

void ScriptSession::poll(http::Exchange exchange) {
  if (held_get_) {
    server_.broke("a second GET while one was held");
    (void)exchange.respond(refusal(3, "Bad request"));
    return end("two GETs at once");
  }
  held_get_ = std::make_unique<http::Exchange>(std::move(exchange));
  held_get_->on_close([this, alive = alive_] {
    if (*alive) held_get_.reset();
  });
  flush();
}

void ScriptSession::post(http::Exchange exchange) {
  std::string error;
  const std::optional<std::vector<Packet>> packets = live::body_packets(exchange.request().body, error);
  if (!packets) {
    server_.broke("a POST body the reference cannot decode: " + error);
    (void)exchange.respond(refusal(3, "Bad request"));
    return end("a malformed POST");
  }
  (void)exchange.respond({200, {{"content-type", "text/html"}}, "ok"});
  for (const Packet& p : *packets) from_client(p, false);
}

void ScriptSession::carry_on(std::unique_ptr<WebSocketPeer> peer) {
  ws_ = std::move(peer);
  ws_->on_packet = [this](Packet p) { from_client(std::move(p), false); };
  ws_->on_end = [this, alive = alive_](std::string why) {
    if (*alive) end(std::move(why));
  };
}

void ScriptSession::upgrade(std::unique_ptr<WebSocketPeer> peer) {
  probe_ = std::move(peer);
  probe_answered_ = false;
  probe_->on_packet = [this](Packet p) { from_client(std::move(p), true); };
  probe_->on_end = [this, alive = alive_](std::string) {
    if (*alive && !ws_) probe_.reset();
  };
  probe_->start();
}

void ScriptSession::stall() {
  stalled_ = true;
  server_.loop().cancel_timer(ping_timer_);
  server_.loop().cancel_timer(pong_timer_);
  ping_timer_ = pong_timer_ = 0;
  log("*", "stalls: sends nothing more");
}

void ScriptSession::close() {
  if (!ended_.empty()) return;
  send({Packet{false, "1"}});
  end("the server closed the session");
}

void ScriptSession::drop() {
  log("*", "drops every connection");
  server_.drop_all();
}

// A session that ends answers its held GET with what it still had and a close packet, and
// closes its WebSocket after what was written, as engine.io does; one that is dropped answers
// nothing (its connections are gone already: a held GET's respond() does nothing).
void ScriptSession::end(std::string why, bool dropped) {
  if (!ended_.empty()) return;
  ended_ = std::move(why);
  log("*", "session ends: " + ended_);
  server_.loop().cancel_timer(ping_timer_);
  server_.loop().cancel_timer(pong_timer_);
  ping_timer_ = pong_timer_ = 0;
  if (held_get_) {
    if (outbox_.empty() || outbox_.back().bytes != "1") outbox_.push_back(Packet{false, "1"});
    std::unique_ptr<http::Exchange> get = std::move(held_get_);
    if (!dropped) (void)get->respond({200, {{"content-type", "text/plain; charset=UTF-8"}}, polling_body(outbox_)});
  }
  outbox_.clear();
  if (ws_) ws_->close(!dropped);
  probe_.reset();
  server_.changed();
}

// --- ScriptServer ----------------------------------------------------------------------------

ScriptServer::ScriptServer(io::Loop& loop, live::WireLog& log, ServerSettings settings)
    : loop_(loop), log_(log), settings_(std::move(settings)), http_(make_http()) {}

ScriptServer::~ScriptServer() { *alive_ = false; }

std::unique_ptr<http::Server> ScriptServer::make_http() {
  return std::make_unique<http::Server>(loop_, live::client_limits(), http::ServerOptions{},
                                        [this](http::Exchange exchange) { handle(std::move(exchange)); });
}

void ScriptServer::add(io::TransportPtr connection) {
  if (closed_) return;
  http_->add(std::move(connection));
}

void ScriptServer::changed() {
  if (change_posted_) return;
  change_posted_ = true;
  loop_.post([this, alive = alive_] {
    if (!*alive) return;
    change_posted_ = false;
    if (on_change) on_change();
  });
}

void ScriptServer::broke(std::string what) {
  log_.add("server", "*", "the client broke a rule: " + what);
  if (violation.empty()) violation = std::move(what);
  changed();
}

ScriptSession* ScriptServer::find(const std::string& sid) {
  for (auto& s : sessions)
    if (s->sid() == sid && s->ended().empty()) return s.get();
  return nullptr;
}

void ScriptServer::handle(http::Exchange exchange) {
  const http::Request& request = exchange.request();
  const bool websocket = request.query("transport") == "websocket";
  log_.add("server", ">", request.method + " " + request.target + (websocket ? " (websocket)" : ""));
  if (request.path() != settings_.path) {
    (void)exchange.respond({404, {}, ""});
    return;
  }
  if (request.query("EIO") != "4") {
    broke("a request without EIO=4: " + request.target);
    (void)exchange.respond(refusal(5, "Unsupported protocol version"));
    return;
  }
  if (!websocket && request.query("transport") != "polling") {
    broke("a request for an unknown transport: " + request.target);
    (void)exchange.respond(refusal(0, "Transport unknown"));
    return;
  }
  if (!request.has_query("sid")) return handshake(std::move(exchange), websocket);

  ScriptSession* session = find(request.query("sid"));
  if (session == nullptr) {
    log_.add("server", "<", "400 Session ID unknown");
    (void)exchange.respond(refusal(1, "Session ID unknown"));
    return;
  }
  if (websocket) {
    if (refuse_upgrades != 0) {
      log_.add("server", "<", std::to_string(refuse_upgrades) + " (the upgrade is refused)");
      (void)exchange.respond({refuse_upgrades, {}, ""});
      return;
    }
    if (http::check_websocket_upgrade(request) != Errc::none) {
      broke("a WebSocket upgrade request RFC 6455 refuses: " + request.target);
      (void)exchange.respond(http::websocket_refusal(http::check_websocket_upgrade(request)));
      return;
    }
    http::Upgraded up = exchange.upgrade(http::websocket_accept_response(request));
    if (!up.stream) return;
    session->log("*", "upgrade: WebSocket open, waiting for the probe");
    session->upgrade(std::make_unique<WebSocketPeer>(*this, std::move(up.stream), std::move(up.rest)));
    return;
  }
  if (session->ws_) {
    broke("a polling request after the upgrade: " + request.target);
    (void)exchange.respond(refusal(3, "Bad request"));
    return;
  }
  if (request.method == "GET") return session->poll(std::move(exchange));
  if (request.method == "POST") return session->post(std::move(exchange));
  (void)exchange.respond({405, {}, ""});
}

void ScriptServer::handshake(http::Exchange exchange, bool websocket) {
  attempts.push_back(loop_.now());
  changed();
  if (refuse_handshakes != 0) {
    log_.add("server", "<", std::to_string(refuse_handshakes) + " (the handshake is refused)");
    (void)exchange.respond({refuse_handshakes, {}, ""});
    return;
  }
  const std::string sid = "s" + std::to_string(next_sid_++);
  const std::string open = "0{\"sid\":\"" + sid + "\",\"upgrades\":[" + (websocket ? "" : "\"websocket\"") +
                           "],\"pingInterval\":" + std::to_string(settings_.ping_interval_ms) +
                           ",\"pingTimeout\":" + std::to_string(settings_.ping_timeout_ms) +
                           ",\"maxPayload\":" + std::to_string(settings_.max_payload) + "}";
  auto session = std::make_unique<ScriptSession>(*this, sid);
  ScriptSession& s = *session;
  sessions.push_back(std::move(session));
  if (websocket) {
    if (const Errc e = http::check_websocket_upgrade(exchange.request()); e != Errc::none) {
      broke("a WebSocket handshake RFC 6455 refuses (" + std::string(name(e)) + ")");
      (void)exchange.respond(http::websocket_refusal(e));
      return s.end("a malformed handshake");
    }
    http::Upgraded up = exchange.upgrade(http::websocket_accept_response(exchange.request()));
    if (!up.stream) return s.end("the client went away during the handshake");
    s.ws_ = std::make_unique<WebSocketPeer>(*this, std::move(up.stream), std::move(up.rest));
    s.carry_on(std::move(s.ws_));
    s.log("*", "session opens on a WebSocket");
    s.send({Packet{false, open}});
    s.ws_->start();
  } else {
    s.log("*", "session opens on polling");
    s.log("<", open);
    (void)exchange.respond({200, {{"content-type", "text/plain; charset=UTF-8"}}, open});
  }
}

void ScriptServer::drop_all() {
  // The connections go first, so that no held GET is answered on the way.
  http::Server* old = http_.get();
  retired_.push_back(std::move(http_));
  old->close([] {});
  http_ = make_http();
  for (auto& s : sessions) s->end("the server dropped the connection", true);
  changed();
}

void ScriptServer::close(std::function<void()> done) {
  closed_ = true;
  for (auto& s : sessions) s->end("the case is over");
  if (!http_) {
    loop_.post(std::move(done));
    return;
  }
  http_->close([done = std::move(done)] { done(); });
}

}  // namespace sioconf::client
