// http::RequestParser: every request shape the Engine.IO server meets, every error with its HTTP
// status, each limit at its bound and one past it, and the same transcript under every chunking.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sioconf/http/request.h"
#include "support/grind.h"

namespace sioconf::http {
namespace {

// Renders each request (method, target, headers, body, flags) and what the parser did with the
// bytes after it; a run feeds each chunk until it is consumed, as a connection does.
struct Recorder final : RequestSink {
  std::vector<std::string> events;
  void on_request(Request& r) noexcept override {
    std::string e = r.method + " " + r.target;
    for (const Header& h : r.headers) e += " [" + h.name + ": " + h.value + "]";
    if (!r.body.empty()) e += " body=" + r.body;
    if (!r.keep_alive) e += " close";
    if (r.upgrade) e += " upgrade";
    events.push_back(std::move(e));
  }
};

test::Transcript run(const Limits& limits, const std::vector<ByteView>& chunks) {
  RequestParser parser(limits);
  Recorder rec;
  std::string after_upgrade;
  for (ByteView chunk : chunks) {
    while (!chunk.empty() || chunks.size() == 1) {
      if (parser.upgraded()) {
        after_upgrade += as_text(chunk);
        break;
      }
      const Fed r = parser.feed(chunk, rec);
      if (r.status == Status::error) {
        return {rec.events,
                "error " + std::string(name(parser.error().code)) + " @" + std::to_string(parser.error().offset)};
      }
      chunk = chunk.subspan(r.consumed);
      if (chunk.empty()) break;
    }
  }
  if (!after_upgrade.empty()) rec.events.push_back("after upgrade: " + after_upgrade);
  if (parser.upgraded()) return {rec.events, "upgraded"};
  if (parser.finish() == Status::error)
    return {rec.events,
            "finish error " + std::string(name(parser.error().code)) + " @" + std::to_string(parser.error().offset)};
  return {rec.events, "ok"};
}

test::Transcript grind(std::string_view input, const Limits& limits = {}) {
  return test::grind([&](const std::vector<ByteView>& chunks) { return run(limits, chunks); }, input, 0);
}

TEST(RequestParser, AGetWithItsQueryAndHeaders) {
  const auto t = grind("GET /engine.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Y: z\r\n\r\n");
  EXPECT_EQ(t.outcome, "ok");
  ASSERT_EQ(t.events.size(), 1u);
  EXPECT_EQ(t.events[0], "GET /engine.io/?EIO=4&transport=polling [host: 127.0.0.1] [x-y: z]");
}

TEST(RequestParser, PathAndPercentDecodedQuery) {
  RequestParser parser;
  struct Keep final : RequestSink {
    Request r;
    void on_request(Request& request) noexcept override { r = std::move(request); }
  } keep;
  const std::string text = "GET /socket.io/?EIO=4&sid=a%2Fb%3D&t=&x HTTP/1.1\r\nHost: h\r\n\r\n";
  ASSERT_EQ(parser.feed(as_bytes(text), keep).status, Status::ok);
  EXPECT_EQ(keep.r.path(), "/socket.io/");
  EXPECT_EQ(keep.r.query("EIO"), "4");
  EXPECT_EQ(keep.r.query("sid"), "a/b=");
  EXPECT_TRUE(keep.r.has_query("t"));
  EXPECT_TRUE(keep.r.has_query("x"));
  EXPECT_FALSE(keep.r.has_query("transport"));
  EXPECT_EQ(keep.r.header("host"), "h");
  EXPECT_EQ(keep.r.header("absent"), "");
}

TEST(RequestParser, PipelinedRequestsComeOneAtATime) {
  const std::string two =
      "GET /a HTTP/1.1\r\nHost: h\r\n\r\nPOST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n4abcd";
  RequestParser parser;
  Recorder rec;
  const Fed first = parser.feed(as_bytes(two), rec);
  EXPECT_EQ(first.status, Status::ok);
  EXPECT_EQ(first.consumed, two.find("POST"));  // stopped after the first request
  EXPECT_EQ(rec.events.size(), 1u);
  const Fed second = parser.feed(as_bytes(two).subspan(first.consumed), rec);
  EXPECT_EQ(second.status, Status::ok);
  EXPECT_EQ(first.consumed + second.consumed, two.size());
  ASSERT_EQ(rec.events.size(), 2u);
  EXPECT_EQ(rec.events[1], "POST /b [host: h] [content-length: 5] body=4abcd");
  // And the same under every chunking.
  EXPECT_EQ(grind(two).events, rec.events);
}

TEST(RequestParser, ChunkedBodiesAndConnectionClose) {
  const auto t = grind(
      "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n4ab\r\n2\r\ncd\r\n0\r\n\r\n"
      "GET /q HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(t.outcome, "ok");
  ASSERT_EQ(t.events.size(), 2u);
  EXPECT_EQ(t.events[0], "POST /p [host: h] [transfer-encoding: chunked] body=4abcd");
  EXPECT_EQ(t.events[1], "GET /q [host: h] [connection: close] close");
  EXPECT_EQ(grind("GET / HTTP/1.0\r\n\r\n").events, std::vector<std::string>{"GET / close"});
}

TEST(RequestParser, AnUpgradeStopsTheParserAndLeavesTheRestToTheNewProtocol) {
  const auto t = grind(
      "GET /engine.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\n"
      "Upgrade: websocket\r\n\r\n\x81\x85\x37\xfa\x21\x3d");
  EXPECT_EQ(t.outcome, "upgraded");
  ASSERT_EQ(t.events.size(), 2u);
  EXPECT_EQ(t.events[0],
            "GET /engine.io/?EIO=4&transport=websocket [host: h] [connection: Upgrade] [upgrade: websocket] upgrade");
  EXPECT_EQ(t.events[1], "after upgrade: \x81\x85\x37\xfa\x21\x3d");
}

TEST(RequestParser, MalformedRequestsAreBadRequestsWithTheirOffset) {
  EXPECT_EQ(grind("BLAH / HTTP/1.1\r\n\r\n").outcome, "error http_bad_request @1");
  EXPECT_EQ(grind("GET / HTTP/1.1\r\nHo\x01st: h\r\n\r\n").outcome, "error http_bad_request @18");
  EXPECT_EQ(grind("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\n\x7f\r\n\r\n").outcome.substr(0, 22),
            "error http_bad_request");
  EXPECT_EQ(
      grind("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab").outcome.substr(0, 22),
      "error http_bad_request");
  EXPECT_EQ(grind("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: x\r\n\r\n").outcome.substr(0, 22),
            "error http_bad_request");
  // The end of the stream inside a request.
  EXPECT_EQ(grind("GET / HTTP/1.1\r\nHo").outcome, "finish error http_bad_request @18");
  EXPECT_EQ(status_for(Errc::http_bad_request), 400);
}

TEST(RequestParser, HeaderBytesAtTheLimitAndOnePast) {
  Limits limits;
  // Counted: method "GET" 3, target "/" 1, version "1.1" 3, "host" 4, "h" 1 = 12.
  limits.http_max_header_bytes = 12;
  EXPECT_EQ(grind("GET / HTTP/1.1\r\nhost: h\r\n\r\n", limits).outcome, "ok");
  limits.http_max_header_bytes = 11;
  const auto over = grind("GET / HTTP/1.1\r\nhost: h\r\n\r\n", limits);
  EXPECT_EQ(over.outcome, "error limit_http_header_bytes @22");  // the value "h"
  EXPECT_TRUE(over.events.empty());
  EXPECT_EQ(status_for(Errc::limit_http_header_bytes), 431);
  // A client that never ends its headers is refused at the bound, not buffered.
  std::string endless = "GET / HTTP/1.1\r\nx: ";
  endless.append(20'000, 'a');
  EXPECT_EQ(run({}, {as_bytes(endless)}).outcome.substr(0, 29), "error limit_http_header_bytes");
}

TEST(RequestParser, HeaderLinesAtTheLimitAndOnePast) {
  Limits limits;
  limits.http_max_headers = 2;
  EXPECT_EQ(grind("GET / HTTP/1.1\r\na: 1\r\nb: 2\r\n\r\n", limits).outcome, "ok");
  EXPECT_EQ(grind("GET / HTTP/1.1\r\na: 1\r\nb: 2\r\nc: 3\r\n\r\n", limits).outcome.substr(0, 24),
            "error limit_http_headers");
  EXPECT_EQ(status_for(Errc::limit_http_headers), 431);
}

TEST(RequestParser, BodyBytesAtTheLimitAndOnePast) {
  Limits limits;
  limits.http_max_body_bytes = 4;
  EXPECT_EQ(grind("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd", limits).outcome, "ok");
  // A declared length past the bound is refused at the end of the head, before any body byte.
  const std::string declared = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n";
  EXPECT_EQ(grind(declared + "abcde", limits).outcome,
            "error limit_http_body_bytes @" + std::to_string(declared.size()));
  // A chunked body when it passes the bound.
  EXPECT_EQ(grind("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n0\r\n\r\n", limits).outcome, "ok");
  EXPECT_EQ(grind("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nabcd\r\n1\r\ne\r\n0\r\n\r\n", limits)
                .outcome.substr(0, 27),
            "error limit_http_body_bytes");
  EXPECT_EQ(status_for(Errc::limit_http_body_bytes), 413);
}

TEST(RequestParser, ErrorsAreSticky) {
  RequestParser parser;
  Recorder rec;
  EXPECT_EQ(parser.feed(as_bytes(std::string_view("BLAH\r\n\r\n")), rec).status, Status::error);
  EXPECT_EQ(parser.feed(as_bytes(std::string_view("GET / HTTP/1.1\r\n\r\n")), rec).status, Status::error);
  EXPECT_EQ(parser.finish(), Status::error);
  EXPECT_TRUE(rec.events.empty());
}

}  // namespace
}  // namespace sioconf::http
