#include "sioconf/session/server_socket.h"

#include <algorithm>
#include <optional>
#include <vector>

#include "event_payload.h"
#include "sioconf/ack/reply.h"
#include "sioconf/engine/lines_transport.h"
#include "sioconf/sio/packet.h"
#include "sioconf/sio/packet_decoder.h"
#include "sioconf/sio/packet_encoder.h"

namespace sioconf::session {
namespace {

// One namespace of a connection: made when of() or use() names it, or when the client joins a
// namespace of ServerSocketOptions::namespaces. What only a joined namespace needs (its acks, its
// replies) is made at its first join, so that a namespace a client never joins costs nothing.
struct Namespace {
  explicit Namespace(std::string_view n) : name(n) {}
  std::string name;
  std::unique_ptr<ack::Emitter> emitter;      // of(): the listeners
  ConnectMiddleware middleware;               // use()
  std::optional<ack::AckTable> acks;          // from the first join on
  std::optional<ack::ReplyChannel> replies;   // one per join: a closed channel stays closed
  bool connected = false, admitting = false;  // admitting: the middleware has not decided yet
};

// The buffers one outgoing packet is built and encoded in. A send runs to its end before the next
// one starts, so the sockets of a thread share one set and an idle socket keeps none; a send that
// starts inside another (a listener run by a session ending under a send) gets a set of its own.
class Outgoing {
 public:
  Outgoing() {
    thread_local Buffers shared;
    if (!shared.busy) {
      buffers_ = &shared;
      shared.busy = true;
    } else {
      own_ = std::make_unique<Buffers>();
      buffers_ = own_.get();
    }
    buffers_->writer.clear();
  }
  ~Outgoing() {
    if (!own_) buffers_->busy = false;
  }
  Outgoing(const Outgoing&) = delete;
  Outgoing& operator=(const Outgoing&) = delete;

  JsonWriter& json() noexcept { return buffers_->writer; }  // the payload, empty at first
  sio::EncodedPacket& packet() noexcept { return buffers_->packet; }

