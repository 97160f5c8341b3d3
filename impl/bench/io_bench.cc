// sioconf_io_bench — the stream-layer benchmarks of ci/bench ("stream layer" section).
//
// How it is measured (the same way for every server, C++ and Node): each server runs in its own
// process on 127.0.0.1:0 and writes its port to PORT_FILE; ONE client, this binary's --bulk or
// --ndjson mode, written directly against libuv (no sioconf code), drives it from another process
// and does the timing. So the servers compared differ only in the server, and the client costs
// the same CPU against each of them (it shares the 2 cores with the server, as in the issue's
// calibration figures). The never-reading peer is the exception: there the server and a client
// that never reads live in one process (--never-reads here, never_reads_bench.js for Node), since
// the client does nothing but hold the connection and the figure is the server process's memory.
//
//   sioconf_io_bench --echo-server PORT_FILE [--conns N]      io::UvLoop + io::Stream echo
//   sioconf_io_bench --bare-echo-server PORT_FILE [--conns N] bare libuv echo (uv_echo_bare.cc)
//   sioconf_io_bench --ndjson-server PORT_FILE [--conns N] [--coalesce]
//                                   Stream + ndjson::LineDecoder + io::OrderedDispatcher per
//                                   connection. By default each reply is its own Stream::write (as
//                                   the Node server's socket.write per message); --coalesce gathers
//                                   the replies to one read's lines and writes them once, after
//                                   the decoder returned (what socket.cork()/uncork() would do).
//   sioconf_io_bench --bulk PORT [--seconds S] [--warmup S] [--window BYTES]
//   sioconf_io_bench --ndjson PORT --conns N [--seconds S] [--warmup S] [--window MESSAGES]
//   sioconf_io_bench --never-reads [--seconds S] [--offer-bytes N]
//
// Servers serve until N connections (default 1) have ended, then print one JSON line (what they
// served). Clients print one JSON line with the rate: bytes (or replies) received back during
// the measured window (after --warmup, default 0.25 s, for --seconds, default 1 s) divided by its
// length. --bulk writes 16 KiB blocks and keeps at most --window bytes (default 4 MiB) not yet
// echoed; --ndjson sends batches of 256 pipelined 80-byte messages per connection and keeps at
// most --window messages (default 2048) per connection unanswered. Both check at the end that
// everything sent came back (all bytes; one reply line per message). Exit code 0 when measured,
// 1 when not (a server failed, a count did not match, the watchdog fired).
#include <simdjson.h>
#include <uv.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "io_bench_common.h"
#include "sioconf/io/dispatcher.h"
#include "sioconf/io/stream.h"
#include "sioconf/io/uv.h"
#include "sioconf/limits.h"
#include "sioconf/ndjson/line_decoder.h"

namespace {

using namespace sioconf;

constexpr std::size_t kBlock = 16 * 1024;  // the bulk write size
constexpr std::size_t kReadBytes = 64 * 1024;
constexpr std::size_t kMessageBytes = 80;  // one NDJSON message, '\n' included
constexpr std::size_t kBatch = 256;        // messages per client write

struct Args {
  std::string mode, target;
  int conns = 1;
  double seconds = -1, warmup = 0.25;  // seconds: 1 (clients), 2 (--never-reads)
  std::uint64_t window = 0;
  std::uint64_t offer_bytes = 1ull << 30;
  bool coalesce = false;
};

std::uint64_t status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::size_t n = std::strlen(field);
  while (std::getline(in, line))
    if (line.compare(0, n, field) == 0 && line.size() > n && line[n] == ':')
      return std::strtoull(line.c_str() + n + 1, nullptr, 10);
  return 0;
}

// ---------------------------------------------------------------------------------------------
// What the two servers share: a loop, a listener on 127.0.0.1 whose port goes to a file, the
// connections, and the end once `conns` of them ended. Conn has `stream` and `next()` (read on).

template <typename Conn>
struct Server {
  io::UvLoop loop;
  io::ListenerPtr listener;
  int conns_left = 1;
  std::vector<std::unique_ptr<Conn>> conns;

