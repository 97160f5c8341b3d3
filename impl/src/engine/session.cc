#include "sioconf/engine/session.h"

namespace sioconf::engine {

namespace {
constexpr std::string_view kProbe = "probe";
bool is_probe(const eio::Packet& p) noexcept { return p.data_kind == MessageKind::text && as_text(p.data) == kProbe; }
}  // namespace

// The sink of a transport being upgraded to: the probe's packets go to the session's probe
// logic; after the switch, everything goes to the session as from its transport.
struct Session::Probe final : TransportSink {
  explicit Probe(Session& s) : session(s) {}
  Session& session;
  bool switched = false, dropped = false;

  void on_packet(const eio::Packet& packet) noexcept override {
    if (dropped) return;
    if (switched) return session.on_packet(packet);
    session.on_probe_packet(packet);
  }
  void on_input_end(Errc why) noexcept override {
    if (dropped) return;
    if (switched) return session.on_input_end(why);
    session.drop_next();
  }
  void on_drain() noexcept override {
    if (switched && !dropped) session.on_drain();
  }
};

Session::Session(TransportPtr transport, SessionOptions options)
    : transport_(std::move(transport)), options_(std::move(options)) {}

Session::~Session() {
  *self_ = nullptr;
  stop_heartbeat();
  stop_upgrade_timers();
}

void Session::stop_upgrade_timers() noexcept {
  if (options_.loop == nullptr) return;
  if (upgrade_timer_ != 0) options_.loop->cancel_timer(upgrade_timer_);
  if (noop_timer_ != 0) options_.loop->cancel_timer(noop_timer_);
  upgrade_timer_ = noop_timer_ = 0;
}

void Session::stop_heartbeat() noexcept {
  if (options_.loop != nullptr) {
    if (ping_timer_ != 0) options_.loop->cancel_timer(ping_timer_);
    if (pong_timer_ != 0) options_.loop->cancel_timer(pong_timer_);
    ping_timer_ = pong_timer_ = 0;
  }
}

void Session::start(SessionSink& sink) {
  sink_ = &sink;
  transport_->start(*this);
  schedule_ping();
}

// The heartbeat: a ping every ping_interval_ms after the last pong, and ping_timeout_ms for the
// pong to come.
void Session::schedule_ping() {
  if (options_.loop == nullptr || options_.ping_interval_ms == 0 || ended_) return;
  ping_timer_ = options_.loop->start_timer(options_.ping_interval_ms, [this] {
    ping_timer_ = 0;
    if (ended_) return;
    (void)send(eio::Packet{eio::PacketType::ping, MessageKind::text, {}});
    pong_timer_ = options_.loop->start_timer(options_.ping_timeout_ms, [this] {
      pong_timer_ = 0;
      if (!ended_) end(Errc::engine_ping_timeout);
    });
  });
}

void Session::on_packet(const eio::Packet& packet) noexcept {
  if (ended_) return;
  ++counts_.packets_in;
  switch (packet.type) {
    case eio::PacketType::message: sink_->on_message(packet.data_kind, packet.data); break;
    case eio::PacketType::ping:  // engine.io-protocol v4: a ping is answered with a pong
      (void)send(eio::Packet{eio::PacketType::pong, MessageKind::text, {}});
      break;
    case eio::PacketType::pong:
      if (pong_timer_ != 0) {
        options_.loop->cancel_timer(pong_timer_);
        pong_timer_ = 0;
        schedule_ping();
      }
      break;
    case eio::PacketType::close: end(Errc::none); break;
    default: break;  // noop, upgrade (outside a probe), open
  }
}

Errc Session::upgrade(TransportPtr next) {
  if (ended_ || next_ != nullptr) {
    next->close(false, {});
    old_.push_back(std::move(next));
    return Errc::engine_bad_request;
  }
  next_ = std::move(next);
  probes_.push_back(std::make_unique<Probe>(*this));
  if (options_.loop != nullptr && options_.upgrade_timeout_ms != 0)
    upgrade_timer_ = options_.loop->start_timer(options_.upgrade_timeout_ms, [this] {
      upgrade_timer_ = 0;
      drop_next();
    });
  next_->start(*probes_.back());
  return Errc::none;
}

void Session::on_probe_packet(const eio::Packet& packet) {
  if (ended_) return drop_next();
  if (packet.type == eio::PacketType::ping && is_probe(packet)) {
    (void)next_->send(eio::Packet{eio::PacketType::pong, MessageKind::text, as_bytes(kProbe)});
    (void)transport_->send(eio::Packet{eio::PacketType::noop, MessageKind::text, {}});  // answers a held GET
    schedule_noop();
    return;
  }
  if (packet.type != eio::PacketType::upgrade) return drop_next();
  // The switch: what the old transport still holds leaves first on the new one, in order.
  stop_upgrade_timers();
  std::vector<QueuedPacket> unsent = transport_->take_unsent();
  TransportPtr old = std::move(transport_);
  transport_ = std::move(next_);
  probes_.back()->switched = true;
  old->close(false, {});
  old_.push_back(std::move(old));
  for (const QueuedPacket& q : unsent)
    if (q.type != eio::PacketType::noop) (void)send(q.view());
  if (waiting_for_drain_ && !transport_->over_high_water()) {
    waiting_for_drain_ = false;
    transport_->resume();
  }
}

// A noop every 100 ms on the current transport until the switch: a GET the client sent after
// the first one is answered, and the client, which waits for its GET before it sends "5", can.
void Session::schedule_noop() {
  if (options_.loop == nullptr || noop_timer_ != 0) return;
  noop_timer_ = options_.loop->start_timer(100, [this] {
    noop_timer_ = 0;
    if (next_ == nullptr || ended_) return;
    (void)transport_->send(eio::Packet{eio::PacketType::noop, MessageKind::text, {}});
    schedule_noop();
  });
}

// The upgrade failed (an unexpected packet, the new connection's end, the upgrade timeout): the
// session goes on.
void Session::drop_next() {
  stop_upgrade_timers();
  if (next_ == nullptr) return;
  probes_.back()->dropped = true;
  next_->close(false, {});
  old_.push_back(std::move(next_));
}

void Session::on_input_end(Errc why) noexcept {
  if (ended_) return;
  if (why != Errc::none) return end(why);
  sink_->on_input_end();
}

void Session::on_drain() noexcept {
  if (!waiting_for_drain_) return;
  waiting_for_drain_ = false;
  transport_->resume();
}

void Session::end(Errc why) {
  ended_ = over_ = true;
  stop_heartbeat();
  if (sink_ != nullptr) sink_->on_end(why);
}

Errc Session::send(const eio::Packet& packet) {
  if (const Errc e = transport_->send(packet); e != Errc::none) {
    // A queue at its bound means the client stopped reading: it is cut off, not waited for.
    if (condition(e) == Condition::limit && !ended_) end(e);
    return e;
  }
  ++counts_.packets_out;
  if (!waiting_for_drain_ && transport_->over_high_water()) {
    waiting_for_drain_ = true;  // read no more requests until the answers drain
    transport_->pause();
  }
  return Errc::none;
}

Errc Session::send_message(MessageKind kind, ByteView data) {
  return send(eio::Packet{eio::PacketType::message, kind, data});
}

Errc Session::check_message(MessageKind kind, ByteView data) const noexcept {
  return transport_->check_send(eio::Packet{eio::PacketType::message, kind, data});
}

void Session::close(bool graceful, std::function<void()> done) {
  ended_ = true;
  stop_heartbeat();
  drop_next();
  transport_->close(graceful, std::move(done));
}

}  // namespace sioconf::engine
