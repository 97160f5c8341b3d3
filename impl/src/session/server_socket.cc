#include "sioconf/session/server_socket.h"

#include <map>
#include <optional>
#include <vector>

#include "sioconf/ack/reply.h"
#include "sioconf/eio/packet.h"
#include "sioconf/eio/packet_decoder.h"
#include "sioconf/ndjson/line_decoder.h"
#include "sioconf/sio/packet.h"
#include "sioconf/sio/packet_decoder.h"
#include "sioconf/sio/packet_encoder.h"

namespace sioconf::session {
namespace {

struct Namespace {
  Namespace(io::Loop& loop, const Limits& limits, ack::SendAck send) : acks(loop, limits), send_ack(std::move(send)) {
    replies.emplace(send_ack);
  }
  ack::Emitter emitter;
  ack::AckTable acks;
  ack::SendAck send_ack;                     // what each connection's reply channel sends with
  std::optional<ack::ReplyChannel> replies;  // one per connection: a closed channel stays closed
  bool connected = false;

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

struct ServerSocketState final : ndjson::LineSink,
                                 eio::PacketSink,
                                 sio::PacketSink,
                                 std::enable_shared_from_this<ServerSocketState> {
  ServerSocketState(io::Loop& l, io::TransportPtr transport, const Limits& lim, ServerSocketOptions o)
      : loop(l),
        limits(lim),
        options(std::move(o)),
        stream(l, std::move(transport), lim, options.stream),
        lines(lim, /*validate_json=*/false),
        eio_decoder(lim),
        sio_decoder(lim),
        encoder(lim),
        dispatcher([this](IncomingEvent event, io::Done done) { handle(std::move(event), std::move(done)); }) {}

  io::Loop& loop;
  Limits limits;
  ServerSocketOptions options;
  io::Stream stream;
  ndjson::LineDecoder lines;
  eio::PacketDecoder eio_decoder;
  sio::PacketDecoder sio_decoder;
  sio::PacketEncoder encoder;
  sio::JsonWriter writer;
  sio::EncodedPacket encoded;
  std::string line;
  std::map<std::string, std::unique_ptr<Namespace>, std::less<>> namespaces;
  io::OrderedDispatcher<IncomingEvent> dispatcher;
  EventHandler handler;
  std::function<void(Errc)> close_callback;
  std::vector<std::function<void()>> disconnect_done;
  bool started = false, reading = false, waiting_for_drain = false, ended = false, abandoned = false;
  bool input_ended = false;  // the peer's end of stream arrived
  SocketCounts counts;

  Namespace* find(std::string_view nsp) {
    const auto it = namespaces.find(nsp);
    return it == namespaces.end() ? nullptr : it->second.get();
  }

  Namespace& make(std::string_view nsp) {
    if (Namespace* ns = find(nsp)) return *ns;
    const std::string name(nsp);
    auto ns = std::make_unique<Namespace>(loop, limits, [this, name](std::uint64_t id, std::string_view args) {
      (void)send(sio::PacketType::ack, name, id, args);
    });
    return *namespaces.emplace(name, std::move(ns)).first->second;
  }

  // ---- reading ----
  void read_next() {
    if (ended || waiting_for_drain || reading) return;
    reading = true;
    (void)stream.read([this](Errc e, ByteView bytes) {
      reading = false;
      if (ended) return;
      if (e != Errc::none) return end(e);
      if (bytes.empty()) {  // the peer's end of stream: answer what it sent, then end
        if (lines.finish(*this) == Status::error) return end(lines.error().code);
        input_ended = true;
        return end_when_idle();
      }
      if (lines.feed(bytes, *this).status == Status::error && !ended) return end(lines.error().code);
      read_next();
    });
  }

  void on_line(std::string_view text) noexcept override {
    if (ended) return;
    ++counts.packets_in;
    if (eio_decoder.feed(Message{MessageKind::text, as_bytes(text)}, *this) == Status::error && !ended)
      end(eio_decoder.error().code);
  }

  void on_packet(const eio::Packet& p) noexcept override {
    switch (p.type) {
      case eio::PacketType::message:
        if (sio_decoder.feed(Message{p.data_kind, p.data}, *this) == Status::error && !ended)
          end(sio_decoder.error().code);
        break;
      case eio::PacketType::ping:  // engine.io-protocol v4: answered with a pong
        line.assign("3\n");
        (void)write_line();
        break;
      case eio::PacketType::close:
        end(Errc::none);
        break;
      default:  // pong, noop: nothing to do; open/upgrade never come from a client's lines
        break;
    }
  }

  void on_packet(const sio::Packet& p) noexcept override {
    Namespace* ns = find(p.nsp);
    switch (p.type) {
      case sio::PacketType::connect:
        if (ns == nullptr) {
          (void)send(sio::PacketType::connect_error, p.nsp, std::nullopt, R"({"message":"Invalid namespace"})");
          return;
        }
        if (ns->connected) return;
        ns->join();
        (void)send(sio::PacketType::connect, p.nsp, std::nullopt, R"({"sid":")" + options.sid + R"("})");
        ns->emitter.emit_reserved("connect", "[]");
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
    const ack::Event e{event.name, event.args, reply ? &*reply : nullptr};
    if (handler) return handler(event.nsp, e, std::move(done));
    (void)ns->emitter.emit(e.name, e.args_json, e.reply);
    done();
  }

  // ---- writing ----
  // Writes `line` (one Engine.IO packet and its '\n').
  Errc write_line() {
    if (stream.write(as_bytes(line)) == io::WriteStatus::refused) return stream.last_write_error();
    ++counts.packets_out;
    if (stream.buffered() > options.stream.high_water && !waiting_for_drain) {
      waiting_for_drain = true;  // stop reading requests until the answers drain
      stream.on_drain([this] {
        waiting_for_drain = false;
        if (started) read_next();
      });
    }
    return Errc::none;
  }

  // Encodes one Socket.IO packet into `line` as an Engine.IO message line.
  Errc encode_line(sio::PacketType type, std::string_view nsp, std::optional<std::uint64_t> id,
                   std::string_view payload) {
    writer.clear();
    if (!payload.empty()) writer.raw_json(payload);
    if (const Errc e = encoder.encode(type, nsp, id, writer, encoded); e != Errc::none) return e;
    line.assign("4");
    line += encoded.text;
    line.push_back('\n');
    return Errc::none;
  }

  Errc send(sio::PacketType type, std::string_view nsp, std::optional<std::uint64_t> id, std::string_view payload) {
    if (ended) return Errc::io_closed;
    if (const Errc e = encode_line(type, nsp, id, payload); e != Errc::none) return e;
    return write_line();
  }

  // ---- ending ----
  void leave(Namespace& ns, std::string_view reason) {
    ns.connected = false;
    ns.acks.disconnect();  // pending emits settle with ack_disconnected
    ns.replies->close();
    if (!abandoned) ns.emitter.emit_reserved("disconnect", reason);
  }

  void end(Errc why) {
    if (ended) return;
    ended = true;
    for (auto& [name, ns] : namespaces) {
      if (ns->connected) leave(*ns, why == Errc::none ? R"(["transport close"])" : R"(["transport error"])");
      ns->acks.disconnect();
      ns->replies->close();
    }
    auto finish = [self = shared_from_this(), why] {
      self->stream.close([self, why] {
        if (self->abandoned) return;
        if (self->close_callback) self->close_callback(why);
        std::vector<std::function<void()>> done = std::move(self->disconnect_done);
        for (auto& d : done) d();
      });
    };
    // A clean end lets the answers already written reach the peer (shutdown flushes the queue);
    // after an error there is nobody to answer.
    if (why == Errc::none && !abandoned) stream.shutdown([finish](Errc) { finish(); });
    else finish();
  }
};

ServerSocket::ServerSocket(io::Loop& loop, io::TransportPtr transport, const Limits& limits, ServerSocketOptions options)
    : state_(std::make_shared<ServerSocketState>(loop, std::move(transport), limits, std::move(options))) {}

ServerSocket::~ServerSocket() {
  state_->abandoned = true;
  state_->end(Errc::none);
}

ack::Emitter& ServerSocket::of(std::string_view nsp) { return state_->make(nsp).emitter; }
void ServerSocket::set_event_handler(EventHandler handler) { state_->handler = std::move(handler); }
void ServerSocket::on_close(std::function<void(Errc)> callback) { state_->close_callback = std::move(callback); }

void ServerSocket::start() {
  state_->started = true;
  state_->read_next();
}

Errc ServerSocket::emit(std::string_view nsp, std::string_view name, std::string_view args_json, ack::AckCallback ack,
                        std::uint64_t timeout_ms) {
  ServerSocketState& s = *state_;
  if (s.ended) return Errc::io_closed;
  Namespace* ns = s.find(nsp);
  if (ns == nullptr || !ns->connected) return Errc::sio_bad_namespace;
  const std::string_view args = trim(args_json);
  if (args.size() < 2 || args.front() != '[' || args.back() != ']') return Errc::sio_event_not_array;
  sio::JsonWriter quoted;
  quoted.string(name);
  std::string payload = "[" + std::string(quoted.json());
  if (trim(args.substr(1, args.size() - 2)).size() > 0) payload += "," + std::string(args.substr(1));
  else payload += "]";
  // Encode first with the id the table will issue, so that a refused packet leaves no ack behind.
  std::optional<std::uint64_t> id;
  if (ack) id = ns->acks.next_id();
  if (const Errc e = s.encode_line(sio::PacketType::event, nsp, id, payload); e != Errc::none) return e;
  if (s.stream.buffered() + s.line.size() > s.limits.stream_max_buffered_bytes) return Errc::limit_stream_buffered_bytes;
  if (ack) {
    std::uint64_t issued = 0;
    if (const Errc e = ns->acks.add(std::move(ack), timeout_ms, issued); e != Errc::none) return e;
  }
  return s.write_line();
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
      (void)s.send(sio::PacketType::disconnect, name, std::nullopt, {});
      s.leave(*ns, R"(["server namespace disconnect"])");
    }
  s.end(Errc::none);
}

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

const SocketCounts& ServerSocket::counts() const noexcept { return state_->counts; }
const io::DispatchCounts& ServerSocket::dispatch_counts() const noexcept { return state_->dispatcher.counts(); }

}  // namespace sioconf::session
