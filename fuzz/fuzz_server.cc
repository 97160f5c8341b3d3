// Oracle: the whole server (http -> engine -> a Socket.IO socket per session) on the simulator,
// fed by up to 4 client connections whose requests, WebSocket frames, pauses, closes and resets
// come from the input, under the input's schedule, never crashes or trips a sanitizer, keeps its
// memory within the limits, calls no socket handler or ack after that socket's on_close, and once
// the clients are gone leaves no session, connection, timer, transport or byte in flight behind.
//
// The server is assembled as `sioconf serve` assembles it: an http::Server on a simulated port,
// an engine::Server at /socket.io/ (sids "s1", "s2", ...) and a session::ServerSocket per session
// with the test suites' app ("/" and "/custom" emit "auth" on connect, "message" -> "message-back"
// with its attachments, "message-with-ack" acked, "ask" -> "question" with an ack, then "answer";
// "bye" -> disconnect; "/custom" admits through an asynchronous middleware), a heartbeat and a
// connect timeout. The input's first 11 bytes choose the schedule (seed, chunking, stalls, pipe
// capacity), small limits, the timeouts and the high-water marks; the rest is a script of
// commands, each for one of 4 client connections (opened on its first command, and again on the
// first command after it ended):
//
//   op byte: kind = op & 0x0f, connection = (op >> 4) & 3, 0x40: do not let the loop run after it
//   0  raw N bytes         the next byte is N, then N bytes, written as they are
//   1  handshake           GET /socket.io/?EIO=4&transport=polling
//   2  poll S              GET ...&sid=sS (S: a byte; S % 16, 0 = the last sid handed out)
//   3  post S N bytes      POST ...&sid=sS with the N bytes as its body (an Engine.IO payload)
//   4  ws handshake        GET ...&transport=websocket, a valid opening handshake
//   5  ws upgrade S        the same with &sid=sS
//   6  frame F N bytes     a WebSocket frame: opcode F & 0x0f, FIN unless F & 0x80, RSV1 if
//                          F & 0x40, masked unless F & 0x20; the N bytes as payload
//   7  padded handshake N  the handshake with an "x-pad" header of 4 * N bytes
//   8  wait T              let 8 * T ms of virtual time pass
//   9  steps N             run N steps of the simulator (time moves if nothing is ready)
//   10 shutdown            end the client's writing side
//   11 close               close the client's connection
//   12 reset               break the connection (both sides read io_reset)
//   13 pause/resume        stop (or start again) reading what the server sends
//   14 chunked post S N bytes    the POST of 3 with Transfer-Encoding: chunked, 16-byte chunks
//   15 poll and post S N bytes   a GET and a POST of one session on one connection, pipelined
// After each command (unless 0x40) the loop runs what is ready, without moving time.
//
// Checked all along: every request the handler gets is within http_max_header_bytes (method,
// target, header names and values), http_max_headers and http_max_body_bytes; every event a
// socket handles within max_payload_bytes, max_attachments and max_attachment_bytes; the engine's
// sessions and the sockets not yet ended never above eio_max_sessions; the bytes each server
// connection has written and the pipe has not taken never above stream_max_buffered_bytes; no
// socket handler or ack callback after that socket's on_close, on_close at most once, each ack
// settled at most once. At the end (every client closed, then a minute of virtual time, past
// every heartbeat, connect, request, close and ack timeout; then every connection reset, and
// another minute): the loop is idle, every socket's on_close ran exactly once and its app is
// gone, each ack settled exactly once, the engine has no session, the http server no connection,
// and no timer, open transport or byte in flight is left.
#include <array>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_support.h"
#include "sioconf/engine/server.h"
#include "sioconf/http/server.h"
#include "sioconf/io/sim.h"
#include "sioconf/limits.h"
#include "sioconf/session/server_socket.h"

namespace {

using namespace sioconf;

// The script's bytes: single bytes and runs of them (short at the end of the input).
class Script {
 public:
  explicit Script(ByteView bytes) : rest_(bytes) {}
  bool done() const { return rest_.empty(); }
  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const std::uint8_t b = rest_[0];
    rest_ = rest_.subspan(1);
    return b;
  }
  std::string take(std::size_t n) {
    n = n < rest_.size() ? n : rest_.size();
    std::string out(reinterpret_cast<const char*>(rest_.data()), n);
    rest_ = rest_.subspan(n);
    return out;
  }

