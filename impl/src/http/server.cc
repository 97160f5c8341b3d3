#include "sioconf/http/server.h"

#include <map>
#include <utility>

namespace sioconf::http {

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

struct ServerState {
  ServerState(io::Loop& l, const Limits& lim, ServerOptions opt, Handler h)
      : loop(l), limits(lim), options(std::move(opt)), handler(std::move(h)) {}
  io::Loop& loop;
  Limits limits;
  ServerOptions options;
  Handler handler;
  std::map<std::uint64_t, std::shared_ptr<ConnectionState>> open;
  std::uint64_t next_id = 1;
  ServerCounts counts;
  bool closing = false;
  std::vector<std::function<void()>> close_done;

  void forget(std::uint64_t id) {
    open.erase(id);
    if (closing && open.empty())
      for (auto& done : std::exchange(close_done, {})) loop.post(std::move(done));
  }
};

// How long a closing connection waits for more of what the client is still sending (close()).
constexpr std::uint64_t kLingerIdleMs = 500;

struct ConnectionState final : RequestSink, std::enable_shared_from_this<ConnectionState> {
  ConnectionState(const std::shared_ptr<ServerState>& s, io::TransportPtr transport, std::uint64_t i)
      : server(s),
        loop(s->loop),
        stream(std::make_unique<io::Stream>(s->loop, std::move(transport), s->limits, s->options.stream)),
        parser(s->limits),
        timeout_ms(s->options.request_timeout_ms),
        id(i) {}
  ~ConnectionState() override { disarm(); }

  std::weak_ptr<ServerState> server;  // expired once the server is gone
  io::Loop& loop;
  std::unique_ptr<io::Stream> stream;  // null once handed over after an Upgrade
  RequestParser parser;
  std::uint64_t timeout_ms, id;
  std::string in;  // read and not yet parsed (a pipelined request waiting its turn)
  Request next;    // the request the parser just completed
  bool have_next = false, reading = false, answering = false, upgrade = false, keep_alive = true, closing = false,
       gone = false;                           // gone: closed or handed over; nothing of it runs any more
  bool lingering = false, peer_ended = false;  // a graceful close, after our FIN (close())
  std::uint64_t linger_until = 0;
  std::function<void()> closed;  // what close() runs once the stream is closed
  io::TimerId timer = 0;
  std::function<void()> on_close;

  void start() {
    arm();
    read_more();
  }

  void on_request(Request& request) noexcept override {
    next = std::move(request);
    have_next = true;
  }

  // Parses what was read, up to one request, and hands that to the handler.
  void process() {
    if (answering || closing) return;
    if (!in.empty()) {
      const Fed r = parser.feed(as_bytes(in), *this);
      in.erase(0, r.consumed);
      if (r.status == Status::error) return refuse(parser.error().code);
      if (have_next) return dispatch();
    }
    read_more();
  }

  void dispatch() {
    const auto s = server.lock();
    if (!s) return close(false);
    have_next = false;
    answering = true;
    upgrade = next.upgrade;
    keep_alive = next.keep_alive && !upgrade;  // after an Upgrade the parser reads no more
    disarm();
    ++s->counts.requests;
    s->handler(Exchange(shared_from_this(), std::move(next)));
    // A held answer: read on, to learn whether the client goes away meanwhile. Not for an
    // Upgrade: its stream may be handed over, and must have no read outstanding then.
    if (answering && !closing && !upgrade) read_more();
  }

  void read_more() {
    if (reading || (closing && !lingering) || (!closing && !in.empty())) return;
    reading = true;
    std::weak_ptr<ConnectionState> weak = weak_from_this();
    const Errc started = stream->read([weak](Errc e, ByteView bytes) {
      const auto self = weak.lock();
      if (!self) return;
      self->reading = false;
      if (e != Errc::none || bytes.empty()) self->peer_ended = true;
      if (self->closing) {  // what comes after our answer is dropped, up to the client's end
        if (self->peer_ended) {
          if (self->lingering) self->finish_close();
          return;
        }
        self->linger_for(kLingerIdleMs);
        return self->read_more();
      }
      // The client's end: between requests a clean close; with an answer held, its callback.
      if (e != Errc::none || bytes.empty()) return self->close(e == Errc::none && !self->answering);
      self->in.append(as_text(bytes));
      self->process();
    });
    if (started != Errc::none) reading = false;  // the end was delivered already: no callback comes
  }

