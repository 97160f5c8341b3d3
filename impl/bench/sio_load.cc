// sioconf_sio_load — the load client of ci/bench's "reference server" section: `sioconf serve`
// against the real socket.io 4.8.4 server (conformance/adapters/node/bench/sio_server_bench.js),
// both serving the official test suites' contract on /socket.io/.
//
// How it is measured: each server runs in its own process on 127.0.0.1; this client, written
// against libuv alone (it hand-rolls the few bytes of HTTP/1.1, RFC 6455 client framing and
// Engine.IO/Socket.IO text it needs, no sioconf code), drives it from another process and does the
// timing. So the servers compared differ and the load does not.
//
//   sioconf_sio_load --ws PORT [--clients N] [--seconds S] [--warmup S] [--window N] [--pid SERVER_PID]
//       N WebSocket clients (GET /socket.io/?EIO=4&transport=websocket, masked frames), each joins
//       "/" (CONNECT 40, waits for the CONNECT answer and the "auth" event), then pipelines
//       42["message",K] with at most --window (default 1024) unanswered, and checks that the
//       42["message-back",K] answers come back in order. Prints events_per_s. The window is
//       wide so that the server, not the round trip, bounds the rate: with 64, one client kept
//       the C++ server busy 0.7 of the time, waiting on the batches' round trips.
//   sioconf_sio_load --polling PORT [--clients N] [--seconds S] [--warmup S] [--pid SERVER_PID]
//       N HTTP long-polling clients, each with two keep-alive connections as a browser has: one
//       that always has a GET waiting, one for the POSTs. A round trip is POST 42["message",K]
//       answered "ok" plus 42["message-back",K] received by a GET; the next POST goes after it.
//       Prints round_trips_per_s.
//   sioconf_sio_load --idle PORT --pid SERVER_PID [--clients N] [--settle S] [--gc-signal]
//       Connects one client that joins "/" and leaves (the warm-up: what a server sets up once,
//       on its first client, is not a cost of each client), reads the server's RSS
//       (/proc/PID/status VmRSS), opens N (default 1000) WebSocket clients (at most 64 connecting
//       at a time), waits until all joined "/", reads the RSS again; each reading after --settle
//       (default 1 s) of quiet. --gc-signal sends SIGUSR2 first (sio_server_bench.js then runs the
//       garbage collector). Prints per_client_bytes.
//   sioconf_sio_load --loopback-floor
//       The machine's floor for one client: the round-trip time of one byte between two
//       processes over loopback TCP (see run_loopback_floor). Prints rtt_us.
//
// Engine.IO pings ("2") are answered with pongs ("3") in every mode. The timed modes count the
// answers that came in during the window (after --warmup, default 0.25 s, for --seconds, default
// 1 s), then stop sending, wait for every answer still due, and close: a WebSocket close frame, or
// an Engine.IO close packet ("1") over polling. Exit code 0 when measured, 1 when not (a wrong or
// missing answer, a server that closed or stalled: the watchdog). The timed modes also print the
// CPU this client used in the window and, with --pid, the server's (client_cpu, server_cpu: the
// share of one core), so that a saturated side shows.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t kReadBytes = 64 * 1024;
constexpr int kConnecting = 64;  // --idle: handshakes in flight at most, so no accept queue overflows

struct Args {
  std::string mode;
  int port = 0;
  int clients = 0;  // 1 (--ws, --polling), 1000 (--idle)
  double seconds = 1.0, warmup = 0.25, settle = 1.0;
  std::uint64_t window = 1024;
  long pid = 0;
  bool gc_signal = false;
};

