// sioconf/http/server.h — HTTP/1.1 server connections on the io seam: requests in (request.h),
// answers out, keep-alive, pipelining, held answers (long-polling) and the hand-over of a
// connection after an Upgrade. It knows no Engine.IO: a handler decides every answer.
//
//   http::Server server(loop, limits, {}, [&](http::Exchange ex) {
//     if (ex.request().path() == "/hello") ex.respond({200, {{"content-type", "text/plain"}}, "hi"});
//     else held.push_back(std::move(ex));          // answered later, or ex.on_close(...) says why not
//   });
//   listener = loop.listen(..., [&](Errc, io::TransportPtr t) { if (t) server.add(std::move(t)); });
//
// Per connection:
//   - one request at a time: the next pipelined request is read only after the answer to this
//     one is written (and, if it went over the stream's high-water mark, drained);
//   - a request answers with Connection: keep-alive unless it asked for close (or was HTTP/1.0
//     without keep-alive), the answer says close, or an error ends the connection;
//   - a malformed or oversized request (request.h's table) is answered with its status (400, 413,
//     431), "Connection: close" and the error's name as the body, then the connection is closed;
//   - a request's head and body must arrive within ServerOptions::request_timeout_ms of the moment
//     the connection started waiting for it (slowloris): past it, 408 and close if part of a
//     request was read, a silent close if none was (an idle keep-alive connection);
//   - while an answer is held, the connection reads on to learn whether the client went away
//     (Exchange::on_close); bytes of a next request read meanwhile wait, and nothing more is read
//     until the answer is written.
// Upgrade requests are handed to the handler like the others; Exchange::upgrade() writes the 101
// and gives the handler the connection's stream and the bytes already read after the request. The
// server forgets the connection then.
//
// Lifetime: one thread, the loop's. Destroying the server closes every connection silently: no
// Exchange callback runs after that, and Exchanges still held answer nothing (respond() is then a
// no-op that returns io_closed).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sioconf/errc.h"
#include "sioconf/http/request.h"
#include "sioconf/io/loop.h"
#include "sioconf/io/stream.h"
#include "sioconf/io/transport.h"
#include "sioconf/limits.h"

namespace sioconf::http {

struct Response {
  int status = 200;
  std::vector<Header> headers;  // Content-Length and Connection are the server's to write
  std::string body;
};

/// The reason phrase of a status the servers here send ("OK", "Bad Request", ...), or "Unknown".
std::string_view reason_phrase(int status) noexcept;

/// A connection handed over after an Upgrade: its stream and what the client sent after the
/// request (the first bytes of the new protocol).
struct Upgraded {
  std::unique_ptr<io::Stream> stream;
  std::string rest;
};

struct ConnectionState;  // private: one connection, shared with its Exchanges

/// One request and the right to answer it, once. Move-only; an Exchange dropped unanswered
/// answers 500 and closes the connection (a handler bug must not hang the client).
class Exchange {
 public:
  Exchange(std::shared_ptr<ConnectionState> connection, Request request);
  Exchange(Exchange&&) noexcept;
  Exchange& operator=(Exchange&&) noexcept;
  ~Exchange();

  const Request& request() const noexcept { return request_; }
  Request& request() noexcept { return request_; }
  /// "127.0.0.1:40123" (the transport's peer()).
  std::string peer() const;

  /// Writes the answer. Returns none, io_closed (the connection is gone: nothing written),
  /// io_read_pending (already answered) or the stream's refusal (limit_stream_buffered_bytes,
  /// which also closes the connection).
  Errc respond(Response response);

  /// For an Upgrade request: writes `response` (normally 101 Switching Protocols with its
  /// headers) and hands the connection over. Null stream if the connection is gone or the
  /// request was no Upgrade (then nothing is written).
  Upgraded upgrade(Response response);

  /// True once the client's connection is gone (its end of stream, a reset, the server closed).
  bool closed() const noexcept;
  /// Runs once, from the loop, if the connection goes before the answer is written. Replaces an
  /// earlier callback.
  void on_close(std::function<void()> callback);

 private:
  std::shared_ptr<ConnectionState> connection_;
  Request request_;
  bool answered_ = false;
};

using Handler = std::function<void(Exchange exchange)>;

struct ServerOptions {
  /// How long a request (head and body) may take to arrive, counted from when the connection
  /// started waiting for it. Node: headersTimeout 60 s, keepAliveTimeout 5 s for an idle one.
  std::uint64_t request_timeout_ms = 10'000;
  io::StreamOptions stream;
};

struct ServerCounts {
  std::uint64_t connections = 0;  // accepted in all
  std::uint64_t requests = 0;     // handed to the handler
  std::uint64_t refused = 0;      // answered 400/408/413/431 by the server itself, or closed at
                                  // once past Limits::http_max_connections
};

struct ServerState;  // private

class Server {
 public:
  /// Of `limits`: the parser's (request.h), stream_max_buffered_bytes, and http_max_connections
  /// (a connection past it is closed at once: limit_http_connections).
  Server(io::Loop& loop, const Limits& limits, ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Serves an accepted connection.
  void add(io::TransportPtr connection);

  /// Closes every connection (held answers are dropped); `done` runs once, from the loop, when
  /// they are all closed. Connections added afterwards are closed at once.
  void close(std::function<void()> done);

  /// Connections open now.
  std::size_t connections() const noexcept;
  const ServerCounts& counts() const noexcept;

 private:
  std::shared_ptr<ServerState> state_;
};

}  // namespace sioconf::http
