#include "sioconf/client/engine_client.h"

#include <algorithm>
#include <array>
#include <utility>

#include "link.h"
#include "sioconf/base64.h"
#include "sioconf/eio/packet_decoder.h"
#include "sioconf/eio/packet_encoder.h"
#include "sioconf/eio/payload_decoder.h"
#include "splitmix.h"

namespace sioconf::client {

std::string_view name(TransportKind kind) noexcept {
  return kind == TransportKind::websocket ? "websocket" : "polling";
}

std::string_view name(EngineEnd end) noexcept {
  switch (end) {
    case EngineEnd::transport_close: return "transport close";
    case EngineEnd::transport_error: return "transport error";
    case EngineEnd::parse_error: return "parse error";
    case EngineEnd::ping_timeout: return "ping timeout";
  }
  return "transport error";
}

namespace {

// engine.io-client's reasons: a WebSocket that ends is "transport close", a polling request that
// fails is "transport error" (its "xhr poll error"), and bytes the decoders refuse are a
// "parse error" whichever transport carried them.
EngineEnd how_of(Errc why, bool websocket) noexcept {
  if (why == Errc::client_transport_closed) return websocket ? EngineEnd::transport_close : EngineEnd::transport_error;
  if (why == Errc::client_http_status || condition(why) == Condition::io)
    return websocket ? EngineEnd::transport_close : EngineEnd::transport_error;
  return EngineEnd::parse_error;
}

// A copy of a decoded packet: the decoders' views live only during their callback, and what the
// client does with a packet (the sink's code) must not run inside a decoder.
struct Copied {
  eio::PacketType type;
  MessageKind kind;
  std::string data;
};

struct Collect final : eio::PacketSink {
  std::vector<Copied> packets;
  void on_packet(const eio::Packet& p) noexcept override {
    packets.push_back({p.type, p.data_kind, std::string(as_text(p.data))});
  }
};

}  // namespace

EngineClient::EngineClient(io::Loop& loop, Connector connector, const Limits& limits, EngineOptions options)
    : loop_(loop),
      connector_(std::move(connector)),
      limits_(shared_limits(limits)),
      options_(std::move(options)),
      rng_(options_.seed) {
  if (options_.transports.empty()) options_.transports = {TransportKind::polling};
}

EngineClient::~EngineClient() {
  *alive_ = false;
  loop_.cancel_timer(heartbeat_);
  loop_.cancel_timer(probe_timer_);
}

std::string EngineClient::request(const std::string& method, const std::string& query, const std::string& body,
                                  const std::string& extra) const {
  std::string r = method + " " + options_.path + "?" + query + " HTTP/1.1\r\nHost: " + options_.host + "\r\n";
  r += extra.empty() ? "Connection: close\r\n" : extra;
  if (method == "POST")
    r += "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + body;
}

std::unique_ptr<detail::Link> EngineClient::make_link() {
  return std::make_unique<detail::Link>(loop_, *limits_, sioconf::detail::SplitMix::step(rng_), detail::Link::Events{});
}

// A link is never destroyed from inside its own callback: it is aborted now and freed from the
// loop later.
void EngineClient::retire(std::unique_ptr<detail::Link> link) {
  if (!link) return;
  link->abort();
  graveyard_.push_back(std::move(link));
  if (graveyard_.size() == 1)
    loop_.post([this, alive = alive_] {
      if (*alive) graveyard_.clear();
    });
}

void EngineClient::open(EngineSink& sink) {
  if (state_ != State::idle) return;
  sink_ = &sink;
  state_ = State::opening;
  transport_ = options_.transports.front();
  if (transport_ == TransportKind::websocket) handshake_websocket();
  else handshake_polling();
}

namespace {

std::string websocket_headers(const std::string& key) {
  return "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " + key + "\r\n";
}

}  // namespace

void EngineClient::handshake_polling() {
  auto link = std::make_unique<detail::Link>(loop_, *limits_, sioconf::detail::SplitMix::step(rng_),
                                             detail::Link::Events{[this](http::ReceivedResponse& r) {
                                                                    retire(std::move(get_));
                                                                    if (r.status != 200)
                                                                      return fail(Errc::client_http_status,
                                                                                  EngineEnd::transport_error);
                                                                    take_body(r.body);
                                                                    if (state_ == State::open) poll();
                                                                  },
                                                                  {},
                                                                  [this](Errc why) {
                                                                    retire(std::move(get_));
                                                                    fail(why, how_of(why, false));
                                                                  }});
  get_ = std::move(link);
  get_->start(connector_, request("GET", "EIO=4&transport=polling"));
}

void EngineClient::handshake_websocket() {
  std::array<std::uint8_t, 16> nonce{};
  for (std::size_t i = 0; i < nonce.size(); i += 8) {
    const std::uint64_t r = sioconf::detail::SplitMix::step(rng_);
    for (std::size_t j = 0; j < 8; ++j) nonce[i + j] = static_cast<std::uint8_t>(r >> (8 * j));
  }
  const std::string key = base64_encode(nonce);
  auto link = std::make_unique<detail::Link>(
      loop_, *limits_, sioconf::detail::SplitMix::step(rng_),
      detail::Link::Events{[this](http::ReceivedResponse& r) {
                             if (r.status == 101) return;
                             retire(std::move(ws_));
                             fail(Errc::client_http_status, EngineEnd::transport_error);
                           },
                           [this](ws::Opcode op, ByteView m) { on_ws_message(static_cast<int>(op), m, false); },
                           [this](Errc why) {
                             retire(std::move(ws_));
                             fail(why, how_of(why, true));
                           }});
  ws_ = std::move(link);
  ws_->start(connector_, request("GET", "EIO=4&transport=websocket", {}, websocket_headers(key)), key);
}

void EngineClient::take_body(std::string_view body) {
  eio::PayloadDecoder decoder(*limits_);
  Collect collect;
  if (decoder.decode_whole(as_bytes(body), collect) == Status::error)
    return fail(decoder.error().code, EngineEnd::parse_error);
  const std::shared_ptr<bool> alive = alive_;
  for (const Copied& c : collect.packets) {
    if (!*alive || state_ == State::closed) return;
    on_packet({c.type, c.kind, as_bytes(c.data)});
  }
}

void EngineClient::on_ws_message(int opcode, ByteView message, bool probe) {
  const bool binary = opcode == static_cast<int>(ws::Opcode::binary);
  if (probe) {
    if (probe_ == Probe::probing && !binary && as_text(message) == "3probe") {
      probe_ = Probe::pausing;
      loop_.cancel_timer(probe_timer_);
      probe_timer_ = 0;
      return try_finish_upgrade();
    }
    return drop_probe();
  }
  eio::PacketDecoder decoder(*limits_);
  Collect collect;
  if (decoder.feed({binary ? MessageKind::binary : MessageKind::text, message}, collect) == Status::error)
    return fail(decoder.error().code, EngineEnd::parse_error);
  for (const Copied& c : collect.packets) on_packet({c.type, c.kind, as_bytes(c.data)});
}

bool EngineClient::take_open(const eio::Packet& packet) {
  if (packet.type != eio::PacketType::open || packet.data_kind != MessageKind::text) return false;
  // The decoders already ran parse_open on it (packet_decoder.h); this fills the handshake.
  return eio::parse_open(as_text(packet.data), handshake_) == Errc::none;
}

void EngineClient::on_packet(const eio::Packet& packet) {
  if (state_ == State::closed) return;
  if (state_ == State::opening) {
    if (!take_open(packet)) return fail(Errc::client_bad_handshake, EngineEnd::parse_error);
    return opened_now();
  }
  switch (packet.type) {
    case eio::PacketType::close: return fail(Errc::client_transport_closed, EngineEnd::transport_close);
    case eio::PacketType::ping: arm_heartbeat(); return push({eio::PacketType::pong, MessageKind::text, {}});
    case eio::PacketType::message:
      if (sink_ != nullptr) sink_->on_message(packet.data_kind, packet.data);
      return;
    default: return;  // open again, pong, noop, upgrade: nothing for a client to do
  }
}

void EngineClient::opened_now() {
  state_ = State::open;
  arm_heartbeat();
  const std::shared_ptr<bool> alive = alive_;
  if (sink_ != nullptr) sink_->on_open(handshake_);
  if (!*alive || state_ != State::open) return;
  flush();
  if (transport_ == TransportKind::polling) start_upgrade();
}

void EngineClient::arm_heartbeat() {
  loop_.cancel_timer(heartbeat_);
  heartbeat_ = 0;
  const std::uint64_t window = handshake_.ping_interval + handshake_.ping_timeout;
  if (window == 0) return;
  heartbeat_ = loop_.start_timer(window, [this, alive = alive_] {
    if (!*alive) return;
    heartbeat_ = 0;
    fail(Errc::client_ping_timeout, EngineEnd::ping_timeout);
  });
}

Errc EngineClient::send(MessageKind kind, ByteView data) {
  if (state_ == State::closed || closing_) return Errc::io_closed;
  std::vector<std::uint8_t> scratch;
  const eio::Packet packet{eio::PacketType::message, kind, data};
  if (const Errc e = eio::encode_packet(packet, scratch); e != Errc::none) return e;
  // A text packet holding 0x1e cannot go in a polling body; refused here on either transport so
  // that an upgrade cannot change what is accepted.
  if (kind == MessageKind::text && std::find(data.begin(), data.end(), std::uint8_t{0x1e}) != data.end())
    return Errc::eio_separator_in_text;
  push({eio::PacketType::message, kind, std::string(as_text(data))});
  return Errc::none;
}

void EngineClient::push(Out out) {
  queue_.push_back(std::move(out));
  flush();
}

void EngineClient::flush() {
  if ((state_ != State::open && !closing_) || queue_.empty()) return;
  if (transport_ == TransportKind::websocket) {
    if (!ws_) return;
    std::vector<std::uint8_t> bytes;
    while (!queue_.empty() && ws_) {
      const Out out = std::move(queue_.front());
      queue_.pop_front();
      bytes.clear();
      if (eio::encode_packet({out.type, out.kind, as_bytes(out.data)}, bytes) != Errc::none) continue;
      ws_->send_frame(out.kind == MessageKind::binary ? ws::Opcode::binary : ws::Opcode::text, bytes);
    }
    return;
  }
  // Polling: one POST at a time, and none once the probe was answered (what queues meanwhile goes
  // on the WebSocket after the switch).
  if (post_ || probe_ == Probe::pausing) return;
  std::vector<eio::Packet> packets;
  for (const Out& o : queue_) packets.push_back({o.type, o.kind, as_bytes(o.data)});
  std::string body;
  if (eio::encode_payload(packets, body) != Errc::none) {
    queue_.clear();
    return;
  }
  queue_.clear();
  post_ = std::make_unique<detail::Link>(loop_, *limits_, sioconf::detail::SplitMix::step(rng_),
                                         detail::Link::Events{[this](http::ReceivedResponse& r) {
                                                                retire(std::move(post_));
                                                                if (r.status != 200)
                                                                  return fail(Errc::client_http_status,
                                                                              EngineEnd::transport_error);
                                                                flush();
                                                                try_finish_upgrade();
                                                              },
                                                              {},
                                                              [this](Errc why) {
                                                                retire(std::move(post_));
                                                                fail(why, how_of(why, false));
                                                              }});
  post_->start(connector_, request("POST", "EIO=4&transport=polling&sid=" + handshake_.sid, body));
}

void EngineClient::poll() {
  if (state_ != State::open || transport_ != TransportKind::polling || get_) return;
  // While the probe waits for its answer no new GET goes out: the server answers the held one
  // with a noop when the probe comes, and a GET sent after that would be held until a ping.
  if (probe_ == Probe::probing || probe_ == Probe::pausing) return;
  get_ = std::make_unique<detail::Link>(loop_, *limits_, sioconf::detail::SplitMix::step(rng_),
                                        detail::Link::Events{[this](http::ReceivedResponse& r) {
                                                               retire(std::move(get_));
                                                               if (r.status != 200)
                                                                 return fail(Errc::client_http_status,
                                                                             EngineEnd::transport_error);
                                                               const std::shared_ptr<bool> alive = alive_;
                                                               take_body(r.body);
                                                               if (!*alive || state_ != State::open) return;
                                                               poll();
                                                               try_finish_upgrade();
                                                             },
                                                             {},
                                                             [this](Errc why) {
                                                               retire(std::move(get_));
                                                               fail(why, how_of(why, false));
                                                             }});
  get_->start(connector_, request("GET", "EIO=4&transport=polling&sid=" + handshake_.sid));
}

void EngineClient::start_upgrade() {
  if (!options_.upgrade || probe_ != Probe::none) return;
  const bool allowed = std::find(options_.transports.begin(), options_.transports.end(), TransportKind::websocket) !=
                       options_.transports.end();
  const bool offered =
      std::find(handshake_.upgrades.begin(), handshake_.upgrades.end(), "websocket") != handshake_.upgrades.end();
  if (!allowed || !offered) return;
  probe_ = Probe::connecting;
  std::array<std::uint8_t, 16> nonce{};
  for (std::size_t i = 0; i < nonce.size(); i += 8) {
    const std::uint64_t r = sioconf::detail::SplitMix::step(rng_);
    for (std::size_t j = 0; j < 8; ++j) nonce[i + j] = static_cast<std::uint8_t>(r >> (8 * j));
  }
  const std::string key = base64_encode(nonce);
  probe_link_ = make_link();
  // The link's events are bound once: the same link is the probe, then (after "5") the session's
  // WebSocket, told apart by which member holds it.
  detail::Link* const raw = probe_link_.get();
  probe_link_->set_events(
      {[this, raw](http::ReceivedResponse& r) {
         if (raw != probe_link_.get()) return;
         if (r.status != 101) return drop_probe();
         probe_ = Probe::probing;
         std::vector<std::uint8_t> bytes;
         (void)eio::encode_packet({eio::PacketType::ping, MessageKind::text, as_bytes("probe")}, bytes);
         probe_link_->send_frame(ws::Opcode::text, bytes);
         // A probe never answered must not stop polling for good.
         const std::uint64_t wait = handshake_.ping_timeout > 0 ? handshake_.ping_timeout : 1000;
         probe_timer_ = loop_.start_timer(wait, [this, alive = alive_] {
           if (!*alive) return;
           probe_timer_ = 0;
           drop_probe();
         });
       },
       [this, raw](ws::Opcode op, ByteView m) { on_ws_message(static_cast<int>(op), m, raw != ws_.get()); },
       [this, raw](Errc why) {
         if (raw == ws_.get()) {
           retire(std::move(ws_));
           return fail(why, how_of(why, true));
         }
         if (raw == probe_link_.get()) drop_probe();
       }});
  probe_link_->start(
      connector_, request("GET", "EIO=4&transport=websocket&sid=" + handshake_.sid, {}, websocket_headers(key)), key);
}

void EngineClient::drop_probe() {
  if (probe_ == Probe::done || probe_ == Probe::failed || probe_ == Probe::none) return;
  retire(std::move(probe_link_));
  loop_.cancel_timer(probe_timer_);
  probe_timer_ = 0;
  probe_ = Probe::failed;
  if (state_ != State::open) return;
  poll();
  flush();
}

void EngineClient::try_finish_upgrade() {
  if (probe_ != Probe::pausing || get_ || post_ || !probe_link_ || state_ != State::open) return;
  std::vector<std::uint8_t> upgrade;
  (void)eio::encode_packet({eio::PacketType::upgrade, MessageKind::text, {}}, upgrade);
  probe_link_->send_frame(ws::Opcode::text, upgrade);
  ws_ = std::move(probe_link_);
  transport_ = TransportKind::websocket;
  probe_ = Probe::done;
  flush();
}

void EngineClient::fail(Errc why, EngineEnd how) {
  if (state_ == State::closed) return;
  state_ = State::closed;
  loop_.cancel_timer(heartbeat_);
  loop_.cancel_timer(probe_timer_);
  heartbeat_ = probe_timer_ = 0;
  retire(std::move(get_));
  retire(std::move(post_));
  retire(std::move(ws_));
  retire(std::move(probe_link_));
  queue_.clear();
  EngineSink* const sink = std::exchange(sink_, nullptr);
  if (sink != nullptr) sink->on_end(why, how);
}

bool EngineClient::idle() const noexcept {
  const auto quiet = [](const std::unique_ptr<detail::Link>& l) { return !l || l->ended(); };
  return quiet(get_) && quiet(post_) && quiet(ws_) && quiet(probe_link_) && queue_.empty();
}

void EngineClient::close() {
  if (state_ == State::closed) return;
  sink_ = nullptr;
  loop_.cancel_timer(heartbeat_);
  loop_.cancel_timer(probe_timer_);
  heartbeat_ = probe_timer_ = 0;
  retire(std::move(probe_link_));
  if (state_ != State::open) {
    state_ = State::closed;
    retire(std::move(get_));
    retire(std::move(post_));
    retire(std::move(ws_));
    queue_.clear();
    return;
  }
  closing_ = true;
  queue_.push_back({eio::PacketType::close, MessageKind::text, {}});
  if (transport_ == TransportKind::websocket) {
    flush();
    state_ = State::closed;
    if (ws_) ws_->close_gracefully();  // kept until the server ends it, or we go
    queue_.clear();
    return;
  }
  retire(std::move(get_));
  flush();  // the close packet goes in the next POST (after the one in flight, if any)
  state_ = State::closed;
}

}  // namespace sioconf::client