// CPU seconds (user + system) this process used, and those of process `pid` (0: none, -1).
double self_cpu_s() {
  rusage r{};
  getrusage(RUSAGE_SELF, &r);
  return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
         static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

double process_cpu_s(long pid) {
  if (pid <= 0) return -1;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  // proc(5): "pid (comm) state ppid ...", utime and stime are fields 14 and 15; comm may hold
  // spaces and parentheses, so the fields are counted from the last ')', past the state letter.
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 4 > stat.size()) return -1;
  const char* p = stat.c_str() + paren + 4;
  char* end = nullptr;
  double ticks = 0;
  for (int field = 4; field <= 15; ++field, p = end) {
    const double v = std::strtod(p, &end);
    if (end == p) return -1;
    if (field >= 14) ticks += v;
  }
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The timed window, as in io_bench.cc: after `warmup`, the answers counted over `seconds`. The
// CPU both processes used in the window shows which of them, if any, was saturated.
struct Timing {
  double warmup = 0.25, seconds = 1.0;
  std::uint64_t t0 = 0, tw = 0, te = 0;  // start, warm-up end, window end (uv_hrtime ns)
  std::uint64_t cw = 0, ce = 0;          // the count at tw and te
  int phase = 0;                         // 0 warm-up, 1 measuring, 2 done
  long server_pid = 0;
  double client_cpu = 0, server_cpu = 0;  // at tw, then the difference at te

  // Called with the running count after each answer; true when the window just ended.
  bool tick(std::uint64_t count) {
    if (phase == 2) return false;
    const std::uint64_t now = uv_hrtime();
    if (phase == 0 && static_cast<double>(now - t0) / 1e9 >= warmup) {
      phase = 1;
      tw = now;
      cw = count;
      client_cpu = self_cpu_s();
      server_cpu = process_cpu_s(server_pid);
    } else if (phase == 1 && static_cast<double>(now - tw) / 1e9 >= seconds) {
      phase = 2;
      te = now;
      ce = count;
      client_cpu = self_cpu_s() - client_cpu;
      if (server_pid > 0) server_cpu = process_cpu_s(server_pid) - server_cpu;
      return true;
    }
    return false;
  }
  double window_s() const { return static_cast<double>(te - tw) / 1e9; }
  double rate() const { return static_cast<double>(ce - cw) / window_s(); }
  // The CPU figures as JSON members: each process's share of one core over the window.
  std::string cpu_json() const {
    char text[96];
    std::snprintf(text, sizeof text, "\"client_cpu\":%.2f,\"server_cpu\":%.2f", client_cpu / window_s(),
                  server_pid > 0 ? server_cpu / window_s() : -1.0);
    return text;
  }
};

long rss_kib(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  return -1;
}

// 1,000 clients need 1,000 descriptors; some machines start with a soft limit of 1024.
void raise_fd_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &r);
  }
}

// Parses the K of `prefix K]`, where prefix is e.g. `42["message-back",`; false if it is not that.
bool parse_answer(std::string_view text, std::string_view prefix, std::uint64_t& k) {
  if (text.size() <= prefix.size() || text.substr(0, prefix.size()) != prefix || text.back() != ']') return false;
  const char* first = text.data() + prefix.size();
  const char* last = text.data() + text.size() - 1;
  const auto r = std::from_chars(first, last, k);
  return r.ec == std::errc() && r.ptr == last;
}

// xorshift64 (Marsaglia): the WebSocket keys and masks. RFC 6455 asks for unpredictable masks
// against proxies; on loopback, a fresh pattern per frame is all that matters, at no cost.
struct XorShift {
  std::uint64_t state;
  std::uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
};

void append_event(std::string& out, std::uint64_t k) {
  char digits[24];
  char* end = std::to_chars(digits, digits + sizeof digits, k).ptr;
  out += R"(42["message",)";
  out.append(digits, static_cast<std::size_t>(end - digits));
  out += ']';
}

// ---------------------------------------------------------------------------------------------
// One TCP connection: reads appended to `in`, writes gathered in `out` and sent once per turn.

struct Client;

struct Conn {
  uv_tcp_t tcp{};
  uv_connect_t connect_req{};
  Client* client = nullptr;
  std::string in, out;
  bool started = false, closed = false;

  virtual ~Conn() = default;
  virtual void on_connected() = 0;
  virtual void on_bytes() = 0;  // `in` grew; consume what is complete
  virtual void on_eof() = 0;

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp); }
  void start(uv_loop_t* loop, int port);
  void flush();
  void close();
};

struct WriteReq {
  uv_write_t req{};
  std::string data;
};

struct Client {
  uv_loop_t* loop = uv_default_loop();
  int port = 0;
  bool failed = false;
  char rbuf[kReadBytes];

  void fail(const std::string& why);
  virtual void closing_all() = 0;  // fail(): close every connection
  virtual ~Client() = default;
};

void Client::fail(const std::string& why) {
  if (!failed) std::fprintf(stderr, "sioconf_sio_load: %s\n", why.c_str());
  failed = true;
  closing_all();
}

void Conn::start(uv_loop_t* loop, int port) {
  uv_tcp_init(loop, &tcp);
  tcp.data = this;
  uv_tcp_nodelay(&tcp, 1);
  started = true;
  sockaddr_in addr{};
  uv_ip4_addr("127.0.0.1", port, &addr);
  connect_req.data = this;
  uv_tcp_connect(&connect_req, &tcp, reinterpret_cast<const sockaddr*>(&addr), [](uv_connect_t* req, int status) {
    auto* self = static_cast<Conn*>(req->data);
    if (self->closed) return;
    if (status != 0) return self->client->fail(std::string("connect: ") + uv_strerror(status));
    uv_read_start(
        self->stream(),
        [](uv_handle_t* h, std::size_t, uv_buf_t* buf) {
          *buf = uv_buf_init(static_cast<Conn*>(h->data)->client->rbuf, static_cast<unsigned int>(kReadBytes));
        },
        [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
          auto* c = static_cast<Conn*>(s->data);
          if (n == 0 || c->closed) return;
          if (n < 0) return c->on_eof();
          c->in.append(buf->base, static_cast<std::size_t>(n));
          c->on_bytes();
          c->flush();
        });
    self->on_connected();
    self->flush();
  });
}

