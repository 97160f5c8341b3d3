#include "sioconf/session/server_socket.h"

#include <gtest/gtest.h>

#include <optional>

#include <string>
#include <vector>

#include "io/backends.h"
#include "sioconf/engine/server.h"
#include "sioconf/http/server.h"
#include "support/engine_requests.h"
#include "support/raw_client.h"

namespace sioconf::session {
namespace {

// The peer: writes Engine.IO lines, collects the lines it gets back.
struct Client : test::RawClient {
  using RawClient::RawClient;
  void send(std::string_view line) { write(std::string(line) + "\n"); }
  std::vector<std::string> lines() const { return test::complete_lines(received); }
};

struct Param {
  const char* backend;
  std::uint64_t seed;
};

class ServerSocketTest : public ::testing::TestWithParam<Param> {
 protected:
  void SetUp() override {
    if (std::string(GetParam().backend) == "sim") backend_ = std::make_unique<test::SimBackend>(GetParam().seed);
    else backend_ = std::make_unique<test::UvBackend>();
    auto [c, s] = backend_->connected_pair();
    client_ = std::make_unique<Client>(backend_->loop(), std::move(c));
    server_ = std::make_unique<ServerSocket>(backend_->loop(), std::move(s));
    server_->on_close([this](Errc why) {
      closed_ = true;
      why_ = why;
    });
  }
  bool run() { return backend_->run(); }

  std::unique_ptr<test::Backend> backend_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<ServerSocket> server_;
  bool closed_ = false;
  Errc why_ = Errc::limit_memory;
};

TEST_P(ServerSocketTest, ChatExample) {
  ServerSocket& socket = *server_;
  socket.of("/").on("chat", [&](const ack::Event& e) {
    const std::string data(e.args_json.substr(1, e.args_json.size() - 2));
    EXPECT_EQ(socket.emit("/", "chat", "[{\"echo\":" + data + "}]"), Errc::none);
  });
  int disconnects = 0;
  socket.of("/").on("disconnect", [&](const ack::Event& e) {
    ++disconnects;
    EXPECT_EQ(e.args_json, R"(["transport close"])");
  });
  socket.start();
  client_->read_all();
  client_->send("40");
  client_->send(R"(42["chat",{"message":"Hello server!"}])");
  client_->stream.shutdown();
  ASSERT_TRUE(run());
  EXPECT_EQ(client_->lines(),
            (std::vector<std::string>{R"(40{"sid":"sioconf"})", R"(42["chat",{"echo":{"message":"Hello server!"}}])"}));
  EXPECT_TRUE(closed_);
  EXPECT_EQ(why_, Errc::none);
  EXPECT_EQ(disconnects, 1);
  EXPECT_TRUE(client_->ended);
  EXPECT_EQ(backend_->loop().pending_timers(), 0u);
}

TEST_P(ServerSocketTest, AnAckIsSentOnceWhateverTheHandlerDoes) {
  ServerSocket& socket = *server_;
  int with_reply = 0, without = 0;
  socket.of("/").on("sum", [&](const ack::Event& e) {
    EXPECT_EQ(e.args_json, "[1,2]");
    if (e.reply == nullptr) return void(++without);  // no ack id: nothing to answer
    ++with_reply;
    EXPECT_TRUE((*e.reply)("[3]"));
    EXPECT_FALSE((*e.reply)("[4]"));  // a second answer is dropped
  });
  socket.start();
  client_->read_all();
  client_->send("40");
  client_->send(R"(421["sum",1,2])");
  client_->send(R"(42["sum",1,2])");
  client_->stream.shutdown();
  ASSERT_TRUE(run());
  EXPECT_EQ(with_reply, 1);
  EXPECT_EQ(without, 1);
  EXPECT_EQ(client_->lines(), (std::vector<std::string>{R"(40{"sid":"sioconf"})", "431[3]"}));
}

TEST_P(ServerSocketTest, EmitWithAckSettlesOnceAndCountsRepeats) {
  ServerSocket& socket = *server_;
  std::vector<std::pair<Errc, std::string>> results;
  const auto record = [&](Errc e, std::string_view args) { results.emplace_back(e, std::string(args)); };
  socket.of("/").on("connect", [&](const ack::Event&) {
    EXPECT_EQ(socket.emit("/", "ping", "[1]", record), Errc::none);
    EXPECT_EQ(socket.emit("/", "ping", "[]", record), Errc::none);
    EXPECT_EQ(socket.emit("/", "connect", "[]", record), Errc::sio_reserved_event_name);  // refused, no id used
    EXPECT_EQ(socket.emit("/", "ping", "{}", record), Errc::sio_event_not_array);
  });
  socket.start();
  client_->read_all();
  client_->send("40");
  // The client answers the first ping twice and the second never: disconnect settles it.
  socket.of("/").on("done", [&](const ack::Event&) {});
  client_->send(R"(430["pong"])");
  client_->send(R"(430["again"])");
  client_->send(R"(437["unknown"])");
  client_->stream.shutdown();
  ASSERT_TRUE(run());
  ASSERT_GE(client_->lines().size(), 3u);
  EXPECT_EQ(client_->lines()[1], R"(420["ping",1])");
  EXPECT_EQ(client_->lines()[2], R"(421["ping"])");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0], (std::pair<Errc, std::string>{Errc::none, R"(["pong"])"}));
  EXPECT_EQ(results[1].first, Errc::ack_disconnected);
  EXPECT_EQ(socket.pending_acks(), 0u);
}