  // Writes an answer; then the next request once the stream has room, or the end.
  Errc answer(const Response& response, bool upgrading) {
    if (closing) return Errc::io_closed;
    if (!answering) return Errc::io_read_pending;
    std::string out =
        "HTTP/1.1 " + std::to_string(response.status) + " " + std::string(reason_phrase(response.status)) + "\r\n";
    bool close_asked = false;
    for (const Header& h : response.headers) {
      out += h.name + ": " + h.value + "\r\n";
      if (h.name == "connection" && h.value == "close") close_asked = true;
    }
    if (!upgrading) {
      keep_alive = keep_alive && !close_asked;
      out += "content-length: " + std::to_string(response.body.size()) + "\r\n";
      if (!close_asked) out += keep_alive ? "connection: keep-alive\r\n" : "connection: close\r\n";
    }
    out += "\r\n";
    out += response.body;
    answering = false;
    on_close = {};
    const io::WriteStatus w = stream->write(as_bytes(out));
    if (w == io::WriteStatus::refused) {
      const Errc why = stream->last_write_error();
      close(false);
      return why;
    }
    if (upgrading) return Errc::none;
    if (!keep_alive) {
      close(true);
      return Errc::none;
    }
    std::weak_ptr<ConnectionState> weak = weak_from_this();
    auto go_on = [weak] {
      if (const auto self = weak.lock(); self && !self->closing && !self->answering) {
        self->arm();
        self->process();
      }
    };
    if (w == io::WriteStatus::over_high_water) stream->on_drain(go_on);
    else loop.post(go_on);
    return Errc::none;
  }

  // The server's own answer to what it will not hand over (request.h's errors, the timeout).
  void refuse(Errc why) {
    if (const auto s = server.lock()) ++s->counts.refused;
    answering = true;
    keep_alive = false;
    (void)answer({status_for(why), {{"content-type", "text/plain"}}, std::string(name(why))}, false);
  }

  void arm() {
    disarm();
    std::weak_ptr<ConnectionState> weak = weak_from_this();
    timer = loop.start_timer(timeout_ms, [weak] {
      const auto self = weak.lock();
      if (!self) return;
      self->timer = 0;
      if (self->answering || self->closing) return;
      if (self->parser.idle() && self->in.empty()) return self->close(true);  // an idle keep-alive
      self->refuse(Errc::http_header_timeout);
    });
  }
  void disarm() {
    if (timer != 0) loop.cancel_timer(timer);
    timer = 0;
  }

  // Ends the connection: a held answer learns it (on_close), the server forgets it once closed.
  // A graceful close sends the answers, then our FIN, then lingers: what the client still sends
  // (the rest of a body refused with 413) is read and dropped until its own end. Closing at once
  // would leave those bytes unread, and the kernel would answer them with a reset that destroys
  // the answer before the client read it (as nginx's lingering_close avoids). It ends when the
  // client has been quiet for kLingerIdleMs, or at the request timeout, whichever comes first.
  void close(bool graceful) {
    if (closing) return;
    closing = true;
    disarm();
    if (on_close) loop.post(std::exchange(on_close, {}));
    auto self = shared_from_this();
    closed = [self] {
      self->gone = true;
      if (const auto s = self->server.lock()) s->forget(self->id);
    };
    if (!graceful) return finish_close();
    timer = loop.start_timer(timeout_ms, [self] {
      self->timer = 0;
      self->finish_close();
    });
    linger_until = loop.now() + timeout_ms;
    stream->shutdown([self](Errc) {
      if (self->peer_ended) return self->finish_close();
      self->lingering = true;
      self->linger_for(kLingerIdleMs);
      self->read_more();
      if (!self->reading) self->finish_close();  // the stream reads no more
    });
  }
  // Lingering ends when the client is quiet for `ms`, or at the request timeout after close().
  void linger_for(std::uint64_t ms) {
    disarm();
    const std::uint64_t now = loop.now();
    timer = loop.start_timer(std::min(ms, linger_until > now ? linger_until - now : 0), [self = shared_from_this()] {
      self->timer = 0;
      self->finish_close();
    });
  }
  void finish_close() {
    if (!closed) return;  // once
    disarm();
    stream->close(std::exchange(closed, {}));
  }