void Conn::flush() {
  if (out.empty() || closed) return;
  auto* w = new WriteReq;
  w->data.swap(out);
  w->req.data = w;
  const uv_buf_t buf = uv_buf_init(w->data.data(), static_cast<unsigned int>(w->data.size()));
  const int rc = uv_write(&w->req, stream(), &buf, 1, [](uv_write_t* req, int status) {
    auto* c = static_cast<Conn*>(req->handle->data);
    delete static_cast<WriteReq*>(req->data);
    if (status != 0 && status != UV_ECANCELED && !c->closed) c->client->fail("write failed");
  });
  if (rc != 0) {
    delete w;
    client->fail("write failed");
  }
}

void Conn::close() {
  if (closed) return;
  closed = true;
  if (started) uv_close(reinterpret_cast<uv_handle_t*>(&tcp), nullptr);
}

// ---------------------------------------------------------------------------------------------
// The WebSocket client: RFC 6455 client side (masked frames out, unmasked frames in), Engine.IO
// packets one per text frame, Socket.IO on top.

struct WsLoad;

struct WsConn final : Conn {
  enum class State { upgrading, opening, joining, ready, closing } state = State::upgrading;
  WsLoad* load = nullptr;
  XorShift random{0};
  std::string fragments;  // a fragmented message's first frames
  bool got_connect = false, got_auth = false;
  std::uint64_t next_k = 0, expect_k = 0;  // the next K to send, the next K due back

  void on_connected() override;
  void on_bytes() override;
  void on_eof() override;
  void frame(std::uint8_t opcode, std::string_view payload);
  void on_eio(std::string_view packet);
  void on_sio(std::string_view packet);
  void top_up();
  void say_goodbye();
};

struct WsLoad final : Client {
  std::vector<std::unique_ptr<WsConn>> conns;
  std::uint64_t window = 1024, answered = 0;
  int started = 0, ready = 0;  // connections begun, joined "/"
  bool sending = false;
  Timing timing;
  // --idle: the server's RSS after the warm-up client (conns[0]) left and with all the others;
  // each reading is taken after `settle`, and the connections go on being opened (at most
  // kConnecting at a time) meanwhile.
  bool idle = false, gc_signal = false;
  long pid = 0, rss_before = -1, rss_after = -1;
  double settle = 1.0;
  uv_timer_t settle_timer{};
  void (*after_settled)(WsLoad*) = nullptr;

  void open_next();
  void on_ready();
  void on_answer();
  void closing_all() override {
    sending = false;
    for (auto& c : conns) c->close();
    uv_timer_stop(&settle_timer);
  }
  void after_settle(void (*then)(WsLoad*));
};