TEST_P(ServerSocketTest, UnknownNamespaceGetsConnectError) {
  server_->of("/");
  server_->start();
  client_->read_all();
  client_->send("40/nope,");
  client_->stream.shutdown();
  ASSERT_TRUE(run());
  ASSERT_EQ(client_->lines().size(), 1u);
  EXPECT_EQ(client_->lines()[0], R"(44/nope,{"message":"Invalid namespace"})");
}

TEST_P(ServerSocketTest, ABadPacketEndsTheConnectionWithItsName) {
  server_->of("/").on("x", [](const ack::Event&) { ADD_FAILURE() << "a reserved name reached a listener"; });
  server_->start();
  client_->read_all();
  client_->send("40");
  client_->send(R"(42["connect"])");  // socket.io-parser 4.2.4: reserved
  ASSERT_TRUE(run());
  EXPECT_TRUE(closed_);
  EXPECT_EQ(why_, Errc::sio_reserved_event_name);
  EXPECT_TRUE(client_->ended);
}

TEST_P(ServerSocketTest, ServerDisconnectSaysSoAndCloses) {
  server_->of("/");
  server_->start();
  client_->read_all();
  client_->send("40");
  bool done = false;
  server_->of("/").on("connect", [&](const ack::Event&) {
    server_->disconnect([&] {
      done = true;
      EXPECT_TRUE(closed_);  // on_close first, then disconnect's own callback
    });
  });
  ASSERT_TRUE(run());
  EXPECT_TRUE(done);
  EXPECT_EQ(client_->lines(), (std::vector<std::string>{R"(40{"sid":"sioconf"})", "41"}));
  EXPECT_TRUE(client_->ended);
}

// The CONNECT's auth object reaches the "connect" listeners ({} without one), as the official
// suite's server echoes it back in an "auth" event.
TEST_P(ServerSocketTest, ConnectListenersGetTheAuthObject) {
  std::vector<std::string> auths;
  server_->of("/").on("connect", [&](const ack::Event& e) { auths.emplace_back(e.args_json); });
  server_->of("/custom").on("connect", [&](const ack::Event& e) { auths.emplace_back(e.args_json); });
  server_->start();
  client_->read_all();
  client_->send(R"(40{"token":"123"})");
  client_->send("40/custom,");
  client_->send("41");
  client_->send("40");
  client_->stream.shutdown();
  ASSERT_TRUE(run());
  EXPECT_EQ(auths, (std::vector<std::string>{R"([{"token":"123"}])", "[{}]", "[{}]"}));
}

