#include "driver.h"

#include <signal.h>
#include <string.h>

#include <algorithm>
#include <utility>

namespace sioconf::client {
namespace {

constexpr std::uint64_t kByeGraceMs = 1000;  // after bye, then SIGKILL to the group
constexpr const char* kReports[] = {"hello", "connected",        "connect_error", "event",
                                    "ack",   "ack_timeout",      "disconnected",  "reconnect_attempt",
                                    "error", "reconnect_failed", "unsupported"};

std::string signal_text(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return "killed by signal " + std::to_string(signal) + (abbrev ? std::string(" (SIG") + abbrev + ")" : "");
}

// The shell that runs the command passes on a child's death by signal N as status 128 + N.
std::string exit_text(const io::UvLoop::ProcessExit& e) {
  if (e.signal != 0) return signal_text(e.signal);
  if (e.status > 128 && e.status < 128 + 65)
    return "exit status " + std::to_string(e.status) + ": " + signal_text(static_cast<int>(e.status - 128));
  return "exit status " + std::to_string(e.status);
}

}  // namespace

struct Driver::State {
  // One of the child's output pipes: stdout (lines of reports) or stderr (kept text).
  struct Reader final : io::TransportEvents {
    State* state = nullptr;
    bool is_stdout = false;
    void on_read(ByteView bytes) override {
      state->take(is_stdout, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    }
    void on_eof() override { state->output_ended(is_stdout); }
    void on_error(Errc) override { state->output_ended(is_stdout); }
  };

  State(io::UvLoop& l, live::WireLog& w, std::string c) : loop(l), log(w), command(std::move(c)) {}

  io::UvLoop& loop;
  live::WireLog& log;
  std::string command;
  std::unique_ptr<io::UvLoop::Process> process;
  Reader out, err;
  std::string partial;  // stdout after its last newline
  std::deque<json> reports;
  std::string crashed, broken, stderr_text;
  std::function<void()> on_change;
  bool stopping = false, exited = false, change_posted = false;
  std::function<void()> stop_done;
  io::TimerId kill_timer = 0;

  void changed() {
    if (change_posted) return;
    change_posted = true;
    loop.post([weak = weak] {
      auto self = weak.lock();
      if (!self) return;
      self->change_posted = false;
      if (self->on_change) self->on_change();
    });
  }
  std::weak_ptr<State> weak;

  void take(bool is_stdout, std::string_view bytes) {
    if (!is_stdout) {
      stderr_text.append(bytes);
      if (stderr_text.size() > kMaxStderr) stderr_text.erase(0, stderr_text.size() - kMaxStderr);
      return;
    }
    partial.append(bytes);
    std::size_t from = 0;
    for (std::size_t nl; (nl = partial.find('\n', from)) != std::string::npos; from = nl + 1)
      line(std::string_view(partial).substr(from, nl - from));
    partial.erase(0, from);
    if (partial.size() > kMaxLine) fail("a line of more than " + std::to_string(kMaxLine) + " bytes");
  }

  void line(std::string_view text) {
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.find_first_not_of(" \t") == std::string_view::npos) return;
    log.add("driver", ">", std::string(text));
    json report = json::parse(text, nullptr, false);
    if (report.is_discarded() || !report.is_object()) return fail("a line that is not a JSON object");
    const std::string kind = report.value("report", "");
    if (std::find_if(std::begin(kReports), std::end(kReports), [&](const char* k) { return kind == k; }) ==
        std::end(kReports))
      return fail("an unknown report: " + live::clip(report, 200));
    reports.push_back(std::move(report));
    changed();
  }

  void fail(std::string why) {
    if (broken.empty()) broken = std::move(why);
    changed();
  }

  void output_ended(bool is_stdout) {
    if (is_stdout && !stopping && crashed.empty() && !exited) {
      log.add("driver", "*", "closed its stdout");
      changed();
    }
  }

  void on_exit(io::UvLoop::ProcessExit e) {
    exited = true;
    log.add("driver", "*", "ended: " + exit_text(e));
    if (!stopping) crashed = exit_text(e);
    loop.cancel_timer(kill_timer);
    changed();
    if (stop_done) {
      auto done = std::move(stop_done);
      loop.post(std::move(done));
    }
  }
};

Driver::Driver(io::UvLoop& loop, live::WireLog& log, std::string command)
    : state_(std::make_shared<State>(loop, log, std::move(command))) {
  state_->weak = state_;
}

Driver::~Driver() {
  if (!state_) return;
  state_->loop.cancel_timer(state_->kill_timer);
  state_->on_change = nullptr;
  if (!state_->process) return;
  for (io::TransportPtr* pipe :
       {&state_->process->stdin_pipe, &state_->process->stdout_pipe, &state_->process->stderr_pipe})
    if (*pipe) (*pipe)->close({});
  state_->process.reset();  // kills the group if it still runs
}

bool Driver::start() {
  State& s = *state_;
  Errc e = Errc::none;
  s.process = s.loop.spawn(
      {{"/bin/sh", "-c", s.command}, {}, {}},
      [weak = s.weak](io::UvLoop::ProcessExit exit) {
        if (auto self = weak.lock()) self->on_exit(exit);
      },
      e);
  if (!s.process) {
    s.broken = "cannot start /bin/sh -c " + s.command + " (" + std::string(name(e)) + ")";
    return false;
  }
  s.log.add("driver", "*", "started: " + s.command);
  s.out = {};
  s.out.state = &s;
  s.out.is_stdout = true;
  s.err = {};
  s.err.state = &s;
  s.process->stdout_pipe->set_events(&s.out);
  s.process->stderr_pipe->set_events(&s.err);
  s.process->stdout_pipe->read_start();
  s.process->stderr_pipe->read_start();
  send({{"op", "hello"}, {"protocol", 1}});
  return true;
}

void Driver::send(const json& command) {
  State& s = *state_;
  const std::string line = command.dump(-1, ' ', false, json::error_handler_t::replace);
  s.log.add("driver", "<", line);
  if (!s.process || s.exited || !s.process->stdin_pipe) return;
  const std::string bytes = line + "\n";
  s.process->stdin_pipe->write(as_bytes(bytes), {});
}

std::deque<json>& Driver::reports() noexcept { return state_->reports; }
void Driver::on_change(std::function<void()> callback) { state_->on_change = std::move(callback); }
const std::string& Driver::crashed() const noexcept { return state_->crashed; }
const std::string& Driver::broken() const noexcept { return state_->broken; }
const std::string& Driver::stderr_text() const noexcept { return state_->stderr_text; }

void Driver::stop(std::function<void()> done) {
  State& s = *state_;
  s.stopping = true;
  s.on_change = nullptr;
  if (!s.process || s.exited) {
    s.loop.post(std::move(done));
    return;
  }
  s.stop_done = std::move(done);
  send({{"op", "bye"}});
  s.process->stdin_pipe->shutdown({});
  s.kill_timer = s.loop.start_timer(kByeGraceMs, [weak = s.weak] {
    auto self = weak.lock();
    if (!self) return;
    self->kill_timer = 0;
    self->log.add("driver", "*", "still running a second after bye: killed");
    if (self->process) self->process->kill(SIGKILL);
  });
}

}  // namespace sioconf::client
