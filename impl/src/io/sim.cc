#include "sioconf/io/sim.h"

#include <deque>
#include <set>
#include <string>
#include <unordered_map>

#include "splitmix.h"

namespace sioconf::io {

std::size_t SeededChoices::choose(std::size_t n) {
  return static_cast<std::size_t>(detail::SplitMix::step(state_) % n);
}

std::size_t ListChoices::choose(std::size_t n) {
  if (at_ >= list_.size()) return 0;
  return list_[at_++] % n;
}

namespace {

constexpr std::size_t kPostLane = 0;   // Loop::post()
constexpr std::size_t kTimerLane = 1;  // timers whose deadline has come

struct PendingWrite {
  std::vector<std::uint8_t> bytes;
  std::size_t moved = 0;  // bytes already in the pipe
  Completion done;
};

// One end of a simulated connection. `inbox` holds the bytes in flight towards this end.
struct End {
  std::size_t lane = 0;
  std::size_t peer = 0;
  TransportEvents* events = nullptr;
  bool reading = false;
  bool closing = false, closed = false;
  bool write_shut = false;  // shutdown() asked: nothing more is written
  bool peer_done = false;   // the peer writes nothing more: EOF once the inbox is read
  bool eof_delivered = false;
  bool broken = false;  // reset: reading ends with io_reset, writing fails
  bool error_delivered = false;
  bool pump_scheduled = false, deliver_scheduled = false;
  std::deque<std::uint8_t> inbox;
  std::deque<PendingWrite> writes;
  Completion shutdown_done;
  std::vector<std::function<void()>> close_done;
};

}  // namespace

struct SimState {
  SimState(Choices& c, SimOptions o) : choices(c), options(o), lanes(2) {}

  Choices& choices;
  SimOptions options;
  std::uint64_t clock = 0, step_count = 0, op_count = 0, hash = 1469598103934665603ULL;
  std::vector<std::string> trace;

  std::vector<std::deque<Task>> lanes;
  std::vector<std::size_t> ready;  // lanes holding tasks, in the order they became ready

  TimerId next_timer = 1;
  std::unordered_map<TimerId, Task> timer_tasks;         // pending timers
  std::unordered_map<TimerId, std::uint64_t> deadlines;  // of the pending timers not yet due
  std::set<std::pair<std::uint64_t, TimerId>> not_due;   // by deadline, then start order
  std::deque<TimerId> due;                               // the timer lane
  std::size_t stalls = 0;  // pending timers that are the simulator's own (stalled deliveries)

  std::vector<End> ends;
  std::size_t open_ends = 0;
  std::unordered_map<std::uint16_t, AcceptHandler> listeners;
  std::uint16_t next_port = 40000;

  void mix(std::uint64_t v) { hash = (hash ^ v) * 1099511628211ULL; }
  void note(const char* what, std::uint64_t a, std::uint64_t b = 0) {
    mix(a);
    mix(b);
    if (options.record_trace)
      trace.push_back("t=" + std::to_string(clock) + " " + what + " " + std::to_string(a) + " " + std::to_string(b));
  }
  std::size_t choose(std::size_t n) {
    const std::size_t c = n <= 1 ? 0 : choices.choose(n);
    mix(c);
    return c;
  }
  bool fails() { return ++op_count == options.fail_op; }  // the counted operation that must fail

  void push(std::size_t lane, Task task) {
    if (lanes[lane].empty()) ready.push_back(lane);
    lanes[lane].push_back(std::move(task));
  }
  void make_due(TimerId id) {
    if (due.empty()) ready.push_back(kTimerLane);
    due.push_back(id);
  }