// A server declares its namespaces once (ServerSocketOptions::namespaces) and hears every join
// through one connect handler, before the emitter's listeners; a namespace it does not declare is
// still refused, and one the socket names with of() is joinable too.
TEST_P(ServerSocketTest, DeclaredNamespacesAndTheConnectHandler) {
  auto [c, s] = backend_->connected_pair();
  Client client(backend_->loop(), std::move(c));
  const std::string declared[] = {"/", "/custom"};
  ServerSocketOptions options;
  options.namespaces = declared;
  ServerSocket socket(backend_->loop(), std::move(s), {}, options);
  std::vector<std::string> heard;
  socket.set_connect_handler([&](std::string_view nsp, std::string_view auth) {
    heard.push_back(std::string(nsp) + " " + std::string(auth));
    (void)socket.emit(nsp, "auth", "[" + std::string(auth) + "]");
  });
  socket.of("/mine").on("connect",
                        [&](const ack::Event& e) { heard.push_back("listener " + std::string(e.args_json)); });
  socket.start();
  client.read_all();
  client.send(R"(40/custom,{"token":"1"})");
  client.send("40");
  client.send("40/nope,");
  client.send("40/mine,");
  client.stream.shutdown();
  ASSERT_TRUE(run());
  EXPECT_EQ(heard, (std::vector<std::string>{R"(/custom {"token":"1"})", "/ {}", "/mine {}", "listener [{}]"}));
  EXPECT_EQ(client.lines(), (std::vector<std::string>{R"(40/custom,{"sid":"sioconf"})",
                                                      R"(42/custom,["auth",{"token":"1"}])", R"(40{"sid":"sioconf"})",
                                                      R"(42["auth",{}])", R"(44/nope,{"message":"Invalid namespace"})",
                                                      R"(40/mine,{"sid":"sioconf"})", R"(42/mine,["auth",{}])"}));
  server_->start();  // the fixture's pair, ended so that nothing is left half-closed
  client_->stream.close();
  ASSERT_TRUE(run());
}

// A namespace's middleware decides each CONNECT, now or later: refused with CONNECT_ERROR
// {message, data}, admitted as without one; a CONNECT while it decides is ignored.
TEST_P(ServerSocketTest, ConnectMiddlewareRefusesOrAdmitsNowOrLater) {
  std::vector<std::string> asked;
  std::function<void(std::optional<ConnectRefusal>)> later;
  server_->use("/", [&](std::string_view auth, std::function<void(std::optional<ConnectRefusal>)> next) {
    asked.emplace_back(auth);
    if (auth == R"({"token":"bad"})") return next(ConnectRefusal{"not authorized", R"({"code":7})"});
    later = std::move(next);  // decided after the next CONNECT came
  });
  server_->use("/open", [](std::string_view, std::function<void(std::optional<ConnectRefusal>)> next) { next({}); });
  int connects = 0;
  server_->of("/").on("connect", [&](const ack::Event&) { ++connects; });
  server_->start();
  client_->read_all();
  client_->send(R"(40{"token":"bad"})");
  client_->send(R"(40{"token":"good"})");
  client_->send("40");  // while the middleware decides: ignored
  client_->send("40/open,");
  backend_->loop().start_timer(50, [&] {  // the middleware decides later
    ASSERT_TRUE(later);
    later(std::nullopt);
    later(ConnectRefusal{"twice", ""});  // a second call does nothing
    client_->stream.shutdown();
  });
  ASSERT_TRUE(run());
  EXPECT_EQ(asked, (std::vector<std::string>{R"({"token":"bad"})", R"({"token":"good"})"}));
  EXPECT_EQ(client_->lines(), (std::vector<std::string>{R"(44{"message":"not authorized","data":{"code":7}})",
                                                        R"(40/open,{"sid":"sioconf"})", R"(40{"sid":"sioconf"})"}));
  EXPECT_EQ(connects, 1);
}