  // Flushes and closes a connection, then forgets it from a later task (it is inside a callback).
  void finish(Conn* c) {
    c->stream->shutdown([this, c](Errc) {
      c->stream->close([this, c] {
        loop.post([this, c] {
          std::erase_if(conns, [c](const auto& p) { return p.get() == c; });
          if (--conns_left == 0) listener->close({});
        });
      });
    });
  }

  // Serves until `a.conns` connections ended; false if it could not listen or publish the port.
  bool serve(const char* name, const Args& a, const std::function<std::unique_ptr<Conn>(io::TransportPtr)>& make) {
    conns_left = a.conns;
    Errc e = Errc::none;
    listener = loop.listen(
        "127.0.0.1", 0,
        [this, &make](Errc err, io::TransportPtr t) {
          if (err != Errc::none) return;
          conns.push_back(make(std::move(t)));
          conns.back()->next();
        },
        e);
    if (!listener) return std::fprintf(stderr, "%s: cannot listen\n", name), false;
    if (!write_port_file(a.target.c_str(), listener->port())) return false;
    loop.run();
    return true;
  }
};

// ---------------------------------------------------------------------------------------------
// The io::Stream echo server: pull read -> write; over the high-water mark, no read until drain.

struct EchoConn;

struct EchoServer : Server<EchoConn> {
  std::uint64_t bytes = 0;
};

struct EchoConn {
  EchoServer* server;
  std::unique_ptr<io::Stream> stream;
  void next();
  void finish() { server->finish(this); }
};

void EchoConn::next() {
  (void)stream->read([this](Errc e, ByteView bytes) {
    if (e != Errc::none || bytes.empty()) return finish();
    server->bytes += bytes.size();
    const io::WriteStatus st = stream->write(bytes);
    if (st == io::WriteStatus::refused) return finish();
    if (st == io::WriteStatus::over_high_water) return stream->on_drain([this] { next(); });
    next();
  });
}

