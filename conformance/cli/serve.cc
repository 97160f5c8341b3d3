// `sioconf serve`: the reference server on 127.0.0.1, with the server contract of the official
// engine.io-protocol and socket.io-protocol test suites:
//   /engine.io/   an Engine.IO server that echoes every message back (text as text, binary as
//                 binary)
//   /socket.io/   a Socket.IO server: the main namespace emits "auth" with the CONNECT's auth
//                 object, answers "message" with "message-back" (same arguments) and
//                 "message-with-ack" with an ack of its arguments; "/custom" emits "auth";
//                 "/private" admits only an auth object with "token": "secret" (its middleware
//                 refuses others with CONNECT_ERROR {"message": "not authorized", "data":
//                 {"reason": "a token is needed"}}) and then emits "auth"; any other namespace is
//                 refused; a session that joins no namespace within
//                 connectTimeout is closed. Beyond the suites' contract: "ask" (the server asks
//                 back with an ack: "question", then "answer" with the client's ack), "bye"
//                 (the server disconnects the client), and rooms: "join" [room] and "leave"
//                 [room] (acknowledged when asked), "to-room" [room, ...args] ("room-message"
//                 with args to the room's other members) and "to-all" [...args] ("all-message"
//                 to every other socket of "/")
//   anything else 404
// pingInterval, pingTimeout, maxPayload and the limits come from the options.
#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "serve.h"
#include "sioconf/engine/server.h"
#include "sioconf/http/server.h"
#include "sioconf/io/uv.h"
#include "sioconf/session/rooms.h"
#include "sioconf/session/server_socket.h"

namespace sioconf::cli {
namespace {

volatile std::sig_atomic_t g_stop = 0;
void request_stop(int) { g_stop = 1; }

// One Engine.IO session of the echo path: every message goes back as it came.
class EchoSession final : engine::SessionSink {
 public:
  EchoSession(std::unique_ptr<engine::Session> session, std::ostream* log, std::function<void(EchoSession*)> gone)
      : session_(std::move(session)), log_(log), gone_(std::move(gone)) {}
  void start() {
    if (log_ != nullptr) *log_ << "engine.io " << session_->sid() << " open (" << session_->transport_name() << ")\n";
    session_->start(*this);
  }
  void stop() { end(Errc::none); }

 private:
  void on_message(MessageKind kind, ByteView data) noexcept override { (void)session_->send_message(kind, data); }
  void on_input_end() noexcept override { end(Errc::none); }
  void on_end(Errc why) noexcept override { end(why); }
  void end(Errc why) {
    if (ended_) return;
    ended_ = true;
    if (log_ != nullptr) *log_ << "engine.io " << session_->sid() << " closed: " << name(why) << "\n";
    session_->close(true, [this] { gone_(this); });
  }

  std::unique_ptr<engine::Session> session_;
  std::ostream* log_;
  std::function<void(EchoSession*)> gone_;
  bool ended_ = false;
};

// The namespaces of the /socket.io/ path; any other is refused.
const std::string kNamespaces[] = {"/", "/custom", "/private"};

// One Socket.IO connection of the /socket.io/ path, with the test suites' handlers.
class SocketIoApp {
 public:
  SocketIoApp(io::Loop& loop, std::unique_ptr<engine::Session> session, const ServeOptions& options, std::ostream* log,
              session::Rooms& rooms, std::function<void(SocketIoApp*)> gone)
      : sid_(session->sid()),
        rooms_(rooms),
        log_(log),
        gone_(std::move(gone)),
        socket_(loop, std::move(session), options.limits,
                session::ServerSocketOptions{sid_, {}, options.connect_timeout_ms, &rooms, kNamespaces}) {
    // One handler for all namespaces and one for every event, rather than listeners per
    // namespace and event name: a server with many idle connections keeps two functions per
    // connection, not ten.
    socket_.set_connect_handler([this](std::string_view nsp, std::string_view auth) {
      (void)socket_.emit(nsp, "auth", "[" + std::string(auth) + "]");
    });
    socket_.set_event_handler([this](std::string_view nsp, const ack::Event& e, io::Done done) {
      if (nsp == "/") on_event(e);
      done();
    });
    socket_.use("/private",
                [](std::string_view auth, std::function<void(std::optional<session::ConnectRefusal>)> next) {
                  if (auth_has_token(auth, "secret")) return next(std::nullopt);
                  next(session::ConnectRefusal{"not authorized", R"({"reason":"a token is needed"})"});
                });
    socket_.on_close([this](Errc why) {
      if (log_ != nullptr) *log_ << "socket.io " << sid_ << " closed: " << name(why) << "\n";
      gone_(this);
    });
    if (log_ != nullptr) *log_ << "socket.io " << sid_ << " open\n";
    socket_.start();
  }
  void stop() { socket_.disconnect(); }

