// Listener and ack leaks of a session, model-based (rc::state): after ANY sequence of operations
// on a Socket.IO server socket and its emitters, and after the socket closed and the clock passed
// every deadline, nothing is left over and nothing ran twice or late:
//   - each namespace's listener counts are what the model says (once listeners gone after they ran,
//     off honoured);
//   - no pending ack (ServerSocket::pending_acks), no pending timer, no open transport, no byte in
//     transit;
//   - every ack callback ran exactly once, with the outcome the model predicts (the ACK's arguments,
//     ack_timeout or ack_disconnected);
//   - nothing ran after on_close, and on_close ran once.
// The operations: on/once/off on "/" and "/admin", client CONNECT (also to an unknown namespace),
// DISCONNECT, EVENTs with and without an ack id, ACKs (right, unknown and repeated ids), server emits
// with and without an ack and with generated timeouts, virtual time passing some deadlines, and the
// ways a connection ends (server disconnect, client shutdown, close, reset, a bad packet). Every
// command settles the simulator before the next one, so the model decides every outcome; the
// exact order of listener calls, ack callbacks and the lines the client reads is checked too.
// ack_emitter_prop.cc and ack_table_prop.cc pin down what the session leaves out.
// Twins (planted/README.md): once_kept (emitter.cc), acks_kept_on_disconnect (ack_table.cc),
// session_acks_kept (server_socket.cc).
#include <rapidcheck/state.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ack_session_client.h"
#include "prop.h"
#include "sioconf/ack/emitter.h"
#include "sioconf/io/sim.h"
#include "sioconf/io/stream.h"
#include "sioconf/session/server_socket.h"

namespace sioconf::prop {
namespace {

// =============================================================================================
// 1. The session: session::ServerSocket over a SimLoop pipe, driven by rc::state commands.
// =============================================================================================

constexpr int kRegistered = 2;  // "/" and "/admin" have emitters; "/nope" is unknown to the server
const std::array<std::string, 3> kNamespaces = {"/", "/admin", "/nope"};
const std::array<std::string, 4> kListenerNames = {"chat", "news", "connect", "disconnect"};
constexpr int kClientEventNames = 2;  // the client emits "chat" and "news"

// The prefix of a namespace in a packet: none for "/", "/admin," otherwise.
std::string nsp_prefix(int ns) { return ns == 0 ? "" : kNamespaces[static_cast<std::size_t>(ns)] + ","; }

struct ListenerModel {
  int ns = 0, name = 0;
  bool once = false, live = true;
};

struct AckModel {
  int ns = 0;
  std::uint64_t wire_id = 0;
  std::optional<std::uint64_t> deadline;
  bool pending = true;
};

struct SessionModel {
  std::vector<ListenerModel> listeners;  // by listener key (the order they were added)
  std::vector<AckModel> acks;            // by ack key (the order the emits were accepted)
  std::array<bool, kRegistered> connected{};
  std::array<std::uint64_t, kRegistered> next_ack_id{};
  std::uint64_t now = 0;
  std::uint64_t serial = 0;    // numbers for arguments and client ack ids, one per command that needs one
  bool ended = false;          // the server socket ended: nothing of it runs any more
  bool client_writing = true;  // the client may still send (not shut down, closed or reset)
  bool client_open = true;     // the client's stream is not closed
  bool client_broken = false;  // the client reset the connection

