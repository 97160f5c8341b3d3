// http::Server on both backends: answers in order on a kept-alive connection, held answers and
// the client that leaves while one is held, the server's own refusals (400, 408, 413, 431, 500),
// the idle close, the hand-over after an Upgrade, and close().
#include "sioconf/http/server.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/backends.h"
#include "support/raw_client.h"

namespace sioconf::http {
namespace {

using Client = test::RawClient;

std::string ok(std::string_view body, bool keep_alive = true) {
  return "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: " + std::to_string(body.size()) +
         "\r\nconnection: " + (keep_alive ? "keep-alive" : "close") + "\r\n\r\n" + std::string(body);
}

class ServerTest : public ::testing::TestWithParam<const char*> {
 protected:
  // A server whose handler answers "<method> <target>" at once, unless `hold` says otherwise.
  void make(const Limits& limits = {}, ServerOptions options = {}) {
    if (std::string(GetParam()) == "sim") backend_ = std::make_unique<test::SimBackend>(11);
    else backend_ = std::make_unique<test::UvBackend>();
    server_ = std::make_unique<Server>(backend_->loop(), limits, options, [this](Exchange ex) {
      requests_.push_back(ex.request().method + " " + ex.request().target);
      if (handle_) return handle_(std::move(ex));
      (void)ex.respond({200, {{"content-type", "text/plain"}}, ex.request().method + " " + ex.request().target});
    });
    client_ = connect();
  }
  std::unique_ptr<Client> connect() {
    auto [c, s] = backend_->connected_pair();
    server_->add(std::move(s));
    auto client = std::make_unique<Client>(backend_->loop(), std::move(c));
    client->read_all();
    return client;
  }
  // Runs the loop until `done()` (a server with connections open always has a timer to wait
  // for, so "until idle" would not do). False if the watchdog (5 s, virtual on the simulator)
  // stopped it first.
  bool run_until(const std::function<bool()>& done) { return backend_->run_until(done, 5'000); }
  void run_for(std::uint64_t ms) {
    const std::uint64_t until = backend_->loop().now() + ms;
    (void)run_until([&] { return backend_->loop().now() >= until; });
  }
  bool received(const std::string& expected) {
    return run_until([&] { return client_->received.size() >= expected.size(); }) && client_->received == expected;
  }

  // Closes what is left and checks nothing stays behind: no connection, no timer.
  void TearDown() override {
    if (!server_) return;
    bool closed = false;
    server_->close([&] { closed = true; });
    if (client_) client_->stream.close();
    ASSERT_TRUE(backend_->run());
    EXPECT_TRUE(closed);
    EXPECT_EQ(server_->connections(), 0u);
    EXPECT_EQ(backend_->loop().pending_timers(), 0u);
  }

  std::unique_ptr<test::Backend> backend_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Client> client_;
  std::vector<std::string> requests_;
  std::function<void(Exchange)> handle_;
};

TEST_P(ServerTest, AnswersInOrderOnAKeptAliveConnection) {
  make();
  client_->write("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_TRUE(received(ok("GET /a"))) << client_->received;
  // Two pipelined requests in one write, the second with a body: two answers, in order.
  client_->received.clear();
  client_->write("GET /b HTTP/1.1\r\nHost: h\r\n\r\nPOST /c HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nhi");
  EXPECT_TRUE(received(ok("GET /b") + ok("POST /c"))) << client_->received;
  EXPECT_EQ(requests_, (std::vector<std::string>{"GET /a", "GET /b", "POST /c"}));
  EXPECT_FALSE(client_->ended);
  EXPECT_EQ(server_->counts().requests, 3u);
}

TEST_P(ServerTest, ConnectionCloseIsHonouredAndTheConnectionEnds) {
  make();
  client_->write("GET /a HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(run_until([&] { return client_->ended && server_->connections() == 0; }));
  EXPECT_EQ(client_->received, ok("GET /a", false));
  EXPECT_TRUE(client_->ended);
  EXPECT_EQ(requests_, std::vector<std::string>{"GET /a"});
  EXPECT_EQ(server_->connections(), 0u);
}

TEST_P(ServerTest, AHeldAnswerIsWrittenLaterAndTheNextRequestWaitsForIt) {
  make();
  std::vector<Exchange> held;
  handle_ = [&](Exchange ex) { held.push_back(std::move(ex)); };
  client_->write("GET /poll HTTP/1.1\r\nHost: h\r\n\r\nGET /next HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(run_until([&] { return held.size() == 1; }));
  run_for(100);
  ASSERT_EQ(held.size(), 1u);  // the pipelined second request waits for the first answer
  EXPECT_EQ(client_->received, "");
  EXPECT_EQ(held[0].respond({200, {{"content-type", "text/plain"}}, "late"}), Errc::none);
  EXPECT_EQ(held[0].respond({200, {}, "twice"}), Errc::io_read_pending);
  handle_ = nullptr;
  EXPECT_TRUE(received(ok("late") + ok("GET /next"))) << client_->received;
}

TEST_P(ServerTest, AClientThatLeavesWhileItsAnswerIsHeldIsNoticed) {
  make();
  std::vector<Exchange> held;
  int closes = 0;
  handle_ = [&](Exchange ex) {
    ex.on_close([&] { ++closes; });
    held.push_back(std::move(ex));
  };
  client_->write("GET /poll HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(run_until([&] { return held.size() == 1; }));
  EXPECT_FALSE(held[0].closed());
  client_->stream.close();
  ASSERT_TRUE(run_until([&] { return closes == 1 && server_->connections() == 0; }));
  client_.reset();
  EXPECT_TRUE(held[0].closed());
  EXPECT_EQ(held[0].respond({200, {}, "too late"}), Errc::io_closed);
  EXPECT_EQ(server_->connections(), 0u);
}

TEST_P(ServerTest, BadRequestsAreRefusedWithTheirStatusAndName) {
  struct Row {
    std::string request;
    std::string status_line;
    std::string body;
  };
  Limits limits;
  limits.http_max_body_bytes = 4;
  limits.http_max_header_bytes = 64;
  const std::vector<Row> rows = {
      {"BLAH / HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request", "http_bad_request"},
      {"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde", "HTTP/1.1 413 Payload Too Large", "limit_http_body_bytes"},
      {"GET /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n", "HTTP/1.1 431 Request Header Fields Too Large",
       "limit_http_header_bytes"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.request);
    server_.reset();
    client_.reset();
    make(limits);
    client_->write(row.request);
    ASSERT_TRUE(run_until([&] { return client_->ended; }));
    EXPECT_EQ(client_->received, row.status_line + "\r\ncontent-type: text/plain\r\ncontent-length: " +
                                     std::to_string(row.body.size()) + "\r\nconnection: close\r\n\r\n" + row.body);
    EXPECT_TRUE(client_->ended);
    EXPECT_TRUE(requests_.empty());
    EXPECT_EQ(server_->counts().refused, 1u);
  }
}

// A body refused from its Content-Length while the client is still sending it: the 413 reaches
// the client whole. Closing with the body's bytes unread would make the kernel answer them with
// a reset, which on a real socket destroys the 413 before the client reads it.
TEST_P(ServerTest, A413ReachesAClientStillSendingItsBody) {
  Limits limits;
  limits.http_max_body_bytes = 1000;
  make(limits);
  const std::string head = "POST /big HTTP/1.1\r\nHost: h\r\nContent-Length: 4000000\r\n\r\n";
  client_->write(head);
  const std::string piece(64 * 1024, 'x');
  for (int i = 0; i < 60; ++i) client_->write(piece);  // 3.9 MB, most of it after the answer
  ASSERT_TRUE(run_until([&] { return client_->ended; }));
  EXPECT_EQ(client_->received.substr(0, 31), "HTTP/1.1 413 Payload Too Large\r") << client_->received;
  EXPECT_NE(client_->received.find("limit_http_body_bytes"), std::string::npos);
  EXPECT_EQ(client_->error, Errc::none) << "the connection was reset, not closed";
}

TEST_P(ServerTest, ASlowRequestGets408AndAnIdleConnectionIsClosedSilently) {
  ServerOptions options;
  options.request_timeout_ms = 200;
  make({}, options);
  client_->write("GET / HTTP/1.1\r\nHo");  // and nothing more: slowloris
  auto idle = connect();                   // says nothing at all
  ASSERT_TRUE(run_until([&] { return client_->ended && idle->ended; }));
  EXPECT_EQ(client_->received.substr(0, 29), "HTTP/1.1 408 Request Timeout\r");
  EXPECT_NE(client_->received.find("http_header_timeout"), std::string::npos);
  EXPECT_TRUE(client_->ended);
  EXPECT_EQ(idle->received, "");
  EXPECT_TRUE(idle->ended);
  idle->stream.close();
}

// Limits::http_max_connections: at the limit a connection is served, past it closed at once
// with nothing said; once one goes, the next is served again.
TEST_P(ServerTest, ConnectionsPastTheLimitAreClosedAtOnce) {
  server_.reset();
  client_.reset();
  Limits limits;
  limits.http_max_connections = 2;
  make(limits);
  auto second = connect();  // the limit: served
  auto third = connect();   // past it
  ASSERT_TRUE(run_until([&] { return third->ended; }));
  EXPECT_EQ(third->received, "");
  EXPECT_EQ(server_->counts().refused, 1u);
  second->write("GET /2 HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_TRUE(run_until([&] { return second->received == ok("GET /2"); }));
  second->stream.close();
  ASSERT_TRUE(run_until([&] { return server_->connections() == 1; }));
  auto fourth = connect();
  fourth->write("GET /4 HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_TRUE(run_until([&] { return fourth->received == ok("GET /4"); }));
  EXPECT_FALSE(fourth->ended);
  EXPECT_EQ(server_->counts().refused, 1u);
  third->stream.close();
  fourth->stream.close();
}

TEST_P(ServerTest, AnUnansweredExchangeAnswers500) {
  make();
  handle_ = [](Exchange) {};
  client_->write("GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(run_until([&] { return client_->ended; }));
  EXPECT_EQ(client_->received.substr(0, 34), "HTTP/1.1 500 Internal Server Error");
  EXPECT_TRUE(client_->ended);
}

TEST_P(ServerTest, AnUpgradeHandsTheStreamAndTheBytesAfterTheRequestOver) {
  make();
  Upgraded up;
  handle_ = [&](Exchange ex) {
    ASSERT_TRUE(ex.request().upgrade);
    up = ex.upgrade({101, {{"upgrade", "websocket"}, {"connection", "Upgrade"}}, ""});
  };
  client_->write("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nfirst bytes");
  ASSERT_TRUE(run_until([&] { return up.stream != nullptr && client_->received.size() >= 77; }));
  EXPECT_EQ(client_->received, "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\n\r\n");
  EXPECT_EQ(server_->connections(), 0u);  // the server has let it go
  // The new owner reads and writes on: the rest arrives on its stream, nothing is lost.
  std::string rest = up.rest;
  client_->write(" and more");
  std::function<void()> read = [&] {
    (void)up.stream->read([&](Errc e, ByteView b) {
      if (e != Errc::none || b.empty()) return;
      rest += as_text(b);
      if (rest.size() < 20) read();
    });
  };
  read();
  ASSERT_NE(up.stream->write(as_bytes(std::string_view("frames"))), io::WriteStatus::refused);
  ASSERT_TRUE(run_until([&] { return rest.size() >= 20 && client_->received.size() >= 83; }));
  EXPECT_EQ(rest, "first bytes and more");
  EXPECT_EQ(client_->received.substr(client_->received.size() - 6), "frames");
  up.stream->close();
}

TEST_P(ServerTest, AnUpgradeRequestAnsweredOtherwiseEndsTheConnection) {
  make();
  handle_ = [](Exchange ex) { (void)ex.respond({400, {}, "no"}); };
  client_->write("GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n");
  ASSERT_TRUE(run_until([&] { return client_->ended; }));
  EXPECT_EQ(client_->received.substr(0, 24), "HTTP/1.1 400 Bad Request");
  EXPECT_TRUE(client_->ended);
}

TEST_P(ServerTest, CloseEndsEveryConnectionAndHeldAnswersLearnIt) {
  make();
  std::vector<Exchange> held;
  int closes = 0;
  handle_ = [&](Exchange ex) {
    ex.on_close([&] { ++closes; });
    held.push_back(std::move(ex));
  };
  auto second = connect();
  client_->write("GET /poll HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(run_until([&] { return held.size() == 1; }));
  bool closed = false;
  server_->close([&] { closed = true; });
  ASSERT_TRUE(run_until([&] { return closed && client_->ended && second->ended; }));
  EXPECT_EQ(closes, 1);
  EXPECT_TRUE(client_->ended);
  EXPECT_TRUE(second->ended);
  second->stream.close();
  // A connection added after close() is closed at once.
  auto late = connect();
  ASSERT_TRUE(run_until([&] { return late->ended; }));
  late->stream.close();
}

INSTANTIATE_TEST_SUITE_P(Backends, ServerTest, ::testing::Values("sim", "uv"));

}  // namespace
}  // namespace sioconf::http
