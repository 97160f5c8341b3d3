// http::ResponseParser: every way a response body ends, keep-alive and upgrade, every error with
// its offset, each limit at its bound and one past it, and the same transcript under every
// chunking.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "sioconf/http/response.h"
#include "support/grind.h"

namespace sioconf::http {
namespace {

using namespace std::string_literals;

// Renders each response (status, reason, headers, body, flags) and what the parser did with the
// bytes after it; a run feeds each chunk until it is consumed, as a connection does, then ends
// the stream with finish().
struct Recorder final : ResponseSink {
  std::vector<std::string> events;
  void on_response(ReceivedResponse& r) noexcept override {
    std::string e = std::to_string(r.status) + " " + r.reason;
    for (const Header& h : r.headers) e += " [" + h.name + ": " + h.value + "]";
    if (!r.body.empty()) e += " body=" + test::printable(as_bytes(r.body));
    if (!r.keep_alive) e += " close";
    if (r.upgrade) e += " upgrade";
    events.push_back(std::move(e));
  }
};

std::string failure(const char* what, const ResponseParser& parser) {
  return std::string(what) + " " + std::string(name(parser.error().code)) + " @" +
         std::to_string(parser.error().offset);
}

test::Transcript run(const Limits& limits, const std::vector<ByteView>& chunks) {
  ResponseParser parser(limits);
  Recorder rec;
  std::string after_upgrade;
  for (ByteView chunk : chunks) {
    while (!chunk.empty() || chunks.size() == 1) {
      if (parser.upgraded()) {
        after_upgrade += test::printable(chunk);
        break;
      }
      const Fed r = parser.feed(chunk, rec);
      if (r.status == Status::error) return {rec.events, failure("error", parser)};
      chunk = chunk.subspan(r.consumed);
      if (chunk.empty()) break;
    }
  }
  if (!after_upgrade.empty()) rec.events.push_back("after upgrade: " + after_upgrade);
  if (parser.upgraded()) return {rec.events, "upgraded"};
  if (parser.finish(rec) == Status::error) return {rec.events, failure("finish error", parser)};
  return {rec.events, "ok"};
}

test::Transcript grind(std::string_view input, const Limits& limits = {}) {
  return test::grind([&](const std::vector<ByteView>& chunks) { return run(limits, chunks); }, input, 0);
}

// Keeps the last response whole, for the tests that look at its fields.
struct Keep final : ResponseSink {
  ReceivedResponse r;
  int calls = 0;
  void on_response(ReceivedResponse& response) noexcept override {
    r = std::move(response);
    ++calls;
  }
};

TEST(ResponseParser, AContentLengthBodyWithItsStatusReasonAndHeaders) {
  const std::string text =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Length: 5\r\nX-Y: z\r\n\r\nhello";
  const auto t = grind(text);
  EXPECT_EQ(t.outcome, "ok");
  EXPECT_EQ(t.events, std::vector<std::string>{
                          "200 OK [content-type: text/plain; charset=UTF-8] [content-length: 5] [x-y: z] body=hello"});
  ResponseParser parser;
  Keep keep;
  const Fed r = parser.feed(as_bytes(text), keep);
  EXPECT_EQ(r.status, Status::ok);
  EXPECT_EQ(r.consumed, text.size());
  ASSERT_EQ(keep.calls, 1);
  EXPECT_EQ(keep.r.status, 200);
  EXPECT_EQ(keep.r.reason, "OK");
  EXPECT_EQ(keep.r.header("content-length"), "5");
  EXPECT_EQ(keep.r.header("x-y"), "z");
  EXPECT_TRUE(keep.r.has_header("content-type"));
  EXPECT_FALSE(keep.r.has_header("absent"));
  EXPECT_EQ(keep.r.header("absent"), "");
  EXPECT_EQ(keep.r.body, "hello");
  EXPECT_TRUE(keep.r.keep_alive);
  EXPECT_FALSE(keep.r.upgrade);
  EXPECT_TRUE(parser.idle());
  EXPECT_FALSE(parser.upgraded());
}

TEST(ResponseParser, AChunkedBodyIsDecoded) {
  const auto t = grind(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n4ab\r\n2\r\ncd\r\n0\r\n\r\n"
      "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(t.outcome, "ok");
  EXPECT_EQ(t.events, (std::vector<std::string>{"200 OK [transfer-encoding: chunked] body=4abcd",
                                                "400 Bad Request [content-length: 0]"}));
}

TEST(ResponseParser, ABodyWithoutLengthEndsWithTheConnectionAndFinishDeliversIt) {
  const std::string text = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nabc\x1exyz";
  const auto t = grind(text);
  EXPECT_EQ(t.outcome, "ok");
  EXPECT_EQ(t.events, std::vector<std::string>{"200 OK [connection: close] body=abc\\x1exyz close"});
  // Nothing before the end of the stream: the body may go on.
  ResponseParser parser;
  Keep keep;
  const Fed r = parser.feed(as_bytes(text), keep);
  EXPECT_EQ(r.status, Status::need_more);
  EXPECT_EQ(r.consumed, text.size());
  EXPECT_EQ(keep.calls, 0);
  EXPECT_FALSE(parser.idle());
  EXPECT_EQ(parser.finish(keep), Status::ok);
  ASSERT_EQ(keep.calls, 1);
  EXPECT_EQ(keep.r.status, 200);
  EXPECT_EQ(keep.r.body, "abc\x1exyz");
  EXPECT_FALSE(keep.r.keep_alive);
  EXPECT_TRUE(parser.idle());
  // An empty one too, and HTTP/1.0 without a length.
  EXPECT_EQ(grind("HTTP/1.1 200 OK\r\n\r\n").events, std::vector<std::string>{"200 OK close"});
  EXPECT_EQ(grind("HTTP/1.0 200 OK\r\n\r\nxy").events, std::vector<std::string>{"200 OK body=xy close"});
}

TEST(ResponseParser, ResponsesWithoutABodyAndInformationalOnes) {
  const auto t = grind(
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 204 No Content\r\n\r\n"
      "HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n"
      "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nz");
  EXPECT_EQ(t.outcome, "ok");
  EXPECT_EQ(t.events, (std::vector<std::string>{"100 Continue", "204 No Content", "304 Not Modified [etag: x]",
                                                "200  [content-length: 1] body=z"}));
  // Even with a Content-Length (RFC 9112 6.3), which the body limit then does not refuse.
  Limits limits;
  limits.http_max_body_bytes = 1;
  const auto with_length = grind(
      "HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n"
      "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz",
      limits);
  EXPECT_EQ(with_length.outcome, "ok");
  EXPECT_EQ(with_length.events,
            (std::vector<std::string>{"204 No Content [content-length: 5]", "304 Not Modified [content-length: 5]",
                                      "200 OK [content-length: 1] body=z"}));
}

TEST(ResponseParser, KeepAliveResponsesComeOneAtATime) {
  const std::string two =
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n2[]";
  ResponseParser parser;
  Recorder rec;
  const Fed first = parser.feed(as_bytes(two), rec);
  EXPECT_EQ(first.status, Status::ok);
  EXPECT_EQ(first.consumed, two.find("HTTP", 1));  // stopped after the first response
  ASSERT_EQ(rec.events.size(), 1u);
  EXPECT_EQ(rec.events[0], "200 OK [content-length: 2] body=ok");
  EXPECT_TRUE(parser.idle());
  const Fed second = parser.feed(as_bytes(two).subspan(first.consumed), rec);
  EXPECT_EQ(second.status, Status::ok);
  EXPECT_EQ(first.consumed + second.consumed, two.size());
  ASSERT_EQ(rec.events.size(), 2u);
  EXPECT_EQ(rec.events[1], "200 OK [content-length: 3] body=2[]");
  EXPECT_EQ(grind(two).events, rec.events);
}

TEST(ResponseParser, SwitchingProtocolsLeavesTheFramesInTheSameReadToTheNewProtocol) {
  const std::string head =
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
  const std::string frames = "\x81\x05hello\x89\x00"s;
  ResponseParser parser;
  Keep keep;
  const std::string bytes = head + frames;
  const Fed r = parser.feed(as_bytes(bytes), keep);
  EXPECT_EQ(r.status, Status::ok);
  EXPECT_EQ(r.consumed, head.size());  // exactly the head: the frames are the caller's
  EXPECT_TRUE(parser.upgraded());
  ASSERT_EQ(keep.calls, 1);
  EXPECT_EQ(keep.r.status, 101);
  EXPECT_TRUE(keep.r.upgrade);
  EXPECT_EQ(keep.r.header("sec-websocket-accept"), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  // Every later feed() consumes nothing, and the end of the stream is no error.
  const Fed later = parser.feed(as_bytes(bytes).subspan(r.consumed), keep);
  EXPECT_EQ(later.status, Status::ok);
  EXPECT_EQ(later.consumed, 0u);
  EXPECT_EQ(parser.finish(keep), Status::ok);
  EXPECT_EQ(keep.calls, 1);
  const auto t = grind(bytes);
  EXPECT_EQ(t.outcome, "upgraded");
  ASSERT_EQ(t.events.size(), 2u);
  EXPECT_EQ(t.events[1], "after upgrade: \\x81\\x05hello\\x89\\x00");
  // A 101 switches even without the headers llhttp wants for its own upgrade flag.
  const auto bare = grind("HTTP/1.1 101 Switching Protocols\r\n\r\n\x81\x00"s);
  EXPECT_EQ(bare.outcome, "upgraded");
  EXPECT_EQ(bare.events, (std::vector<std::string>{"101 Switching Protocols upgrade", "after upgrade: \\x81\\x00"}));
  // Nor does a Content-Length give a 101 a body: what follows its head is the new protocol's.
  EXPECT_EQ(
      grind("HTTP/1.1 101 Switching Protocols\r\nContent-Length: 2\r\n\r\n\x81\x00"s).events,
      (std::vector<std::string>{"101 Switching Protocols [content-length: 2] upgrade", "after upgrade: \\x81\\x00"}));
  // A 200 that names an Upgrade is only informational (RFC 9110 7.8): no switch.
  EXPECT_EQ(grind("HTTP/1.1 200 OK\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nContent-Length: 0\r\n\r\n").outcome,
            "ok");
}

TEST(ResponseParser, EveryChunkingGivesTheSameResponses) {
  const std::string text =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n\r\n0{\"sid\":"
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\n6\r\n4\r\n4hi\x1e\r\n0\r\n\r\n"
      "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n3probe";
  const std::vector<std::string> expected = {"200 OK [content-type: text/plain] [content-length: 8] body=0{\"sid\":",
                                             "200 OK [transfer-encoding: chunked] body=64hi\\x1e",
                                             "200 OK [connection: close] body=3probe close"};
  // The whole text at once, every split into two pieces, one byte at a time.
  const test::Transcript whole = run({}, {as_bytes(text)});
  EXPECT_EQ(whole.events, expected);
  EXPECT_EQ(whole.outcome, "ok");
  for (std::size_t i = 0; i <= text.size(); ++i)
    EXPECT_EQ(run({}, {as_bytes(text).first(i), as_bytes(text).subspan(i)}), whole) << "split at " << i;
  std::vector<ByteView> bytes;
  for (std::size_t i = 0; i < text.size(); ++i) bytes.push_back(as_bytes(text).subspan(i, 1));
  EXPECT_EQ(run({}, bytes), whole);
  // And in guarded memory: no byte past a chunk is read.
  EXPECT_EQ(grind(text), whole);
}

TEST(ResponseParser, MalformedResponsesAreBadResponsesWithTheirOffset) {
  EXPECT_EQ(grind("HTTP/1.1 2x0 OK\r\n\r\n").outcome, "error http_bad_response @10");
  // llhttp takes a bare LF as the end of the status line, so "bare LF" is a header line: its name
  // holds a space and ends without ':' (refused at the CR).
  EXPECT_EQ(grind("HTTP/1.1 200 OK\nbare LF\r\n\r\n").outcome, "error http_bad_response @23");
  EXPECT_EQ(grind("HTTP/1.1 204 No Content\nX: y\r\n\r\n").events, std::vector<std::string>{"204 No Content [x: y]"});
  // A header line ended by a bare LF is refused at the LF.
  EXPECT_EQ(grind("HTTP/1.1 200 OK\r\nX: y\nZ: w\r\n\r\n").outcome, "error http_bad_response @21");
  // A header line with no ':' is refused where it ends.
  EXPECT_EQ(grind("HTTP/1.1 200 OK\r\nX y\r\n\r\n").outcome, "error http_bad_response @20");
  EXPECT_EQ(grind("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n").outcome, "error http_bad_response @33");
  EXPECT_EQ(grind("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n").outcome, "error http_bad_response @47");
  EXPECT_EQ(grind("GET / HTTP/1.1\r\n\r\n").outcome, "error http_bad_response @0");
  // Bytes after a response that closes the connection are no response: llhttp drops them.
  const auto after_close =
      grind("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n");
  EXPECT_EQ(after_close.events, std::vector<std::string>{"200 OK [connection: close] [content-length: 0] close"});
  EXPECT_EQ(after_close.outcome, "ok");
}

TEST(ResponseParser, TheEndOfTheStreamInsideAResponseIsABadResponse) {
  // Inside the status line, inside the headers, inside a Content-Length body, inside a chunk.
  EXPECT_EQ(grind("HTTP/1.1 20").outcome, "finish error http_bad_response @11");
  EXPECT_EQ(grind("HTTP/1.1 200 OK\r\nContent-Le").outcome, "finish error http_bad_response @27");
  EXPECT_EQ(grind("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc").outcome, "finish error http_bad_response @41");
  EXPECT_EQ(grind("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabc").outcome,
            "finish error http_bad_response @53");
  // Between responses it is the ordinary end.
  EXPECT_EQ(grind("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").outcome, "ok");
  EXPECT_EQ(grind("").outcome, "ok");
}

TEST(ResponseParser, HeaderBytesAtTheLimitAndOnePast) {
  // Counted: version "1.1" 3, reason "OK" 2, "ab" 2, "c" 1 = 8.
  const std::string text = "HTTP/1.1 200 OK\r\nab: c\r\n\r\n";
  Limits limits;
  limits.http_max_header_bytes = 8;
  EXPECT_EQ(grind(text, limits).outcome, "ok");
  limits.http_max_header_bytes = 7;
  const auto over = grind(text, limits);
  EXPECT_EQ(over.outcome, "error limit_http_header_bytes @" + std::to_string(text.find('c')));
  EXPECT_TRUE(over.events.empty());
  // A server that never ends its headers is refused at the bound, not buffered.
  std::string endless = "HTTP/1.1 200 OK\r\nx: ";
  endless.append(20'000, 'a');
  EXPECT_EQ(run({}, {as_bytes(endless)}).outcome, "error limit_http_header_bytes @16398");  // 20 + (16384 - 6)
}

TEST(ResponseParser, HeaderLinesAtTheLimitAndOnePast) {
  Limits limits;
  limits.http_max_headers = 2;
  EXPECT_EQ(grind("HTTP/1.1 204 No Content\r\na: 1\r\nb: 2\r\n\r\n", limits).outcome, "ok");
  const std::string three = "HTTP/1.1 204 No Content\r\na: 1\r\nb: 2\r\nc: 3\r\n\r\n";
  // Refused when the third name ends: at the byte after its ':'.
  EXPECT_EQ(grind(three, limits).outcome, "error limit_http_headers @" + std::to_string(three.find("c:") + 2));
}

TEST(ResponseParser, BodyBytesAtTheLimitAndOnePast) {
  Limits limits;
  limits.http_max_body_bytes = 4;
  // A Content-Length past the bound is refused at the end of the head, before any body byte.
  EXPECT_EQ(grind("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd", limits).outcome, "ok");
  const std::string declared = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
  EXPECT_EQ(grind(declared + "abcde", limits).outcome,
            "error limit_http_body_bytes @" + std::to_string(declared.size()));
  // A chunked body at the byte that passes the bound.
  const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  EXPECT_EQ(grind(chunked + "4\r\nabcd\r\n0\r\n\r\n", limits).outcome, "ok");
  EXPECT_EQ(grind(chunked + "4\r\nabcd\r\n1\r\ne\r\n0\r\n\r\n", limits).outcome,
            "error limit_http_body_bytes @" + std::to_string(chunked.size() + 12));
  // A body that ends with the connection likewise.
  const std::string open = "HTTP/1.1 200 OK\r\n\r\n";
  EXPECT_EQ(grind(open + "abcd", limits).outcome, "ok");
  EXPECT_EQ(grind(open + "abcde", limits).outcome, "error limit_http_body_bytes @" + std::to_string(open.size() + 4));
}

TEST(ResponseParser, ErrorsAreSticky) {
  ResponseParser parser;
  Recorder rec;
  const std::string bad = "HTTP/1.1 2x0 OK\r\n\r\n";
  const Fed r = parser.feed(as_bytes(bad), rec);
  EXPECT_EQ(r.status, Status::error);
  EXPECT_EQ(r.consumed, 10u);
  const Fed again = parser.feed(as_bytes(std::string_view("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")), rec);
  EXPECT_EQ(again.status, Status::error);
  EXPECT_EQ(again.consumed, 0u);
  EXPECT_EQ(parser.finish(rec), Status::error);
  EXPECT_EQ(parser.error().code, Errc::http_bad_response);
  EXPECT_EQ(parser.error().offset, 10u);
  EXPECT_TRUE(rec.events.empty());
  // A limit error stays too, and so does the end of stream's.
  Limits limits;
  limits.http_max_headers = 0;
  ResponseParser limited(limits);
  EXPECT_EQ(limited.feed(as_bytes(std::string_view("HTTP/1.1 200 OK\r\na: 1\r\n\r\n")), rec).status, Status::error);
  EXPECT_EQ(limited.finish(rec), Status::error);
  EXPECT_EQ(limited.error().code, Errc::limit_http_headers);
  ResponseParser cut;
  EXPECT_EQ(cut.feed(as_bytes(std::string_view("HTTP/1.1")), rec).status, Status::need_more);
  EXPECT_EQ(cut.finish(rec), Status::error);
  EXPECT_EQ(cut.feed(as_bytes(std::string_view(" 200 OK\r\n\r\n")), rec).status, Status::error);
  EXPECT_EQ(cut.error().offset, 8u);
  EXPECT_TRUE(rec.events.empty());
}

// Every error the parser gives is the outcome of some input here, each from a fresh parser.
TEST(ResponseParser, EveryErrcOfTheParserIsProduced) {
  Limits small;
  small.http_max_header_bytes = 8;
  small.http_max_headers = 1;
  small.http_max_body_bytes = 1;
  const std::vector<std::string> inputs = {
      "HTTP/1.1 2x0 OK\r\n\r\n",                        // http_bad_response
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nx",  // http_bad_response at the end
      "HTTP/1.1 200 OK\r\nlong-name: 1\r\n\r\n",        // limit_http_header_bytes
      "HTTP/1.1 200 OK\r\na: 1\r\nb: 2\r\n\r\n",        // limit_http_headers
      "HTTP/1.1 200 OK\r\n\r\nxy",                      // limit_http_body_bytes
  };
  std::set<std::string> seen;
  for (const std::string& input : inputs) {
    const std::string outcome = grind(input, small).outcome;
    const std::size_t at = outcome.find(" @");
    if (at == std::string::npos) continue;
    const std::size_t start = outcome.rfind(' ', at - 1) + 1;
    seen.insert(outcome.substr(start, at - start));
  }
  EXPECT_EQ(seen, (std::set<std::string>{"http_bad_response", "limit_http_header_bytes", "limit_http_headers",
                                         "limit_http_body_bytes"}));
}

}  // namespace
}  // namespace sioconf::http