 private:
  ByteView rest_;
};

// A server-side connection end that counts the bytes the server handed it and the pipe has not
// taken yet (its io::Stream passes on what it queued while a write was out as one write).
class CountedTransport final : public io::Transport {
 public:
  CountedTransport(io::TransportPtr inner, std::uint64_t cap) : inner_(std::move(inner)), cap_(cap) {}
  void set_events(io::TransportEvents* events) noexcept override { inner_->set_events(events); }
  void read_start() override { inner_->read_start(); }
  void read_stop() override { inner_->read_stop(); }
  void write(ByteView bytes, io::Completion done) override {
    *unsent_ += bytes.size();
    FUZZ_CHECK(*unsent_ <= cap_);  // stream_max_buffered_bytes per connection
    inner_->write(bytes, [unsent = unsent_, n = bytes.size(), done = std::move(done)](Errc e) {
      *unsent -= n;
      if (done) done(e);
    });
  }
  void shutdown(io::Completion done) override { inner_->shutdown(std::move(done)); }
  void close(std::function<void()> done) override { inner_->close(std::move(done)); }
  std::string peer() const override { return inner_->peer(); }

 private:
  io::TransportPtr inner_;
  std::uint64_t cap_;
  std::shared_ptr<std::uint64_t> unsent_ = std::make_shared<std::uint64_t>(0);
};

// One client connection: writes what the script says, reads and drops what comes back.
struct Client final : io::TransportEvents {
  io::TransportPtr transport;
  bool failed = false, closed = false, reading = true, ended = false;
  std::string pending;  // written before the connection was made
  void on_read(ByteView) override {}
  void on_eof() override { ended = true; }
  void on_error(Errc) override { ended = true; }
  void write(std::string bytes) {
    if (closed || failed) return;
    if (!transport) return void(pending += bytes);
    transport->write(as_bytes(bytes), {});
  }
  void close() {
    closed = true;
    if (transport) transport->close({});
  }
};

struct World;

session::ServerSocketOptions options(const std::string& sid, std::uint64_t connect_timeout_ms) {
  session::ServerSocketOptions o;
  o.sid = sid;
  o.connect_timeout_ms = connect_timeout_ms;
  return o;
}

// One Socket.IO connection with the suites' app (conformance/cli/serve.cc has the same contract).
struct App {
  App(World& world, std::unique_ptr<engine::Session> session);
  void observe(const ack::Event& e, std::size_t slack = 0);

  World& world;
  std::string sid;
  bool closed = false;
  session::ServerSocket socket;
};

struct World {
  World(io::SimLoop& l, const Limits& lim) : loop(l), limits(lim) {}
  io::SimLoop& loop;
  Limits limits;
  std::uint64_t connect_timeout_ms = 0;
  std::map<App*, std::unique_ptr<App>> apps;
  std::uint64_t sockets = 0, closes = 0, late = 0;
  // Each emit with an ack: whether emit() took it, and how often its callback ran. A refused
  // emit may still have sent part of a binary packet and left its ack to settle (once).
  struct Ack {
    bool sent = false;
    int calls = 0;
  };
  std::vector<Ack> acks;
  bool settled() const {
    for (const Ack& a : acks)
      if (a.sent && a.calls != 1) return false;
    return true;
  }
};