void WsConn::on_connected() {
  static const char key_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  // RFC 6455 4.1: the key is 16 random bytes in base64 (22 characters and "=="); the client
  // does not check the server's accept value, the server's 101 is enough for a load generator.
  random.state = (uv_hrtime() ^ reinterpret_cast<std::uintptr_t>(this)) | 1;
  std::string key;
  for (int i = 0; i < 22; ++i) key += key_chars[random.next() % 64];
  key[21] = 'A';  // the last character of 16 bytes in base64 carries 2 bits: A, Q, g or w
  key += "==";
  out += "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(client->port) +
         "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key +
         "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

// RFC 6455 5.2, 5.3: a client frame is masked, with a fresh key each; FIN set, no fragmentation.
void WsConn::frame(std::uint8_t opcode, std::string_view payload) {
  const auto key = static_cast<std::uint32_t>(random.next() >> 32);
  const std::uint8_t mask[4] = {static_cast<std::uint8_t>(key), static_cast<std::uint8_t>(key >> 8),
                                static_cast<std::uint8_t>(key >> 16), static_cast<std::uint8_t>(key >> 24)};
  const std::size_t n = payload.size();
  out += static_cast<char>(0x80 | opcode);
  if (n < 126) {
    out += static_cast<char>(0x80 | n);
  } else if (n < 65536) {
    out += static_cast<char>(0x80 | 126);
    out += static_cast<char>(n >> 8);
    out += static_cast<char>(n & 0xff);
  } else {
    out += static_cast<char>(0x80 | 127);
    for (int shift = 56; shift >= 0; shift -= 8)
      out += static_cast<char>((static_cast<std::uint64_t>(n) >> shift) & 0xff);
  }
  out.append(reinterpret_cast<const char*>(mask), 4);
  const std::size_t at = out.size();
  out.append(payload);
  for (std::size_t i = 0; i < n; ++i) out[at + i] = static_cast<char>(out[at + i] ^ mask[i & 3]);
}

void WsConn::on_bytes() {
  std::size_t pos = 0;
  if (state == State::upgrading) {
    const std::size_t end = in.find("\r\n\r\n");
    if (end == std::string::npos) return;
    if (in.compare(0, 12, "HTTP/1.1 101") != 0)
      return client->fail("the WebSocket upgrade was refused: " + in.substr(0, in.find('\r')));
    state = State::opening;
    pos = end + 4;
  }
  while (!closed) {  // RFC 6455 5.2: the frames the server sends, never masked
    const std::size_t avail = in.size() - pos;
    if (avail < 2) break;
    const auto b0 = static_cast<std::uint8_t>(in[pos]), b1 = static_cast<std::uint8_t>(in[pos + 1]);
    if (b1 & 0x80) return client->fail("a masked frame from the server (RFC 6455 5.1)");
    std::uint64_t len = b1 & 0x7f;
    std::size_t header = 2;
    if (len == 126) header = 4;
    if (len == 127) header = 10;
    if (avail < header) break;
    if (header > 2) {
      len = 0;
      for (std::size_t i = 2; i < header; ++i) len = (len << 8) | static_cast<std::uint8_t>(in[pos + i]);
    }
    if (avail - header < len) break;
    const std::string_view payload(in.data() + pos + header, len);
    pos += header + len;
    const std::uint8_t opcode = b0 & 0x0f;
    const bool fin = b0 & 0x80;
    if (opcode == 0x8) {  // close: the server ends the connection (expected only once we closed)
      if (state != State::closing) return client->fail("the server closed the WebSocket");
      close();
      break;
    }
    if (opcode == 0x9) {  // ping -> pong with the same payload (RFC 6455 5.5.3)
      frame(0xA, payload);
      continue;
    }
    if (opcode == 0xA) continue;
    if (!fin || !fragments.empty()) {
      fragments.append(payload);
      if (!fin) continue;
      const std::string whole = std::move(fragments);
      fragments.clear();
      on_eio(whole);
    } else {
      on_eio(payload);
    }
  }
  in.erase(0, pos);
  top_up();
}

void WsConn::on_eio(std::string_view p) {
  if (state == State::closing || p.empty()) return;
  switch (p[0]) {
    case '0':  // engine.io-protocol v4: open; then the Socket.IO CONNECT to "/"
      if (state != State::opening) return client->fail("a second Engine.IO open packet");
      state = State::joining;
      return frame(0x1, "40");
    case '2': return frame(0x1, "3");
    case '4': return on_sio(p.substr(1));
    case '6': return;
    default: return client->fail("unexpected Engine.IO packet: " + std::string(p.substr(0, 80)));
  }
}

void WsConn::on_sio(std::string_view p) {
  std::uint64_t k = 0;
  if (parse_answer(p, R"(2["message-back",)", k)) {
    if (state != State::ready || k != expect_k) return client->fail("an answer out of order: " + std::string(p));
    ++expect_k;
    load->on_answer();
    if (!load->sending && expect_k == next_k) say_goodbye();
    return;
  }
  if (state != State::joining) return client->fail("unexpected Socket.IO packet: " + std::string(p.substr(0, 80)));
  if (p.rfind("0{\"sid\":", 0) == 0) got_connect = true;
  else if (p.rfind(R"(2["auth",)", 0) == 0) got_auth = true;
  else return client->fail("unexpected Socket.IO packet while joining: " + std::string(p.substr(0, 80)));
  if (got_connect && got_auth) {
    state = State::ready;
    load->on_ready();
  }
}

void WsConn::top_up() {
  if (state != State::ready) return;
  std::string text;
  while (load->sending && next_k - expect_k < load->window) {
    text.clear();
    append_event(text, next_k++);
    frame(0x1, text);
  }
}

// The end of a connection: a close frame (1000, normal), then the server's close frame or EOF.
void WsConn::say_goodbye() {
  if (state == State::closing || closed) return;
  state = State::closing;
  frame(0x8, std::string_view("\x03\xe8", 2));
}

void WsConn::on_eof() {
  if (state != State::closing) return client->fail("the server ended a WebSocket connection early");
  close();
}

void WsLoad::open_next() {
  if (failed || started == static_cast<int>(conns.size())) return;
  WsConn* c = conns[static_cast<std::size_t>(started++)].get();
  c->start(loop, port);
}

void WsLoad::on_answer() {
  ++answered;
  if (timing.tick(answered)) {
    sending = false;  // the window ended: no new event; each connection closes once answered
    for (auto& c : conns)
      if (c->expect_k == c->next_k) c->say_goodbye();
  }
}

void WsLoad::after_settle(void (*then)(WsLoad*)) {
  if (gc_signal && kill(static_cast<pid_t>(pid), SIGUSR2) != 0) return fail("cannot signal the server");
  after_settled = then;
  uv_timer_start(
      &settle_timer,
      [](uv_timer_t* t) {
        auto* self = static_cast<WsLoad*>(t->loop->data);
        self->after_settled(self);
      },
      static_cast<std::uint64_t>(settle * 1000), 0);
}

void WsLoad::on_ready() {
  ++ready;
  if (idle && ready == 1) {  // the warm-up client joined: it leaves, then the reading with none
    conns[0]->say_goodbye();
    conns[0]->flush();
    return after_settle([](WsLoad* self) {
      self->rss_before = rss_kib(self->pid);
      if (self->rss_before < 0) return self->fail("cannot read /proc/PID/status of the server");
      for (int i = 0; i < kConnecting; ++i) self->open_next();
    });
  }
  if (idle) {
    open_next();
    if (ready < static_cast<int>(conns.size())) return;
    return after_settle([](WsLoad* self) {
      self->rss_after = rss_kib(self->pid);
      for (auto& conn : self->conns) {
        conn->say_goodbye();
        conn->flush();
      }
    });
  }
  if (ready < static_cast<int>(conns.size())) return;
  sending = true;  // all joined: the warm-up starts, every connection fills its window
  timing.t0 = uv_hrtime();
  for (auto& conn : conns) {
    conn->top_up();
    conn->flush();
  }
}

// The WebSocket modes: --ws (timed events) and --idle (memory).
int run_ws(const Args& a) {
  auto load = std::make_unique<WsLoad>();
  WsLoad& w = *load;
  w.port = a.port;
  w.loop->data = &w;
  w.window = std::max<std::uint64_t>(1, a.window);
  w.timing.seconds = a.seconds;
  w.timing.warmup = a.warmup;
  w.timing.server_pid = a.pid;
  w.idle = a.mode == "--idle";
  w.gc_signal = a.gc_signal;
  w.pid = a.pid;
  w.settle = a.settle;
  const int clients = a.clients > 0 ? a.clients : (w.idle ? 1000 : 1);
  for (int i = 0; i < clients + (w.idle ? 1 : 0); ++i) {  // --idle: the warm-up client first
    auto c = std::make_unique<WsConn>();
    c->client = &w;
    c->load = &w;
    w.conns.push_back(std::move(c));
  }
  uv_timer_init(w.loop, &w.settle_timer);
  uv_timer_t watchdog;
  uv_timer_init(w.loop, &watchdog);
  uv_timer_start(
      &watchdog,
      [](uv_timer_t* t) { static_cast<WsLoad*>(t->loop->data)->fail("the watchdog fired (the server stalled?)"); },
      static_cast<std::uint64_t>((60 + a.seconds + a.warmup + 2 * a.settle) * 1000), 0);
  uv_unref(reinterpret_cast<uv_handle_t*>(&watchdog));

  if (w.idle) {
    w.open_next();  // the warm-up client; the others after it left (on_ready)
  } else {
    for (int i = 0; i < clients; ++i) w.open_next();
  }
  uv_run(w.loop, UV_RUN_DEFAULT);
  uv_close(reinterpret_cast<uv_handle_t*>(&watchdog), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&w.settle_timer), nullptr);
  uv_run(w.loop, UV_RUN_DEFAULT);
  if (w.failed) return 1;

  if (w.idle) {
    if (w.rss_after < 0) return std::fprintf(stderr, "sioconf_sio_load: not measured\n"), 1;
    const double per_client = static_cast<double>(w.rss_after - w.rss_before) * 1024.0 / clients;
    std::printf(
        "{\"bench\":\"sio_idle\",\"clients\":%d,\"warmup_clients\":1,\"settle_s\":%.2f,\"gc_signal\":%s,\"rss_before_"
        "kib\":%ld,"
        "\"rss_after_kib\":%ld,\"per_client_bytes\":%.0f}\n",
        clients, a.settle, a.gc_signal ? "true" : "false", w.rss_before, w.rss_after, per_client);
    return 0;
  }
  if (w.timing.phase != 2) return std::fprintf(stderr, "sioconf_sio_load: not measured\n"), 1;
  std::uint64_t sent = 0;
  for (auto& c : w.conns) {
    if (c->expect_k != c->next_k) return std::fprintf(stderr, "sioconf_sio_load: answers missing\n"), 1;
    sent += c->next_k;
  }
  std::printf(
      "{\"bench\":\"sio_ws_events\",\"clients\":%d,\"window\":%llu,\"sent\":%llu,\"events\":%llu,\"seconds\":%.3f,"
      "\"events_per_s\":%.0f,%s}\n",
      clients, static_cast<unsigned long long>(w.window), static_cast<unsigned long long>(sent),
      static_cast<unsigned long long>(w.timing.ce - w.timing.cw), w.timing.window_s(), w.timing.rate(),
      w.timing.cpu_json().c_str());
  return 0;
}