// socket.io's connectTimeout: no namespace joined in time ends the connection with its error;
// one joined in time keeps it.
TEST_P(ServerSocketTest, ConnectTimeoutEndsAConnectionThatJoinsNothing) {
  for (const bool join : {false, true}) {
    SCOPED_TRACE(join ? "joins" : "silent");
    auto [c, s] = backend_->connected_pair();
    Client client(backend_->loop(), std::move(c));
    ServerSocketOptions options;
    options.connect_timeout_ms = 100;
    ServerSocket socket(backend_->loop(), std::move(s), {}, options);
    socket.of("/");
    Errc why = Errc::limit_memory;
    bool closed = false;
    std::uint64_t closed_at = 0;
    socket.on_close([&](Errc e) {
      closed = true;
      closed_at = backend_->loop().now();
      why = e;
    });
    socket.start();
    client.read_all();
    if (join) client.send("40");
    const std::uint64_t start = backend_->loop().now();
    backend_->loop().start_timer(300, [&] {
      if (!closed) socket.disconnect();
    });
    ASSERT_TRUE(run());
    EXPECT_TRUE(closed);
    EXPECT_EQ(why, join ? Errc::none : Errc::session_connect_timeout);
    if (!join && std::string(GetParam().backend) == "sim") {
      EXPECT_LT(closed_at - start, 150u);  // at the timeout, not at the test's own 300 ms end
    }
    client.stream.close();
    ASSERT_TRUE(run());
  }
  server_->start();  // the fixture's pair, ended so that nothing is left half-closed
  client_->stream.close();
  ASSERT_TRUE(run());
}

// socket.io lets a client leave a namespace and join it again (a new server socket): replies and
// emits with an ack must work on the second connection as on the first.
TEST_P(ServerSocketTest, ANamespaceJoinedAgainRepliesAndAcksAgain) {
  ServerSocket& socket = *server_;
  std::vector<std::pair<Errc, std::string>> results;
  int connects = 0;
  socket.of("/").on("connect", [&](const ack::Event&) {
    ++connects;
    EXPECT_EQ(socket.emit("/", "ping", "[]", [&](Errc e, std::string_view args) { results.emplace_back(e, args); }),
              Errc::none);
  });
  socket.of("/").on("sum", [&](const ack::Event& e) {
    if (e.reply) (*e.reply)("[3]");
  });
  socket.start();
  client_->read_all();
  client_->send("40");
  client_->send(R"(421["sum"])");
  client_->send("41");
  client_->send("40");
  client_->send(R"(422["sum"])");
  client_->send(R"(430["old"])");  // the first connection's ack: a duplicate now
  client_->send(R"(431["new"])");
  client_->stream.shutdown();
  ASSERT_TRUE(run());
  EXPECT_EQ(connects, 2);
  EXPECT_EQ(client_->lines(), (std::vector<std::string>{R"(40{"sid":"sioconf"})", R"(420["ping"])", "431[3]",
                                                        R"(40{"sid":"sioconf"})", R"(421["ping"])", "432[3]"}));
  EXPECT_EQ(results,
            (std::vector<std::pair<Errc, std::string>>{{Errc::ack_disconnected, ""}, {Errc::none, R"(["new"])"}}));
  EXPECT_EQ(socket.pending_acks(), 0u);
}

// Async handlers that finish after different delays still answer in arrival order (in Node an
// async handler returns at its first await, so handlers of one connection overlap).
TEST_P(ServerSocketTest, AsyncHandlersAnswerInArrivalOrder) {
  ServerSocket& socket = *server_;
  io::Loop& loop = backend_->loop();
  socket.of("/");
  std::uint64_t most_in_flight = 0;
  socket.set_event_handler([&](std::string_view, const ack::Event& e, io::Done done) {
    most_in_flight = std::max(most_in_flight, socket.dispatch_counts().in_flight());
    ack::Reply reply = *e.reply;  // kept past this call: copy what you keep
    const std::string args(e.args_json);
    const std::uint64_t delay = (std::stoul(args.substr(1)) * 7) % 5;  // later events may be quicker
    loop.start_timer(delay, [reply, args, done] {
      reply(args);
      done();
    });
  });
  socket.start();
  client_->read_all();
  client_->send("40");
  for (int i = 0; i < 20; ++i) client_->send("42" + std::to_string(i) + R"(["job",)" + std::to_string(i) + "]");
  client_->stream.shutdown();
  ASSERT_TRUE(run());
  ASSERT_EQ(client_->lines().size(), 21u);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(client_->lines()[static_cast<std::size_t>(i) + 1],
              "43" + std::to_string(i) + "[" + std::to_string(i) + "]");
  EXPECT_EQ(most_in_flight, 1u);
}

