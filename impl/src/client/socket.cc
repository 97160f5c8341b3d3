#include "sioconf/client/socket.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "json_dom.h"
#include "sioconf/json_writer.h"
#include "splitmix.h"

namespace sioconf::client {

std::string_view name(DisconnectReason reason) noexcept {
  switch (reason) {
    case DisconnectReason::io_server_disconnect: return "io server disconnect";
    case DisconnectReason::io_client_disconnect: return "io client disconnect";
    case DisconnectReason::ping_timeout: return "ping timeout";
    case DisconnectReason::transport_close: return "transport close";
    case DisconnectReason::transport_error: return "transport error";
    case DisconnectReason::parse_error: return "parse error";
  }
  return "transport error";
}

namespace {

DisconnectReason reason_of(EngineEnd how) noexcept {
  switch (how) {
    case EngineEnd::transport_close: return DisconnectReason::transport_close;
    case EngineEnd::transport_error: return DisconnectReason::transport_error;
    case EngineEnd::parse_error: return DisconnectReason::parse_error;
    case EngineEnd::ping_timeout: return DisconnectReason::ping_timeout;
  }
  return DisconnectReason::transport_error;
}

bool blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// An EVENT's payload, already checked by the decoder (a non-empty array whose first value is a
// string or a number), cut into the name's JSON text and the arguments as an array of their own.
// A cut of the text, not a parse and a re-serialisation: the arguments reach the application
// exactly as the server wrote them (numbers too).
void split_event(std::string_view payload, std::string_view& name_json, std::string& args_json) {
  std::size_t i = 1;
  const std::size_t n = payload.size();
  while (i < n && blank(payload[i])) ++i;
  const std::size_t start = i;
  if (i < n && payload[i] == '"') {
    for (++i; i < n && payload[i] != '"'; ++i)
      if (payload[i] == '\\') ++i;
    ++i;
  } else {
    while (i < n && payload[i] != ',' && payload[i] != ']' && !blank(payload[i])) ++i;
  }
  name_json = payload.substr(start, std::min(i, n) - start);
  while (i < n && blank(payload[i])) ++i;
  if (i < n && payload[i] == ',') args_json = "[" + std::string(payload.substr(i + 1));
  else args_json = "[]";
}

}  // namespace

Socket::Socket(io::Loop& loop, Connector connector, const Limits& limits, SocketOptions options)
    : loop_(loop),
      connector_(std::move(connector)),
      limits_(limits),
      options_(std::move(options)),
      encoder_(limits),
      decoder_(limits),
      rng_(options_.engine.seed ^ 0x5eed5eed5eed5eedULL) {
  if (options_.nsp.empty()) options_.nsp = "/";
}

Socket::~Socket() {
  *alive_ = false;
  loop_.cancel_timer(connect_timer_);
  loop_.cancel_timer(reconnect_timer_);
  loop_.cancel_timer(reap_timer_);
  for (auto& [id, pending] : acks_) loop_.cancel_timer(pending.timer);
}

std::uint64_t Socket::backoff(std::uint64_t attempt) {
  const double base = static_cast<double>(options_.reconnection_delay_ms);
  const double cap = static_cast<double>(options_.reconnection_delay_max_ms);
  const double exponent = static_cast<double>(attempt == 0 ? 0 : attempt - 1);
  double ms = std::min(base * std::pow(2.0, std::min(exponent, 64.0)), cap);
  const double factor = std::clamp(options_.randomization_factor, 0.0, 1.0);
  if (factor > 0) {
    const double r = static_cast<double>(sioconf::detail::SplitMix::step(rng_) >> 11) * 0x1.0p-53;  // [0, 1)
    const double deviation = std::floor(r * factor * ms);
    // socket.io-client's Backoff: the same draw picks the sign.
    ms = (static_cast<std::uint64_t>(std::floor(r * 10)) & 1) == 0 ? ms - deviation : ms + deviation;
  }
  return ms <= 0 ? 0 : static_cast<std::uint64_t>(ms);
}

void Socket::connect() {
  if (connected_ || connecting_ || reconnecting_) return;
  stopped_ = false;
  attempts_ = 0;
  open_engine();
}

void Socket::open_engine() {
  drop_engine();
  connecting_ = true;
  EngineOptions eo = options_.engine;
  eo.seed = sioconf::detail::SplitMix::step(rng_);
  engine_ = std::make_unique<EngineClient>(loop_, connector_, limits_, eo);
  if (options_.timeout_ms > 0)
    connect_timer_ = loop_.start_timer(options_.timeout_ms, [this, alive = alive_] {
      if (!*alive) return;
      connect_timer_ = 0;
      if (connecting_) attempt_failed("timeout");
    });
  engine_->open(*this);
}

// The session is closed (a close packet if it is open) and kept until that packet went out (a
// POST answered, the WebSocket ended), at most kRetiredMs: this may run inside one of its
// callbacks, and destroying it at once would cut the close packet off.
constexpr std::uint64_t kRetiredMs = 5000;

void Socket::drop_engine() {
  if (!engine_) return;
  engine_->close();
  retired_.push_back({std::move(engine_), loop_.now() + kRetiredMs});
  if (reap_timer_ == 0)
    reap_timer_ = loop_.start_timer(0, [this, alive = alive_] {
      if (!*alive) return;
      reap_timer_ = 0;
      reap();
    });
}

void Socket::reap() {
  const std::uint64_t now = loop_.now();
  std::erase_if(retired_, [now](const Retired& r) { return r.engine->idle() || now >= r.deadline; });
  if (!retired_.empty() && reap_timer_ == 0)
    reap_timer_ = loop_.start_timer(50, [this, alive = alive_] {
      if (!*alive) return;
      reap_timer_ = 0;
      reap();
    });
}

void Socket::send_packet(const sio::EncodedPacket& packet) {
  if (!engine_) return;
  // A refusal here means the session is ending; its end reports the loss.
  if (engine_->send(MessageKind::text, as_bytes(packet.text)) != Errc::none) return;
  for (const std::vector<std::uint8_t>& a : packet.attachments) (void)engine_->send(MessageKind::binary, a);
}

void Socket::on_open(const eio::OpenHandshake&) {
  ++generation_;
  decoder_.reset();
  JsonWriter auth;
  if (options_.auth_json) auth.raw_json(*options_.auth_json);
  sio::EncodedPacket out;
  if (const Errc e = encoder_.encode(sio::PacketType::connect, options_.nsp, std::nullopt, auth, out);
      e != Errc::none) {
    // An auth object the decoder would refuse is the application's mistake: no retry cures it.
    stopped_ = true;
    connecting_ = false;
    loop_.cancel_timer(connect_timer_);
    connect_timer_ = 0;
    drop_engine();
    if (handlers_.on_connect_error) handlers_.on_connect_error(name(e), {});
    return;
  }
  send_packet(out);
}

void Socket::on_message(MessageKind kind, ByteView data) {
  const std::shared_ptr<bool> alive = alive_;
  const std::uint64_t generation = generation_;
  if (decoder_.feed({kind, data}, *this) != Status::error) return;
  if (!*alive || generation != generation_ || !engine_) return;  // a handler already ended it
  const Errc why = decoder_.error().code;
  drop_engine();
  if (connected_) lost(DisconnectReason::parse_error, why);
  else if (connecting_) attempt_failed(name(why));
}

void Socket::on_end(Errc why, EngineEnd how) {
  // The engine calls this once and never again; it is freed from the loop.
  drop_engine();
  if (connected_) lost(reason_of(how), why);
  else if (connecting_) attempt_failed(name(why));
}

void Socket::on_packet(const sio::Packet& packet) {
  if (packet.nsp != options_.nsp) return;
  switch (packet.type) {
    case sio::PacketType::connect: return on_connect_packet(packet);
    case sio::PacketType::connect_error: return on_connect_error_packet(packet);
    case sio::PacketType::event:
    case sio::PacketType::binary_event: return on_event_packet(packet);
    case sio::PacketType::ack:
    case sio::PacketType::binary_ack: return on_ack_packet(packet);
    case sio::PacketType::disconnect:
      if (!connected_) return;
      connected_ = false;
      stopped_ = true;  // the server sent us away: no reconnection
      drop_engine();
      settle_sent_acks();
      if (handlers_.on_disconnect) handlers_.on_disconnect(DisconnectReason::io_server_disconnect, Errc::none);
      return;
  }
}

void Socket::on_connect_packet(const sio::Packet& packet) {
  if (!connecting_ || connected_) return;
  sioconf::detail::JsonDom dom;
  std::string_view sid;
  if (packet.payload.empty() || dom.parse(packet.payload, limits_.max_depth) != Errc::none ||
      dom.root()["sid"].get(sid) != simdjson::SUCCESS)
    return attempt_failed("the CONNECT answer has no sid");
  loop_.cancel_timer(connect_timer_);
  connect_timer_ = 0;
  connecting_ = reconnecting_ = false;
  attempts_ = 0;
  connected_ = true;
  sid_ = std::string(sid);
  // What was emitted while disconnected goes first, in order, before anyone hears "connect": an
  // emit made from the connect handler must not overtake the buffer (socket.io-client#1458).
  while (!buffer_.empty() && connected_) {
    const Buffered b = std::move(buffer_.front());
    buffer_.pop_front();
    send_packet(b.packet);
  }
  if (handlers_.on_connect) handlers_.on_connect(sid_);
}

void Socket::on_connect_error_packet(const sio::Packet& packet) {
  std::string message, data;
  sioconf::detail::JsonDom dom;
  if (dom.parse(packet.payload, limits_.max_depth) == Errc::none) {
    std::string_view text;
    if (dom.root().get(text) == simdjson::SUCCESS) {
      message = text;
    } else {
      if (dom.root()["message"].get(text) == simdjson::SUCCESS) message = text;
      simdjson::dom::element d;
      if (dom.root()["data"].get(d) == simdjson::SUCCESS) data = simdjson::minify(d);
    }
  }
  // socket.io-client destroys the socket on CONNECT_ERROR: no reconnection.
  stopped_ = true;
  reconnecting_ = false;
  connecting_ = connected_ = false;
  loop_.cancel_timer(connect_timer_);
  connect_timer_ = 0;
  drop_engine();
  settle_sent_acks();
  if (handlers_.on_connect_error) handlers_.on_connect_error(message, data);
}

void Socket::on_event_packet(const sio::Packet& packet) {
  if (!connected_ || !handlers_.on_event) return;
  std::string_view name_json;
  std::string args;
  split_event(packet.payload, name_json, args);
  std::string event_name(name_json);
  if (!name_json.empty() && name_json.front() == '"') {
    sioconf::detail::JsonDom dom;
    std::string_view decoded;
    if (dom.parse(name_json, 1) == Errc::none && dom.root().get(decoded) == simdjson::SUCCESS) event_name = decoded;
  }
  ReceivedEvent event{event_name, args, packet.attachments, {}};
  if (packet.id) {
    auto answered = std::make_shared<bool>(false);
    event.ack = [this, alive = alive_, answered, id = *packet.id, generation = generation_](
                    std::string_view args_json, std::span<const ByteView> attachments) -> Errc {
      if (!*alive || *answered || generation != generation_ || !connected_) return Errc::io_closed;
      JsonWriter w;
      w.raw_json(trim(args_json));
      for (ByteView a : attachments) w.attach(a);
      sio::EncodedPacket out;
      if (const Errc e = encoder_.encode(sio::PacketType::ack, options_.nsp, id, w, out); e != Errc::none) return e;
      *answered = true;
      send_packet(out);
      return Errc::none;
    };
  }
  handlers_.on_event(event);
}

void Socket::on_ack_packet(const sio::Packet& packet) {
  if (!packet.id) return;
  const auto it = acks_.find(*packet.id);
  if (it == acks_.end()) return;  // never used, settled, or timed out: ignored
  PendingAck pending = std::move(it->second);
  acks_.erase(it);
  loop_.cancel_timer(pending.timer);
  if (pending.handler) pending.handler(Errc::none, packet.payload, packet.attachments);
}

Errc Socket::emit(std::string_view event, std::string_view args_json, std::span<const ByteView> attachments,
                  AckHandler ack, EmitOptions options) {
  args_json = trim(args_json);
  if (args_json.size() < 2 || args_json.front() != '[' || args_json.back() != ']') return Errc::sio_event_not_array;
  JsonWriter w;
  w.begin_array().string(event).raw_elements(args_json).end_array();
  for (ByteView a : attachments) w.attach(a);
  std::optional<std::uint64_t> id;
  if (ack) id = next_id_;
  sio::EncodedPacket out;
  if (const Errc e = encoder_.encode(sio::PacketType::event, options_.nsp, id, w, out); e != Errc::none) return e;
  if (!connected_) {
    if (options.is_volatile) return Errc::client_volatile_dropped;
    if (buffer_.size() >= limits_.client_max_buffered_emits) return Errc::limit_client_buffered_emits;
  }
  if (id) {
    ++next_id_;
    PendingAck pending{std::move(ack), 0};
    if (options.timeout_ms > 0)
      pending.timer = loop_.start_timer(options.timeout_ms, [this, alive = alive_, i = *id] {
        if (*alive) ack_timed_out(i);
      });
    acks_.emplace(*id, std::move(pending));
  }
  if (connected_) send_packet(out);
  else buffer_.push_back({id, std::move(out)});
  return Errc::none;
}

void Socket::ack_timed_out(std::uint64_t id) {
  const auto it = acks_.find(id);
  if (it == acks_.end()) return;
  PendingAck pending = std::move(it->second);
  acks_.erase(it);
  // An emit still waiting in the buffer is never sent: its outcome is already known.
  std::erase_if(buffer_, [id](const Buffered& b) { return b.id == id; });
  if (pending.handler) pending.handler(Errc::ack_timeout, {}, {});
}

// Acks of emits that went out on the lost connection can never come (socket.io-client's
// _clearAcks); the buffered ones will go out on the next.
void Socket::settle_sent_acks() {
  std::vector<PendingAck> settled;
  for (auto it = acks_.begin(); it != acks_.end();) {
    const std::uint64_t id = it->first;
    if (std::any_of(buffer_.begin(), buffer_.end(), [id](const Buffered& b) { return b.id == id; })) {
      ++it;
      continue;
    }
    loop_.cancel_timer(it->second.timer);
    settled.push_back(std::move(it->second));
    it = acks_.erase(it);
  }
  const std::shared_ptr<bool> alive = alive_;
  for (PendingAck& p : settled) {
    if (!*alive) return;
    if (p.handler) p.handler(Errc::ack_disconnected, {}, {});
  }
}

void Socket::attempt_failed(std::string_view message) {
  const std::string text(message);
  connecting_ = reconnecting_ = false;
  loop_.cancel_timer(connect_timer_);
  connect_timer_ = 0;
  drop_engine();
  const std::shared_ptr<bool> alive = alive_;
  if (handlers_.on_connect_error) handlers_.on_connect_error(text, {});
  if (*alive && options_.reconnection && !stopped_) reconnect();
}

void Socket::lost(DisconnectReason reason, Errc why) {
  connected_ = connecting_ = false;
  loop_.cancel_timer(connect_timer_);
  connect_timer_ = 0;
  drop_engine();
  const std::shared_ptr<bool> alive = alive_;
  settle_sent_acks();
  if (!*alive) return;
  if (handlers_.on_disconnect) handlers_.on_disconnect(reason, why);
  if (*alive && options_.reconnection && !stopped_) reconnect();
}

void Socket::reconnect() {
  if (reconnecting_ || stopped_ || connected_ || connecting_) return;
  if (attempts_ >= options_.reconnection_attempts) {
    attempts_ = 0;
    if (handlers_.on_reconnect_failed) handlers_.on_reconnect_failed();
    return;
  }
  ++attempts_;
  reconnecting_ = true;
  reconnect_timer_ = loop_.start_timer(backoff(attempts_), [this, alive = alive_] {
    if (!*alive) return;
    reconnect_timer_ = 0;
    if (stopped_) return;
    if (handlers_.on_reconnect_attempt) handlers_.on_reconnect_attempt(attempts_);
    if (!*alive || stopped_) return;
    open_engine();
  });
}

void Socket::disconnect() {
  stopped_ = true;
  reconnecting_ = false;
  loop_.cancel_timer(reconnect_timer_);
  loop_.cancel_timer(connect_timer_);
  reconnect_timer_ = connect_timer_ = 0;
  connecting_ = false;
  if (!connected_) return drop_engine();
  JsonWriter none;
  sio::EncodedPacket out;
  if (encoder_.encode(sio::PacketType::disconnect, options_.nsp, std::nullopt, none, out) == Errc::none)
    send_packet(out);
  connected_ = false;
  drop_engine();  // its close packet follows the DISCONNECT
  const std::shared_ptr<bool> alive = alive_;
  settle_sent_acks();
  if (*alive && handlers_.on_disconnect) handlers_.on_disconnect(DisconnectReason::io_client_disconnect, Errc::none);
}

}  // namespace sioconf::client
