// engine::Server behind an http::Server, on both backends, driven by raw HTTP and WebSocket
// clients: the handshake on each transport, engine.io's refusals with their codes, echo over
// polling and WebSocket, the duplicate poll, a bad body, the heartbeat (exact on virtual time),
// the upgrade without loss, duplication or reordering, and the session bound.
#include "sioconf/engine/server.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "io/backends.h"
#include "sioconf/http/server.h"
#include "sioconf/ws/frame_encoder.h"
#include "sioconf/ws/message_assembler.h"
#include "support/engine_requests.h"
#include "support/raw_client.h"

namespace sioconf::engine {
namespace {

// An application that echoes every message and records when each session ended, and why.
struct App final {
  struct Echo final : SessionSink {
    App* app = nullptr;
    std::unique_ptr<Session> session;
    void on_message(MessageKind kind, ByteView data) noexcept override {
      app->messages.push_back(std::string(as_text(data)));
      if (app->echo) (void)session->send_message(kind, data);
    }
    void on_input_end() noexcept override { on_end(Errc::none); }
    void on_end(Errc why) noexcept override {
      if (ended) return;
      ended = true;
      app->ends.push_back({std::string(name(why)), app->loop->now()});
      session->close(true, {});
    }
    bool ended = false;
  };
  io::Loop* loop = nullptr;
  bool echo = true;
  std::map<std::string, std::unique_ptr<Echo>> sessions;  // by sid
  std::vector<std::string> messages;
  std::vector<std::pair<std::string, std::uint64_t>> ends;  // (why, when)
  std::uint64_t started = 0;                                // when the last session started
};

// A raw client connection (test::RawClient) that can also take HTTP answers off what it got.
struct Conn : test::RawClient {
  using RawClient::RawClient;
  std::string take_answer() { return test::take_http_answer(received); }
};

// Renders the server's WebSocket frames as "text:<data>", "binary:<data>", "close:<code>", "pong:".
struct FrameReader final : ws::MessageSink {
  ws::MessageAssembler frames{ws::Role::client, Limits{}};
  std::vector<std::string> got;
  void feed(std::string& in) {
    if (in.empty()) return;
    (void)frames.feed(as_bytes(in), *this);
    in.clear();
  }
  void on_message(ws::Opcode op, ByteView m) noexcept override {
    got.push_back((op == ws::Opcode::text ? "text:" : "binary:") + std::string(as_text(m)));
  }
  void on_control(ws::Opcode op, ByteView p) noexcept override {
    got.push_back((op == ws::Opcode::ping ? "ping:" : "pong:") + std::string(as_text(p)));
  }
  void on_close(std::optional<std::uint16_t> code, std::string_view) noexcept override {
    got.push_back("close:" + std::to_string(code.value_or(0)));
  }
};

using test::client_frame;

const std::string kOpenPolling =
    R"(200 0{"sid":"s1","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000})";

class EngineServerTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override { make(); }
  void make(const Limits& limits = {}, std::uint64_t ping_interval_ms = 300) {
    if (std::string(GetParam()) == "sim") backend_ = std::make_unique<test::SimBackend>(5);
    else backend_ = std::make_unique<test::UvBackend>();
    app_.loop = &backend_->loop();
    ServerOptions options;
    options.ping_interval_ms = ping_interval_ms;
    options.ping_timeout_ms = 200;
    options.make_sid = [this] { return "s" + std::to_string(++sids_); };
    eio_ = std::make_unique<Server>(backend_->loop(), limits, options,
                                    [this](std::unique_ptr<Session> session, const http::Request&) {
                                      auto echo = std::make_unique<App::Echo>();
                                      echo->app = &app_;
                                      echo->session = std::move(session);
                                      App::Echo* raw = echo.get();
                                      app_.sessions[raw->session->sid()] = std::move(echo);
                                      app_.started = backend_->loop().now();
                                      raw->session->start(*raw);
                                    });
    http_ = std::make_unique<http::Server>(backend_->loop(), limits, http::ServerOptions{},
                                           [this](http::Exchange ex) { eio_->handle(std::move(ex)); });
  }
  void TearDown() override {
    bool closed = false;
    http_->close([&] { closed = true; });
    for (auto& c : conns_) c->stream.close();
    for (auto& [sid, echo] : app_.sessions) echo->session->close(false, {});
    ASSERT_TRUE(run_until([&] { return closed; }));
    app_.sessions.clear();
    conns_.clear();
    (void)run_until([] { return false; }, 50);
    EXPECT_EQ(backend_->loop().pending_timers(), 0u);
  }

  Conn& connect(bool reading = true) {
    auto [c, s] = backend_->connected_pair();
    http_->add(std::move(s));
    conns_.push_back(std::make_unique<Conn>(backend_->loop(), std::move(c)));
    if (reading) conns_.back()->read_all();
    return *conns_.back();
  }
  // A WebSocket session opened on a new connection, its 101 and open packet read.
  Conn& open_websocket() {
    Conn& ws = connect();
    ws.write(test::eio_ws_open("EIO=4&transport=websocket"));
    EXPECT_TRUE(run_until([&] {
      const std::size_t head = ws.received.find("\r\n\r\n");
      return head != std::string::npos && ws.received.find("maxPayload", head) != std::string::npos;
    }));
    ws.received.clear();
    return ws;
  }
  bool run_until(const std::function<bool()>& done, std::uint64_t ms = 3'000) { return backend_->run_until(done, ms); }
  // Sends a request on a new connection and returns its answer ("<status> <body>").
  std::string exchange(std::string_view request) {
    Conn& c = connect();
    c.write(request);
    std::string answer;
    EXPECT_TRUE(run_until([&] { return !(answer = c.take_answer()).empty(); })) << request << " got: " << c.received;
    return answer;
  }

  std::unique_ptr<test::Backend> backend_;
  App app_;
  int sids_ = 0;
  std::unique_ptr<Server> eio_;
  std::unique_ptr<http::Server> http_;
  std::vector<std::unique_ptr<Conn>> conns_;
};

TEST_P(EngineServerTest, PollingHandshakeEchoAndEngineIoRefusals) {
  EXPECT_EQ(exchange(test::eio_get("EIO=4&transport=polling")), kOpenPolling);
  EXPECT_EQ(exchange(test::eio_post("EIO=4&transport=polling&sid=s1",
                                    "4hello\x1e"
                                    "bAQID")),
            "200 ok");
  EXPECT_EQ(exchange(test::eio_get("EIO=4&transport=polling&sid=s1")),
            "200 4hello\x1e"
            "bAQID");
  EXPECT_EQ(app_.messages, (std::vector<std::string>{"hello", "\x01\x02\x03"}));
  // engine.io's codes, each on a request of its own.
  EXPECT_EQ(exchange(test::eio_get("transport=polling")), R"(400 {"code":5,"message":"Unsupported protocol version"})");
  EXPECT_EQ(exchange(test::eio_get("EIO=3&transport=polling")),
            R"(400 {"code":5,"message":"Unsupported protocol version"})");
  EXPECT_EQ(exchange(test::eio_get("EIO=4")), R"(400 {"code":0,"message":"Transport unknown"})");
  EXPECT_EQ(exchange(test::eio_get("EIO=4&transport=__proto__")), R"(400 {"code":0,"message":"Transport unknown"})");
  EXPECT_EQ(exchange(test::eio_post("EIO=4&transport=polling", "")),
            R"(400 {"code":2,"message":"Bad handshake method"})");
  EXPECT_EQ(exchange(test::eio_get("EIO=4&transport=polling&sid=nobody")),
            R"(400 {"code":1,"message":"Session ID unknown"})");
  EXPECT_EQ(eio_->counts().handshakes, 1u);
}