int echo_server(const Args& a) {
  EchoServer s;
  const bool served = s.serve("echo server", a, [&s](io::TransportPtr t) {
    return std::unique_ptr<EchoConn>(new EchoConn{&s, std::make_unique<io::Stream>(s.loop, std::move(t))});
  });
  if (!served) return 1;
  std::printf("{\"bench\":\"stream_echo_server\",\"bytes\":%llu}\n", static_cast<unsigned long long>(s.bytes));
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The NDJSON server: Stream + LineDecoder + one OrderedDispatcher per connection. Each line is
// decoded (simdjson On Demand: "event" and "data.seq"), dispatched, and answered by the handler
// with {"event":"ack","data":{"seq":N}} before it calls done().

struct Message {
  std::string event;  // "chat": short enough for the small-string buffer
  std::uint64_t seq = 0;
};

struct NdConn;
struct NdServer;

struct NdConn final : ndjson::LineSink {
  NdServer* server;
  std::unique_ptr<io::Stream> stream;
  ndjson::LineDecoder decoder;
  io::OrderedDispatcher<Message> dispatcher;
  simdjson::ondemand::parser parser;
  std::vector<char> padded;  // the line, copied with SIMDJSON_PADDING readable bytes after it
  bool coalesce = false;     // --coalesce: replies gathered in `out`, one write per read
  std::string out;

  NdConn(NdServer* s, std::unique_ptr<io::Stream> st)
      : server(s), stream(std::move(st)), dispatcher([this](Message m, io::Done done) { handle(m, done); }) {}

  void on_line(std::string_view line) noexcept override;
  void handle(const Message& m, const io::Done& done);
  void next();
  void finish();
};

struct NdServer : Server<NdConn> {
  bool coalesce = false;
  std::uint64_t lines = 0, replies = 0, bad = 0;
};

void NdConn::on_line(std::string_view line) noexcept {
  ++server->lines;
  if (padded.size() < line.size() + simdjson::SIMDJSON_PADDING) padded.resize(line.size() + simdjson::SIMDJSON_PADDING);
  std::memcpy(padded.data(), line.data(), line.size());
  simdjson::ondemand::document doc;
  std::string_view event;
  std::uint64_t seq = 0;
  if (parser.iterate(padded.data(), line.size(), padded.size()).get(doc) || doc["event"].get_string().get(event) ||
      doc["data"]["seq"].get_uint64().get(seq)) {
    ++server->bad;
    return;
  }
  dispatcher.push(Message{std::string(event), seq});
}

void NdConn::handle(const Message& m, const io::Done& done) {
  if (m.event == "chat") {
    char reply[64];
    constexpr std::string_view head = R"({"event":"ack","data":{"seq":)";
    std::memcpy(reply, head.data(), head.size());
    char* end = std::to_chars(reply + head.size(), reply + sizeof reply - 3, m.seq).ptr;
    *end++ = '}';
    *end++ = '}';
    *end++ = '\n';
    const auto size = static_cast<std::size_t>(end - reply);
    if (coalesce) {
      out.append(reply, size);
      ++server->replies;
    } else if (stream->write(ByteView(reinterpret_cast<const std::uint8_t*>(reply), size)) !=
               io::WriteStatus::refused) {
      ++server->replies;
    }
  }
  done();
}

std::uint64_t lines_in(std::string_view text) {
  return static_cast<std::uint64_t>(std::count(text.begin(), text.end(), '\n'));
}

void NdConn::next() {
  (void)stream->read([this](Errc e, ByteView bytes) {
    if (e != Errc::none || bytes.empty()) {
      if (decoder.finish(*this) == Status::error) ++server->bad;
      return finish();
    }
    if (decoder.feed(bytes, *this).status == Status::error) {
      ++server->bad;
      return finish();
    }
    if (!out.empty()) {  // --coalesce: the replies of this read's lines, in one write
      if (stream->write(as_bytes(out)) == io::WriteStatus::refused) server->replies -= lines_in(out);
      out.clear();
    }
    // A handler's write answered over_high_water: read no more until the queue drained.
    if (stream->buffered() > io::StreamOptions{}.high_water) return stream->on_drain([this] { next(); });
    next();
  });
}

void NdConn::finish() { server->finish(this); }

int ndjson_server(const Args& a) {
  NdServer s;
  s.coalesce = a.coalesce;
  const bool served = s.serve("ndjson server", a, [&s](io::TransportPtr t) {
    auto c = std::make_unique<NdConn>(&s, std::make_unique<io::Stream>(s.loop, std::move(t)));
    c->coalesce = s.coalesce;
    return c;
  });
  if (!served) return 1;
  std::printf("{\"bench\":\"ndjson_server\",\"writes\":\"%s\",\"lines\":%llu,\"replies\":%llu,\"bad\":%llu}\n",
              s.coalesce ? "coalesced per read" : "one per reply", static_cast<unsigned long long>(s.lines),
              static_cast<unsigned long long>(s.replies), static_cast<unsigned long long>(s.bad));
  return s.bad == 0 ? 0 : 1;
}

// ---------------------------------------------------------------------------------------------
// The clients, bare libuv. Timing: a warm-up, then a window of `seconds` over which the bytes or
// replies that came back are counted; then the client stops sending and drains.

struct Timing {
  double warmup = 0.25, seconds = 1.0;
  std::uint64_t t0 = 0, tw = 0, te = 0;  // start, warm-up end, window end (uv_hrtime ns)
  std::uint64_t cw = 0, ce = 0;          // the count at tw and te
  int phase = 0;                         // 0 warm-up, 1 measuring, 2 draining

  // Called with the running count after each read; true when the window just ended.
  bool tick(std::uint64_t count) {
    if (phase == 2) return false;
    const std::uint64_t now = uv_hrtime();
    if (phase == 0 && static_cast<double>(now - t0) / 1e9 >= warmup) {
      phase = 1;
      tw = now;
      cw = count;
    } else if (phase == 1 && static_cast<double>(now - tw) / 1e9 >= seconds) {
      phase = 2;
      te = now;
      ce = count;
      return true;
    }
    return false;
  }
  double window_s() const { return static_cast<double>(te - tw) / 1e9; }
  double rate() const { return static_cast<double>(ce - cw) / window_s(); }
};

void arm_watchdog(uv_loop_t* loop, uv_timer_t* timer, double seconds) {
  uv_timer_init(loop, timer);
  uv_timer_start(
      timer,
      [](uv_timer_t*) {
        std::fprintf(stderr, "sioconf_io_bench: the watchdog fired (the server stalled?)\n");
        std::exit(1);
      },
      static_cast<std::uint64_t>(seconds * 1000), 0);
  uv_unref(reinterpret_cast<uv_handle_t*>(timer));
}

struct BulkClient {
  uv_loop_t* loop = nullptr;
  uv_tcp_t tcp{};
  uv_connect_t connect_req{};
  uv_shutdown_t shutdown_req{};
  uv_timer_t watchdog{};
  std::vector<char> block = std::vector<char>(kBlock, 'x');
  std::unique_ptr<char[]> rbuf = std::make_unique<char[]>(kReadBytes);
  std::uint64_t sent = 0, received = 0, window = 4u << 20;
  bool writing = true, failed = false, shut = false;
  Timing timing;

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp); }

  void pump() {
    while (writing && sent + kBlock - received <= window && uv_stream_get_write_queue_size(stream()) < kReadBytes) {
      auto* req = new uv_write_t;
      const uv_buf_t buf = uv_buf_init(block.data(), static_cast<unsigned int>(kBlock));
      if (uv_write(req, stream(), &buf, 1, [](uv_write_t* r, int status) {
            auto* self = static_cast<BulkClient*>(r->handle->data);
            delete r;
            if (status != 0) return self->fail();
            self->pump();
          }) != 0) {
        delete req;
        return fail();
      }
      sent += kBlock;
    }
  }
  void fail() {
    failed = true;
    writing = false;
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp))) uv_close(reinterpret_cast<uv_handle_t*>(&tcp), nullptr);
  }
  void on_read(ssize_t n) {
    if (n < 0) {  // EOF (after our shutdown) or an error
      if (n != UV_EOF || received != sent) failed = true;
      uv_close(reinterpret_cast<uv_handle_t*>(&tcp), nullptr);
      return;
    }
    received += static_cast<std::uint64_t>(n);
    if (timing.tick(received)) writing = false;
    if (!writing && received == sent && !shut) {
      shut = true;
      uv_shutdown(&shutdown_req, stream(), [](uv_shutdown_t*, int) {});
    }
    pump();
  }
};