  // After an Upgrade: the 101, then the stream goes to the new owner and the server forgets it.
  Upgraded hand_over(const Response& response) {
    if (closing || !answering || !upgrade) return {};
    if (answer(response, true) != Errc::none) return {};
    disarm();
    // What was read past the request goes with the stream; an empty buffer's capacity does not
    // (a connection that stays open keeps none).
    Upgraded up{std::move(stream), in.empty() ? std::string() : std::move(in)};
    closing = gone = true;
    if (const auto s = server.lock())
      loop.post([weak = server, i = id] {
        if (const auto s2 = weak.lock()) s2->forget(i);
      });
    return up;
  }
};

// ---- Exchange ----------------------------------------------------------------------------------

Exchange::Exchange(std::shared_ptr<ConnectionState> connection, Request request)
    : connection_(std::move(connection)), request_(std::move(request)) {}
Exchange::Exchange(Exchange&&) noexcept = default;
Exchange& Exchange::operator=(Exchange&&) noexcept = default;

// An Exchange dropped unanswered would leave its client waiting forever: 500, and the end.
Exchange::~Exchange() {
  if (connection_ && !answered_ && !connection_->closing) {
    connection_->keep_alive = false;
    (void)connection_->answer({500, {}, "unanswered"}, false);
  }
}

std::string Exchange::peer() const { return connection_ && connection_->stream ? connection_->stream->peer() : ""; }

Errc Exchange::respond(Response response) {
  if (!connection_) return Errc::io_closed;
  if (answered_) return Errc::io_read_pending;
  answered_ = true;
  return connection_->answer(response, false);
}

Upgraded Exchange::upgrade(Response response) {
  if (!connection_ || answered_) return {};
  Upgraded up = connection_->hand_over(response);
  if (up.stream) answered_ = true;
  return up;
}

bool Exchange::closed() const noexcept { return !connection_ || connection_->closing; }

void Exchange::on_close(std::function<void()> callback) {
  if (!connection_) return;
  if (connection_->closing) connection_->loop.post(std::move(callback));
  else connection_->on_close = std::move(callback);
}

// ---- Server ------------------------------------------------------------------------------------

Server::Server(io::Loop& loop, const Limits& limits, ServerOptions options, Handler handler)
    : state_(std::make_shared<ServerState>(loop, limits, std::move(options), std::move(handler))) {}

// The connections close silently with their streams; Exchanges still held see them closed.
Server::~Server() {
  for (auto& [id, c] : state_->open) {
    c->closing = c->gone = true;
    c->disarm();
    c->on_close = {};
    c->closed = {};  // it holds the connection: the cycle ends here
    c->stream.reset();
  }
}

void Server::add(io::TransportPtr connection) {
  ServerState& s = *state_;
  auto c = std::make_shared<ConnectionState>(state_, std::move(connection), s.next_id++);
  ++s.counts.connections;
  const bool over_limit = s.open.size() >= s.limits.http_max_connections;
  s.open.emplace(c->id, c);
  if (over_limit) ++s.counts.refused;  // limit_http_connections
  if (s.closing || over_limit) return c->close(false);
  c->start();
}

void Server::close(std::function<void()> done) {
  ServerState& s = *state_;
  if (done) s.close_done.push_back(std::move(done));
  s.closing = true;
  if (s.open.empty()) {
    for (auto& d : std::exchange(s.close_done, {})) s.loop.post(std::move(d));
    return;
  }
  std::vector<std::shared_ptr<ConnectionState>> all;
  for (auto& [id, c] : s.open) all.push_back(c);
  for (auto& c : all) c->close(false);
}

std::size_t Server::connections() const noexcept { return state_->open.size(); }
const ServerCounts& Server::counts() const noexcept { return state_->counts; }

}  // namespace sioconf::http