TEST_P(EngineServerTest, ADuplicatePollEndsTheSession) {
  ASSERT_EQ(exchange(test::eio_get("EIO=4&transport=polling")), kOpenPolling);
  Conn& first = connect();
  first.write(test::eio_get("EIO=4&transport=polling&sid=s1"));
  ASSERT_TRUE(run_until([&] { return !app_.sessions.empty(); }));
  (void)run_until([] { return false; }, 20);  // the first GET is held now
  EXPECT_EQ(exchange(test::eio_get("EIO=4&transport=polling&sid=s1")), R"(400 {"code":3,"message":"Bad request"})");
  std::string answer;
  ASSERT_TRUE(run_until([&] { return !(answer = first.take_answer()).empty(); }));
  EXPECT_EQ(answer, "200 1");
  ASSERT_EQ(app_.ends.size(), 1u);
  EXPECT_EQ(app_.ends[0].first, "engine_duplicate_poll");
  EXPECT_EQ(exchange(test::eio_get("EIO=4&transport=polling&sid=s1")),
            R"(400 {"code":1,"message":"Session ID unknown"})");
}

TEST_P(EngineServerTest, ABadBodyIs400AndEndsTheSessionWithItsError) {
  ASSERT_EQ(exchange(test::eio_get("EIO=4&transport=polling")), kOpenPolling);
  EXPECT_EQ(exchange(test::eio_post("EIO=4&transport=polling&sid=s1", "abc")),
            R"(400 {"code":3,"message":"Bad request"})");
  ASSERT_EQ(app_.ends.size(), 1u);
  EXPECT_EQ(app_.ends[0].first, "eio_bad_packet_type");
  EXPECT_EQ(exchange(test::eio_get("EIO=4&transport=polling&sid=s1")),
            R"(400 {"code":1,"message":"Session ID unknown"})");
}

TEST_P(EngineServerTest, TheClientsClosePacketAnswersAHeldPollWithANoop) {
  ASSERT_EQ(exchange(test::eio_get("EIO=4&transport=polling")), kOpenPolling);
  Conn& poll = connect();
  poll.write(test::eio_get("EIO=4&transport=polling&sid=s1"));
  (void)run_until([] { return false; }, 20);
  EXPECT_EQ(exchange(test::eio_post("EIO=4&transport=polling&sid=s1", "1")), "200 ok");
  std::string answer;
  ASSERT_TRUE(run_until([&] { return !(answer = poll.take_answer()).empty(); }));
  EXPECT_EQ(answer, "200 6");
  ASSERT_EQ(app_.ends.size(), 1u);
  EXPECT_EQ(app_.ends[0].first, "none");
}