int bulk_client(const Args& a) {
  BulkClient c;
  c.loop = uv_default_loop();
  c.timing.seconds = a.seconds;
  c.timing.warmup = a.warmup;
  if (a.window) c.window = a.window;
  arm_watchdog(c.loop, &c.watchdog, 30 + a.seconds + a.warmup);
  uv_tcp_init(c.loop, &c.tcp);
  c.tcp.data = &c;
  uv_tcp_nodelay(&c.tcp, 1);
  sockaddr_in addr{};
  uv_ip4_addr("127.0.0.1", std::atoi(a.target.c_str()), &addr);
  c.connect_req.data = &c;
  uv_tcp_connect(&c.connect_req, &c.tcp, reinterpret_cast<const sockaddr*>(&addr), [](uv_connect_t* req, int status) {
    auto* self = static_cast<BulkClient*>(req->data);
    if (status != 0) return self->fail();
    self->timing.t0 = uv_hrtime();
    uv_read_start(
        self->stream(),
        [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
          *buf = uv_buf_init(static_cast<BulkClient*>(h->data)->rbuf.get(), static_cast<unsigned int>(kReadBytes));
        },
        [](uv_stream_t* s, ssize_t n, const uv_buf_t*) { static_cast<BulkClient*>(s->data)->on_read(n); });
    self->pump();
  });
  uv_run(c.loop, UV_RUN_DEFAULT);
  uv_close(reinterpret_cast<uv_handle_t*>(&c.watchdog), nullptr);
  uv_run(c.loop, UV_RUN_DEFAULT);
  if (c.failed || c.timing.phase != 2) {
    std::fprintf(stderr, "bulk client: failed (sent %llu, received %llu)\n", static_cast<unsigned long long>(c.sent),
                 static_cast<unsigned long long>(c.received));
    return 1;
  }
  std::printf(
      "{\"bench\":\"bulk_echo\",\"block\":%zu,\"window\":%llu,\"bytes\":%llu,\"seconds\":%.3f,\"mb_per_s\":%.1f}\n",
      kBlock, static_cast<unsigned long long>(c.window), static_cast<unsigned long long>(c.timing.ce - c.timing.cw),
      c.timing.window_s(), c.timing.rate() / 1e6);
  return 0;
}

