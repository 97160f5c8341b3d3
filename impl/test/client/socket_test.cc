// The reference client (client/engine_client.h, client/socket.h) on the simulator: against the
// reference server in process (engine::Server + session::ServerSocket behind an http::Server) on
// each transport, and against a tiny scripted WebSocket server for what no good server sends.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "io/backends.h"
#include "sioconf/client/socket.h"
#include "sioconf/engine/server.h"
#include "sioconf/http/server.h"
#include "sioconf/http/websocket.h"
#include "sioconf/session/server_socket.h"
#include "sioconf/ws/frame_encoder.h"

namespace sioconf::client {
namespace {

using Kinds = std::vector<TransportKind>;

std::string bytes_text(ByteView b) { return std::string(as_text(b)); }

// ---- the reference server ---------------------------------------------------------------------

struct RefServer {
  explicit RefServer(test::SimBackend& b, std::uint64_t ping_interval = 25'000, std::uint64_t ping_timeout = 20'000)
      : backend(b), loop(b.loop()) {
    engine::ServerOptions eo;
    eo.ping_interval_ms = ping_interval;
    eo.ping_timeout_ms = ping_timeout;
    eo.make_sid = [this] { return "e" + std::to_string(++sids); };
    eio = std::make_unique<engine::Server>(
        loop, Limits{}, eo, [this](std::unique_ptr<engine::Session> s, const http::Request&) {
          session::ServerSocketOptions so;
          so.sid = "n" + std::to_string(sids);
          auto socket = std::make_unique<session::ServerSocket>(loop, std::move(s), Limits{}, so);
          (void)socket->of("/");  // the main namespace exists
          if (setup) setup(*socket);
          socket->start();
          sockets.push_back(std::move(socket));
        });
    listen();
  }
  // The sockets' endings post work of their own: it runs before the loop goes, or what it holds
  // would be reported as leaked.
  ~RefServer() {
    sockets.clear();
    backend.run();
  }
  void listen() {
    http = std::make_unique<http::Server>(loop, Limits{}, http::ServerOptions{},
                                          [this](http::Exchange ex) { eio->handle(std::move(ex)); });
    Errc e = Errc::none;
    // A fresh port each time (the connector reads `port` at each attempt): the simulator frees a
    // closed listener's port only when it is destroyed.
    listener.reset();
    listener = backend.sim().listen(
        0,
        [this](Errc, io::TransportPtr t) {
          if (t) http->add(std::move(t));
        },
        e);
    ASSERT_TRUE(listener) << name(e);
    port = listener->port();
  }
  // Every connection ends at once and nobody listens any more: the client has lost the server.
  void vanish() {
    listener->close([] {});
    sockets.clear();  // their sessions own the upgraded WebSockets, which the HTTP server forgot
    http.reset();
  }
  Connector connector() {
    return [this](io::ConnectHandler done) { backend.sim().connect(port, std::move(done)); };
  }