  std::size_t live_listeners(int ns, int name) const {
    return static_cast<std::size_t>(std::count_if(listeners.begin(), listeners.end(), [&](const ListenerModel& l) {
      return l.live && l.ns == ns && l.name == name;
    }));
  }
  std::size_t pending_acks() const {
    return static_cast<std::size_t>(
        std::count_if(acks.begin(), acks.end(), [](const AckModel& a) { return a.pending; }));
  }
};

// A namespace among the first `count`, mostly one the client has joined (they are listed first, so
// that shrinking moves towards them too): emits to a namespace not joined are refused or dropped,
// which is worth testing but not most of the time.
int pick_namespace(const SessionModel& m, int count) {
  std::vector<int> candidates;
  for (int ns = 0; ns < kRegistered; ++ns)
    if (m.connected[static_cast<std::size_t>(ns)]) candidates.insert(candidates.end(), 3, ns);
  for (int ns = 0; ns < count; ++ns) candidates.push_back(ns);
  return *rc::gen::elementOf(candidates);
}

// What a command must make happen: the entries of the SUT's log (listener calls, ack callbacks,
// on_close, disconnect's done) and the lines the client reads, both in order.
struct Expect {
  Lines log, lines;
};

std::string listener_entry(std::size_t key, std::string_view name, std::string_view args, bool reply) {
  return "L" + std::to_string(key) + " " + std::string(name) + " " + std::string(args) + (reply ? " reply" : "");
}

// The listeners of (ns, name) run in the order they were added; once listeners go as they run.
// Returns the key of the first one called (it is the one whose reply is sent), if any.
std::optional<std::size_t> fire(SessionModel& m, Expect& out, int ns, int name, std::string_view args, bool reply) {
  std::optional<std::size_t> first;
  for (std::size_t k = 0; k < m.listeners.size(); ++k) {
    ListenerModel& l = m.listeners[k];
    if (!l.live || l.ns != ns || l.name != name) continue;
    if (l.once) l.live = false;
    out.log.push_back(listener_entry(k, kListenerNames[static_cast<std::size_t>(name)], args, reply));
    if (!first) first = k;
  }
  return first;
}

// A namespace is left: its pending acks settle with ack_disconnected (id order), then its
// "disconnect" listeners hear why.
void leave(SessionModel& m, Expect& out, int ns, std::string_view reason) {
  m.connected[static_cast<std::size_t>(ns)] = false;
  for (std::size_t k = 0; k < m.acks.size(); ++k) {
    if (m.acks[k].ns != ns || !m.acks[k].pending) continue;
    m.acks[k].pending = false;
    out.log.push_back(ack_entry(k, Errc::ack_disconnected, {}));
  }
  (void)fire(m, out, ns, 3, reason, false);
}

void end_session(SessionModel& m, Expect& out, Errc why) {
  m.ended = true;
  for (int ns = 0; ns < kRegistered; ++ns)
    if (m.connected[static_cast<std::size_t>(ns)])
      leave(m, out, ns, why == Errc::none ? R"(["transport close"])" : R"(["transport error"])");
  out.log.push_back("close " + std::string(name(why)));
}

void server_disconnect(SessionModel& m, Expect& out) {
  if (!m.ended) {
    for (int ns = 0; ns < kRegistered; ++ns) {
      if (!m.connected[static_cast<std::size_t>(ns)]) continue;
      out.lines.push_back("41" + nsp_prefix(ns));
      leave(m, out, ns, R"(["server namespace disconnect"])");
    }
    end_session(m, out, Errc::none);
  }
  out.log.push_back("done");  // disconnect's own callback, after on_close
}

struct SessionSut {
  explicit SessionSut(std::vector<std::size_t> choice_values)
      : choices(std::move(choice_values)), loop(choices, options()) {
    auto [client_transport, server_transport] = loop.pipe();
    client_end = client_transport.get();  // for reset(); owned by the client's stream
    client = std::make_unique<Client>(loop, std::move(client_transport));
    socket = std::make_unique<session::ServerSocket>(loop, std::move(server_transport));
    for (int ns = 0; ns < kRegistered; ++ns) socket->of(kNamespaces[static_cast<std::size_t>(ns)]);
    socket->on_close([this](Errc why) {
      ++closes;
      log.push_back("close " + std::string(name(why)));
    });
    socket->start();
    client->read_all();
  }

  // A case that failed part-way leaves tasks queued, and they own the socket's state and with it a
  // transport, which must go before the loop: let them run out first.
  ~SessionSut() {
    socket.reset();
    client.reset();
    loop.run();
  }
  SessionSut(const SessionSut&) = delete;
  SessionSut& operator=(const SessionSut&) = delete;

  static io::SimOptions options() {
    io::SimOptions o;
    o.max_chunk = 24;     // lines arrive in pieces, and several lines in one piece
    o.stall_percent = 0;  // a stall would move virtual time under the model's feet
    return o;
  }

  // Runs what is ready, without letting time pass.
  void settle() { loop.run_until(loop.now()); }