// ---------------------------------------------------------------------------------------------
// The long-polling client: HTTP/1.1 keep-alive, one connection for the GETs (one always waiting,
// as socket.io-client keeps it) and one for the POSTs, each with one request at a time.

struct PollClient;

struct HttpConn final : Conn {
  PollClient* poll = nullptr;
  bool busy = false;  // busy: a request sent, its response not read yet

  void on_connected() override;
  void on_bytes() override;
  void on_eof() override;
  void request(std::string_view method, const std::string& query, std::string_view body);
};

struct PollLoad;

struct PollClient {
  PollLoad* load = nullptr;
  HttpConn get, post;
  std::string sid;
  int connected = 0;
  bool got_connect = false, got_auth = false, ready = false, ending = false;
  std::vector<std::string> to_post;  // Engine.IO packets waiting for the POST connection
  // The round trip in flight: its K, whether its POST went (sent), was answered (posted), and
  // whether message-back K came (answered).
  std::uint64_t k = 0;
  bool in_flight = false, sent = false, posted = false, answered = false;

  std::string query() const { return "EIO=4&transport=polling&sid=" + sid; }
  void on_response(HttpConn& c, int status, std::string_view body);
  void on_packet(std::string_view p);
  void maybe_post();
  void next_round_trip();
};

struct PollLoad final : Client {
  std::vector<std::unique_ptr<PollClient>> clients;
  std::uint64_t round_trips = 0;
  int ready = 0;
  bool sending = false;
  Timing timing;