  test::SimBackend& backend;
  io::Loop& loop;
  std::uint16_t port = 0;
  int sids = 0;
  std::function<void(session::ServerSocket&)> setup;
  std::unique_ptr<engine::Server> eio;
  std::unique_ptr<http::Server> http;
  io::ListenerPtr listener;
  std::vector<std::unique_ptr<session::ServerSocket>> sockets;
};

SocketOptions options_for(const Kinds& kinds) {
  SocketOptions o;
  o.engine.host = "127.0.0.1:1";
  o.engine.transports = kinds;
  o.reconnection = false;
  return o;
}

// What a client socket reported, in order.
struct Heard {
  std::vector<std::string> log;
  void attach(Socket& s) {
    SocketHandlers& h = s.handlers();
    h.on_connect = [this](const std::string& sid) { log.push_back("connect " + sid); };
    h.on_connect_error = [this](std::string_view m, std::string_view d) {
      log.push_back("connect_error " + std::string(m) + (d.empty() ? "" : " " + std::string(d)));
    };
    h.on_event = [this](const ReceivedEvent& e) {
      std::string line = "event " + std::string(e.name) + " " + std::string(e.args_json);
      for (ByteView a : e.attachments) line += " <" + bytes_text(a) + ">";
      log.push_back(line);
      if (e.ack) {
        EXPECT_EQ(e.ack(R"(["answer"])", {}), Errc::none);
      }
    };
    h.on_disconnect = [this](DisconnectReason r, Errc) { log.push_back("disconnect " + std::string(name(r))); };
    h.on_reconnect_attempt = [this](std::uint64_t n) { log.push_back("attempt " + std::to_string(n)); };
    h.on_reconnect_failed = [this] { log.push_back("reconnect_failed"); };
  }
  bool has(const std::string& line) const { return std::find(log.begin(), log.end(), line) != log.end(); }
};

class ClientOnTransport : public ::testing::TestWithParam<Kinds> {};

INSTANTIATE_TEST_SUITE_P(Transports, ClientOnTransport,
                         ::testing::Values(Kinds{TransportKind::polling}, Kinds{TransportKind::websocket},
                                           Kinds{TransportKind::polling, TransportKind::websocket}),
                         [](const auto& param_info) {
                           return param_info.param.size() == 2 ? std::string("upgrade")
                                                               : std::string(name(param_info.param.front()));
                         });

TEST_P(ClientOnTransport, ConnectsWithAuthAndGetsItsAck) {
  test::SimBackend b(3);
  RefServer server(b);
  std::string auth_seen;
  server.setup = [&](session::ServerSocket& s) {
    s.set_connect_handler([&](std::string_view, std::string_view auth) { auth_seen = auth; });
    s.of("/").on("sum", [](const ack::Event& e) {
      if (e.reply) (*e.reply)("[3]");
    });
  };
  SocketOptions o = options_for(GetParam());
  o.auth_json = R"({"token":"t"})";
  Socket socket(b.loop(), server.connector(), Limits{}, o);
  Heard heard;
  heard.attach(socket);
  socket.connect();
  ASSERT_TRUE(b.run_until([&] { return socket.connected(); }));
  EXPECT_EQ(auth_seen, R"({"token":"t"})");
  EXPECT_EQ(heard.log, std::vector<std::string>{"connect n1"});
  std::string got;
  ASSERT_EQ(
      socket.emit("sum", "[1,2]", {},
                  [&](Errc e, std::string_view args, auto) { got = std::string(name(e)) + " " + std::string(args); }),
      Errc::none);
  ASSERT_TRUE(b.run_until([&] { return !got.empty(); }));
  EXPECT_EQ(got, "none [3]");
  if (GetParam().size() == 2) {
    ASSERT_TRUE(b.run_until([&] { return socket.engine()->transport() == TransportKind::websocket; }));
    got.clear();
    ASSERT_EQ(
        socket.emit("sum", "[]", {},
                    [&](Errc e, std::string_view args, auto) { got = std::string(name(e)) + " " + std::string(args); }),
        Errc::none);
    ASSERT_TRUE(b.run_until([&] { return !got.empty(); }));
    EXPECT_EQ(got, "none [3]");
  }
}

TEST_P(ClientOnTransport, AnswersTheServersAckAndTakesBinaryBothWays) {
  test::SimBackend b(4);
  RefServer server(b);
  std::string server_heard;
  server.setup = [&](session::ServerSocket& s) {
    session::ServerSocket* self = &s;
    s.of("/").on("connect", [&, self](const ack::Event&) {
      (void)self->emit("/", "question", R"([1,"b"])", [&](Errc e, std::string_view args) {
        server_heard += std::string(name(e)) + " " + std::string(args) + ";";
      });
    });
    // Echoes a binary event back as it came: placeholders and attachments.
    s.of("/").on("bin", [self](const ack::Event& e) { (void)self->emit("/", "back", e.args_json, e.attachments); });
  };
  Socket socket(b.loop(), server.connector(), Limits{}, options_for(GetParam()));
  Heard heard;
  heard.attach(socket);
  socket.connect();
  ASSERT_TRUE(b.run_until([&] { return !server_heard.empty(); }));
  EXPECT_EQ(server_heard, R"(none ["answer"];)");
  EXPECT_TRUE(heard.has(R"(event question [1,"b"])"));
  const std::uint8_t raw[] = {1, 2, 3};
  const ByteView att[] = {ByteView(raw)};
  ASSERT_EQ(socket.emit("bin", R"([{"_placeholder":true,"num":0},"x"])", att), Errc::none);
  ASSERT_TRUE(b.run_until([&] { return heard.log.size() >= 3; }));
  EXPECT_EQ(heard.log.back(), "event back [{\"_placeholder\":true,\"num\":0},\"x\"] <\x01\x02\x03>");
}

TEST_P(ClientOnTransport, ConnectErrorIsReportedWithDataAndNotRetried) {
  test::SimBackend b(5);
  RefServer server(b);
  server.setup = [](session::ServerSocket& s) {
    s.use("/", [](std::string_view, std::function<void(std::optional<session::ConnectRefusal>)> next) {
      next(session::ConnectRefusal{"not authorized", R"({"reason":"token"})"});
    });
  };
  SocketOptions o = options_for(GetParam());
  o.reconnection = true;
  o.reconnection_delay_ms = 10;
  Socket socket(b.loop(), server.connector(), Limits{}, o);
  Heard heard;
  heard.attach(socket);
  socket.connect();
  (void)b.run_until([] { return false; }, 2000);
  EXPECT_EQ(heard.log, std::vector<std::string>{R"(connect_error not authorized {"reason":"token"})"});
  EXPECT_EQ(server.eio->counts().handshakes, 1u);
}

TEST_P(ClientOnTransport, AckTimeoutFiresOnceAtItsDeadlineAndNeverAfterTheAck) {
  test::SimBackend b(6);
  RefServer server(b);
  std::optional<ack::Reply> late;
  server.setup = [&](session::ServerSocket& s) {
    s.of("/").on("slow", [&](const ack::Event& e) { late.emplace(*e.reply); });
    s.of("/").on("quick", [](const ack::Event& e) { (*e.reply)("[1]"); });
  };
  Socket socket(b.loop(), server.connector(), Limits{}, options_for(GetParam()));
  socket.connect();
  ASSERT_TRUE(b.run_until([&] { return socket.connected(); }));
  std::vector<std::string> outcomes;
  std::uint64_t timed_out_at = 0;
  const std::uint64_t sent_at = b.loop().now();
  ASSERT_EQ(socket.emit("slow", "[]", {},
                        [&](Errc e, std::string_view, auto) {
                          outcomes.push_back("slow " + std::string(name(e)));
                          timed_out_at = b.loop().now();
                        },
                        {false, 300}),
            Errc::none);
  ASSERT_EQ(socket.emit("quick", "[]", {},
                        [&](Errc e, std::string_view, auto) { outcomes.push_back("quick " + std::string(name(e))); },
                        {false, 300}),
            Errc::none);
  (void)b.run_until([] { return false; }, 400);
  ASSERT_TRUE(late);
  (*late)("[\"late\"]");  // after the timeout: ignored
  (void)b.run_until([] { return false; }, 400);
  EXPECT_EQ(outcomes, (std::vector<std::string>{"quick none", "slow ack_timeout"}));
  EXPECT_EQ(timed_out_at - sent_at, 300u);
  EXPECT_EQ(socket.pending_acks(), 0u);
}

// ---- reconnection -------------------------------------------------------------------------------

TEST(ClientReconnect, BackoffIsExactWithoutJitterAndStopsAfterTheAttempts) {
  test::SimBackend b(7);
  RefServer server(b);
  SocketOptions o = options_for({TransportKind::websocket});
  o.reconnection = true;
  o.reconnection_delay_ms = 100;
  o.reconnection_delay_max_ms = 400;
  o.randomization_factor = 0;
  o.reconnection_attempts = 4;
  Socket socket(b.loop(), server.connector(), Limits{}, o);
  Heard heard;
  heard.attach(socket);
  std::vector<std::uint64_t> attempts;
  socket.handlers().on_reconnect_attempt = [&](std::uint64_t n) {
    heard.log.push_back("attempt " + std::to_string(n));
    attempts.push_back(b.loop().now());
  };
  socket.connect();
  ASSERT_TRUE(b.run_until([&] { return socket.connected(); }));
  server.vanish();
  std::uint64_t lost_at = 0;
  ASSERT_TRUE(b.run_until([&] { return !socket.connected() && (lost_at = b.loop().now()) > 0; }));
  (void)b.run_until([] { return false; }, 3000);
  ASSERT_EQ(attempts.size(), 4u);
  // A refused connect fails in no virtual time: each gap is the backoff's delay exactly.
  EXPECT_EQ(attempts[0] - lost_at, 100u);
  EXPECT_EQ(attempts[1] - attempts[0], 200u);
  EXPECT_EQ(attempts[2] - attempts[1], 400u);
  EXPECT_EQ(attempts[3] - attempts[2], 400u);
  EXPECT_EQ(heard.log.back(), "reconnect_failed");
  EXPECT_EQ(heard.log[1], "disconnect transport close");
}

TEST(ClientReconnect, JitterStaysWithinItsFactor) {
  test::SimBackend b(8);
  SocketOptions o;
  o.reconnection_delay_ms = 200;
  o.reconnection_delay_max_ms = 1000;
  o.randomization_factor = 0.5;
  Socket socket(
      b.loop(), [](io::ConnectHandler) {}, Limits{}, o);
  for (std::uint64_t n = 1; n <= 6; ++n)
    for (int i = 0; i < 50; ++i) {
      const double base = std::min(200.0 * static_cast<double>(1u << (n - 1)), 1000.0);
      const std::uint64_t d = socket.backoff(n);
      EXPECT_GE(static_cast<double>(d), base * 0.5 - 1) << n;
      EXPECT_LE(static_cast<double>(d), base * 1.5) << n;
    }
}

TEST_P(ClientOnTransport, RejoinsAndSendsTheBufferInOrderBeforeConnect) {
  test::SimBackend b(9);
  RefServer server(b);
  std::vector<std::string> server_events;
  server.setup = [&](session::ServerSocket& s) {
    for (const char* n : {"a", "b", "c", "late", "volatile"})
      s.of("/").on(n, [&, n](const ack::Event& e) { server_events.push_back(n + std::string(e.args_json)); });
  };
  SocketOptions o = options_for(GetParam());
  o.reconnection = true;
  o.reconnection_delay_ms = 400;
  o.randomization_factor = 0;
  Socket socket(b.loop(), server.connector(), Limits{}, o);
  Heard heard;
  heard.attach(socket);
  std::size_t buffered_at_connect = 99;
  socket.handlers().on_connect = [&](const std::string& sid) {
    heard.log.push_back("connect " + sid);
    buffered_at_connect = socket.buffered();
  };
  socket.connect();
  ASSERT_TRUE(b.run_until([&] { return socket.connected(); }));
  server.vanish();
  ASSERT_TRUE(b.run_until([&] { return !socket.connected(); }));
  EXPECT_EQ(socket.emit("a", "[1]"), Errc::none);
  EXPECT_EQ(socket.emit("volatile", "[0]", {}, {}, {true, 0}), Errc::client_volatile_dropped);
  std::string late;
  EXPECT_EQ(socket.emit("late", "[]", {}, [&](Errc e, std::string_view, auto) { late = name(e); }, {false, 100}),
            Errc::none);
  EXPECT_EQ(socket.emit("b", "[2]"), Errc::none);
  EXPECT_EQ(socket.emit("c", "[3]"), Errc::none);
  EXPECT_EQ(socket.buffered(), 4u);
  server.listen();
  ASSERT_TRUE(b.run_until([&] { return socket.connected(); }, 3000)) << ::testing::PrintToString(heard.log);
  ASSERT_TRUE(b.run_until([&] { return server_events.size() >= 3; }));
  (void)b.run_until([] { return false; }, 200);
  EXPECT_EQ(late, "ack_timeout");
  EXPECT_EQ(buffered_at_connect, 0u);
  EXPECT_EQ(server_events, (std::vector<std::string>{"a[1]", "b[2]", "c[3]"}));
  EXPECT_EQ(heard.log.front(), "connect n1");
  EXPECT_EQ(heard.log.back(), "connect n2");
}

TEST(ClientBuffer, IsBoundedByItsLimit) {
  test::SimBackend b(10);
  Limits limits;
  limits.client_max_buffered_emits = 2;
  Socket socket(b.loop(), [](io::ConnectHandler) {}, limits, {});
  EXPECT_EQ(socket.emit("x", "[]"), Errc::none);
  EXPECT_EQ(socket.emit("x", "[]"), Errc::none);
  EXPECT_EQ(socket.emit("x", "[]"), Errc::limit_client_buffered_emits);
  EXPECT_EQ(socket.emit("x", "{}"), Errc::sio_event_not_array);
  EXPECT_EQ(socket.buffered(), 2u);
}

TEST_P(ClientOnTransport, ServerDisconnectIsNotRetriedAndClientDisconnectClosesTheSession) {
  test::SimBackend b(11);
  RefServer server(b);
  std::vector<session::ServerSocket*> live;
  server.setup = [&](session::ServerSocket& s) { live.push_back(&s); };
  SocketOptions o = options_for(GetParam());
  o.reconnection = true;
  o.reconnection_delay_ms = 50;
  Socket socket(b.loop(), server.connector(), Limits{}, o);
  Heard heard;
  heard.attach(socket);
  socket.connect();
  ASSERT_TRUE(b.run_until([&] { return socket.connected(); }));
  live.front()->disconnect();
  (void)b.run_until([] { return false; }, 1000);
  EXPECT_EQ(heard.log, (std::vector<std::string>{"connect n1", "disconnect io server disconnect"}));
  EXPECT_EQ(server.eio->counts().handshakes, 1u);

  socket.connect();  // again, then the client leaves
  ASSERT_TRUE(b.run_until([&] { return socket.connected(); }));
  ASSERT_EQ(live.size(), 2u);
  socket.disconnect();
  ASSERT_TRUE(b.run_until([&] { return live.back()->ended(); }));
  (void)b.run_until([] { return false; }, 500);
  EXPECT_EQ(heard.log.back(), "disconnect io client disconnect");
  EXPECT_EQ(server.eio->counts().handshakes, 2u);
}

// ---- a scripted WebSocket server: what no good server sends ----------------------------------------

struct FakeServer {
  explicit FakeServer(test::SimBackend& b) : backend(b) {
    http = std::make_unique<http::Server>(b.loop(), Limits{}, http::ServerOptions{}, [this](http::Exchange ex) {
      http::Upgraded up = ex.upgrade(http::websocket_accept_response(ex.request()));
      stream = std::move(up.stream);
      if (on_open) on_open();
    });
    Errc e = Errc::none;
    listener = b.sim().listen(
        0,
        [this](Errc, io::TransportPtr t) {
          if (t) http->add(std::move(t));
        },
        e);
  }
  void send(std::string_view text, ws::Opcode op = ws::Opcode::text) {
    std::vector<std::uint8_t> frame;
    ASSERT_EQ(ws::encode_frame(frame, ws::Role::server, op, as_bytes(text)), Errc::none);
    (void)stream->write(frame);
  }
  Connector connector() {
    return [this](io::ConnectHandler done) { backend.sim().connect(listener->port(), std::move(done)); };
  }
  test::SimBackend& backend;
  std::unique_ptr<http::Server> http;
  io::ListenerPtr listener;
  std::unique_ptr<io::Stream> stream;
  std::function<void()> on_open;
};

constexpr const char* kOpen = R"(0{"sid":"f","upgrades":[],"pingInterval":100,"pingTimeout":50,"maxPayload":1000000})";

struct HostileRow {
  const char* what;
  std::vector<std::string> after_connect;  // frames after 40{"sid":"x"} ("#" + hex-free bytes = binary)
  bool connect_first;
  const char* expected;  // the last report
};

TEST(ClientHostile, RefusesWhatNoServerMaySendWithoutACrash) {
  const std::string deep = "42[\"deep\"," + std::string(5000, '[') + std::string(5000, ']') + "]";
  const std::string big = "42[\"big\",\"" + std::string(2'000'000, 'x') + "\"]";
  const HostileRow rows[] = {
      {"CONNECT_ERROR without payload", {"44"}, false, "connect_error sio_missing_payload"},
      {"ACK without payload",
       {"43"
        "0"},
       true,
       "disconnect parse error"},
      {"unknown Socket.IO type", {"47[\"x\"]"}, true, "disconnect parse error"},
      {"EVENT not an array", {"42{\"a\":1}"}, true, "disconnect parse error"},
      {"placeholder not an index",
       {R"(451-["x",{"_placeholder":true,"num":"splice"}])", "#\x01"},
       true,
       "disconnect parse error"},
      {"placeholder out of range",
       {R"(451-["x",{"_placeholder":true,"num":5}])", "#\x01"},
       true,
       "disconnect parse error"},
      {"deep nesting", {deep}, true, "disconnect parse error"},
      {"oversize message", {big}, true, "disconnect parse error"},
      {"unknown Engine.IO type", {"9hello"}, true, "disconnect parse error"},
      {"ACK for an unknown id (ignored)", {"43999[1]"}, true, "connect x"},
  };
  for (const HostileRow& row : rows) {
    SCOPED_TRACE(row.what);
    test::SimBackend b(12);
    FakeServer server(b);
    server.on_open = [&] {
      server.send(kOpen);
      if (row.connect_first) server.send("40{\"sid\":\"x\"}");
      for (const std::string& f : row.after_connect) {
        if (!f.empty() && f[0] == '#') server.send(std::string_view(f).substr(1), ws::Opcode::binary);
        else server.send(f);
      }
      server.send("2");  // keeps the heartbeat alive for the ignored case
    };
    Socket socket(b.loop(), server.connector(), Limits{}, options_for({TransportKind::websocket}));
    Heard heard;
    heard.attach(socket);
    socket.connect();
    (void)b.run_until([] { return false; }, 120);
    ASSERT_FALSE(heard.log.empty());
    EXPECT_EQ(heard.log.back(), row.expected);
    for (const std::string& l : heard.log) EXPECT_NE(l.rfind("event", 0), 0u) << l;
  }
}

TEST(ClientHeartbeat, ASilentServerIsGivenUpPingIntervalPlusPingTimeoutAfterItsLastPing) {
  test::SimBackend b(13);
  FakeServer server(b);
  std::uint64_t last_ping = 0;
  server.on_open = [&] {
    server.send(kOpen);
    server.send("40{\"sid\":\"x\"}");
  };
  Socket socket(b.loop(), server.connector(), Limits{}, options_for({TransportKind::websocket}));
  Heard heard;
  heard.attach(socket);
  std::uint64_t lost_at = 0;
  socket.handlers().on_disconnect = [&](DisconnectReason r, Errc) {
    heard.log.push_back("disconnect " + std::string(name(r)));
    lost_at = b.loop().now();
  };
  socket.connect();
  ASSERT_TRUE(b.run_until([&] { return socket.connected(); }));
  // Three pings 80 ms apart keep it alive; then silence.
  for (int i = 0; i < 3; ++i) {
    (void)b.run_until([] { return false; }, 80);
    server.send("2");
    last_ping = b.loop().now();
  }
  ASSERT_TRUE(b.run_until([&] { return lost_at != 0; }, 1000));
  EXPECT_EQ(heard.log.back(), "disconnect ping timeout");
  EXPECT_GE(lost_at - last_ping, 150u);
  EXPECT_LE(lost_at - last_ping, 152u);
}

}  // namespace
}  // namespace sioconf::client
