#include "sioconf/session/server_socket.h"

#include <map>
#include <optional>
#include <vector>

#include "sioconf/ack/reply.h"
#include "sioconf/engine/lines_transport.h"
#include "sioconf/sio/packet.h"
#include "sioconf/sio/packet_decoder.h"
#include "sioconf/sio/packet_encoder.h"

namespace sioconf::session {
namespace {

struct Namespace {
  Namespace(std::string n, io::Loop& loop, const Limits& limits, ack::SendAck send)
      : name(std::move(n)), acks(loop, limits), send_ack(std::move(send)) {
    replies.emplace(send_ack);
  }
  std::string name;
  ack::Emitter emitter;
  ack::AckTable acks;
  ack::SendAck send_ack;                     // what each connection's reply channel sends with
  std::optional<ack::ReplyChannel> replies;  // one per connection: a closed channel stays closed
  ConnectMiddleware middleware;
  bool connected = false, admitting = false;  // admitting: the middleware has not decided yet

  // A client joins, possibly again after a DISCONNECT (socket.io then makes a new socket with a
  // fresh ack map): emits with an ack and replies work again, while the replies handed out during
  // the earlier connection stay closed.
  void join() {
    connected = true;
    acks.reopen();
    if (!replies->is_open()) replies.emplace(send_ack);
  }
};

struct IncomingEvent {
  std::string nsp, name, args;
  std::optional<std::uint64_t> id;
  std::vector<std::vector<std::uint8_t>> attachments;  // a BINARY_EVENT's, kept until handled
};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Splits a validated EVENT payload `[name, a, b]` into the name (a string's text between its
// quotes, escapes kept, or a number as written) and the arguments `[a, b]`.
void split_event(std::string_view payload, std::string& name, std::string& args) {
  std::size_t i = 1;
  while (is_blank(payload[i])) ++i;
  std::size_t end = i;
  if (payload[i] == '"') {
    for (end = i + 1; payload[end] != '"'; ++end)
      if (payload[end] == '\\') ++end;
    name.assign(payload.substr(i + 1, end - i - 1));
    ++end;
  } else {
    while (payload[end] != ',' && payload[end] != ']' && !is_blank(payload[end])) ++end;
    name.assign(payload.substr(i, end - i));
  }
  while (is_blank(payload[end])) ++end;
  if (payload[end] == ',') args = "[" + std::string(payload.substr(end + 1));
  else args = "[]";
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

struct ServerSocketState final : engine::SessionSink,
                                 sio::PacketSink,
                                 RoomMember,
                                 std::enable_shared_from_this<ServerSocketState> {
  ServerSocketState(io::Loop& l, std::unique_ptr<engine::Session> eio, const Limits& lim, ServerSocketOptions o)
      : loop(l),
        limits(lim),
        options(std::move(o)),
        session(std::move(eio)),
        sio_decoder(lim),
        encoder(lim),
        dispatcher([this](IncomingEvent event, io::Done done) { handle(std::move(event), std::move(done)); }) {}

  io::Loop& loop;
  Limits limits;
  ServerSocketOptions options;
  std::unique_ptr<engine::Session> session;
  sio::PacketDecoder sio_decoder;
  sio::PacketEncoder encoder;
  JsonWriter writer;
  sio::EncodedPacket encoded;
  std::map<std::string, std::unique_ptr<Namespace>, std::less<>> namespaces;
  io::OrderedDispatcher<IncomingEvent> dispatcher;
  EventHandler handler;
  std::function<void(Errc)> close_callback;
  std::vector<std::function<void()>> disconnect_done;
  bool ended = false, abandoned = false;
  bool input_ended = false;  // the peer's end of stream arrived
  io::TimerId connect_timer = 0;
  SocketCounts counts;

  Namespace* find(std::string_view nsp) {
    const auto it = namespaces.find(nsp);
    return it == namespaces.end() ? nullptr : it->second.get();
  }

  Namespace& make(std::string_view nsp) {
    if (Namespace* ns = find(nsp)) return *ns;
    const std::string name(nsp);
    auto ns = std::make_unique<Namespace>(
        name, loop, limits,
        [this, name](std::uint64_t id, std::string_view args, std::span<const ByteView> attachments) {
          JsonWriter& json = payload().raw_json(args);
          for (ByteView a : attachments) json.attach(a);
          (void)send(sio::PacketType::ack, name, id, json);  // BINARY_ACK when it has attachments
        });
    return *namespaces.emplace(name, std::move(ns)).first->second;
  }

  // ---- from the Engine.IO session ----
  void on_message(MessageKind kind, ByteView data) noexcept override {
    if (ended) return;
    if (sio_decoder.feed(Message{kind, data}, *this) == Status::error && !ended) end(sio_decoder.error().code);
  }

  void on_input_end() noexcept override {  // answer what the peer sent, then end
    input_ended = true;
    end_when_idle();
  }

  void on_end(Errc why) noexcept override { end(why); }

  void on_packet(const sio::Packet& p) noexcept override {
    Namespace* ns = find(p.nsp);
    switch (p.type) {
      case sio::PacketType::connect:
        if (ns == nullptr) {
          (void)send(sio::PacketType::connect_error, p.nsp, std::nullopt,
                     payload().begin_object().key("message").string("Invalid namespace").end_object());
          return;
        }
        if (ns->connected || ns->admitting) return;
        if (!ns->middleware) return admit(*ns, p.nsp, p.payload.empty() ? "{}" : p.payload);
        ns->admitting = true;
        ns->middleware(p.payload.empty() ? "{}" : p.payload,
                       [weak = weak_from_this(), nsp = std::string(p.nsp),
                        auth = std::string(p.payload.empty() ? "{}" : p.payload),
                        called = false](std::optional<ConnectRefusal> refusal) mutable {
                         const auto self = weak.lock();
                         if (called || !self || self->ended) return;
                         called = true;
                         Namespace* n = self->find(nsp);
                         if (n == nullptr || !n->admitting) return;
                         n->admitting = false;
                         if (!refusal) return self->admit(*n, nsp, auth);
                         JsonWriter& json = self->payload().begin_object().key("message").string(refusal->message);
                         if (!refusal->data_json.empty()) json.key("data").raw_json(refusal->data_json);
                         (void)self->send(sio::PacketType::connect_error, nsp, std::nullopt, json.end_object());
                       });
        return;
      case sio::PacketType::disconnect:
        if (ns != nullptr && ns->connected) leave(*ns, R"(["client namespace disconnect"])");
        return;
      case sio::PacketType::event:
      case sio::PacketType::binary_event: {
        if (ns == nullptr || !ns->connected) {
          ++counts.events_dropped;
          return;
        }
        IncomingEvent event;
        event.nsp.assign(p.nsp);
        event.id = p.id;
        split_event(p.payload, event.name, event.args);
        for (ByteView a : p.attachments) event.attachments.emplace_back(a.begin(), a.end());
        dispatcher.push(std::move(event));  // one at a time, in arrival order (io/dispatcher.h)
        return;
      }
      case sio::PacketType::ack:
      case sio::PacketType::binary_ack:
        if (ns != nullptr) (void)ns->acks.settle(*p.id, p.payload);
        return;
      case sio::PacketType::connect_error:
        ++counts.events_dropped;  // only a server sends it
        return;
    }
  }

  void admit(Namespace& ns, std::string_view nsp, std::string_view auth) {
    ns.join();
    if (options.rooms != nullptr) options.rooms->join(*this, nsp, options.sid);  // its own room
    if (connect_timer != 0) loop.cancel_timer(connect_timer);
    connect_timer = 0;
    (void)send(sio::PacketType::connect, nsp, std::nullopt,
               payload().begin_object().key("sid").string(options.sid).end_object());
    // The listeners get the CONNECT's auth object (socket.handshake.auth), {} when it had none.
    ns.emitter.emit_reserved("connect", "[" + std::string(auth) + "]");
  }

  // socket.io's connectTimeout: no namespace joined in time ends the connection.
  void start_connect_timer() {
    if (options.connect_timeout_ms == 0) return;
    connect_timer = loop.start_timer(options.connect_timeout_ms, [weak = weak_from_this()] {
      const auto self = weak.lock();
      if (!self) return;
      self->connect_timer = 0;
      for (const auto& [name, ns] : self->namespaces)
        if (ns->connected) return;
      self->end(Errc::session_connect_timeout);
    });
  }

  // After the peer's end of stream the socket ends once the events it sent have been handled.
  void end_when_idle() {
    if (input_ended && !dispatcher.running() && dispatcher.queued() == 0) end(Errc::none);
  }

  void handle(IncomingEvent event, io::Done finished) {
    io::Done done = [weak = weak_from_this(), finished = std::move(finished)] {
      finished();
      if (const auto self = weak.lock()) self->end_when_idle();  // a handler may finish after we are gone
    };
    Namespace* ns = find(event.nsp);
    if (ended || ns == nullptr || !ns->connected) return done();
    std::optional<ack::Reply> reply;
    if (event.id) reply = ns->replies->reply(*event.id);
    std::vector<ByteView> attachments;
    for (const auto& a : event.attachments) attachments.emplace_back(a.data(), a.size());
    const ack::Event e{event.name, event.args, reply ? &*reply : nullptr, attachments};
    if (handler) return handler(event.nsp, e, std::move(done));
    (void)ns->emitter.emit(e);
    done();
  }

  // ---- writing: one Socket.IO packet as Engine.IO message packets ----
  // The writer for the next packet's payload, emptied (its buffers are reused).
  JsonWriter& payload() {
    writer.clear();
    return writer;
  }

  Errc encode(sio::PacketType type, std::string_view nsp, std::optional<std::uint64_t> id, const JsonWriter& json) {
    return encoder.encode(type, nsp, id, json, encoded);
  }

  // Sends a packet: its text, then each attachment as a binary message (socket.io-protocol v5).
  // A limit refusal has ended the session (a client that does not read is cut off).
  Errc send_encoded(const sio::EncodedPacket& packet) {
    if (const Errc e = session->send_message(MessageKind::text, as_bytes(packet.text)); e != Errc::none) return e;
    for (const auto& attachment : packet.attachments)
      if (const Errc e = session->send_message(MessageKind::binary, ByteView(attachment.data(), attachment.size()));
          e != Errc::none)
        return e;
    return Errc::none;
  }

  Errc send(sio::PacketType type, std::string_view nsp, std::optional<std::uint64_t> id, const JsonWriter& json) {
    if (ended) return Errc::io_closed;
    if (const Errc e = encode(type, nsp, id, json); e != Errc::none) return e;
    return send_encoded(encoded);
  }

  // A broadcast (rooms.h), encoded once for every member.
  Errc deliver(std::string_view nsp, const sio::EncodedPacket& packet) noexcept override {
    if (ended) return Errc::io_closed;
    const Namespace* ns = find(nsp);
    if (ns == nullptr || !ns->connected) return Errc::sio_bad_namespace;
    return send_encoded(packet);
  }

  // ---- ending ----
  void leave(Namespace& ns, std::string_view reason) {
    ns.connected = false;
    if (options.rooms != nullptr) options.rooms->leave_all(*this, ns.name);
    ns.acks.disconnect();  // pending emits settle with ack_disconnected
    ns.replies->close();
    if (!abandoned) ns.emitter.emit_reserved("disconnect", reason);
  }

  void end(Errc why) {
    if (ended) return;
    if (connect_timer != 0) loop.cancel_timer(connect_timer);
    connect_timer = 0;
    ended = true;
    for (auto& [name, ns] : namespaces) {
      if (ns->connected) leave(*ns, why == Errc::none ? R"(["transport close"])" : R"(["transport error"])");
      ns->acks.disconnect();
      ns->replies->close();
    }
    // A clean end lets the answers already written reach the peer; after an error there is
    // nobody to answer.
    session->close(why == Errc::none && !abandoned, [self = shared_from_this(), why] {
      if (self->abandoned) return;
      if (self->close_callback) self->close_callback(why);
      std::vector<std::function<void()>> done = std::move(self->disconnect_done);
      for (auto& d : done) d();
    });
  }
};

namespace {

std::unique_ptr<engine::Session> lines_session(io::Loop& loop, io::TransportPtr connection, const Limits& limits,
                                               const ServerSocketOptions& options) {
  return std::make_unique<engine::Session>(
      std::make_unique<engine::LinesTransport>(loop, std::move(connection), limits, options.stream),
      engine::SessionOptions{options.sid});
}

}  // namespace

ServerSocket::ServerSocket(io::Loop& loop, std::unique_ptr<engine::Session> session, const Limits& limits,
                           ServerSocketOptions options)
    : state_(std::make_shared<ServerSocketState>(loop, std::move(session), limits, std::move(options))) {}

ServerSocket::ServerSocket(io::Loop& loop, io::TransportPtr connection, const Limits& limits,
                           ServerSocketOptions options)
    : ServerSocket(loop, lines_session(loop, std::move(connection), limits, options), limits, options) {}

ServerSocket::~ServerSocket() {
  state_->abandoned = true;
  state_->end(Errc::none);
}

ack::Emitter& ServerSocket::of(std::string_view nsp) { return state_->make(nsp).emitter; }
void ServerSocket::set_event_handler(EventHandler handler) { state_->handler = std::move(handler); }
void ServerSocket::on_close(std::function<void(Errc)> callback) { state_->close_callback = std::move(callback); }

void ServerSocket::start() {
  state_->start_connect_timer();
  state_->session->start(*state_);
}

void ServerSocket::use(std::string_view nsp, ConnectMiddleware middleware) {
  state_->make(nsp).middleware = std::move(middleware);
}

Errc ServerSocket::emit(std::string_view nsp, std::string_view name, std::string_view args_json, ack::AckCallback ack,
                        std::uint64_t timeout_ms) {
  return emit(nsp, name, args_json, {}, std::move(ack), timeout_ms);
}

Errc ServerSocket::emit(std::string_view nsp, std::string_view name, std::string_view args_json,
                        std::span<const ByteView> attachments, ack::AckCallback ack, std::uint64_t timeout_ms) {
  ServerSocketState& s = *state_;
  if (s.ended) return Errc::io_closed;
  Namespace* ns = s.find(nsp);
  if (ns == nullptr || !ns->connected) return Errc::sio_bad_namespace;
  const std::string_view args = trim(args_json);
  if (args.size() < 2 || args.front() != '[' || args.back() != ']') return Errc::sio_event_not_array;
  JsonWriter& json = s.payload().begin_array().string(name).raw_elements(args).end_array();
  for (ByteView a : attachments) json.attach(a);  // a BINARY_EVENT when there are any
  // Encode first with the id the table will issue, and check that the session takes the packet,
  // so that a refused packet leaves no ack behind.
  std::optional<std::uint64_t> id;
  if (ack) id = ns->acks.next_id();
  if (const Errc e = s.encode(sio::PacketType::event, nsp, id, json); e != Errc::none) return e;
  if (const Errc e = s.session->check_message(MessageKind::text, as_bytes(s.encoded.text)); e != Errc::none) {
    if (condition(e) == Condition::limit) s.end(e);  // the client stopped reading: cut off
    return e;
  }
  if (ack) {
    std::uint64_t issued = 0;
    if (const Errc e = ns->acks.add(std::move(ack), timeout_ms, issued); e != Errc::none) return e;
  }
  return s.send_encoded(s.encoded);
}

void ServerSocket::disconnect(std::function<void()> done) {
  ServerSocketState& s = *state_;
  if (s.ended) {
    if (done) s.loop.post(std::move(done));
    return;
  }
  if (done) s.disconnect_done.push_back(std::move(done));
  for (auto& [name, ns] : s.namespaces)
    if (ns->connected) {
      (void)s.send(sio::PacketType::disconnect, name, std::nullopt, s.payload());
      s.leave(*ns, R"(["server namespace disconnect"])");
    }
  s.end(Errc::none);
}

Errc ServerSocket::join(std::string_view nsp, std::string_view room) {
  ServerSocketState& s = *state_;
  if (s.ended) return Errc::io_closed;
  const Namespace* ns = s.find(nsp);
  if (ns == nullptr || !ns->connected || s.options.rooms == nullptr) return Errc::sio_bad_namespace;
  s.options.rooms->join(s, nsp, room);
  return Errc::none;
}

void ServerSocket::leave(std::string_view nsp, std::string_view room) {
  if (state_->options.rooms != nullptr) state_->options.rooms->leave(*state_, nsp, room);
}

const std::string& ServerSocket::sid() const noexcept { return state_->options.sid; }

bool ServerSocket::connected(std::string_view nsp) const {
  const Namespace* ns = state_->find(nsp);
  return ns != nullptr && ns->connected;
}

bool ServerSocket::ended() const noexcept { return state_->ended; }

std::size_t ServerSocket::pending_acks() const {
  std::size_t n = 0;
  for (const auto& [name, ns] : state_->namespaces) n += ns->acks.size();
  return n;
}

const SocketCounts& ServerSocket::counts() const noexcept {
  const engine::SessionCounts& packets = state_->session->counts();
  state_->counts.packets_in = packets.packets_in;
  state_->counts.packets_out = packets.packets_out;
  return state_->counts;
}
const io::DispatchCounts& ServerSocket::dispatch_counts() const noexcept { return state_->dispatcher.counts(); }

}  // namespace sioconf::session