  void closing_all() override {
    sending = false;
    for (auto& c : clients) {
      c->get.close();
      c->post.close();
    }
  }
  void on_ready();
  void on_round_trip(PollClient& c);
};

void HttpConn::request(std::string_view method, const std::string& query, std::string_view body) {
  busy = true;
  out += method;
  out += " /socket.io/?" + query + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(client->port) +
         "\r\nConnection: keep-alive\r\n";
  if (method == "POST")
    out += "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  out += body;
}

void HttpConn::on_connected() {
  PollClient& c = *poll;
  if (++c.connected < 2) return;
  c.get.request("GET", "EIO=4&transport=polling", {});  // the handshake
  c.get.flush();
}

// A response: the status line, headers with a content-length (both servers send one), the body.
void HttpConn::on_bytes() {
  while (!closed) {
    const std::size_t end = in.find("\r\n\r\n");
    if (end == std::string::npos) return;
    if (in.compare(0, 9, "HTTP/1.1 ") != 0) return client->fail("not an HTTP/1.1 response");
    const int status = std::atoi(in.c_str() + 9);
    std::string head = in.substr(0, end);
    std::transform(head.begin(), head.end(), head.begin(), [](char ch) { return static_cast<char>(std::tolower(ch)); });
    const std::size_t at = head.find("\r\ncontent-length:");
    if (at == std::string::npos) return client->fail("a response without content-length");
    const std::size_t length = std::strtoull(head.c_str() + at + 17, nullptr, 10);
    if (in.size() < end + 4 + length) return;
    const std::string body = in.substr(end + 4, length);
    in.erase(0, end + 4 + length);
    busy = false;
    poll->on_response(*this, status, body);
  }
}

void HttpConn::on_eof() {
  if (poll->ending) return close();
  client->fail("the server closed a polling connection");
}