// One line of the pipelined NDJSON load: exactly kMessageBytes bytes, '\n' included.
std::string chat_line(std::uint64_t seq) {
  std::string line = R"({"event":"chat","data":{"seq":)" + std::to_string(seq) + R"(,"text":")";
  const std::size_t tail = 4;  // "}}\n  ->  `"}}` + '\n'
  line.append(kMessageBytes - line.size() - tail, 'a');
  line += "\"}}\n";
  return line;
}

struct NdClient;

struct NdClientConn {
  uv_tcp_t tcp{};
  uv_connect_t connect_req{};
  uv_shutdown_t shutdown_req{};
  NdClient* client = nullptr;
  std::uint64_t sent = 0, answered = 0;
  bool shut = false;
  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp); }
  void pump();
  void on_read(ssize_t n, const char* data);
};

struct NdClient {
  uv_loop_t* loop = nullptr;
  uv_timer_t watchdog{};
  std::vector<std::unique_ptr<NdClientConn>> conns;
  std::string batch;  // kBatch lines
  std::unique_ptr<char[]> rbuf = std::make_unique<char[]>(kReadBytes);
  std::uint64_t window = 2048, answered = 0;
  int connected = 0, closed = 0;
  bool writing = true, failed = false;
  Timing timing;

  void fail(const char* why) {
    if (!failed) std::fprintf(stderr, "ndjson client: %s\n", why);
    failed = true;
    writing = false;
    for (auto& c : conns)
      if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&c->tcp)))
        uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), nullptr);
  }
  void maybe_shut() {
    if (writing) return;
    for (auto& c : conns)
      if (!c->shut && c->answered == c->sent) {
        c->shut = true;
        uv_shutdown(&c->shutdown_req, c->stream(), [](uv_shutdown_t*, int) {});
      }
  }
};

void NdClientConn::pump() {
  NdClient& c = *client;
  while (c.writing && sent + kBatch - answered <= c.window && uv_stream_get_write_queue_size(stream()) < kReadBytes) {
    auto* req = new uv_write_t;
    const uv_buf_t buf = uv_buf_init(c.batch.data(), static_cast<unsigned int>(c.batch.size()));
    if (uv_write(req, stream(), &buf, 1, [](uv_write_t* r, int status) {
          auto* self = static_cast<NdClientConn*>(r->handle->data);
          delete r;
          if (status != 0) return self->client->fail("write failed");
          self->pump();
        }) != 0) {
      delete req;
      return c.fail("write failed");
    }
    sent += kBatch;
  }
}

void NdClientConn::on_read(ssize_t n, const char* data) {
  NdClient& c = *client;
  if (n < 0) {
    if (n != UV_EOF || answered != sent) c.fail("the server ended the connection early");
    else uv_close(reinterpret_cast<uv_handle_t*>(&tcp), nullptr);
    return;
  }
  std::uint64_t lines = 0;
  const char* end = data + n;
  for (const char* p = data; (p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))));
       ++p)
    ++lines;
  answered += lines;
  c.answered += lines;
  if (answered > sent) return c.fail("more replies than messages");
  if (c.timing.tick(c.answered)) c.writing = false;
  if (!c.writing) c.maybe_shut();
  pump();
}