 private:
  struct Buffers {
    JsonWriter writer;
    sio::EncodedPacket packet;
    bool busy = false;
  };
  Buffers* buffers_;
  std::unique_ptr<Buffers> own_;
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

}  // namespace

struct ServerSocketState final : engine::SessionSink,
                                 sio::PacketSink,
                                 RoomMember,
                                 std::enable_shared_from_this<ServerSocketState> {
  ServerSocketState(io::Loop& l, std::unique_ptr<engine::Session> eio, const Limits& lim, ServerSocketOptions o)
      : loop(l),
        limits(shared_limits(lim)),
        options(std::move(o)),
        session(std::move(eio)),
        sio_decoder(lim),
        encoder(lim),
        dispatcher([this](IncomingEvent event, io::Done done) { handle(std::move(event), std::move(done)); }) {}

  io::Loop& loop;
  std::shared_ptr<const Limits> limits;
  ServerSocketOptions options;
  std::unique_ptr<engine::Session> session;
  sio::PacketDecoder sio_decoder;
  sio::PacketEncoder encoder;
  std::vector<std::unique_ptr<Namespace>> namespaces;  // by name
  io::OrderedDispatcher<IncomingEvent> dispatcher;
  EventHandler handler;
  ConnectHandler connect_handler;
  std::function<void(Errc)> close_callback;
  std::vector<std::function<void()>> disconnect_done;
  bool ended = false, abandoned = false;
  bool input_ended = false;  // the peer's end of stream arrived
  io::TimerId connect_timer = 0;
  SocketCounts counts;

  std::vector<std::unique_ptr<Namespace>>::iterator position(std::string_view nsp) {
    return std::lower_bound(namespaces.begin(), namespaces.end(), nsp,
                            [](const std::unique_ptr<Namespace>& ns, std::string_view n) { return ns->name < n; });
  }

  Namespace* find(std::string_view nsp) {
    const auto it = position(nsp);
    return it != namespaces.end() && (*it)->name == nsp ? it->get() : nullptr;
  }

  Namespace& make(std::string_view nsp) {
    const auto it = position(nsp);
    if (it != namespaces.end() && (*it)->name == nsp) return **it;
    return **namespaces.insert(it, std::make_unique<Namespace>(nsp));
  }

  // The namespace a CONNECT names, if the socket has it or the server declares it.
  Namespace* joinable(std::string_view nsp) {
    if (Namespace* ns = find(nsp)) return ns;
    for (const std::string& declared : options.namespaces)
      if (declared == nsp) return &make(nsp);
    return nullptr;
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
    Namespace* ns = p.type == sio::PacketType::connect ? joinable(p.nsp) : find(p.nsp);
    switch (p.type) {
      case sio::PacketType::connect: {
        if (ns == nullptr) {
          Outgoing out;
          out.json().begin_object().key("message").string("Invalid namespace").end_object();
          (void)send(sio::PacketType::connect_error, p.nsp, std::nullopt, out);
          return;
        }
        if (ns->connected || ns->admitting) return;
        const std::string_view auth = p.payload.empty() ? "{}" : p.payload;
        if (!ns->middleware) return admit(*ns, auth);
        ns->admitting = true;
        ns->middleware(auth, [weak = weak_from_this(), nsp = std::string(p.nsp), auth = std::string(auth),
                              called = false](std::optional<ConnectRefusal> refusal) mutable {
          const auto self = weak.lock();
          if (called || !self || self->ended) return;
          called = true;
          Namespace* n = self->find(nsp);
          if (n == nullptr || !n->admitting) return;
          n->admitting = false;
          if (!refusal) return self->admit(*n, auth);
          Outgoing out;
          JsonWriter& json = out.json().begin_object().key("message").string(refusal->message);
          if (!refusal->data_json.empty()) json.key("data").raw_json(refusal->data_json);
          json.end_object();
          (void)self->send(sio::PacketType::connect_error, nsp, std::nullopt, out);
        });
        return;
      }
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
        if (ns != nullptr && ns->acks) (void)ns->acks->settle(*p.id, p.payload);
        return;
      case sio::PacketType::connect_error:
        ++counts.events_dropped;  // only a server sends it
        return;
    }
  }

  // The client joins, possibly again after a DISCONNECT (socket.io then makes a new socket with a
  // fresh ack map): emits with an ack and replies work again, while the replies handed out during
  // the earlier connection stay closed.
  void admit(Namespace& ns, std::string_view auth) {
    ns.connected = true;
    if (!ns.acks) ns.acks.emplace(loop, *limits);
    ns.acks->reopen();
    if (!ns.replies || !ns.replies->is_open())
      ns.replies.emplace(
          [this, n = &ns](std::uint64_t id, std::string_view args, std::span<const ByteView> attachments) {
            Outgoing out;
            JsonWriter& json = out.json().raw_json(args);
            for (ByteView a : attachments) json.attach(a);
            (void)send(sio::PacketType::ack, n->name, id, out);  // BINARY_ACK when it has attachments
          });
    if (options.rooms != nullptr) options.rooms->join(*this, ns.name, options.sid);  // its own room
    if (connect_timer != 0) loop.cancel_timer(connect_timer);
    connect_timer = 0;
    {
      Outgoing out;
      out.json().begin_object().key("sid").string(options.sid).end_object();
      (void)send(sio::PacketType::connect, ns.name, std::nullopt, out);
    }
    // The CONNECT's auth object (socket.handshake.auth), {} when it had none.
    if (connect_handler) connect_handler(ns.name, auth);
    if (ns.emitter) ns.emitter->emit_reserved("connect", "[" + std::string(auth) + "]");
  }

  // socket.io's connectTimeout: no namespace joined in time ends the connection.
  void start_connect_timer() {
    if (options.connect_timeout_ms == 0) return;
    connect_timer = loop.start_timer(options.connect_timeout_ms, [weak = weak_from_this()] {
      const auto self = weak.lock();
      if (!self) return;
      self->connect_timer = 0;
      for (const auto& ns : self->namespaces)
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
    if (ns->emitter) (void)ns->emitter->emit(e);
    done();
  }

  // ---- writing: one Socket.IO packet as Engine.IO message packets ----
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

  // The packet whose payload `out` holds.
  Errc send(sio::PacketType type, std::string_view nsp, std::optional<std::uint64_t> id, Outgoing& out) {
    if (ended) return Errc::io_closed;
    if (const Errc e = encoder.encode(type, nsp, id, out.json(), out.packet()); e != Errc::none) return e;
    return send_encoded(out.packet());
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
    ns.acks->disconnect();  // pending emits settle with ack_disconnected
    ns.replies->close();
    if (!abandoned && ns.emitter) ns.emitter->emit_reserved("disconnect", reason);
  }

  void end(Errc why) {
    if (ended) return;
    if (connect_timer != 0) loop.cancel_timer(connect_timer);
    connect_timer = 0;
    ended = true;
    for (std::size_t i = 0; i < namespaces.size(); ++i) {  // by index: see disconnect()
      Namespace* ns = namespaces[i].get();
      if (ns->connected) leave(*ns, why == Errc::none ? R"(["transport close"])" : R"(["transport error"])");
      if (ns->acks) ns->acks->disconnect();
      if (ns->replies) ns->replies->close();
    }
    // A clean end lets the answers already written reach the peer; after an error there is
    // nobody to answer.
    // The callback holds the state weakly: the owner (ServerSocket) keeps it alive, and once the
    // owner is gone nobody waits for the close, so a close that never completes (a client that
    // holds its connection and sends no GET) must not keep the state, and the session that
    // holds this callback, alive in a cycle.
    session->close(why == Errc::none && !abandoned, [weak = weak_from_this(), why] {
      const auto self = weak.lock();
      if (!self || self->abandoned) return;
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
  // Released on the loop's next turn, outside any callback of the session this destructor may
  // run in; a loop that ends first releases it as it drops its tasks.
  io::Loop& loop = state_->loop;
  loop.post([state = std::move(state_)] {});
}

ack::Emitter& ServerSocket::of(std::string_view nsp) {
  Namespace& ns = state_->make(nsp);
  if (!ns.emitter) ns.emitter = std::make_unique<ack::Emitter>();
  return *ns.emitter;
}
void ServerSocket::set_event_handler(EventHandler handler) { state_->handler = std::move(handler); }
void ServerSocket::set_connect_handler(ConnectHandler handler) { state_->connect_handler = std::move(handler); }
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
  Outgoing out;
  JsonWriter& json = out.json();
  if (const Errc e = detail::write_event(json, name, args_json, attachments); e != Errc::none) return e;
  // Encode first with the id the table will issue, and check that the session takes the packet,
  // so that a refused packet leaves no ack behind.
  std::optional<std::uint64_t> id;
  if (ack) id = ns->acks->next_id();
  if (const Errc e = s.encoder.encode(sio::PacketType::event, nsp, id, json, out.packet()); e != Errc::none) return e;
  if (const Errc e = s.session->check_message(MessageKind::text, as_bytes(out.packet().text)); e != Errc::none) {
    if (condition(e) == Condition::limit) s.end(e);  // the client stopped reading: cut off
    return e;
  }
  if (ack) {
    std::uint64_t issued = 0;
    if (const Errc e = ns->acks->add(std::move(ack), timeout_ms, issued); e != Errc::none) return e;
  }
  return s.send_encoded(out.packet());
}

void ServerSocket::disconnect(std::function<void()> done) {
  ServerSocketState& s = *state_;
  if (s.ended) {
    if (done) s.loop.post(std::move(done));
    return;
  }
  if (done) s.disconnect_done.push_back(std::move(done));
  // By index: a listener of "disconnect" may add a namespace (of()), which moves the others.
  for (std::size_t i = 0; i < s.namespaces.size(); ++i)
    if (Namespace& ns = *s.namespaces[i]; ns.connected) {
      Outgoing out;
      (void)s.send(sio::PacketType::disconnect, ns.name, std::nullopt, out);
      s.leave(ns, R"(["server namespace disconnect"])");
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
  for (const auto& ns : state_->namespaces)
    if (ns->acks) n += ns->acks->size();
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