void PollClient::on_response(HttpConn& c, int status, std::string_view body) {
  if (status != 200) return load->fail("HTTP " + std::to_string(status) + ": " + std::string(body.substr(0, 80)));
  if (&c == &post) {
    if (body != "ok") return load->fail("a POST answered " + std::string(body.substr(0, 80)));
    if (ending) {  // the close packet went through: this client is done
      get.close();
      post.close();
      return;
    }
    if (in_flight && sent) posted = true;  // POSTs go one at a time: the message's went through
    if (posted && answered) return load->on_round_trip(*this);
    return maybe_post();
  }
  if (sid.empty()) {  // the handshake: 0{"sid":"...",...}
    const std::size_t at = body.find("\"sid\":\"");
    if (body.empty() || body[0] != '0' || at == std::string_view::npos) return load->fail("no Engine.IO open packet");
    const std::size_t from = at + 7, to = body.find('"', from);
    sid = std::string(body.substr(from, to - from));
    to_post.emplace_back("40");
    maybe_post();
  } else {
    // engine.io-protocol v4: the packets of one payload are separated by \x1e.
    std::size_t from = 0;
    while (from <= body.size()) {
      std::size_t to = body.find('\x1e', from);
      if (to == std::string_view::npos) to = body.size();
      on_packet(body.substr(from, to - from));
      if (load->failed) return;
      from = to + 1;
    }
  }
  if (!ending) get.request("GET", query(), {});  // keep one GET waiting
  maybe_post();
}

void PollClient::on_packet(std::string_view p) {
  // Once the close packet is on its way, the waiting GET may get "6" (noop) or "1": both end it.
  if (ending || p.empty() || p == "6") return;
  std::uint64_t n = 0;
  if (p == "2") {
    to_post.emplace_back("3");
  } else if (p.rfind(R"(42["message-back",)", 0) == 0) {
    if (!in_flight || !parse_answer(p, R"(42["message-back",)", n) || n != k)
      return load->fail("an answer out of order: " + std::string(p));
    answered = true;
    if (posted) load->on_round_trip(*this);
  } else if (!ready && p.rfind("40{\"sid\":", 0) == 0) {
    got_connect = true;
  } else if (!ready && p.rfind(R"(42["auth",)", 0) == 0) {
    got_auth = true;
  } else {
    return load->fail("unexpected packet: " + std::string(p.substr(0, 80)));
  }
  if (!ready && got_connect && got_auth) {
    ready = true;
    load->on_ready();
  }
}

void PollClient::maybe_post() {
  if (post.busy || to_post.empty() || post.closed) return;
  std::string body;
  for (const std::string& p : to_post) {
    if (!body.empty()) body += '\x1e';
    body += p;
  }
  to_post.clear();
  if (in_flight) sent = true;
  post.request("POST", query(), body);
  post.flush();
}

void PollClient::next_round_trip() {
  if (!load->sending) {  // the end: the Engine.IO close packet, then both connections go
    ending = true;
    to_post.emplace_back("1");
    return maybe_post();
  }
  in_flight = true;
  sent = posted = answered = false;
  std::string text;
  append_event(text, k);
  to_post.push_back(std::move(text));
  maybe_post();
}

void PollLoad::on_ready() {
  if (++ready < static_cast<int>(clients.size())) return;
  sending = true;
  timing.t0 = uv_hrtime();
  for (auto& c : clients) c->next_round_trip();
}

void PollLoad::on_round_trip(PollClient& c) {
  c.in_flight = false;
  ++c.k;
  ++round_trips;
  if (timing.tick(round_trips)) sending = false;
  c.next_round_trip();
}

int run_polling(const Args& a) {
  auto load = std::make_unique<PollLoad>();
  PollLoad& p = *load;
  p.port = a.port;
  p.loop->data = &p;
  p.timing.seconds = a.seconds;
  p.timing.warmup = a.warmup;
  p.timing.server_pid = a.pid;
  const int clients = a.clients > 0 ? a.clients : 1;
  for (int i = 0; i < clients; ++i) {
    auto c = std::make_unique<PollClient>();
    c->load = &p;
    for (HttpConn* h : {&c->get, &c->post}) {
      h->client = &p;
      h->poll = c.get();
    }
    p.clients.push_back(std::move(c));
  }
  uv_timer_t watchdog;
  uv_timer_init(p.loop, &watchdog);
  uv_timer_start(
      &watchdog,
      [](uv_timer_t* t) { static_cast<PollLoad*>(t->loop->data)->fail("the watchdog fired (the server stalled?)"); },
      static_cast<std::uint64_t>((60 + a.seconds + a.warmup) * 1000), 0);
  uv_unref(reinterpret_cast<uv_handle_t*>(&watchdog));
  for (auto& c : p.clients) {
    c->get.start(p.loop, p.port);
    c->post.start(p.loop, p.port);
  }
  uv_run(p.loop, UV_RUN_DEFAULT);
  uv_close(reinterpret_cast<uv_handle_t*>(&watchdog), nullptr);
  uv_run(p.loop, UV_RUN_DEFAULT);
  if (p.failed || p.timing.phase != 2) return std::fprintf(stderr, "sioconf_sio_load: not measured\n"), 1;
  std::printf(
      "{\"bench\":\"sio_polling\",\"clients\":%d,\"connections\":\"one for GETs, one for POSTs per client\","
      "\"round_trips\":%llu,\"seconds\":%.3f,\"round_trips_per_s\":%.0f,%s}\n",
      clients, static_cast<unsigned long long>(p.timing.ce - p.timing.cw), p.timing.window_s(), p.timing.rate(),
      p.timing.cpu_json().c_str());
  return 0;
}