  ack::Emitter& emitter(int ns) { return socket->of(kNamespaces[static_cast<std::size_t>(ns)]); }

  ack::Listener listener(std::size_t key) {
    return [this, key](const ack::Event& e) {
      late += closes;
      log.push_back(listener_entry(key, e.name, e.args_json, e.reply != nullptr));
      if (e.reply != nullptr) (*e.reply)("[" + std::to_string(key) + "]");  // only the first one is sent
    };
  }
  ack::AckCallback ack_callback(std::size_t key) {
    return [this, key](Errc e, std::string_view args) {
      late += closes;
      if (ack_calls.size() <= key) ack_calls.resize(key + 1);
      ++ack_calls[key];
      log.push_back(ack_entry(key, e, args));
    };
  }

  ListThenLast choices;
  io::SimLoop loop;
  io::Transport* client_end = nullptr;
  // After the loop: destroyed first.
  std::unique_ptr<Client> client;
  std::unique_ptr<session::ServerSocket> socket;
  std::vector<ack::ListenerId> listener_ids;  // by listener key
  std::vector<int> ack_calls;                 // by ack key
  Lines log;
  int closes = 0;
  int late = 0;  // listener or ack calls after on_close
};

// A command changes the model in step() (which also says what must happen) and the SUT in act();
// run() checks that what happened is what step() said, and the counts after it.
struct SessionCommand : rc::state::Command<SessionModel, SessionSut> {
  void apply(SessionModel& m) const override {
    Expect ignored;
    step(m, ignored);
  }
  void run(const SessionModel& s0, SessionSut& sut) const override {
    SessionModel m = s0;
    Expect want;
    step(m, want);
    const std::size_t log_before = sut.log.size(), lines_before = sut.client->lines.size();
    act(s0, sut);
    sut.settle();
    RC_ASSERT(tail(sut.log, log_before) == want.log);
    RC_ASSERT(tail(sut.client->lines, lines_before) == want.lines);
    RC_ASSERT(sut.late == 0);
    for (int ns = 0; ns < kRegistered; ++ns)
      for (int name = 0; name < static_cast<int>(kListenerNames.size()); ++name)
        RC_ASSERT(sut.emitter(ns).listener_count(kListenerNames[static_cast<std::size_t>(name)]) ==
                  m.live_listeners(ns, name));
    RC_ASSERT(sut.socket->pending_acks() == m.pending_acks());
  }
  virtual void step(SessionModel& m, Expect& out) const = 0;
  virtual void act(const SessionModel& s0, SessionSut& sut) const = 0;
};

struct AddListener final : SessionCommand {
  int ns, name;
  bool once;
  explicit AddListener(const SessionModel&)
      : ns(*rc::gen::inRange(0, kRegistered)),
        name(*rc::gen::inRange(0, static_cast<int>(kListenerNames.size()))),
        once(*rc::gen::arbitrary<bool>()) {}
  void step(SessionModel& m, Expect&) const override { m.listeners.push_back({ns, name, once, true}); }
  void act(const SessionModel& s0, SessionSut& sut) const override {
    ack::Emitter& e = sut.emitter(ns);
    const std::string& n = kListenerNames[static_cast<std::size_t>(name)];
    auto listener = sut.listener(s0.listeners.size());
    sut.listener_ids.push_back(once ? e.once(n, std::move(listener)) : e.on(n, std::move(listener)));
  }
  void show(std::ostream& os) const override {
    os << (once ? "once(" : "on(") << kNamespaces[static_cast<std::size_t>(ns)] << ' '
       << kListenerNames[static_cast<std::size_t>(name)] << ')';
  }
};

// off() of a listener by key; a key past the listeners added is an id never issued.
struct RemoveListener final : SessionCommand {
  std::size_t key;
  explicit RemoveListener(const SessionModel& m) : key(*rc::gen::inRange<std::size_t>(0, m.listeners.size() + 1)) {}
  void step(SessionModel& m, Expect&) const override {
    if (key < m.listeners.size()) m.listeners[key].live = false;
  }
  void act(const SessionModel& s0, SessionSut& sut) const override {
    const bool known = key < s0.listeners.size();
    const bool want = known && s0.listeners[key].live;
    const ack::ListenerId id = known ? sut.listener_ids[key] : 1'000'000;
    RC_ASSERT(sut.emitter(known ? s0.listeners[key].ns : 0).off(id) == want);
  }
  void show(std::ostream& os) const override { os << "off(L" << key << ')'; }
};

// The client's commands need a connection it can still write to.
struct ClientCommand : SessionCommand {
  void checkPreconditions(const SessionModel& m) const override { RC_PRE(m.client_writing); }
};

struct ClientConnect final : ClientCommand {
  int ns;
  explicit ClientConnect(const SessionModel& m) : ns(*rc::gen::inRange(0, 3)) { checkPreconditions(m); }
  void step(SessionModel& m, Expect& out) const override {
    if (m.ended) return;
    if (ns >= kRegistered) {
      out.lines.push_back("44" + nsp_prefix(ns) + R"({"message":"Invalid namespace"})");
      return;
    }
    if (m.connected[static_cast<std::size_t>(ns)]) return;  // already there: no answer
    m.connected[static_cast<std::size_t>(ns)] = true;
    out.lines.push_back("40" + nsp_prefix(ns) + R"({"sid":"sioconf"})");
    (void)fire(m, out, ns, 2, "[{}]", false);  // the listeners get the auth object, {} without one
  }
  void act(const SessionModel&, SessionSut& sut) const override { sut.client->send("40" + nsp_prefix(ns)); }
  void show(std::ostream& os) const override { os << "client CONNECT " << kNamespaces[static_cast<std::size_t>(ns)]; }
};

struct ClientDisconnect final : ClientCommand {
  int ns;
  explicit ClientDisconnect(const SessionModel& m) : ns(pick_namespace(m, 3)) { checkPreconditions(m); }
  void step(SessionModel& m, Expect& out) const override {
    if (m.ended || ns >= kRegistered || !m.connected[static_cast<std::size_t>(ns)]) return;
    leave(m, out, ns, R"(["client namespace disconnect"])");
  }
  void act(const SessionModel&, SessionSut& sut) const override { sut.client->send("41" + nsp_prefix(ns)); }
  void show(std::ostream& os) const override {
    os << "client DISCONNECT " << kNamespaces[static_cast<std::size_t>(ns)];
  }
};

// An EVENT `["chat",n]` or `["news",n]`, with ack id n or without; events for a namespace not
// joined are dropped.
struct ClientEmit final : ClientCommand {
  int ns, name;
  bool with_ack;
  explicit ClientEmit(const SessionModel& m)
      : ns(pick_namespace(m, 3)), name(*rc::gen::inRange(0, kClientEventNames)), with_ack(*rc::gen::arbitrary<bool>()) {
    checkPreconditions(m);
  }
  void step(SessionModel& m, Expect& out) const override {
    const std::uint64_t n = m.serial++;
    if (m.ended || ns >= kRegistered || !m.connected[static_cast<std::size_t>(ns)]) return;
    const auto first = fire(m, out, ns, name, "[" + std::to_string(n) + "]", with_ack);
    if (with_ack && first)
      out.lines.push_back("43" + nsp_prefix(ns) + std::to_string(n) + "[" + std::to_string(*first) + "]");
  }
  void act(const SessionModel& s0, SessionSut& sut) const override {
    const std::string n = std::to_string(s0.serial);
    sut.client->send("42" + nsp_prefix(ns) + (with_ack ? n : "") + "[\"" +
                     kListenerNames[static_cast<std::size_t>(name)] + "\"," + n + "]");
  }
  void show(std::ostream& os) const override {
    os << "client EVENT " << kNamespaces[static_cast<std::size_t>(ns)] << ' '
       << kListenerNames[static_cast<std::size_t>(name)] << (with_ack ? " with ack id" : "");
  }
};

// An ACK `["c",n]` for an id the server issued on that namespace (pending: the right one; settled:
// a repeat) or for the next id, not issued yet (unknown).
struct ClientAck final : ClientCommand {
  int ns;
  std::uint64_t wire_id;
  explicit ClientAck(const SessionModel& m) : ns(pick_namespace(m, kRegistered)) {
    checkPreconditions(m);
    std::vector<std::uint64_t> ids{m.next_ack_id[static_cast<std::size_t>(ns)]};
    for (const AckModel& a : m.acks)
      if (a.ns == ns) ids.push_back(a.wire_id);
    std::sort(ids.begin(), ids.end());  // elementOf shrinks towards the first: the oldest id
    wire_id = *rc::gen::elementOf(ids);
  }
  void step(SessionModel& m, Expect& out) const override {
    const std::uint64_t n = m.serial++;
    if (m.ended) return;
    for (std::size_t k = 0; k < m.acks.size(); ++k) {
      AckModel& a = m.acks[k];
      if (a.ns != ns || a.wire_id != wire_id || !a.pending) continue;
      a.pending = false;
      out.log.push_back(ack_entry(k, Errc::none, "[\"c\"," + std::to_string(n) + "]"));
    }
  }
  void act(const SessionModel& s0, SessionSut& sut) const override {
    sut.client->send("43" + nsp_prefix(ns) + std::to_string(wire_id) + "[\"c\"," + std::to_string(s0.serial) + "]");
  }
  void show(std::ostream& os) const override {
    os << "client ACK " << kNamespaces[static_cast<std::size_t>(ns)] << " id " << wire_id;
  }
};

struct ClientPing final : ClientCommand {
  explicit ClientPing(const SessionModel& m) { checkPreconditions(m); }
  void step(SessionModel& m, Expect& out) const override {
    if (!m.ended) out.lines.push_back("3");
  }
  void act(const SessionModel&, SessionSut& sut) const override { sut.client->send("2"); }
  void show(std::ostream& os) const override { os << "client ping"; }
};

// socket.emit(ns, "srv", [n]) with an ack and a timeout (0: none) or without.
struct ServerEmit final : SessionCommand {
  int ns;
  bool with_ack;
  std::uint64_t timeout_ms;
  explicit ServerEmit(const SessionModel& m)
      : ns(pick_namespace(m, kRegistered)),
        with_ack(*rc::gen::inRange(0, 4) != 0),  // mostly: acks are what this property is about
        timeout_ms(with_ack ? *rc::gen::elementOf(kAckTimeouts) : 0) {}
  Errc outcome(const SessionModel& m) const {
    if (m.ended) return Errc::io_closed;
    if (!m.connected[static_cast<std::size_t>(ns)]) return Errc::sio_bad_namespace;
    return Errc::none;
  }
  void step(SessionModel& m, Expect& out) const override {
    const std::uint64_t n = m.serial++;
    if (outcome(m) != Errc::none) return;
    std::string id;
    if (with_ack) {
      const std::uint64_t wire_id = m.next_ack_id[static_cast<std::size_t>(ns)]++;
      id = std::to_string(wire_id);
      m.acks.push_back({ns, wire_id, timeout_ms == 0 ? std::nullopt : std::optional(m.now + timeout_ms), true});
    }
    out.lines.push_back("42" + nsp_prefix(ns) + id + "[\"srv\"," + std::to_string(n) + "]");
  }
  void act(const SessionModel& s0, SessionSut& sut) const override {
    const std::string args = "[" + std::to_string(s0.serial) + "]";
    const Errc e = with_ack ? sut.socket->emit(kNamespaces[static_cast<std::size_t>(ns)], "srv", args,
                                               sut.ack_callback(s0.acks.size()), timeout_ms)
                            : sut.socket->emit(kNamespaces[static_cast<std::size_t>(ns)], "srv", args);
    RC_ASSERT(e == outcome(s0));
  }
  void show(std::ostream& os) const override {
    os << "server emit " << kNamespaces[static_cast<std::size_t>(ns)];
    if (with_ack) os << " with ack, timeout " << timeout_ms << " ms";
  }
};

// Lets virtual time pass: the acks whose deadline comes time out, by deadline, then in emit order.
struct AdvanceTime final : SessionCommand {
  std::uint64_t ms;
  explicit AdvanceTime(const SessionModel&) : ms(*rc::gen::elementOf(kTimeSteps)) {}
  void step(SessionModel& m, Expect& out) const override {
    m.now += ms;
    std::vector<std::size_t> due;
    for (std::size_t k = 0; k < m.acks.size(); ++k)
      if (m.acks[k].pending && m.acks[k].deadline && *m.acks[k].deadline <= m.now) due.push_back(k);
    std::stable_sort(due.begin(), due.end(),
                     [&](std::size_t a, std::size_t b) { return *m.acks[a].deadline < *m.acks[b].deadline; });
    for (const std::size_t k : due) {
      m.acks[k].pending = false;
      out.log.push_back(ack_entry(k, Errc::ack_timeout, {}));
    }
  }
  void act(const SessionModel& s0, SessionSut& sut) const override { sut.loop.run_until(s0.now + ms); }
  void show(std::ostream& os) const override { os << "time +" << ms << " ms"; }
};

// The ways a connection ends. Rarer than the other commands (one entry of the command list), so
// that sessions have something in them before they end.
struct End final : SessionCommand {
  enum Kind { server_disconnect_kind, client_shutdown, client_close, client_reset, client_bad_packet, kinds };
  Kind kind;
  explicit End(const SessionModel& m) : kind(static_cast<Kind>(*rc::gen::inRange(0, static_cast<int>(kinds)))) {
    checkPreconditions(m);
  }
  void checkPreconditions(const SessionModel& m) const override {
    if (kind == client_shutdown || kind == client_bad_packet) RC_PRE(m.client_writing);
    if (kind == client_close) RC_PRE(m.client_open);
    if (kind == client_reset) RC_PRE(m.client_open && !m.client_broken);
  }
  void step(SessionModel& m, Expect& out) const override {
    switch (kind) {
      case server_disconnect_kind: server_disconnect(m, out); return;
      case client_shutdown:
      case client_close:  // the server reads the end of the stream either way
        m.client_writing = false;
        if (kind == client_close) m.client_open = false;
        if (!m.ended) end_session(m, out, Errc::none);
        return;
      case client_reset:
        m.client_writing = false;
        m.client_broken = true;
        if (!m.ended) end_session(m, out, Errc::io_reset);
        return;
      case client_bad_packet:  // a reserved event name (socket.io-parser refuses it)
        if (!m.ended) end_session(m, out, Errc::sio_reserved_event_name);
        return;
      case kinds: return;
    }
  }
  void act(const SessionModel&, SessionSut& sut) const override {
    switch (kind) {
      case server_disconnect_kind: sut.socket->disconnect([&sut] { sut.log.push_back("done"); }); return;
      case client_shutdown: sut.client->stream.shutdown(); return;
      case client_close: sut.client->stream.close(); return;
      case client_reset: sut.loop.reset(*sut.client_end); return;
      case client_bad_packet: sut.client->send(R"(42["connect"])"); return;
      case kinds: return;
    }
  }
  void show(std::ostream& os) const override {
    static const char* const kNames[] = {"server disconnect", "client shutdown", "client close", "client reset",
                                         "client sends a bad packet"};
    os << kNames[kind];
  }
};

// The next command, weighted by the state: a CONNECT is likely while no namespace is joined, an
// ACK while acks are pending, the client's commands only while it can write, and an End once in
// about 40 commands, so that a session has something in it before it ends. (One exec that makes
// only the command it picked: a weightedOneOf over execOneOfWithArgs generators would copy the
// model into each of them, for every command generated.)
const auto session_commands = [](const SessionModel& m) {
  return rc::gen::exec([m]() -> std::shared_ptr<const SessionCommand::CommandType> {
    const bool joined = std::find(m.connected.begin(), m.connected.end(), true) != m.connected.end();
    const std::size_t client = m.client_writing ? 1 : 0;
    enum Kind { add, remove, connect, disconnect, client_emit, client_ack, ping, server_emit, time, end };
    switch (*rc::gen::weightedElement<Kind>({{6, add},
                                             {2, remove},
                                             {client * (joined ? 3 : 24), connect},
                                             {client * 2, disconnect},
                                             {client * 6, client_emit},
                                             {client * (m.pending_acks() > 0 ? 8 : 2), client_ack},
                                             {client, ping},
                                             {12, server_emit},
                                             {4, time},
                                             {1, end}})) {
      case add: return std::make_shared<const AddListener>(m);
      case remove: return std::make_shared<const RemoveListener>(m);
      case connect: return std::make_shared<const ClientConnect>(m);
      case disconnect: return std::make_shared<const ClientDisconnect>(m);
      case client_emit: return std::make_shared<const ClientEmit>(m);
      case client_ack: return std::make_shared<const ClientAck>(m);
      case ping: return std::make_shared<const ClientPing>(m);
      case server_emit: return std::make_shared<const ServerEmit>(m);
      case time: return std::make_shared<const AdvanceTime>(m);
      case end: break;
    }
    return std::make_shared<const End>(m);
  });
};

void check_session() {
  const auto commands = *rc::state::gen::commands(SessionModel{}, session_commands);
  const auto choices = *choice_list();
  prop::Case c(commands.size());
  SessionModel end_model;
  rc::state::applyAll(commands, end_model);
  SessionSut sut(choices);
  rc::state::runAll(commands, SessionModel{}, sut);

  // The end: the server closes (if it has not), the client closes, the clock passes every deadline.
  Expect want;
  server_disconnect(end_model, want);
  const std::size_t log_before = sut.log.size();
  sut.socket->disconnect([&sut] { sut.log.push_back("done"); });
  sut.settle();
  if (end_model.client_open) sut.client->stream.close();
  sut.loop.run();
  RC_ASSERT(tail(sut.log, log_before) == want.log);
  RC_ASSERT(sut.late == 0);
  RC_ASSERT(sut.closes == 1);
  RC_ASSERT(sut.socket->pending_acks() == 0u);
  RC_ASSERT(sut.loop.pending_timers() == 0u);
  RC_ASSERT(sut.loop.open_transports() == 0u);
  RC_ASSERT(sut.loop.bytes_in_transit() == 0u);
  sut.ack_calls.resize(end_model.acks.size());
  for (const int calls : sut.ack_calls) RC_ASSERT(calls == 1);
  for (int ns = 0; ns < kRegistered; ++ns)
    for (int name = 0; name < static_cast<int>(kListenerNames.size()); ++name)
      RC_ASSERT(sut.emitter(ns).listener_count(kListenerNames[static_cast<std::size_t>(name)]) ==
                end_model.live_listeners(ns, name));
  // Destroying the socket and the client runs nothing and leaves nothing.
  const std::size_t log_at_end = sut.log.size();
  sut.socket.reset();
  sut.client.reset();
  sut.loop.run();
  RC_ASSERT(sut.log.size() == log_at_end);
  RC_ASSERT(sut.loop.open_transports() == 0u);
  RC_ASSERT(sut.loop.pending_timers() == 0u);

  // Which ack outcomes the case saw (the log's ack entries), for the distribution RapidCheck prints.
  const auto saw = [&](std::string_view outcome) {
    return std::any_of(sut.log.begin(), sut.log.end(), [&](const std::string& entry) {
      return entry[0] == 'A' && entry.find(outcome) != std::string::npos;
    });
  };
  RC_TAG(saw(" none ") ? "acked" : "-", saw("ack_timeout") ? "timed out" : "-",
         saw("ack_disconnected") ? "disconnected" : "-");
}

RC_GTEST_PROP(AckLeaks, SessionLeavesNoListenerAckOrTimerBehind, ()) { check_session(); }

// ---- the planted twins (planted/README.md) ----------------------------------------------------

// Shrunk sizes below: 240 seeds each (RC_PARAMS="max_success=1000 seed=N", N = 1..40 and 100..299),
// dev build.

// A once listener stays listed after it ran: CONNECT, once(/ chat), EVENT chat (size 3 in 234 of
// 240 seeds; once(/ connect), CONNECT in the others).
PLANTED_TWIN(once_kept) {
  prop::expect_counterexample([] { check_session(); }, 3);
}

// AckTable::disconnect() leaves the entries pending and unsettled: CONNECT, emit with an ack; the
// end of the case disconnects (size 2 in 240/240).
PLANTED_TWIN(acks_kept_on_disconnect) {
  prop::expect_counterexample([] { check_session(); }, 2);
}

// The socket never disconnects its ack tables: an emit's ack outlives the connection. CONNECT, emit
// with an ack; the end of the case closes the socket (size 2 in 240/240).
PLANTED_TWIN(session_acks_kept) {
  prop::expect_counterexample([] { check_session(); }, 2);
}

}  // namespace
}  // namespace sioconf::prop