TEST_P(EngineServerTest, ASilentPeerIsClosedAtPingIntervalPlusPingTimeout) {
  ASSERT_EQ(exchange(test::eio_get("EIO=4&transport=polling")), kOpenPolling);
  ASSERT_TRUE(run_until([&] { return !app_.ends.empty(); }, 2'000));
  EXPECT_EQ(app_.ends[0].first, "engine_ping_timeout");
  if (std::string(GetParam()) == "sim") {
    EXPECT_EQ(app_.ends[0].second - app_.started, 500u);  // exact: virtual time
  }
  EXPECT_EQ(exchange(test::eio_get("EIO=4&transport=polling&sid=s1")),
            R"(400 {"code":1,"message":"Session ID unknown"})");
}

TEST_P(EngineServerTest, AnAnsweringPeerIsNeverClosed) {
  ASSERT_EQ(exchange(test::eio_get("EIO=4&transport=polling")), kOpenPolling);
  for (int i = 0; i < 4; ++i) {  // 4 pings, each answered: 1.2 s, well past one ping timeout
    EXPECT_EQ(exchange(test::eio_get("EIO=4&transport=polling&sid=s1")), "200 2");
    EXPECT_EQ(exchange(test::eio_post("EIO=4&transport=polling&sid=s1", "3")), "200 ok");
  }
  EXPECT_TRUE(app_.ends.empty());
}

TEST_P(EngineServerTest, WebSocketHandshakeEchoPingAndABadPacket) {
  Conn& ws = connect();
  ws.write(test::eio_ws_open("EIO=4&transport=websocket"));
  ASSERT_TRUE(run_until([&] { return ws.received.find("\r\n\r\n") != std::string::npos; }));
  ASSERT_EQ(ws.received.substr(0, 12), "HTTP/1.1 101");
  EXPECT_NE(ws.received.find("sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos);
  ws.received.erase(0, ws.received.find("\r\n\r\n") + 4);
  FrameReader frames;
  ws.write(client_frame(ws::Opcode::text, "4hello") + client_frame(ws::Opcode::binary, "\x01\x02") +
           client_frame(ws::Opcode::ping, "p"));
  ASSERT_TRUE(run_until([&] {
    frames.feed(ws.received);
    return frames.got.size() >= 4;
  }));
  EXPECT_EQ(frames.got[0],
            R"(text:0{"sid":"s1","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000})");
  EXPECT_EQ(frames.got[1], "text:4hello");
  EXPECT_EQ(frames.got[2], "binary:\x01\x02");
  EXPECT_EQ(frames.got[3], "pong:p");
  ws.write(client_frame(ws::Opcode::text, "abc"));
  ASSERT_TRUE(run_until([&] {
    frames.feed(ws.received);
    return ws.ended;
  }));
  EXPECT_EQ(frames.got.back(), "close:1002");
  ASSERT_EQ(app_.ends.size(), 1u);
  EXPECT_EQ(app_.ends[0].first, "eio_bad_packet_type");
}

// Each kind of bad WebSocket input ends that one session with its named error and the close code
// RFC 6455 gives it; another session on the server goes on.
TEST_P(EngineServerTest, BadWebSocketInputEndsTheSessionWithItsCloseCode) {
  struct Row {
    std::string bytes;
    std::string why;
    std::string close;
  };
  Limits limits;
  limits.ws_max_frame_bytes = 64;
  limits.ws_max_fragments = 3;
  const std::string frag = client_frame(ws::Opcode::text, "4a");
  std::string fragments;  // four fragments of one message: one past the limit
  {
    std::vector<std::uint8_t> out;
    for (int i = 0; i < 4; ++i)
      EXPECT_EQ(ws::encode_frame(out, ws::Role::client, i == 0 ? ws::Opcode::text : ws::Opcode::continuation,
                                 as_bytes(std::string_view(i == 0 ? "4" : "a")), false, {1, 2, 3, 4}),
                Errc::none);
    fragments.assign(out.begin(), out.end());
  }
  std::string unmasked = frag;
  unmasked[1] = static_cast<char>(unmasked[1] & 0x7f);               // the mask bit cleared (the key stays: junk)
  std::string bad_utf8 = client_frame(ws::Opcode::binary, "4\xff");  // the encoder refuses it as text
  bad_utf8[0] = static_cast<char>(0x81);                             // so: FIN + text, by hand
  const std::vector<Row> rows = {
      {bad_utf8, "ws_bad_utf8", "close:1007"},
      {client_frame(ws::Opcode::text, "4" + std::string(64, 'x')), "limit_ws_frame_bytes", "close:1009"},
      {fragments, "limit_ws_fragments", "close:1008"},
      {unmasked, "ws_unmasked_frame", "close:1002"},
      {client_frame(ws::Opcode::text, "9"), "eio_bad_packet_type", "close:1002"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.why);
    conns_.clear();
    app_.sessions.clear();
    app_.ends.clear();
    make(limits, 60'000);
    Conn& bystander = open_websocket();
    Conn& ws = open_websocket();
    ws.write(row.bytes);
    FrameReader frames;
    ASSERT_TRUE(run_until([&] {
      frames.feed(ws.received);
      return ws.ended;
    }));
    ASSERT_FALSE(frames.got.empty());
    EXPECT_EQ(frames.got.back(), row.close);
    ASSERT_EQ(app_.ends.size(), 1u);
    EXPECT_EQ(app_.ends[0].first, row.why);
    bystander.write(client_frame(ws::Opcode::text, "4still here"));  // the other session goes on
    FrameReader echo;
    ASSERT_TRUE(run_until([&] {
      echo.feed(bystander.received);
      return !echo.got.empty();
    }));
    EXPECT_EQ(echo.got[0], "text:4still here");
  }
}

// A client that sends and reads nothing back: the server stops reading it once its queue is over
// the high-water mark (on the simulator, whose socket buffers are small, before the last
// message), loses nothing, and the client gets every answer when it reads again.
TEST_P(EngineServerTest, AClientThatReadsNothingIsReadNoFurtherAndLosesNothing) {
  conns_.clear();
  app_.sessions.clear();
  make({}, 60'000);
  Conn& ws = open_websocket();
  ws.deaf = true;
  const std::string payload(100, 'm');
  std::string flood;
  for (int i = 0; i < 3'000; ++i) flood += client_frame(ws::Opcode::text, "4" + payload);
  ws.write(flood);
  (void)run_until([] { return false; }, 200);
  EXPECT_TRUE(app_.ends.empty());  // held back, not cut off: the queue stays under its bound
  if (std::string(GetParam()) == "sim") {
    EXPECT_LT(app_.messages.size(), 3'000u);
  }
  ws.deaf = false;
  ws.read_all();
  FrameReader frames;
  ASSERT_TRUE(run_until([&] {
    frames.feed(ws.received);
    return frames.got.size() >= 3'000;
  }));
  EXPECT_EQ(frames.got.size(), 3'000u);
  EXPECT_EQ(frames.got.back(), "text:4" + payload);
  EXPECT_EQ(app_.messages.size(), 3'000u);
  EXPECT_TRUE(app_.ends.empty());
}

// A graceful close to a client that reads nothing cannot flush: after 30 s the connection closes
// anyway, instead of being held for ever (on the simulator: real sockets would need megabytes).
TEST_P(EngineServerTest, AGracefulCloseToAClientThatReadsNothingEndsAfter30Seconds) {
  if (std::string(GetParam()) != "sim") return;
  conns_.clear();
  app_.sessions.clear();
  make({}, 600'000);
  Conn& ws = open_websocket();
  ws.deaf = true;
  std::string flood;
  for (int i = 0; i < 300; ++i) flood += client_frame(ws::Opcode::text, "4" + std::string(1'000, 'x'));
  ws.write(flood);  // echoed: more than the pipe holds, and the client reads none of it
  ASSERT_TRUE(run_until([&] { return app_.messages.size() >= 100; }));
  bool closed = false;
  const std::uint64_t from = backend_->loop().now();
  app_.sessions.begin()->second->session->close(true, [&] { closed = true; });
  EXPECT_FALSE(run_until([&] { return closed; }, 29'000));
  ASSERT_TRUE(run_until([&] { return closed; }, 2'000));
  EXPECT_GE(backend_->loop().now() - from, 30'000u);
}

// A flood of WebSocket pings with a queue bound below the high-water mark: the pong that meets
// the bound ends the session with the limit's name (it is not dropped).
TEST_P(EngineServerTest, APingFloodPastTheQueueBoundEndsTheSession) {
  if (std::string(GetParam()) != "sim") return;  // needs socket buffers smaller than the flood
  Limits limits;
  limits.stream_max_buffered_bytes = 8'192;
  conns_.clear();
  app_.sessions.clear();
  make(limits, 60'000);
  Conn& ws = open_websocket();
  ws.deaf = true;
  std::string flood;
  for (int i = 0; i < 3'000; ++i) flood += client_frame(ws::Opcode::ping, std::string(100, 'p'));
  ws.write(flood);
  ASSERT_TRUE(run_until([&] { return !app_.ends.empty(); }));
  EXPECT_EQ(app_.ends[0].first, "limit_stream_buffered_bytes");
}

// Limits::eio_max_queued_packets over long-polling: pings POSTed without a GET owe a pong each;
// at the bound the session lives, one past it ends with the limit's name.
TEST_P(EngineServerTest, PongsOwedOverPollingAtTheBoundAndOnePast) {
  Limits limits;
  limits.eio_max_queued_packets = 4;
  conns_.clear();
  app_.sessions.clear();
  make(limits, 60'000);
  ASSERT_EQ(exchange(test::eio_get("EIO=4&transport=polling")).substr(0, 6), "200 0{");
  EXPECT_EQ(exchange(test::eio_post("EIO=4&transport=polling&sid=s1",
                                    "2\x1e"
                                    "2\x1e"
                                    "2\x1e"
                                    "2")),
            "200 ok");
  EXPECT_TRUE(app_.ends.empty());
  EXPECT_EQ(exchange(test::eio_get("EIO=4&transport=polling&sid=s1")),
            "200 3\x1e"
            "3\x1e"
            "3\x1e"
            "3");
  EXPECT_EQ(exchange(test::eio_post("EIO=4&transport=polling&sid=s1",
                                    "2\x1e"
                                    "2\x1e"
                                    "2\x1e"
                                    "2\x1e"
                                    "2")),
            "200 ok");
  ASSERT_EQ(app_.ends.size(), 1u);
  EXPECT_EQ(app_.ends[0].first, "limit_eio_queued_packets");
}

// The upgrade, with the application sending all along: before the probe (that one leaves in the
// GET the noop answers), during it (queued on polling, moved to the WebSocket at the switch) and
// after. The client sees each message once, in order.
TEST_P(EngineServerTest, AnUpgradeLosesDuplicatesAndReordersNothing) {
  conns_.clear();
  app_.sessions.clear();
  make({}, 60'000);  // no ping in the way, however slow the machine
  app_.echo = false;
  ASSERT_EQ(exchange(test::eio_get("EIO=4&transport=polling")).substr(0, 6), "200 0{");
  Session& session = *app_.sessions["s1"]->session;
  Conn& ws = connect();
  ws.write(test::eio_ws_open("EIO=4&transport=websocket&sid=s1"));
  ASSERT_TRUE(run_until([&] { return ws.received.find("\r\n\r\n") != std::string::npos; }));
  ws.received.erase(0, ws.received.find("\r\n\r\n") + 4);
  Conn& poll = connect();
  poll.write(test::eio_get("EIO=4&transport=polling&sid=s1"));
  (void)run_until([] { return false; }, 20);
  ASSERT_EQ(session.send_message(MessageKind::text, as_bytes(std::string_view("a"))), Errc::none);
  std::string polled;
  ASSERT_TRUE(run_until([&] { return !(polled = poll.take_answer()).empty(); }));
  FrameReader frames;
  ws.write(client_frame(ws::Opcode::text, "2probe"));
  ASSERT_TRUE(run_until([&] {
    frames.feed(ws.received);
    return !frames.got.empty();
  }));
  EXPECT_EQ(frames.got[0], "text:3probe");
  ASSERT_EQ(session.send_message(MessageKind::text, as_bytes(std::string_view("b"))), Errc::none);
  // The probe's noop went to polling (no GET held: it waits in the queue with "b").
  ws.write(client_frame(ws::Opcode::text, "5"));
  ASSERT_TRUE(run_until([&] { return session.transport_name() == "websocket"; }));
  ASSERT_EQ(session.send_message(MessageKind::text, as_bytes(std::string_view("c"))), Errc::none);
  ASSERT_TRUE(run_until([&] {
    frames.feed(ws.received);
    return frames.got.size() >= 3;
  }));
  EXPECT_EQ(polled, "200 4a");
  EXPECT_EQ(frames.got, (std::vector<std::string>{"text:3probe", "text:4b", "text:4c"}));
  // The old transport's requests are refused now.
  EXPECT_EQ(exchange(test::eio_get("EIO=4&transport=polling&sid=s1")), R"(400 {"code":3,"message":"Bad request"})");
  EXPECT_EQ(eio_->counts().upgrades, 1u);
}

TEST_P(EngineServerTest, SessionsAtTheLimitAndOnePast) {
  Limits limits;
  limits.eio_max_sessions = 2;
  conns_.clear();
  app_.sessions.clear();
  make(limits);
  EXPECT_EQ(exchange(test::eio_get("EIO=4&transport=polling")).substr(0, 6), "200 0{");
  EXPECT_EQ(exchange(test::eio_get("EIO=4&transport=polling")).substr(0, 6), "200 0{");
  EXPECT_EQ(exchange(test::eio_get("EIO=4&transport=polling")), "503 limit_eio_sessions");
  EXPECT_EQ(eio_->sessions(), 2u);
}

INSTANTIATE_TEST_SUITE_P(Backends, EngineServerTest, ::testing::Values("sim", "uv"));

}  // namespace
}  // namespace sioconf::engine