int ndjson_client(const Args& a) {
  NdClient c;
  c.loop = uv_default_loop();
  c.timing.seconds = a.seconds;
  c.timing.warmup = a.warmup;
  if (a.window) c.window = std::max<std::uint64_t>(a.window, kBatch);
  for (std::size_t i = 0; i < kBatch; ++i) c.batch += chat_line(1000 + i);
  arm_watchdog(c.loop, &c.watchdog, 30 + a.seconds + a.warmup);
  sockaddr_in addr{};
  uv_ip4_addr("127.0.0.1", std::atoi(a.target.c_str()), &addr);
  for (int i = 0; i < a.conns; ++i) {
    auto conn = std::make_unique<NdClientConn>();
    conn->client = &c;
    uv_tcp_init(c.loop, &conn->tcp);
    conn->tcp.data = conn.get();
    uv_tcp_nodelay(&conn->tcp, 1);
    conn->connect_req.data = conn.get();
    uv_tcp_connect(&conn->connect_req, &conn->tcp, reinterpret_cast<const sockaddr*>(&addr),
                   [](uv_connect_t* req, int status) {
                     auto* self = static_cast<NdClientConn*>(req->data);
                     NdClient& cl = *self->client;
                     if (status != 0) return cl.fail("connect failed");
                     uv_read_start(
                         self->stream(),
                         [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
                           *buf = uv_buf_init(static_cast<NdClientConn*>(h->data)->client->rbuf.get(),
                                              static_cast<unsigned int>(kReadBytes));
                         },
                         [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
                           static_cast<NdClientConn*>(s->data)->on_read(n, buf->base);
                         });
                     if (++cl.connected == static_cast<int>(cl.conns.size())) {  // all connected: go
                       cl.timing.t0 = uv_hrtime();
                       for (auto& conn2 : cl.conns) conn2->pump();
                     }
                   });
    c.conns.push_back(std::move(conn));
  }
  uv_run(c.loop, UV_RUN_DEFAULT);
  uv_close(reinterpret_cast<uv_handle_t*>(&c.watchdog), nullptr);
  uv_run(c.loop, UV_RUN_DEFAULT);
  if (c.failed || c.timing.phase != 2) {
    std::fprintf(stderr, "ndjson client: not measured (answered %llu)\n", static_cast<unsigned long long>(c.answered));
    return 1;
  }
  std::uint64_t sent = 0;
  for (auto& conn : c.conns) sent += conn->sent;
  std::printf(
      "{\"bench\":\"ndjson_pipelined\",\"conns\":%d,\"message_bytes\":%zu,\"window\":%llu,\"sent\":%llu,"
      "\"replies\":%llu,\"seconds\":%.3f,\"msgs_per_s\":%.0f}\n",
      a.conns, kMessageBytes, static_cast<unsigned long long>(c.window), static_cast<unsigned long long>(sent),
      static_cast<unsigned long long>(c.timing.ce - c.timing.cw), c.timing.window_s(), c.timing.rate());
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The never-reading peer: one process, one UvLoop; the server offers `offer_bytes` in 16 KiB
// writes, stopping on over_high_water and resuming on on_drain; the client connects and never
// starts reading. After `seconds`, the peak of buffered() and the growth of the peak RSS.

int never_reads(const Args& a) {
  const std::uint64_t hwm0 = status_kib("VmHWM"), rss0 = status_kib("VmRSS");
  io::UvLoop loop;
  const io::StreamOptions options;
  const std::vector<std::uint8_t> block(kBlock, 'x');
  std::unique_ptr<io::Stream> server;
  io::TransportPtr client;  // never read_start()ed
  std::uint64_t offered = 0, completed = 0, max_buffered = 0, episodes = 0;
  bool refused = false;
  Errc e = Errc::none;

  std::function<void()> offer = [&] {
    while (offered < a.offer_bytes) {
      const io::WriteStatus st = server->write(ByteView(block.data(), block.size()), [&](Errc err) {
        if (err == Errc::none) completed += kBlock;
      });
      if (st == io::WriteStatus::refused) {
        refused = true;
        return;
      }
      offered += kBlock;
      max_buffered = std::max<std::uint64_t>(max_buffered, server->buffered());
      if (st == io::WriteStatus::over_high_water) {
        ++episodes;
        return server->on_drain([&] { offer(); });
      }
    }
  };
  io::ListenerPtr listener = loop.listen(
      "127.0.0.1", 0,
      [&](Errc err, io::TransportPtr t) {
        if (err != Errc::none) return;
        server = std::make_unique<io::Stream>(loop, std::move(t));
        offer();
      },
      e);
  if (!listener) return std::fprintf(stderr, "never-reads: cannot listen\n"), 1;
  loop.connect("127.0.0.1", listener->port(), [&](Errc err, io::TransportPtr t) {
    if (err == Errc::none) client = std::move(t);
  });
  std::uint64_t hwm1 = 0, rss1 = 0;
  loop.start_timer(static_cast<std::uint64_t>(a.seconds * 1000), [&] {
    hwm1 = status_kib("VmHWM");
    rss1 = status_kib("VmRSS");
    listener->close({});
    if (server) server->close();
    if (client) client->close({});
  });
  loop.run();
  if (!server) return std::fprintf(stderr, "never-reads: no connection\n"), 1;
  const std::uint64_t bound = options.high_water + kBlock;
  std::printf(
      "{\"bench\":\"never_reads\",\"impl\":\"io::Stream\",\"seconds\":%.1f,\"offer_bytes\":%llu,\"offered\":%llu,"
      "\"completed\":%llu,\"over_high_water\":%llu,\"refused\":%s,\"high_water\":%zu,\"max_buffered\":%llu,"
      "\"bound\":%llu,\"within_bound\":%s,\"hwm_growth_kib\":%lld,\"rss_growth_kib\":%lld}\n",
      a.seconds, static_cast<unsigned long long>(a.offer_bytes), static_cast<unsigned long long>(offered),
      static_cast<unsigned long long>(completed), static_cast<unsigned long long>(episodes), refused ? "true" : "false",
      options.high_water, static_cast<unsigned long long>(max_buffered), static_cast<unsigned long long>(bound),
      max_buffered <= bound ? "true" : "false", static_cast<long long>(hwm1) - static_cast<long long>(hwm0),
      static_cast<long long>(rss1) - static_cast<long long>(rss0));
  return hwm1 != 0 ? 0 : 1;
}

int usage() {
  std::fprintf(stderr,
               "usage: sioconf_io_bench --echo-server|--bare-echo-server PORT_FILE [--conns N]\n"
               "       sioconf_io_bench --ndjson-server PORT_FILE [--conns N] [--coalesce]\n"
               "       sioconf_io_bench --bulk PORT [--seconds S] [--warmup S] [--window BYTES]\n"
               "       sioconf_io_bench --ndjson PORT [--conns N] [--seconds S] [--warmup S] [--window MESSAGES]\n"
               "       sioconf_io_bench --never-reads [--seconds S] [--offer-bytes N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--never-reads") a.mode = arg;
    else if (arg == "--coalesce") a.coalesce = true;
    else if (!has_value) return usage();
    else if (arg == "--echo-server" || arg == "--bare-echo-server" || arg == "--ndjson-server" || arg == "--bulk" ||
             arg == "--ndjson") {
      a.mode = arg;
      a.target = argv[++i];
    } else if (arg == "--conns") a.conns = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--seconds") a.seconds = std::strtod(argv[++i], nullptr);
    else if (arg == "--warmup") a.warmup = std::strtod(argv[++i], nullptr);
    else if (arg == "--window") a.window = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--offer-bytes") a.offer_bytes = std::strtoull(argv[++i], nullptr, 10);
    else return usage();
  }
  if (a.seconds < 0) a.seconds = a.mode == "--never-reads" ? 2.0 : 1.0;
  if (a.mode == "--echo-server") return echo_server(a);
  if (a.mode == "--bare-echo-server") return run_bare_echo_server(a.target.c_str(), a.conns);
  if (a.mode == "--ndjson-server") return ndjson_server(a);
  if (a.mode == "--never-reads") return never_reads(a);
  if (a.mode == "--bulk") return bulk_client(a);
  if (a.mode == "--ndjson") return ndjson_client(a);
  return usage();
}