 private:
  // The events of "/".
  void on_event(const ack::Event& e) {
    const std::string_view name = e.name;
    if (name == "message") {
      (void)socket_.emit("/", "message-back", e.args_json, e.attachments);
    } else if (name == "message-with-ack") {
      if (e.reply != nullptr) (*e.reply)(e.args_json, e.attachments);
    } else if (name == "ask") {
      // sioconf's additions, for acks from the server and its disconnect: "ask" makes the server
      // emit "question" (same arguments) with an ack, and emit "answer" with what the client
      // acknowledged; "bye" makes it disconnect the client.
      (void)socket_.emit(
          "/", "question", e.args_json, e.attachments,
          [this](Errc why, std::string_view args) {
            if (why == Errc::none) (void)socket_.emit("/", "answer", args);
          },
          10'000);
    } else if (name == "bye") {
      socket_.disconnect();
    } else if (name == "join") {  // rooms of "/": joined and left on request
      if (const auto room = room_and_rest(e.args_json); room && socket_.join("/", room->first) == Errc::none && e.reply)
        (*e.reply)("[]");
    } else if (name == "leave") {
      if (const auto room = room_and_rest(e.args_json)) socket_.leave("/", room->first);
      if (e.reply != nullptr) (*e.reply)("[]");
    } else if (name == "to-room") {  // a message to a room or to all reaches the others
      const auto room = room_and_rest(e.args_json);
      if (!room) return;
      const std::string to[] = {room->first}, except[] = {sid_};
      (void)rooms_.broadcast("/", to, except, "room-message", room->second, e.attachments);
    } else if (name == "to-all") {
      const std::string except[] = {sid_};
      (void)rooms_.broadcast("/", {}, except, "all-message", e.args_json, e.attachments);
    }
  }

  std::string sid_;
  session::Rooms& rooms_;
  std::ostream* log_;
  std::function<void(SocketIoApp*)> gone_;
  session::ServerSocket socket_;
};

}  // namespace

int run_serve(const ServeOptions& options, std::ostream& out, std::ostream& log) {
  io::UvLoop loop;
  std::ostream* session_log = options.log ? &log : nullptr;

  // /engine.io/: the echo. A session's app goes once its close completed (not from inside it).
  std::map<EchoSession*, std::unique_ptr<EchoSession>> echoes;
  auto forget = [&](EchoSession* echo) { loop.post([&, echo] { echoes.erase(echo); }); };
  engine::ServerOptions eio_options;
  eio_options.ping_interval_ms = options.ping_interval_ms;
  eio_options.ping_timeout_ms = options.ping_timeout_ms;
  engine::Server echo_server(loop, options.limits, eio_options,
                             [&](std::unique_ptr<engine::Session> session, const http::Request&) {
                               auto echo = std::make_unique<EchoSession>(std::move(session), session_log, forget);
                               EchoSession* raw = echo.get();
                               echoes.emplace(raw, std::move(echo));
                               raw->start();
                             });

  // /socket.io/: the Socket.IO contract. An app goes on the loop turn after its socket closed.
  session::Rooms rooms(options.limits);  // declared first: it outlives the sockets
  std::map<SocketIoApp*, std::unique_ptr<SocketIoApp>> sockets;
  auto forget_socket = [&](SocketIoApp* app) { loop.post([&, app] { sockets.erase(app); }); };
  engine::Server sio_server(
      loop, options.limits, eio_options, [&](std::unique_ptr<engine::Session> session, const http::Request&) {
        auto app = std::make_unique<SocketIoApp>(loop, std::move(session), options, session_log, rooms, forget_socket);
        SocketIoApp* raw = app.get();
        sockets.emplace(raw, std::move(app));
      });

  http::Server http_server(loop, options.limits, {}, [&](http::Exchange ex) {
    if (ex.request().path() == "/engine.io/") return echo_server.handle(std::move(ex));
    if (ex.request().path() == "/socket.io/") return sio_server.handle(std::move(ex));
    (void)ex.respond({404, {{"content-type", "text/plain"}}, "not found"});
  });

  Errc error = Errc::none;
  io::ListenerPtr listener = loop.listen(
      options.host, options.port,
      [&](Errc e, io::TransportPtr connection) {
        if (e == Errc::none && connection) http_server.add(std::move(connection));
      },
      error);
  if (!listener) {
    log << "sioconf serve: cannot listen on " << options.host << ":" << options.port << " (" << name(error) << ")\n";
    return 1;
  }
  out << "sioconf serve: listening on http://" << options.host << ":" << listener->port() << std::endl;

  // Ctrl-C (SIGINT) or SIGTERM: stop accepting, close every connection, let the loop run out.
  g_stop = 0;
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  // Every session is closed and let finish its close (a polling one waits for no GET once the
  // connections are gone), so that nothing is left half-closed; 3 s at most.
  std::uint64_t deadline = 0;
  std::function<void()> watch = [&] {
    if (!g_stop) return void(loop.start_timer(50, watch));
    if (deadline == 0) {
      deadline = loop.now() + 3'000;
      listener->close(nullptr);
      http_server.close({});
      for (auto& [raw, app] : sockets) raw->stop();
      for (auto& [raw, echo] : echoes) raw->stop();
    }
    if ((sockets.empty() && echoes.empty() && http_server.connections() == 0) || loop.now() >= deadline)
      return loop.stop();
    loop.start_timer(50, watch);
  };
  loop.start_timer(50, watch);
  loop.run();
  sockets.clear();
  echoes.clear();
  out << "sioconf serve: stopped" << std::endl;
  return 0;
}

}  // namespace sioconf::cli
