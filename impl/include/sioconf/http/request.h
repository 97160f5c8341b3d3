// sioconf/http/request.h — HTTP/1.1 requests read from a byte stream, with llhttp (the parser
// Node itself uses) underneath, every buffer bounded by Limits.
//
//   http::RequestParser parser(limits);
//   Fed r = parser.feed(bytes, sink);     // sink.on_request(request) once per complete request
//   bytes = bytes.subspan(r.consumed);    // feed() stops after each request: answer it, then
//                                         // feed the rest (pipelined requests wait their turn)
//   if (r.status == Status::error) answer parser.error() with its status (status_for), close
//   if (parser.upgraded()) the rest of `bytes` is the new protocol's (a WebSocket's frames)
//
// What is checked, in order of arrival, and the error (its HTTP status):
//   the request line and headers as RFC 9112 has them (llhttp's rules,  http_bad_request (400)
//     no lenient flags: bare LF, spaces before ':', a bad chunk size...)
//   method + target + header names and values above                    limit_http_header_bytes (431)
//     Limits::http_max_header_bytes (counted as they arrive: a client
//     that never ends its headers is refused at the bound, slowloris
//     or not)
//   more header lines than Limits::http_max_headers                    limit_http_headers (431)
//   a body above Limits::http_max_body_bytes (a Content-Length above   limit_http_body_bytes (413)
//     it is refused before its first byte; a chunked body when it
//     passes it)
// Errors are sticky (every later feed() returns {error, 0}); the offset counts bytes from
// construction. After an error the connection is answered and closed: HTTP has no way to find
// the next request in a stream that broke its framing.
//
// Memory: one request at a time (its head and body, within the limits above); nothing of the next
// request is read before the caller feeds it again.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/limits.h"

namespace sioconf::http {

struct Header {
  std::string name;  // lower case
  std::string value;
};

struct Request {
  std::string method;           // "GET", "POST", ...
  std::string target;           // the request-target as sent: "/engine.io/?EIO=4&transport=polling"
  std::vector<Header> headers;  // in arrival order
  std::string body;             // Content-Length or chunked, decoded
  bool keep_alive = true;       // the connection stays open after the answer (RFC 9112 9.3)
  bool upgrade = false;         // an Upgrade request the parser stopped after (see upgraded())

  /// The value of the first header named `name` (lower case), or empty.
  std::string_view header(std::string_view name) const noexcept;
  bool has_header(std::string_view name) const noexcept;
  /// The target's path: "/engine.io/" of "/engine.io/?EIO=4".
  std::string_view path() const noexcept;
  /// The first query parameter `name`, percent-decoded ('+' stays '+', as Node's URLSearchParams
  /// would not but engine.io's ids and tokens never hold one); empty if absent.
  std::string query(std::string_view name) const;
  bool has_query(std::string_view name) const noexcept;
};

class RequestSink {
 public:
  virtual ~RequestSink() = default;
  /// One complete request; the caller may move from it. Runs from inside feed(), after the
  /// parser has stopped: it must not call feed() again.
  virtual void on_request(Request& request) noexcept = 0;
};

class RequestParser {
 public:
  /// Of `limits`: http_max_header_bytes, http_max_headers, http_max_body_bytes (copied).
  explicit RequestParser(const Limits& limits = {});
  ~RequestParser();
  RequestParser(const RequestParser&) = delete;
  RequestParser& operator=(const RequestParser&) = delete;

  /// Parses the next bytes of the connection, up to the end of the next complete request.
  ///   ok         between requests: `consumed` ends at a request's end (its on_request has run;
  ///              feed the rest after answering it) or covers all of `chunk`
  ///   need_more  all of `chunk` consumed, a request is partly read
  ///   error      see the table above; error() says which. consumed: up to the offending byte
  /// After an Upgrade request: {ok, up to its end}, upgraded() is true, and every later feed()
  /// consumes nothing.
  [[nodiscard]] Fed feed(ByteView chunk, RequestSink& sink) noexcept;

  /// The peer's end of stream: ok between requests, error http_bad_request inside one.
  [[nodiscard]] Status finish() noexcept;

  DecodeError error() const noexcept;
  bool upgraded() const noexcept;
  /// True between requests (nothing of a next one read yet).
  bool idle() const noexcept;

  struct State;  // private

 private:
  std::unique_ptr<State> state_;
};

/// The HTTP status an error is answered with: 413, 431, 408 (http_header_timeout), else 400.
int status_for(Errc error) noexcept;

}  // namespace sioconf::http
