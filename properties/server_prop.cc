// The reference server under random schedules (the simulator's choices come from a generated list,
// so RapidCheck shrinks the schedule too): an engine::Server behind an http::Server, raw clients
// speaking HTTP long-polling and WebSocket to it.
//   Heartbeat   a silent client's session ends with engine_ping_timeout exactly pingInterval +
//               pingTimeout of virtual time after the handshake; a client that answers every
//               ping within pingTimeout is never closed (polling and WebSocket).
//   Upgrade     the application's messages and the client's, sent at generated times while the
//               client upgrades polling -> WebSocket at a generated time, each arrive once, in
//               order, in both directions.
//   Slow reader a client that stops reading is cut off at the server's bound (its session ends
//               with limit_stream_buffered_bytes; what it got is a prefix, in order) and the
//               others get every message, in order.
//   Leaks       Socket.IO sockets with rooms over both transports, through generated CONNECTs,
//               joins, DISCONNECTs, closes, resets and time: once the clients are gone and every
//               timeout passed, no session, room membership, timer or open transport is left.
// Twins (planted/README.md): heartbeat_late (session.cc), upgrade_drops_unsent (session.cc),
// limit_not_cut_off (session.cc), rooms_leave_all_keeps_one (rooms.cc).
#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "prop.h"
#include "sioconf/engine/server.h"
#include "sioconf/http/server.h"
#include "sioconf/io/sim.h"
#include "sioconf/session/rooms.h"
#include "sioconf/session/server_socket.h"
#include "sioconf/ws/frame_encoder.h"
#include "sioconf/ws/message_assembler.h"
#include "support/engine_requests.h"
#include "support/raw_client.h"

namespace sioconf::prop {
namespace {

using Choices = std::vector<std::size_t>;

rc::Gen<Choices> schedule() { return rc::gen::container<Choices>(rc::gen::inRange<std::size_t>(0, 1024)); }

// The simulator's decisions: the generated list, cycled over the whole run. (io::ListChoices gives
// zeros once its list is used up, that is one-byte reads and writes from there on: most of a case
// then went into moving single bytes, some 50 times the cost, with nothing the codec split
// properties do not already cover.) A value v picks n - 1 - v % n, so that the empty list, and
// values shrunk towards zero, mean whole reads and writes, no stall, the last ready lane.
class CycledChoices final : public io::Choices {
 public:
  explicit CycledChoices(std::vector<std::size_t> list) noexcept : list_(std::move(list)) {}
  std::size_t choose(std::size_t n) override {
    if (list_.empty()) return n - 1;
    return n - 1 - list_[at_++ % list_.size()] % n;
  }