App::App(World& w, std::unique_ptr<engine::Session> session)
    : world(w), sid(session->sid()), socket(w.loop, std::move(session), w.limits, options(sid, w.connect_timeout_ms)) {
  for (const char* nsp : {"/", "/custom"}) {
    socket.of(nsp).on("connect", [this, nsp](const ack::Event& e) {
      observe(e, 2);  // [auth]: the CONNECT's payload in brackets
      (void)socket.emit(nsp, "auth", e.args_json);
    });
    socket.of(nsp).on("disconnect", [this](const ack::Event&) {
      if (closed) ++world.late;  // its argument is the server's reason, not the client's
    });
  }
  // An asynchronous admission: its `next` may come after the connection ended (and must then do
  // nothing); an auth object naming "deny" is refused.
  socket.use("/custom",
             [this](std::string_view auth, std::function<void(std::optional<session::ConnectRefusal>)> next) {
               if (auth.find("deny") != std::string_view::npos) return next(session::ConnectRefusal{"denied", "{}"});
               (void)world.loop.start_timer(5, [next = std::move(next)] { next(std::nullopt); });
             });
  ack::Emitter& root = socket.of("/");
  root.on("message", [this](const ack::Event& e) {
    observe(e);
    (void)socket.emit("/", "message-back", e.args_json, e.attachments);
  });
  root.on("message-with-ack", [this](const ack::Event& e) {
    observe(e);
    if (e.reply != nullptr) (*e.reply)(e.args_json, e.attachments);
  });
  root.on("ask", [this](const ack::Event& e) {
    observe(e);
    world.acks.push_back(World::Ack{});
    const std::size_t i = world.acks.size() - 1;
    const Errc sent = socket.emit(
        "/", "question", e.args_json, e.attachments,
        [this, i](Errc why, std::string_view args) {
          FUZZ_CHECK(++world.acks[i].calls == 1);  // at most once
          if (closed) ++world.late;
          if (why == Errc::none) (void)socket.emit("/", "answer", args);
        },
        100);
    world.acks[i].sent = sent == Errc::none;
  });
  root.on("bye", [this](const ack::Event& e) {
    observe(e);
    socket.disconnect();
  });
  socket.on_close([this](Errc) {
    FUZZ_CHECK(!closed);  // once
    closed = true;
    ++world.closes;
    // The app goes on the loop's next turn, not from inside its socket's callback.
    world.loop.post([w = &world, self = this] { w->apps.erase(self); });
  });
  ++world.sockets;
  socket.start();
}

// An event from the client: not after on_close, within the decoder's limits.
void App::observe(const ack::Event& e, std::size_t slack) {
  if (closed) ++world.late;
  FUZZ_CHECK(e.args_json.size() <= world.limits.max_payload_bytes + slack);
  FUZZ_CHECK(e.attachments.size() <= world.limits.max_attachments);
  std::uint64_t bytes = 0;
  for (ByteView a : e.attachments) bytes += a.size();
  FUZZ_CHECK(bytes <= world.limits.max_attachment_bytes);
}

// What the request parser counts against http_max_header_bytes, less the version.
std::uint64_t head_bytes(const http::Request& r) {
  std::uint64_t n = r.method.size() + r.target.size();
  for (const http::Header& h : r.headers) n += h.name.size() + h.value.size();
  return n;
}

const std::string kQuery = "/socket.io/?EIO=4&transport=";
const std::string kHost = " HTTP/1.1\r\nHost: h\r\n";
const std::string kWebSocket =
    "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n";

std::string frame(std::uint8_t flags, const std::string& payload) {
  std::string out;
  out += static_cast<char>((flags & 0x80 ? 0 : 0x80) | (flags & 0x40) | (flags & 0x0f));
  const bool masked = (flags & 0x20) == 0;
  const std::size_t n = payload.size();  // at most 255: one byte of the script
  if (n < 126) {
    out += static_cast<char>((masked ? 0x80 : 0) | n);
  } else {
    out += static_cast<char>((masked ? 0x80 : 0) | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  }
  static constexpr std::uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
  if (masked) out.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < n; ++i) out += masked ? static_cast<char>(payload[i] ^ key[i % 4]) : payload[i];
  return out;
}

