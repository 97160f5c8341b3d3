// sioconf/http/response.h — HTTP/1.1 responses read from a byte stream (the client's side of
// request.h), with llhttp underneath, every buffer bounded by Limits.
//
//   http::ResponseParser parser(limits);
//   Fed r = parser.feed(bytes, sink);     // sink.on_response(response) once per complete response
//   bytes = bytes.subspan(r.consumed);    // feed() stops after each response: take it, then feed
//                                         // the rest (keep-alive responses come one at a time)
//   if (r.status == Status::error) parser.error() says why; close the connection
//   if (parser.upgraded()) the rest of `bytes` is the new protocol's (a WebSocket's frames)
//   at the peer's end of stream: parser.finish(sink) // delivers a body that ends with the stream
//
// A response's body ends, as RFC 9112 6.3 has it: with its Content-Length, with its last chunk,
// or with the connection when it has neither (then only finish() delivers it). 1xx, 204 and 304
// responses have none. Every response is read as the answer to a request other than HEAD (the
// clients here send none): a Content-Length is always followed by that many bytes.
//
// What is checked, in order of arrival, and the error:
//   the status line and headers as RFC 9112 has them (llhttp's rules,  http_bad_response
//     no lenient flags: a status that is not 3 digits, a header line
//     without ':' or ended by a bare LF, a bad Content-Length or chunk
//     size...; llhttp takes a bare LF after the status line)
//   version + reason phrase + header names and values above            limit_http_header_bytes
//     Limits::http_max_header_bytes (counted as they arrive: a server
//     that never ends its headers is refused at the bound)
//   more header lines than Limits::http_max_headers (refused past the  limit_http_headers
//     ':' of the first one too many)
//   a body above Limits::http_max_body_bytes (a Content-Length above   limit_http_body_bytes
//     it is refused before its first byte; a chunked body, or one
//     that ends with the connection, when it passes it)
//   the end of the stream inside a response whose body does not end   http_bad_response
//     with the connection (finish())
// Errors are sticky (every later feed() returns {error, 0}); the offset counts bytes from
// construction. After an error the connection is closed: its framing is lost. After a response
// with keep_alive false the caller closes too: llhttp drops whatever follows it.
//
// Upgrade: a 101 Switching Protocols stops the parser for good after its head (RFC 9110 15.2.2),
// whatever its headers say; whether it is the handshake the client asked for (Upgrade,
// Sec-WebSocket-Accept) is the caller's to check. Any other 1xx is delivered as a response of its
// own, the final one follows.
//
// Memory: one response at a time (its head and body, within the limits above).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sioconf/bytes.h"
#include "sioconf/errc.h"
#include "sioconf/http/request.h"  // Header
#include "sioconf/limits.h"

namespace sioconf::http {

struct ReceivedResponse {
  int status = 0;               // 200, 101, ...
  std::string reason;           // the reason phrase as sent ("OK"), may be empty
  std::vector<Header> headers;  // names lower case, in arrival order
  std::string body;             // by Content-Length, chunked (decoded) or up to the end of stream
  bool keep_alive = true;       // the connection may carry the next request (RFC 9112 9.3)
  bool upgrade = false;         // a 101 the parser stopped after (see upgraded())

  /// The value of the first header named `name` (lower case), or empty.
  std::string_view header(std::string_view name) const noexcept;
  bool has_header(std::string_view name) const noexcept;
};

class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  /// One complete response; the caller may move from it. Runs from inside feed() or finish(),
  /// after the parser has stopped: it must not call feed() again.
  virtual void on_response(ReceivedResponse& response) noexcept = 0;
};

class ResponseParser {
 public:
  /// Of `limits`: http_max_header_bytes, http_max_headers, http_max_body_bytes (copied).
  explicit ResponseParser(const Limits& limits = {});
  ~ResponseParser();
  ResponseParser(const ResponseParser&) = delete;
  ResponseParser& operator=(const ResponseParser&) = delete;

  /// Parses the next bytes of the connection, up to the end of the next complete response.
  ///   ok         between responses: `consumed` ends at a response's end (its on_response has
  ///              run; feed the rest next) or covers all of `chunk`
  ///   need_more  all of `chunk` consumed, a response is partly read
  ///   error      see the table above; error() says which. consumed: up to the offending byte
  /// After a 101: {ok, up to the end of its head}, upgraded() is true, and every later feed()
  /// consumes nothing.
  [[nodiscard]] Fed feed(ByteView chunk, ResponseSink& sink) noexcept;

  /// The peer's end of stream: ok between responses; ok when it ends a body that runs to the end
  /// of the connection (its on_response runs here); error http_bad_response inside any other.
  [[nodiscard]] Status finish(ResponseSink& sink) noexcept;

  DecodeError error() const noexcept;
  bool upgraded() const noexcept;
  /// True between responses (nothing of a next one read yet).
  bool idle() const noexcept;

  struct State;  // private

 private:
  std::unique_ptr<State> state_;
};

}  // namespace sioconf::http