TEST_P(ServerSocketTest, TheEngineIoSessionAnswersPingsAndItsCloseEndsTheSocket) {
  ServerSocket& socket = *server_;
  int disconnects = 0;
  socket.of("/").on("disconnect", [&](const ack::Event& e) {
    ++disconnects;
    EXPECT_EQ(e.args_json, R"(["transport close"])");
  });
  int events = 0;
  socket.of("/").on("late", [&](const ack::Event&) { ++events; });
  socket.start();
  client_->read_all();
  client_->send("40");
  client_->send("2");
  client_->send("1");  // Engine.IO close: the socket ends at once, whatever follows
  client_->send(R"(42["late"])");
  ASSERT_TRUE(run());
  EXPECT_EQ(client_->lines(), (std::vector<std::string>{R"(40{"sid":"sioconf"})", "3"}));
  EXPECT_TRUE(closed_);
  EXPECT_EQ(why_, Errc::none);
  EXPECT_EQ(disconnects, 1);
  EXPECT_EQ(events, 0);
  EXPECT_EQ(socket.counts().packets_in, 3u);  // 40, 2, 1: Engine.IO packets
  EXPECT_EQ(socket.counts().packets_out, 2u);
  client_->stream.close();
  ASSERT_TRUE(run());
}

TEST_P(ServerSocketTest, AnEmitTheEncoderRefusesSendsNothing) {
  ServerSocket& socket = *server_;
  socket.of("/").on("connect", [&](const ack::Event&) {
    // The encoder refuses these before anything is written.
    EXPECT_EQ(socket.emit("/", "connect", "[]"), Errc::sio_reserved_event_name);
    EXPECT_EQ(socket.emit("/", "x", "[1,]"), Errc::json_syntax);
    EXPECT_EQ(socket.emit("/", "x", "{}"), Errc::sio_event_not_array);
    EXPECT_EQ(socket.emit("/", "x", "[1]", [](Errc, std::string_view) {}), Errc::none);
  });
  socket.start();
  client_->read_all();
  client_->send("40");
  client_->stream.shutdown();
  ASSERT_TRUE(run());
  EXPECT_EQ(client_->lines(), (std::vector<std::string>{R"(40{"sid":"sioconf"})", R"(420["x",1])"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerSocketTest,
                         ::testing::Values(Param{"uv", 0}, Param{"sim", 1}, Param{"sim", 2}, Param{"sim", 3}),
                         [](const auto& p) { return std::string(p.param.backend) + std::to_string(p.param.seed); });

// ---- simulator only: virtual time, faults ---------------------------------------------------

// An owner that lets its socket go while a graceful close still waits for the client (a polling
// client that keeps its connection and sends no GET for the close packet) does not keep the
// socket's state, and its Engine.IO session, alive until the close gives up (1 s): they go on the
// next turn, and nothing is left if the loop ends first.
TEST(ServerSocketSim, ASocketLetGoDuringAPendingCloseIsReleased) {
  test::SimBackend backend(11);
  io::Loop& loop = backend.loop();
  std::unique_ptr<ServerSocket> socket;
  const std::string namespaces[] = {"/"};
  engine::ServerOptions eio_options;
  eio_options.make_sid = [] { return std::string("s1"); };
  engine::Server eio(loop, {}, eio_options, [&](std::unique_ptr<engine::Session> session, const http::Request&) {
    ServerSocketOptions options;
    options.namespaces = namespaces;
    socket = std::make_unique<ServerSocket>(loop, std::move(session), Limits{}, options);
    socket->start();
  });
  http::Server http(loop, {}, {}, [&](http::Exchange ex) { eio.handle(std::move(ex)); });
  auto [c, s] = backend.connected_pair();
  http.add(std::move(s));
  test::RawClient client(loop, std::move(c));
  client.read_all();
  const auto answer = [&](std::string_view request) {
    client.write(request);
    std::string got;
    EXPECT_TRUE(backend.run_until([&] { return !(got = test::take_http_answer(client.received)).empty(); }));
    return got;
  };
  ASSERT_EQ(answer(test::eio_get("EIO=4&transport=polling")).substr(0, 6), "200 0{");
  ASSERT_EQ(answer(test::eio_post("EIO=4&transport=polling&sid=s1", "40")), "200 ok");
  ASSERT_TRUE(socket->connected("/"));
  socket->disconnect();  // graceful: the DISCONNECT and the close packet wait for a GET
  (void)backend.run_until([] { return false; }, 10);
  EXPECT_EQ(eio.sessions(), 1u);
  socket.reset();
  (void)backend.run_until([] { return false; }, 10);  // well within the close's 1 s
  EXPECT_EQ(eio.sessions(), 0u);
  client.stream.close();
  bool closed = false;
  http.close([&] { closed = true; });
  EXPECT_TRUE(backend.run_until([&] { return closed; }));
}

TEST(ServerSocketSim, AckTimeoutAtItsDeadline) {
  test::SimBackend b(5);
  auto [c, s] = b.connected_pair();
  Client client(b.loop(), std::move(c));
  ServerSocket socket(b.loop(), std::move(s));
  Errc result = Errc::none;
  std::uint64_t at = 0;
  socket.of("/").on("connect", [&](const ack::Event&) {
    EXPECT_EQ(socket.emit(
                  "/", "ping", "[]",
                  [&](Errc e, std::string_view) {
                    result = e;
                    at = b.loop().now();
                  },
                  30'000),
              Errc::none);
  });
  socket.start();
  client.read_all();
  client.send("40");  // and never answers
  b.sim().run_until(29'999);
  EXPECT_EQ(result, Errc::none);
  b.sim().run_until(30'000);
  EXPECT_EQ(result, Errc::ack_timeout);
  EXPECT_EQ(at, 30'000u);
  EXPECT_EQ(socket.pending_acks(), 0u);
  client.stream.shutdown();
  ASSERT_TRUE(b.run());
  EXPECT_TRUE(socket.ended());
}

// Every counted operation of a small session fails in turn: the socket must end with a named
// error or cleanly, settle every ack exactly once, and leave nothing open, queued or pending.
TEST(ServerSocketSim, FailTheNthOperation) {
  std::uint64_t clean_at = 0;
  for (std::uint64_t n = 1; n < 500; ++n) {
    io::SeededChoices choices(n);
    io::SimOptions options;
    options.fail_op = n;
    io::SimLoop loop(choices, options);
    int acks_settled = 0;
    bool closed = false;
    {
      auto [c, s] = loop.pipe();
      Client client(loop, std::move(c));
      ServerSocket socket(loop, std::move(s));
      socket.on_close([&](Errc) { closed = true; });
      socket.of("/").on("connect", [&](const ack::Event&) {
        (void)socket.emit(
            "/", "hello", "[1]", [&](Errc, std::string_view) { ++acks_settled; }, 1'000);
      });
      socket.of("/").on("echo", [&](const ack::Event& e) {
        if (e.reply) (*e.reply)(e.args_json);
      });
      socket.start();
      client.read_all();
      client.send("40");
      client.send(R"(421["echo","a"])");
      client.send(R"(430[])");
      client.stream.shutdown();
      loop.run(1'000'000);
      EXPECT_TRUE(closed) << "op " << n;
      EXPECT_LE(acks_settled, 1) << "op " << n;
      EXPECT_EQ(socket.pending_acks(), 0u) << "op " << n;
      if (n > loop.operations()) {
        clean_at = n;
        EXPECT_EQ(acks_settled, 1);
        EXPECT_EQ(client.lines().size(), 3u);
      }
      client.stream.close();
    }
    loop.run();
    EXPECT_EQ(loop.open_transports(), 0u) << "op " << n;
    EXPECT_EQ(loop.pending_timers(), 0u) << "op " << n;
    EXPECT_EQ(loop.bytes_in_transit(), 0u) << "op " << n;
    if (clean_at != 0) break;
  }
  EXPECT_GT(clean_at, 5u);
}

}  // namespace
}  // namespace sioconf::session