 private:
  std::vector<std::size_t> list_;  // (Choices here would name the base class)
  std::size_t at_ = 0;
};

// ---- the world: a simulated loop, the servers, and raw clients ---------------------------------

// One Engine.IO session of the application: records what arrived and how it ended.
struct AppSession final : engine::SessionSink {
  std::unique_ptr<engine::Session> session;
  std::uint64_t started = 0, ended_at = 0;
  std::vector<std::string> messages;
  bool ended = false;
  Errc why = Errc::none;
  io::Loop* loop = nullptr;
  void on_message(MessageKind, ByteView data) noexcept override { messages.emplace_back(as_text(data)); }
  void on_input_end() noexcept override { on_end(Errc::none); }
  void on_end(Errc e) noexcept override {
    if (ended) return;
    ended = true;
    why = e;
    ended_at = loop->now();
    session->close(false, {});
  }
};

struct World {
  // No stalls: a stalled delivery waits 5 ms of virtual time, which the heartbeat's exact times
  // and the answering client's pong delays do not allow for.
  // The application: AppSession per session unless `custom_app` takes the sessions.
  World(const Choices& list, const Limits& limits, engine::ServerOptions options, std::size_t pipe_capacity = 65'536,
        std::function<void(std::unique_ptr<engine::Session>)> custom_app = {})
      : choices(list), loop(choices, sim_options(pipe_capacity)) {
    options.make_sid = [this] { return "s" + std::to_string(++sids); };
    eio = std::make_unique<engine::Server>(
        loop, limits, options, [this, custom_app](std::unique_ptr<engine::Session> s, const http::Request&) {
          if (custom_app) return custom_app(std::move(s));
          auto app = std::make_unique<AppSession>();
          app->loop = &loop;
          app->started = loop.now();
          app->session = std::move(s);
          AppSession& raw = *app;
          sessions.push_back(std::move(app));
          raw.session->start(raw);
        });
    http = std::make_unique<http::Server>(loop, limits, http::ServerOptions{},
                                          [this](http::Exchange ex) { eio->handle(std::move(ex)); });
  }
  static io::SimOptions sim_options(std::size_t pipe_capacity) {
    io::SimOptions o;
    o.stall_percent = 0;
    o.pipe_capacity = pipe_capacity;
    return o;
  }
  test::RawClient& connect() {
    auto [c, s] = loop.pipe();
    client_ends.push_back(c.get());
    http->add(std::move(s));
    clients.push_back(std::make_unique<test::RawClient>(loop, std::move(c)));
    clients.back()->read_all();
    return *clients.back();
  }
  // Breaks a client's connection: both ends read io_reset.
  void reset(const test::RawClient& c) {
    for (std::size_t i = 0; i < clients.size(); ++i)
      if (clients[i].get() == &c) loop.reset(*client_ends[i]);
  }
  // A millisecond of virtual time, everything due in it run.
  void tick() { loop.run_until(loop.now() + 1); }
  // Closes everything and checks that nothing is left behind.
  void finish() {
    for (auto& c : clients) c->stream.close();
    for (auto& s : sessions) s->session->close(false, {});
    loop.run_until(loop.now() + 60'000);
    bool closed = false;
    http->close([&] { closed = true; });
    loop.run();
    RC_ASSERT(closed);
    sessions.clear();
    clients.clear();
    http.reset();
    eio.reset();
    loop.run();
    RC_ASSERT(loop.pending_timers() == 0u);
    RC_ASSERT(loop.open_transports() == 0u);
  }

  CycledChoices choices;
  io::SimLoop loop;
  int sids = 0;
  std::unique_ptr<engine::Server> eio;
  std::unique_ptr<http::Server> http;
  std::vector<std::unique_ptr<AppSession>> sessions;
  std::vector<std::unique_ptr<test::RawClient>> clients;
  std::vector<io::Transport*> client_ends;  // clients[i]'s transport, owned by its stream
};

// The text messages of the server's WebSocket frames, taken off a client's bytes as they come
// (the 101 answer first).
struct WsReader final : ws::MessageSink {
  ws::MessageAssembler frames{ws::Role::client, Limits{}};
  bool opened = false;
  std::vector<std::string> got;
  void feed(test::RawClient& c) {
    if (!opened) {
      const std::size_t head = c.received.find("\r\n\r\n");
      if (head == std::string::npos) return;
      opened = true;
      c.received.erase(0, head + 4);
    }
    if (c.received.empty()) return;
    (void)frames.feed(as_bytes(c.received), *this);
    c.received.clear();
  }
  void on_message(ws::Opcode, ByteView m) noexcept override { got.emplace_back(as_text(m)); }
  void on_control(ws::Opcode, ByteView) noexcept override {}
  void on_close(std::optional<std::uint16_t>, std::string_view) noexcept override { got.emplace_back("close"); }
};

// The packets of a polling answer's body ("200 a\x1eb" -> {"a", "b"}).
std::vector<std::string> records(std::string_view answer) {
  std::vector<std::string> out;
  std::string_view body = answer.substr(4);
  for (std::size_t at; (at = body.find('\x1e')) != std::string_view::npos; body.remove_prefix(at + 1))
    out.emplace_back(body.substr(0, at));
  out.emplace_back(body);
  return out;
}

// ---- heartbeat -------------------------------------------------------------------------------

struct Heartbeat {
  std::uint64_t interval = 1, timeout = 1;
  bool websocket = false, answering = false;
  std::uint64_t delay = 0;  // how long an answering client takes to pong (< timeout)
};

void showValue(const Heartbeat& h, std::ostream& os) {
  os << "{interval " << h.interval << ", timeout " << h.timeout << (h.websocket ? ", websocket" : ", polling")
     << (h.answering ? ", pongs after " + std::to_string(h.delay) + " ms" : ", silent") << "}";
}

rc::Gen<Heartbeat> heartbeat() {
  // The client acts once per millisecond of virtual time, so an answer takes up to 2 ms more
  // than its delay: timeouts from 4 ms, delays under half the timeout less 2.
  return rc::gen::mapcat(rc::gen::inRange<std::uint64_t>(4, 51), [](std::uint64_t timeout) {
    return rc::gen::build<Heartbeat>(
        rc::gen::set(&Heartbeat::interval, rc::gen::inRange<std::uint64_t>(1, 51)),
        rc::gen::set(&Heartbeat::timeout, rc::gen::just(timeout)), rc::gen::set(&Heartbeat::websocket),
        rc::gen::set(&Heartbeat::answering),
        rc::gen::set(&Heartbeat::delay, rc::gen::inRange<std::uint64_t>(0, timeout / 2 - 1)));
  });
}

void check_heartbeat(const Heartbeat& h, const Choices& choices) {
  Case c(choices.size());
  engine::ServerOptions options;
  options.ping_interval_ms = h.interval;
  options.ping_timeout_ms = h.timeout;
  World w(choices, Limits{}, options);
  test::RawClient& first = w.connect();
  first.write(h.websocket ? test::eio_ws_open("EIO=4&transport=websocket") : test::eio_get("EIO=4&transport=polling"));
  while (w.sessions.empty() && w.loop.now() < 1'000) w.tick();
  RC_ASSERT(w.sessions.size() == 1u);
  AppSession& app = *w.sessions[0];
  const std::uint64_t horizon = app.started + 6 * (h.interval + h.timeout);
  // The answering client: a GET held all along (polling) or the frames (WebSocket); each ping
  // answered `delay` ms after it arrived.
  WsReader ws;
  test::RawClient* poll = h.websocket ? nullptr : &w.connect();
  test::RawClient* posts = h.websocket ? nullptr : &w.connect();
  bool get_out = false;
  std::vector<std::uint64_t> pong_due;
  std::size_t pings = 0;
  if (!h.answering) w.loop.run_until(horizon);  // nothing to do: the session ends on its own
  while (!app.ended && w.loop.now() < horizon) {
    w.tick();
    if (h.websocket) {
      ws.feed(first);
      for (; pings < ws.got.size(); ++pings)
        if (ws.got[pings] == "2") pong_due.push_back(w.loop.now() + h.delay);
    } else {
      if (!get_out) {
        poll->write(test::eio_get("EIO=4&transport=polling&sid=s1"));
        get_out = true;
      }
      for (std::string answer; !(answer = test::take_http_answer(poll->received)).empty(); get_out = false)
        for (const std::string& r : records(answer))
          if (r == "2") pong_due.push_back(w.loop.now() + h.delay);
      (void)test::take_http_answer(posts->received);
    }
    while (!pong_due.empty() && pong_due.front() <= w.loop.now()) {
      pong_due.erase(pong_due.begin());
      if (h.websocket) first.write(test::client_frame(ws::Opcode::text, "3"));
      else posts->write(test::eio_post("EIO=4&transport=polling&sid=s1", "3"));
    }
  }
  if (h.answering) {
    RC_ASSERT(!app.ended);
  } else {
    RC_ASSERT(app.ended);
    RC_ASSERT(app.why == Errc::engine_ping_timeout);
    RC_ASSERT(app.ended_at - app.started == h.interval + h.timeout);
  }
  w.finish();
}

void check_heartbeat() { check_heartbeat(*heartbeat(), *schedule()); }
RC_GTEST_PROP(Server, HeartbeatClosesASilentPeerExactlyAndAnAnsweringOneNever, ()) { check_heartbeat(); }

// ---- upgrade ---------------------------------------------------------------------------------

struct Upgrade {
  std::vector<std::uint64_t> server_at;  // when the application sends its message k (ms)
  std::vector<std::uint64_t> client_at;  // when the client sends its message k (ms)
  std::uint64_t upgrade_at = 0;          // when the client opens the WebSocket
};

void showValue(const Upgrade& u, std::ostream& os) {
  os << "{server at";
  for (auto t : u.server_at) os << ' ' << t;
  os << "; client at";
  for (auto t : u.client_at) os << ' ' << t;
  os << "; upgrade at " << u.upgrade_at << "}";
}

rc::Gen<Upgrade> upgrade_case() {
  // Up to 30 messages each way (two already show a reordering; more only cost time).
  const auto times =
      rc::gen::scale(0.3, rc::gen::container<std::vector<std::uint64_t>>(rc::gen::inRange<std::uint64_t>(0, 40)));
  return rc::gen::build<Upgrade>(rc::gen::set(&Upgrade::server_at, times), rc::gen::set(&Upgrade::client_at, times),
                                 rc::gen::set(&Upgrade::upgrade_at, rc::gen::inRange<std::uint64_t>(0, 40)));
}

// The client does what engine.io-client does: it polls (a GET always out) and POSTs one message
// at a time; at `upgrade_at` it opens a WebSocket with the sid and sends 2probe; on 3probe it
// stops polling, waits for its GET and POST to come back, sends 5, and from then on sends and
// reads on the WebSocket only.
void check_upgrade(const Upgrade& u, const Choices& choices) {
  Case c(choices.size() + u.server_at.size() + u.client_at.size());
  engine::ServerOptions options;
  options.ping_interval_ms = 600'000;  // no ping in the way
  options.ping_timeout_ms = 600'000;
  World w(choices, Limits{}, options);
  test::RawClient& poll = w.connect();
  poll.write(test::eio_get("EIO=4&transport=polling"));
  std::string open;
  while ((open = test::take_http_answer(poll.received)).empty() && w.loop.now() < 1'000) w.tick();
  RC_ASSERT(w.sessions.size() == 1u);
  AppSession& app = *w.sessions[0];
  const std::uint64_t t0 = w.loop.now();
  test::RawClient& posts = w.connect();
  test::RawClient* ws_conn = nullptr;
  WsReader ws;
  std::vector<std::string> got;  // the application's messages, as the client received them
  std::size_t server_sent = 0, client_sent = 0, ws_seen = 0;
  bool get_out = false, post_out = false, probing = false, paused = false, switched = false;
  std::vector<std::uint64_t> server_at = u.server_at, client_at = u.client_at;
  std::sort(server_at.begin(), server_at.end());
  std::sort(client_at.begin(), client_at.end());
  const auto done = [&] {
    return switched && got.size() == server_at.size() && app.messages.size() == client_at.size();
  };
  while (!done() && w.loop.now() < t0 + 2'000) {
    w.tick();
    const std::uint64_t now = w.loop.now() - t0;
    while (server_sent < server_at.size() && server_at[server_sent] <= now)
      RC_ASSERT(app.session->send_message(MessageKind::text, as_bytes("s" + std::to_string(server_sent++))) ==
                Errc::none);
    // Polling, until the switch.
    for (std::string answer; !(answer = test::take_http_answer(poll.received)).empty(); get_out = false)
      for (const std::string& r : records(answer))
        if (r[0] == '4') got.push_back(r.substr(1));
    if (!test::take_http_answer(posts.received).empty()) post_out = false;
    if (!paused && !get_out) {
      poll.write(test::eio_get("EIO=4&transport=polling&sid=s1"));
      get_out = true;
    }
    const bool client_due = client_sent < client_at.size() && client_at[client_sent] <= now;
    if (client_due && !switched && !paused && !post_out) {
      posts.write(test::eio_post("EIO=4&transport=polling&sid=s1", "4c" + std::to_string(client_sent++)));
      post_out = true;
    }
    // The upgrade.
    if (ws_conn == nullptr && now >= u.upgrade_at) {
      ws_conn = &w.connect();
      ws_conn->write(test::eio_ws_open("EIO=4&transport=websocket&sid=s1"));
    }
    if (ws_conn != nullptr) {
      ws.feed(*ws_conn);
      for (; ws_seen < ws.got.size(); ++ws_seen) {
        const std::string& m = ws.got[ws_seen];
        if (m == "3probe") paused = true;
        else if (m[0] == '4') got.push_back(m.substr(1));
      }
      if (ws.opened && !probing) {
        ws_conn->write(test::client_frame(ws::Opcode::text, "2probe"));
        probing = true;
      }
      if (paused && !switched && !get_out && !post_out) {
        ws_conn->write(test::client_frame(ws::Opcode::text, "5"));
        switched = true;
      }
      while (switched && client_sent < client_at.size() && client_at[client_sent] <= now)
        ws_conn->write(test::client_frame(ws::Opcode::text, "4c" + std::to_string(client_sent++)));
    }
  }
  RC_ASSERT(switched);
  std::vector<std::string> want_got, want_app;
  for (std::size_t k = 0; k < server_at.size(); ++k) want_got.push_back("s" + std::to_string(k));
  for (std::size_t k = 0; k < client_at.size(); ++k) want_app.push_back("c" + std::to_string(k));
  RC_ASSERT(got == want_got);
  RC_ASSERT(app.messages == want_app);
  RC_ASSERT(!app.ended);
  w.finish();
}

void check_upgrade() { check_upgrade(*upgrade_case(), *schedule()); }
RC_GTEST_PROP(Server, AnUpgradeLosesDuplicatesAndReordersNothingEitherWay, ()) { check_upgrade(); }

// ---- a client that stops reading ----------------------------------------------------------------

struct SlowReader {
  std::size_t clients = 2;          // WebSocket clients; client 0 stops reading
  std::uint64_t stop_at = 0;        // when it stops (ms after all connected)
  std::uint64_t resume_after = 30;  // and reads again this much later
  std::size_t messages = 80;        // the application sends each client one message per ms
  std::size_t message_bytes = 100;  // of this size
  std::uint64_t bound = 1'024;      // Limits::stream_max_buffered_bytes
};

void showValue(const SlowReader& r, std::ostream& os) {
  os << "{" << r.clients << " clients, 0 stops at " << r.stop_at << " ms for " << r.resume_after << " ms, "
     << r.messages << " messages of " << r.message_bytes << " B, bound " << r.bound << " B}";
}

rc::Gen<SlowReader> slow_reader() {
  return rc::gen::build<SlowReader>(rc::gen::set(&SlowReader::clients, rc::gen::inRange<std::size_t>(2, 4)),
                                    rc::gen::set(&SlowReader::stop_at, rc::gen::inRange<std::uint64_t>(0, 20)),
                                    rc::gen::set(&SlowReader::resume_after, rc::gen::inRange<std::uint64_t>(1, 40)),
                                    rc::gen::set(&SlowReader::messages, rc::gen::inRange<std::size_t>(10, 81)),
                                    rc::gen::set(&SlowReader::message_bytes, rc::gen::inRange<std::size_t>(1, 400)),
                                    rc::gen::set(&SlowReader::bound, rc::gen::inRange<std::uint64_t>(512, 8'193)));
}

// The application sends every client one numbered message per millisecond (10-80 of them). Client 0
// stops reading for a while. Every client that reads gets all its messages, in order; client 0
// gets a prefix of its own, in order, and if it did not get them all, its session was cut off
// with limit_stream_buffered_bytes (the server never held more for it than the bound: the stream
// refuses the write that would pass it, and that refusal ends the session instead of losing the
// message).
void check_slow_reader(const SlowReader& r, const Choices& choices) {
  Case c(choices.size());
  engine::ServerOptions options;
  options.ping_interval_ms = 600'000;
  options.ping_timeout_ms = 600'000;
  Limits limits;
  limits.stream_max_buffered_bytes = r.bound;
  World w(choices, limits, options, 512);
  std::vector<test::RawClient*> conns;
  std::vector<WsReader> readers(r.clients);
  for (std::size_t i = 0; i < r.clients; ++i) {
    conns.push_back(&w.connect());
    conns.back()->write(test::eio_ws_open("EIO=4&transport=websocket"));
  }
  // Each client's session, found by the sid of its open packet (the server may take the
  // handshakes in any order).
  std::vector<AppSession*> session_of(r.clients, nullptr);
  const auto opened = [&] {
    for (std::size_t i = 0; i < r.clients; ++i) {
      readers[i].feed(*conns[i]);
      if (session_of[i] != nullptr || readers[i].got.empty()) continue;
      for (auto& app : w.sessions)
        if (readers[i].got[0].find("\"sid\":\"" + app->session->sid() + "\"") != std::string::npos)
          session_of[i] = app.get();
    }
    return std::count(session_of.begin(), session_of.end(), nullptr) == 0;
  };
  while (!opened() && w.loop.now() < 1'000) w.tick();
  RC_ASSERT(opened());
  const std::uint64_t t0 = w.loop.now();
  const auto message = [&](std::size_t k) {
    std::string m = "m" + std::to_string(k) + ":";
    m.resize(std::max(m.size(), r.message_bytes), 'x');
    return m;
  };
  std::size_t sent = 0;
  while (w.loop.now() < t0 + r.messages + 200) {
    const std::uint64_t now = w.loop.now() - t0;
    if (now == r.stop_at) conns[0]->deaf = true;
    if (now == r.stop_at + r.resume_after) {
      conns[0]->deaf = false;
      conns[0]->read_all();
    }
    for (; sent < r.messages && sent <= now; ++sent)
      for (auto& app : w.sessions)
        if (!app->ended) (void)app->session->send_message(MessageKind::text, as_bytes(message(sent)));
    w.tick();
    for (std::size_t i = 0; i < r.clients; ++i) readers[i].feed(*conns[i]);
  }
  for (std::size_t i = 0; i < r.clients; ++i) {
    std::vector<std::string> got;  // the messages, the open packet left out
    for (const std::string& m : readers[i].got)
      if (m[0] == '4') got.push_back(m.substr(1));
    RC_ASSERT(got.size() <= r.messages);
    for (std::size_t k = 0; k < got.size(); ++k) RC_ASSERT(got[k] == message(k));
    const AppSession& app = *session_of[i];
    if (i > 0 || got.size() < r.messages) {
      if (i > 0) RC_ASSERT(got.size() == r.messages);  // the others are never held up
      if (i > 0) RC_ASSERT(!app.ended);
      if (i == 0 && got.size() < r.messages) {
        RC_ASSERT(app.ended);
        RC_ASSERT(app.why == Errc::limit_stream_buffered_bytes);
      }
    }
    RC_TAG(i == 0 && app.ended ? "cut off" : "not cut off");
  }
  w.finish();
}

void check_slow_reader() { check_slow_reader(*slow_reader(), *schedule()); }
RC_GTEST_PROP(Server, AClientThatStopsReadingIsCutOffAtTheBoundAndNeverHoldsUpOthers, ()) { check_slow_reader(); }

// ---- leaks: sockets, rooms and timers end with their connections ---------------------------------

struct Step {
  int kind = 0;    // see kStepNames
  int client = 0;  // which of 3 clients
  int arg = 0;
};
const char* const kStepNames[] = {"open polling", "open websocket", "CONNECT", "join",
                                  "DISCONNECT",   "close",          "reset",   "wait"};

void showValue(const Step& st, std::ostream& os) {
  os << "{" << kStepNames[st.kind] << " client " << st.client << " arg " << st.arg << "}";
}

rc::Gen<std::vector<Step>> steps() {
  return rc::gen::container<std::vector<Step>>(rc::gen::build<Step>(rc::gen::set(&Step::kind, rc::gen::inRange(0, 8)),
                                                                    rc::gen::set(&Step::client, rc::gen::inRange(0, 3)),
                                                                    rc::gen::set(&Step::arg, rc::gen::inRange(0, 4))));
}

// Clients over both transports CONNECT to "/" or "/admin", join rooms (an event the application
// answers with join()), DISCONNECT, go away (close, or a reset connection), and let time pass;
// the heartbeat ends the sessions of those that went away or never answered. Once every client is
// gone and a minute passed: no session, no room membership, and (World::finish) no timer or open
// transport.
void check_leaks(const std::vector<Step>& script, const Choices& choices) {
  Case c(script.size() + choices.size());
  session::Rooms rooms;
  std::map<session::ServerSocket*, std::unique_ptr<session::ServerSocket>> sockets;
  engine::ServerOptions options;
  options.ping_interval_ms = 300;
  options.ping_timeout_ms = 200;
  std::unique_ptr<World> world;
  world = std::make_unique<World>(choices, Limits{}, options, 65'536, [&](std::unique_ptr<engine::Session> s) {
    session::ServerSocketOptions o;
    o.sid = s->sid();
    o.rooms = &rooms;
    o.connect_timeout_ms = 1'000;
    auto socket = std::make_unique<session::ServerSocket>(world->loop, std::move(s), Limits{}, o);
    session::ServerSocket* raw = socket.get();
    raw->of("/");
    raw->of("/admin");
    raw->set_event_handler([raw](std::string_view nsp, const ack::Event& e, io::Done done) {
      if (e.name == "join") (void)raw->join(nsp, e.args_json);
      done();
    });
    raw->on_close([&, raw](Errc) { world->loop.post([&, raw] { sockets.erase(raw); }); });
    sockets.emplace(raw, std::move(socket));
    raw->start();
  });
  World& w = *world;
  struct Client {
    test::RawClient* conn = nullptr;
    bool websocket = false;
    std::string sid;
  };
  std::array<Client, 3> clients;
  std::size_t most = 0;  // the most room memberships at once (each namespace joined counts its sid room)
  const auto send = [&](Client& cl, const std::string& packet) {
    if (cl.conn == nullptr || cl.sid.empty()) return;
    if (cl.websocket) cl.conn->write(test::client_frame(ws::Opcode::text, packet));
    else cl.conn->write(test::eio_post("EIO=4&transport=polling&sid=" + cl.sid, packet));
  };
  for (const Step& st : script) {
    Client& cl = clients[static_cast<std::size_t>(st.client)];
    const std::string nsp = st.arg % 2 == 0 ? "" : "/admin,";
    switch (st.kind) {
      case 0:
      case 1:
        if (cl.conn != nullptr) break;
        cl.conn = &w.connect();
        cl.websocket = st.kind == 1;
        cl.conn->write(cl.websocket ? test::eio_ws_open("EIO=4&transport=websocket")
                                    : test::eio_get("EIO=4&transport=polling"));
        for (int i = 0; i < 50 && cl.sid.empty(); ++i) {
          w.tick();
          const std::size_t at = cl.conn->received.find("\"sid\":\"");
          const std::size_t end = at == std::string::npos ? at : cl.conn->received.find('"', at + 7);
          if (end != std::string::npos) cl.sid = cl.conn->received.substr(at + 7, end - at - 7);
        }
        if (!cl.websocket) cl.conn->received.clear();
        break;
      case 2: send(cl, "40" + nsp); break;
      case 3: send(cl, "42" + nsp + "[\"join\",\"r" + std::to_string(st.arg) + "\"]"); break;
      case 4: send(cl, "41" + nsp); break;
      case 5:
        if (cl.conn != nullptr) cl.conn->stream.close();
        cl = Client{};
        break;
      case 6:
        if (cl.conn != nullptr) w.reset(*cl.conn);
        cl = Client{};
        break;
      default: w.loop.run_until(w.loop.now() + static_cast<std::uint64_t>(st.arg) * 100); break;
    }
    w.tick();
    most = std::max(most, rooms.memberships());
  }
  RC_TAG(most == 0 ? "no membership" : most < 4 ? "1-3 memberships at once" : "4 or more memberships at once");
  for (auto& cl : clients)
    if (cl.conn != nullptr) cl.conn->stream.close();
  for (int i = 0; i < 60'000 && !(sockets.empty() && w.eio->sessions() == 0); i += 10)
    w.loop.run_until(w.loop.now() + 10);
  RC_ASSERT(sockets.empty());
  RC_ASSERT(w.eio->sessions() == 0u);
  RC_ASSERT(rooms.memberships() == 0u);
  w.finish();
}

void check_leaks() { check_leaks(*steps(), *schedule()); }
RC_GTEST_PROP(Server, NoSessionRoomMembershipOrTimerOutlivesItsConnection, ()) { check_leaks(); }

// ---- the planted twins (planted/README.md) ----------------------------------------------------

// The pong timer a millisecond late: any silent case (the empty schedule, size 0).
PLANTED_TWIN(heartbeat_late) {
  prop::expect_counterexample([] { check_heartbeat(); }, 2);
}

// What polling held at the switch is dropped: a message the application sends during the probe.
PLANTED_TWIN(upgrade_drops_unsent) {
  prop::expect_counterexample([] { check_upgrade(); }, 6);
}

// A send refused at the bound is dropped and the session goes on: the deaf client, reading again,
// finds a message missing.
PLANTED_TWIN(limit_not_cut_off) {
  prop::expect_counterexample([] { check_slow_reader(); }, 4);
}

// Leaving a namespace leaves all its rooms but one: CONNECT, join, close (a membership left).
PLANTED_TWIN(rooms_leave_all_keeps_one) {
  prop::expect_counterexample([] { check_leaks(); }, 5);
}

}  // namespace
}  // namespace sioconf::prop