// --loopback-floor: what this machine allows one client, whatever the server. Two processes (this
// one and a forked child) bounce one byte over a loopback TCP connection with blocking calls; a
// long-polling round trip needs at least one such exchange, so one client's round trips/s cannot
// pass 1 / rtt. Prints the mean round-trip time and the CPU it cost this process.
int run_loopback_floor() {
  constexpr int kExchanges = 20'000;
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener, 1) != 0 || getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    return std::fprintf(stderr, "sioconf_sio_load: cannot listen on 127.0.0.1\n"), 1;
  const int one = 1;
  char byte = 0;
  const pid_t child = fork();
  if (child < 0) return std::fprintf(stderr, "sioconf_sio_load: cannot fork\n"), 1;
  if (child == 0) {  // the echo side
    const int c = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(c, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) _exit(1);
    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    for (int i = 0; i < kExchanges; ++i)
      if (read(c, &byte, 1) != 1 || write(c, &byte, 1) != 1) _exit(1);
    _exit(0);
  }
  const int s = accept(listener, nullptr, nullptr);
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  rusage before{}, after{};
  getrusage(RUSAGE_SELF, &before);
  const std::uint64_t t0 = uv_hrtime();
  bool ok = s >= 0;
  for (int i = 0; ok && i < kExchanges; ++i) ok = write(s, &byte, 1) == 1 && read(s, &byte, 1) == 1;
  const std::uint64_t t1 = uv_hrtime();
  getrusage(RUSAGE_SELF, &after);
  int status = 0;
  waitpid(child, &status, 0);
  close(s);
  close(listener);
  if (!ok || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return std::fprintf(stderr, "sioconf_sio_load: the ping-pong failed\n"), 1;
  const auto us = [](const timeval& t) { return static_cast<double>(t.tv_sec) * 1e6 + static_cast<double>(t.tv_usec); };
  const double cpu = us(after.ru_utime) + us(after.ru_stime) - us(before.ru_utime) - us(before.ru_stime);
  std::printf("{\"bench\":\"loopback_floor\",\"exchanges\":%d,\"rtt_us\":%.1f,\"cpu_us_per_exchange\":%.1f}\n",
              kExchanges, static_cast<double>(t1 - t0) / 1e3 / kExchanges, cpu / kExchanges);
  return 0;
}

int usage() {
  std::fprintf(
      stderr,
      "usage: sioconf_sio_load --ws PORT [--clients N] [--seconds S] [--warmup S] [--window N] [--pid SERVER_PID]\n"
      "       sioconf_sio_load --polling PORT [--clients N] [--seconds S] [--warmup S] [--pid SERVER_PID]\n"
      "       sioconf_sio_load --idle PORT --pid SERVER_PID [--clients N] [--settle S] [--gc-signal]\n"
      "       sioconf_sio_load --loopback-floor\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--loopback-floor" && argc == 2) return run_loopback_floor();
    if (arg == "--gc-signal") {
      a.gc_signal = true;
      continue;
    }
    if (i + 1 >= argc) return usage();
    const char* value = argv[++i];
    if (arg == "--ws" || arg == "--polling" || arg == "--idle") {
      a.mode = arg;
      a.port = std::atoi(value);
    } else if (arg == "--clients") a.clients = std::atoi(value);
    else if (arg == "--seconds") a.seconds = std::strtod(value, nullptr);
    else if (arg == "--warmup") a.warmup = std::strtod(value, nullptr);
    else if (arg == "--settle") a.settle = std::strtod(value, nullptr);
    else if (arg == "--window") a.window = std::strtoull(value, nullptr, 10);
    else if (arg == "--pid") a.pid = std::strtol(value, nullptr, 10);
    else return usage();
  }
  if (a.port <= 0 || a.port > 65535 || a.clients < 0 || (a.mode == "--idle" && a.pid <= 0)) return usage();
  raise_fd_limit();
  if (a.mode == "--ws" || a.mode == "--idle") return run_ws(a);
  if (a.mode == "--polling") return run_polling(a);
  return usage();
}