  bool step();
  std::size_t new_end();
  void schedule_pump(std::size_t w);
  void schedule_deliver(std::size_t r);
  void pump(std::size_t w);
  void deliver(std::size_t r, bool may_stall);
  void break_connection(std::size_t e);
  void close(std::size_t e, std::function<void()> done);
};

bool SimState::step() {
  if (ready.empty()) {
    if (not_due.empty()) return false;
    clock = not_due.begin()->first;  // nothing ready: virtual time jumps to the next deadline
    while (!not_due.empty() && not_due.begin()->first == clock) {
      const TimerId id = not_due.begin()->second;
      not_due.erase(not_due.begin());
      deadlines.erase(id);
      make_due(id);
    }
  }
  const std::size_t pick = choose(ready.size());
  const std::size_t lane = ready[pick];
  ++step_count;
  note("lane", lane);
  if (lane == kTimerLane) {
    const TimerId id = due.front();
    due.pop_front();
    if (due.empty()) ready.erase(ready.begin() + static_cast<std::ptrdiff_t>(pick));
    const auto it = timer_tasks.find(id);
    if (it == timer_tasks.end()) return true;  // cancelled after it came due
    Task task = std::move(it->second);
    timer_tasks.erase(it);
    task();
    return true;
  }
  Task task = std::move(lanes[lane].front());
  lanes[lane].pop_front();
  if (lanes[lane].empty()) ready.erase(ready.begin() + static_cast<std::ptrdiff_t>(pick));
  task();
  return true;
}

std::size_t SimState::new_end() {
  End e;
  e.lane = lanes.size();
  lanes.emplace_back();
  ends.push_back(std::move(e));
  ++open_ends;
  return ends.size() - 1;
}

void SimState::schedule_pump(std::size_t w) {
  End& e = ends[w];
  if (e.pump_scheduled || e.closed) return;
  e.pump_scheduled = true;
  push(e.lane, [this, w] { pump(w); });
}

void SimState::schedule_deliver(std::size_t r) {
  End& e = ends[r];
  if (e.deliver_scheduled || e.closed || !e.reading) return;
  const bool something = !e.inbox.empty() || (e.peer_done && !e.eof_delivered) || (e.broken && !e.error_delivered);
  if (!something) return;
  e.deliver_scheduled = true;
  push(e.lane, [this, r] { deliver(r, true); });
}

// Moves queued bytes of end w into its peer's inbox, as much as the pipe holds, in pieces the
// choices size (short writes). A write completes when its last byte is in the pipe.
void SimState::pump(std::size_t w) {
  ends[w].pump_scheduled = false;
  End& e = ends[w];
  if (e.closed || e.broken) return;
  const std::size_t r = e.peer;
  End& peer = ends[r];
  while (!e.writes.empty()) {
    PendingWrite& pw = e.writes.front();
    const std::size_t room = options.pipe_capacity > peer.inbox.size() ? options.pipe_capacity - peer.inbox.size() : 0;
    const std::size_t left = pw.bytes.size() - pw.moved;
    if (room == 0 && left > 0) break;  // the peer must read first
    const std::size_t n = left == 0 ? 0 : 1 + choose(std::min(room, left));
    if (!peer.closed)
      peer.inbox.insert(peer.inbox.end(), pw.bytes.begin() + static_cast<std::ptrdiff_t>(pw.moved),
                        pw.bytes.begin() + static_cast<std::ptrdiff_t>(pw.moved + n));
    pw.moved += n;
    note("move", w, n);
    if (pw.moved < pw.bytes.size()) {
      schedule_pump(w);  // a short write: the rest later
      break;
    }
    if (pw.done) push(e.lane, [done = std::move(pw.done)] { done(Errc::none); });
    e.writes.pop_front();
  }
  if (e.writes.empty() && e.write_shut && !peer.peer_done) {
    peer.peer_done = true;  // the FIN follows the last byte
    if (e.shutdown_done) push(e.lane, [done = std::move(e.shutdown_done)] { done(Errc::none); });
    e.shutdown_done = nullptr;
  }
  schedule_deliver(r);
}

// One read on end r: a chunk of its inbox, or EOF, or the reset.
void SimState::deliver(std::size_t r, bool may_stall) {
  End& e = ends[r];
  e.deliver_scheduled = false;
  if (e.closed || !e.reading) return;
  if (e.broken) {
    if (!e.error_delivered) {
      e.error_delivered = true;
      note("reset", r);
      if (e.events) e.events->on_error(Errc::io_reset);
    }
    return;
  }
  if (!e.inbox.empty()) {
    if (may_stall && options.stall_percent > 0 && choose(100) < options.stall_percent) {
      e.deliver_scheduled = true;  // a stall: the same delivery, later in virtual time
      const TimerId id = next_timer++;
      ++stalls;
      timer_tasks[id] = [this, r] {
        --stalls;
        deliver(r, false);
      };
      deadlines[id] = clock + options.stall_ms;
      not_due.insert({clock + options.stall_ms, id});
      return;
    }
    if (fails()) {
      note("fail read", r);
      break_connection(r);
      schedule_deliver(r);
      return;
    }
    const std::size_t n = 1 + choose(std::min(e.inbox.size(), options.max_chunk));
    std::vector<std::uint8_t> chunk(e.inbox.begin(), e.inbox.begin() + static_cast<std::ptrdiff_t>(n));
    e.inbox.erase(e.inbox.begin(), e.inbox.begin() + static_cast<std::ptrdiff_t>(n));
    note("read", r, n);
    schedule_pump(e.peer);  // room in the pipe again
    if (e.events) e.events->on_read(ByteView(chunk.data(), chunk.size()));
    schedule_deliver(r);
    return;
  }
  if (e.peer_done && !e.eof_delivered) {
    e.eof_delivered = true;
    note("eof", r);
    if (e.events) e.events->on_eof();
  }
}

void SimState::break_connection(std::size_t a) {
  for (const std::size_t x : {a, ends[a].peer}) {
    End& e = ends[x];
    if (e.closed) continue;
    e.broken = true;
    e.inbox.clear();
    for (PendingWrite& pw : e.writes)
      if (pw.done) push(e.lane, [done = std::move(pw.done)] { done(Errc::io_write_failed); });
    e.writes.clear();
    if (e.shutdown_done) push(e.lane, [done = std::move(e.shutdown_done)] { done(Errc::io_shutdown_failed); });
    e.shutdown_done = nullptr;
    schedule_deliver(x);
  }
}

void SimState::close(std::size_t x, std::function<void()> done) {
  End& e = ends[x];
  if (done) e.close_done.push_back(std::move(done));
  if (e.closing) return;
  e.closing = true;
  e.reading = false;
  for (PendingWrite& pw : e.writes)
    if (pw.done) push(e.lane, [done = std::move(pw.done)] { done(Errc::io_cancelled); });
  e.writes.clear();
  if (e.shutdown_done) push(e.lane, [done = std::move(e.shutdown_done)] { done(Errc::io_cancelled); });
  e.shutdown_done = nullptr;
  // The peer reads what is in flight, then EOF, as after a TCP FIN.
  End& peer = ends[e.peer];
  if (!peer.closed) {
    peer.peer_done = true;
    schedule_deliver(e.peer);
  }
  push(e.lane, [this, x] {
    End& me = ends[x];
    me.closed = true;
    me.events = nullptr;
    me.inbox.clear();
    --open_ends;
    note("closed", x);
    // The pipe towards this end has room again: a peer's write that waited for this end to read
    // now goes into the void and completes, as a write to a closed socket's buffer does.
    if (!ends[me.peer].closed) schedule_pump(me.peer);
    std::vector<std::function<void()>> callbacks = std::move(me.close_done);
    me.close_done.clear();
    for (auto& cb : callbacks) cb();
  });
}

namespace {

class SimTransport final : public Transport {
 public:
  SimTransport(SimState& s, std::size_t end) : s_(s), end_(end) {}
  ~SimTransport() override {
    End& e = s_.ends[end_];
    e.events = nullptr;  // destroyed without close: nothing may call into the owner any more
    if (!e.closing) s_.close(end_, nullptr);
  }