std::string post(const std::string& sid, const std::string& body, bool chunked) {
  std::string out = "POST " + kQuery + "polling&sid=" + sid + kHost;
  if (!chunked) return out + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  out += "Transfer-Encoding: chunked\r\n\r\n";
  static constexpr char hex[] = "0123456789abcdef";
  for (std::size_t at = 0; at < body.size(); at += 16) {
    const std::string piece = body.substr(at, 16);
    out += hex[piece.size()];
    out += "\r\n" + piece + "\r\n";
  }
  return out + "0\r\n\r\n";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::Input in(data, size);
  io::SeededChoices choices(in.byte());
  io::SimOptions sim;
  const std::uint8_t chunking = in.byte();
  sim.max_chunk = 1 + (chunking % 64) * 16;
  sim.stall_percent = (chunking / 64) * 10;
  sim.pipe_capacity = 32 + std::size_t{in.byte()} * 32;
  io::SimLoop loop(choices, sim);

  // Small limits, so that the fuzzer meets them with a few KiB of input.
  Limits limits;
  limits.http_max_header_bytes = 64 + std::uint64_t{in.byte()} * 8;
  limits.http_max_body_bytes = 8 + std::uint64_t{in.byte()} * 8;
  const std::uint64_t eio = 8 + std::uint64_t{in.byte()} * 8;
  limits.eio_max_payload_bytes = limits.eio_max_packet_bytes = eio;
  limits.ws_max_frame_bytes = limits.ws_max_message_bytes = eio;
  limits.max_payload_bytes = limits.max_attachment_bytes = eio;
  limits.stream_max_buffered_bytes = 256 + std::uint64_t{in.byte()} * 32;
  const std::uint8_t counts = in.byte();
  limits.eio_max_sessions = 1 + counts % 8;
  limits.http_max_headers = 2 + (counts / 8) % 32;
  const std::uint8_t more = in.byte();
  limits.max_attachments = more % 4;
  limits.ws_max_fragments = 1 + (more / 4) % 8;
  limits.max_pending_acks = 1 + (more / 32) % 8;
  (void)set_limit(limits, "eio_max_queued_packets", 2 + (more / 4) % 32);
  const std::uint8_t timing = in.byte();
  const std::uint8_t water = in.byte();
  const std::size_t high_water = limits.stream_max_buffered_bytes * (1 + water % 4) / 4;
  (void)set_limit(limits, "http_max_connections", 8 - (water / 4) % 8);

  World world(loop, limits);
  world.connect_timeout_ms = 250 * (1 + (timing / 16) % 4);
  engine::ServerOptions engine_options;
  engine_options.ping_interval_ms = 100 * (1 + timing % 4);
  engine_options.ping_timeout_ms = 50 * (1 + (timing / 4) % 4);
  engine_options.polling.high_water = high_water;
  engine_options.polling.close_timeout_ms = 100;
  engine_options.websocket_high_water = high_water;
  int sids = 0;
  engine_options.make_sid = [&sids] { return "s" + std::to_string(++sids); };
  http::ServerOptions http_options;
  http_options.request_timeout_ms = 250 * (1 + timing / 64);
  http_options.stream.high_water = high_water;
  http_options.stream.low_water = high_water / 4;

  std::vector<std::unique_ptr<Client>> clients;  // every one made, kept until the end
  {
    engine::Server eio_server(loop, limits, engine_options,
                              [&](std::unique_ptr<engine::Session> session, const http::Request&) {
                                auto app = std::make_unique<App>(world, std::move(session));
                                App* raw = app.get();
                                world.apps.emplace(raw, std::move(app));
                              });
    http::Server http_server(loop, limits, http_options, [&](http::Exchange ex) {
      const http::Request& r = ex.request();
      FUZZ_CHECK(head_bytes(r) <= limits.http_max_header_bytes);
      FUZZ_CHECK(r.headers.size() <= limits.http_max_headers);
      FUZZ_CHECK(r.body.size() <= limits.http_max_body_bytes);
      if (r.path() == "/socket.io/") return eio_server.handle(std::move(ex));
      (void)ex.respond({404, {{"content-type", "text/plain"}}, "not found"});
    });
    Errc error = Errc::none;
    io::ListenerPtr listener = loop.listen(
        0,
        [&](Errc e, io::TransportPtr t) {
          if (e == Errc::none && t)
            http_server.add(std::make_unique<CountedTransport>(std::move(t), limits.stream_max_buffered_bytes));
        },
        error);
    FUZZ_CHECK(listener != nullptr);
    const std::uint16_t port = listener->port();

    // The connection of slot `c`, opened on its first command and again after it ended.
    std::array<Client*, 4> slots{};
    auto client = [&](std::size_t c) -> Client* {
      Client* k = slots[c];
      if (k != nullptr && !k->closed && !k->failed && !k->ended) return k;
      if (k != nullptr) k->close();
      if (clients.size() >= 32) return slots[c] = nullptr;
      clients.push_back(std::make_unique<Client>());
      k = slots[c] = clients.back().get();
      loop.connect(port, [k](Errc e, io::TransportPtr t) {
        if (e != Errc::none || !t) return void(k->failed = true);
        k->transport = std::move(t);
        k->transport->set_events(k);
        if (k->reading) k->transport->read_start();
        if (!k->pending.empty()) k->transport->write(as_bytes(k->pending), {});
        k->pending.clear();
        if (k->closed) k->transport->close({});
      });
      return k;
    };
    auto sid = [&](std::uint8_t s) { return "s" + std::to_string(s % 16 == 0 ? sids : s % 16); };
    auto check_bounds = [&] {
      FUZZ_CHECK(eio_server.sessions() <= limits.eio_max_sessions);
      // The sockets not ended yet. Not every app: a session the client ended (its close packet)
      // and that then waits close_timeout_ms for a last poll is no longer counted by the engine.
      std::size_t open = 0;
      for (const auto& [raw, app] : world.apps) open += !app->socket.ended();
      FUZZ_CHECK(open <= limits.eio_max_sessions);
      FUZZ_CHECK(world.late == 0);
    };

    Script script(in.rest());
    while (!script.done()) {
      const std::uint8_t op = script.byte();
      const std::size_t c = (op >> 4) & 3;
      switch (op & 0x0f) {
        case 0: {
          const std::uint8_t n = script.byte();
          if (Client* k = client(c)) k->write(script.take(n));
          break;
        }
        case 1:
          if (Client* k = client(c)) k->write("GET " + kQuery + "polling" + kHost + "\r\n");
          break;
        case 2: {
          const std::string s = sid(script.byte());
          if (Client* k = client(c)) k->write("GET " + kQuery + "polling&sid=" + s + kHost + "\r\n");
          break;
        }
        case 3:
        case 14: {
          const std::string s = sid(script.byte());
          const std::string body = script.take(script.byte());
          if (Client* k = client(c)) k->write(post(s, body, (op & 0x0f) == 14));
          break;
        }
        case 4:
          if (Client* k = client(c)) k->write("GET " + kQuery + "websocket" + kHost + kWebSocket + "\r\n");
          break;
        case 5: {
          const std::string s = sid(script.byte());
          if (Client* k = client(c)) k->write("GET " + kQuery + "websocket&sid=" + s + kHost + kWebSocket + "\r\n");
          break;
        }
        case 6: {
          const std::uint8_t flags = script.byte();
          const std::string payload = script.take(script.byte());
          if (Client* k = client(c)) k->write(frame(flags, payload));
          break;
        }
        case 7: {
          const std::size_t n = 4 * std::size_t{script.byte()};
          if (Client* k = client(c))
            k->write("GET " + kQuery + "polling" + kHost + "x-pad: " + std::string(n, 'a') + "\r\n\r\n");
          break;
        }
        case 8: loop.run_until(loop.now() + 8 * std::uint64_t{script.byte()}); break;
        case 9: (void)loop.run(script.byte()); break;
        case 10:
          if (Client* k = slots[c]; k != nullptr && k->transport && !k->closed) k->transport->shutdown({});
          break;
        case 11:
          if (Client* k = slots[c]) k->close();
          break;
        case 12:
          if (Client* k = slots[c]; k != nullptr && k->transport && !k->closed) loop.reset(*k->transport);
          break;
        case 13:
          if (Client* k = slots[c]; k != nullptr && !k->closed) {
            k->reading = !k->reading;
            if (k->transport) k->reading ? k->transport->read_start() : k->transport->read_stop();
          }
          break;
        case 15: {
          const std::string s = sid(script.byte());
          const std::string body = script.take(script.byte());
          if (Client* k = client(c))
            k->write("GET " + kQuery + "polling&sid=" + s + kHost + "\r\n" + post(s, body, false));
          break;
        }
      }
      if ((op & 0x40) == 0) loop.run_until(loop.now());
      check_bounds();
    }

    // The end: every client closes (a FIN), then two minutes pass, past every timeout the server
    // has (what it still writes to a closed client is lost, io/sim.h).
    loop.run_until(loop.now());
    for (auto& k : clients) k->close();
    loop.run_until(loop.now() + 120'000);
    FUZZ_CHECK(loop.run(1'000'000) < 1'000'000);  // idle: nothing re-arms itself for ever
    check_bounds();
    FUZZ_CHECK(world.apps.empty());
    FUZZ_CHECK(world.closes == world.sockets);
    FUZZ_CHECK(world.settled());  // each ack an emit took settled exactly once
    FUZZ_CHECK(eio_server.sessions() == 0);
    FUZZ_CHECK(http_server.connections() == 0);
    FUZZ_CHECK(loop.pending_timers() == 0);
    FUZZ_CHECK(loop.open_transports() == 0);
    FUZZ_CHECK(loop.bytes_in_transit() == 0);
    listener->close({});
  }
  loop.run();
  FUZZ_CHECK(loop.pending_timers() == 0);
  FUZZ_CHECK(loop.open_transports() == 0);
  clients.clear();
  return 0;
}