  void set_events(TransportEvents* events) noexcept override { s_.ends[end_].events = events; }
  void read_start() override {
    End& e = s_.ends[end_];
    if (e.closing) return;
    e.reading = true;
    s_.schedule_deliver(end_);
  }
  void read_stop() override { s_.ends[end_].reading = false; }

  void write(ByteView bytes, Completion done) override {
    End& e = s_.ends[end_];
    if (e.closing || e.write_shut) {
      if (done) s_.push(e.lane, [done = std::move(done)] { done(Errc::io_closed); });
      return;
    }
    if (e.broken || s_.fails()) {
      s_.note("fail write", end_);
      if (done) s_.push(e.lane, [done = std::move(done)] { done(Errc::io_write_failed); });
      s_.break_connection(end_);
      return;
    }
    e.writes.push_back({std::vector<std::uint8_t>(bytes.begin(), bytes.end()), 0, std::move(done)});
    s_.schedule_pump(end_);
  }

  void shutdown(Completion done) override {
    End& e = s_.ends[end_];
    if (e.closing || e.write_shut || e.broken) {
      const Errc why = e.broken ? Errc::io_shutdown_failed : Errc::io_closed;
      if (done) s_.push(e.lane, [done = std::move(done), why] { done(why); });
      return;
    }
    e.write_shut = true;
    e.shutdown_done = std::move(done);
    s_.schedule_pump(end_);
  }

  void close(std::function<void()> done) override {
    End& e = s_.ends[end_];
    if (e.closed) {
      if (done) s_.push(kPostLane, std::move(done));
      return;
    }
    s_.close(end_, std::move(done));
  }

  std::string peer() const override { return "sim:" + std::to_string(s_.ends[end_].peer); }
  std::size_t end() const noexcept { return end_; }

 private:
  SimState& s_;
  std::size_t end_;
};

class SimListener final : public Listener {
 public:
  SimListener(SimState& s, std::uint16_t port) : s_(s), port_(port) {}
  ~SimListener() override { s_.listeners.erase(port_); }
  std::uint16_t port() const noexcept override { return port_; }
  void close(std::function<void()> done) override {
    s_.listeners.erase(port_);
    if (done) s_.push(kPostLane, std::move(done));
  }

 private:
  SimState& s_;
  std::uint16_t port_;
};

}  // namespace

SimLoop::SimLoop(Choices& choices, SimOptions options) : state_(std::make_unique<SimState>(choices, options)) {}
SimLoop::~SimLoop() {
  // Queued tasks and timers may own what owns a transport (a stream's core, a socket's state);
  // destroying one touches its connection end, so they go first, while the ends still exist.
  // A destructor may queue more (a transport's close): repeat until nothing is left.
  SimState& s = *state_;
  for (bool more = true; more;) {
    more = false;
    for (std::size_t i = 0; i < s.lanes.size(); ++i) {  // by index: a destructor may add a lane
      std::deque<Task> doomed;
      doomed.swap(s.lanes[i]);
      more = more || !doomed.empty();
    }
    std::unordered_map<TimerId, Task> timers;
    timers.swap(s.timer_tasks);
    more = more || !timers.empty();
  }
  s.listeners.clear();
}

std::uint64_t SimLoop::now() const noexcept { return state_->clock; }

void SimLoop::post(Task task) { state_->push(kPostLane, std::move(task)); }

TimerId SimLoop::start_timer(std::uint64_t delay_ms, Task task) {
  SimState& s = *state_;
  if (s.fails()) {
    s.note("fail timer", delay_ms);
    return 0;
  }
  const TimerId id = s.next_timer++;
  s.timer_tasks[id] = std::move(task);
  if (delay_ms == 0) {
    s.make_due(id);
  } else {
    s.deadlines[id] = s.clock + delay_ms;
    s.not_due.insert({s.clock + delay_ms, id});
  }
  return id;
}

bool SimLoop::cancel_timer(TimerId id) noexcept {
  SimState& s = *state_;
  if (s.timer_tasks.erase(id) == 0) return false;
  if (const auto it = s.deadlines.find(id); it != s.deadlines.end()) {
    s.not_due.erase({it->second, id});
    s.deadlines.erase(it);
  }
  return true;  // a due id left in the timer lane is skipped when its turn comes
}

std::size_t SimLoop::pending_timers() const noexcept {
  return state_->timer_tasks.size() - state_->stalls;  // stalls are the simulator's, not the user's
}

bool SimLoop::step() { return state_->step(); }

void SimLoop::run_until(std::uint64_t time) {
  SimState& s = *state_;
  while (!s.ready.empty() || (!s.not_due.empty() && s.not_due.begin()->first <= time)) s.step();
  if (time > s.clock) s.clock = time;
}

std::uint64_t SimLoop::run(std::uint64_t max_steps) {
  std::uint64_t n = 0;
  while (n < max_steps && state_->step()) ++n;
  return n;
}

std::pair<TransportPtr, TransportPtr> SimLoop::pipe() {
  SimState& s = *state_;
  const std::size_t a = s.new_end(), b = s.new_end();
  s.ends[a].peer = b;
  s.ends[b].peer = a;
  return {std::make_unique<SimTransport>(s, a), std::make_unique<SimTransport>(s, b)};
}

ListenerPtr SimLoop::listen(std::uint16_t port, AcceptHandler on_accept, Errc& error) {
  SimState& s = *state_;
  if (port == 0) {
    while (s.listeners.count(s.next_port) != 0) ++s.next_port;
    port = s.next_port++;
  }
  if (s.listeners.count(port) != 0) {
    error = Errc::io_listen_failed;
    return nullptr;
  }
  s.listeners[port] = std::move(on_accept);
  error = Errc::none;
  return std::make_unique<SimListener>(s, port);
}

void SimLoop::connect(std::uint16_t port, ConnectHandler done) {
  SimState& s = *state_;
  if (s.fails() || s.listeners.count(port) == 0) {
    s.push(kPostLane, [done = std::move(done)] { done(Errc::io_connect_failed, nullptr); });
    return;
  }
  s.push(kPostLane, [this, port, done = std::move(done)]() mutable {
    SimState& st = *state_;
    const auto it = st.listeners.find(port);
    if (it == st.listeners.end()) {
      done(Errc::io_connect_failed, nullptr);
      return;
    }
    if (st.fails()) {  // the handshake completed but accept() failed: the client is refused too
      AcceptHandler accept = it->second;
      accept(Errc::io_accept_failed, nullptr);
      done(Errc::io_connect_failed, nullptr);
      return;
    }
    auto [client, server] = pipe();
    AcceptHandler accept = it->second;  // a copy: the handler may close the listener
    accept(Errc::none, std::move(server));
    done(Errc::none, std::move(client));
  });
}

void SimLoop::reset(Transport& end) { state_->break_connection(static_cast<SimTransport&>(end).end()); }

std::uint64_t SimLoop::operations() const noexcept { return state_->op_count; }
std::uint64_t SimLoop::steps() const noexcept { return state_->step_count; }
std::uint64_t SimLoop::trace_hash() const noexcept { return state_->hash; }
const std::vector<std::string>& SimLoop::trace() const noexcept { return state_->trace; }
std::size_t SimLoop::open_transports() const noexcept { return state_->open_ends; }

std::size_t SimLoop::bytes_in_transit() const noexcept {
  std::size_t n = 0;
  for (const End& e : state_->ends) {
    n += e.inbox.size();
    for (const PendingWrite& pw : e.writes) n += pw.bytes.size() - pw.moved;
  }
  return n;
}

}  // namespace sioconf::io
