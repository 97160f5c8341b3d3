#include "check.h"

#include <algorithm>
#include <memory>
#include <stdexcept>

#include "driver.h"
#include "script_server.h"

namespace sioconf::client {
namespace {

using live::Packet;
using live::TransportKind;

constexpr const char* kDefaultWithin = "2000 ms";
constexpr const char* kVerbs[] = {"connect",
                                  "emit",
                                  "disconnect",
                                  "report",
                                  "accept",
                                  "expect",
                                  "send",
                                  "drop",
                                  "close",
                                  "stall",
                                  "expect_silence",
                                  "expect_closed",
                                  "refuse_handshakes",
                                  "refuse_upgrades",
                                  "wait",
                                  "expect_attempts",
                                  "expect_transport"};

// A step that cannot be done as written is the scenario's fault, not the client's: ERROR.
struct ScenarioError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string verb_of(const json& step) {
  std::string verb;
  for (const char* v : kVerbs)
    if (step.contains(v)) {
      if (!verb.empty()) throw ScenarioError("a step with two verbs: " + verb + " and " + v);
      verb = v;
    }
  if (verb.empty()) throw ScenarioError("a step with no verb: " + live::clip(step, 120));
  return verb;
}

enum class Progress { done, waiting, failed };

// The transports a client is told to use on each kind of case.
json transports_for(TransportKind kind) {
  switch (kind) {
    case TransportKind::polling: return {"polling"};
    case TransportKind::websocket: return {"websocket"};
    case TransportKind::upgrade: break;
  }
  return {"polling", "websocket"};
}

class Check : public std::enable_shared_from_this<Check> {
 public:
  Check(io::UvLoop& loop, const live::Scenario& scenario, const CaseOptions& options,
        std::function<void(CaseOutcome)> done)
      : loop_(loop), log_(loop), scenario_(scenario), options_(options), done_(std::move(done)) {
    const json server = scenario.source.value("server", json::object());
    settings_.ping_interval_ms = server.value("ping_interval", settings_.ping_interval_ms);
    settings_.ping_timeout_ms = server.value("ping_timeout", settings_.ping_timeout_ms);
    settings_.max_payload = server.value("max_payload", settings_.max_payload);
    timing_.ping_interval_ms = static_cast<double>(settings_.ping_interval_ms);
    timing_.ping_timeout_ms = static_cast<double>(settings_.ping_timeout_ms);
    timing_.scale = options.time_scale;
    vars_["transport"] = live::transport_name(options.transport);
  }

  void start() {
    self_ = shared_from_this();  // alive until the case is over
    server_ = std::make_unique<ScriptServer>(loop_, log_, settings_);
    server_->on_change = [this] { poke(); };
    Errc e = Errc::none;
    listener_ = loop_.listen(
        "127.0.0.1", 0,
        [this](Errc error, io::TransportPtr t) {
          if (error == Errc::none && t && server_) server_->add(std::move(t));
        },
        e);
    if (!listener_) return finish(CaseOutcome::Kind::error, "no port to listen on (" + std::string(name(e)) + ")");
    url_ = "http://127.0.0.1:" + std::to_string(listener_->port());
    vars_["url"] = url_;
    driver_ = std::make_unique<Driver>(loop_, log_, options_.driver);
    driver_->on_change([this] { poke(); });
    if (!driver_->start()) return finish(CaseOutcome::Kind::error, "the driver did not start: " + driver_->broken());
    expect_hello_ = true;
    poke();
  }

 private:
  void poke() {
    if (poke_posted_ || finished_) return;
    poke_posted_ = true;
    loop_.post([weak = weak_from_this()] {
      if (auto self = weak.lock()) {
        self->poke_posted_ = false;
        self->advance();
      }
    });
  }

  // What ends a case whatever step it is at: a crash, a broken driver, an unsupported command, a
  // rule of the wire the client broke.
  bool ended_by_the_client() {
    if (!driver_->broken().empty()) {
      finish(CaseOutcome::Kind::error, "the driver broke DRIVER.md: " + driver_->broken());
      return true;
    }
    for (const json& r : driver_->reports())
      if (r.value("report", "") == "unsupported") {
        finish(CaseOutcome::Kind::unsupported, "the driver cannot: " + r.value("what", "?"));
        return true;
      }
    if (!driver_->crashed().empty() && expect_hello_) {  // it never ran: no finding about the client
      finish(CaseOutcome::Kind::error, "the driver ended before it answered hello (" + driver_->crashed() + ")");
      return true;
    }
    if (!driver_->crashed().empty()) {
      finish(CaseOutcome::Kind::crash, where() + crash_text());
      return true;
    }
    if (!server_->violation.empty()) {
      finish(CaseOutcome::Kind::fail, where() + "the client broke a rule: " + server_->violation);
      return true;
    }
    return false;
  }

  // "the client crashed (exit status 1): TypeError: ..." with the line of stderr that names the
  // error (one that starts "<Name>Error:", else the first that mentions an error), for the
  // terminal; the whole stderr is in the report.
  std::string crash_text() const {
    const std::string text = "the client crashed (" + driver_->crashed() + ")";
    std::string named, mentioned;
    const std::string& err = driver_->stderr_text();
    for (std::size_t at = 0; at < err.size();) {
      const std::size_t nl = std::min(err.find('\n', at), err.size());
      const std::string line = err.substr(at, nl - at);
      const std::size_t colon = line.find("Error:");
      if (named.empty() && colon != std::string::npos && line.find_first_of(" \t") > colon) named = line;
      if (mentioned.empty() && line.find("rror") != std::string::npos) mentioned = line;
      at = nl + 1;
    }
    const std::string& line = named.empty() ? mentioned : named;
    return line.empty() ? text : text + ": " + line.substr(0, 200);
  }

  void advance() {
    if (finished_) return;
    if (ended_by_the_client()) return;
    if (expect_hello_) {
      auto& reports = driver_->reports();
      if (reports.empty()) {
        if (!hello_timer_)
          hello_timer_ = loop_.start_timer(10'000, [weak = weak_from_this()] {
            if (auto self = weak.lock(); self && self->expect_hello_)
              self->finish(CaseOutcome::Kind::error, "the driver did not answer hello within 10 s");
          });
        return;
      }
      hello_ = reports.front();
      reports.pop_front();
      if (hello_.value("report", "") != "hello")
        return finish(CaseOutcome::Kind::error, "the driver's first report is not hello: " + live::clip(hello_));
      expect_hello_ = false;
      loop_.cancel_timer(hello_timer_);
    }
    const json& steps = scenario_.steps;
    while (!finished_ && pc_ < steps.size()) {
      Progress p = Progress::failed;
      std::string verb = "?";
      try {
        const json& step = steps[pc_];
        verb = verb_of(step);
        if (!started_) begin_step(verb, step);
        p = run_step(verb, step);
      } catch (const ScenarioError& e) {
        return finish(CaseOutcome::Kind::error, where() + e.what());
      } catch (const std::exception& e) {  // json type errors, unknown ${names}: the scenario's
        return finish(CaseOutcome::Kind::error, where() + "the scenario: " + e.what());
      }
      if (p == Progress::failed) return finish(CaseOutcome::Kind::fail, where() + why_);
      if (p == Progress::waiting) {
        if (loop_.now() >= deadline_) return finish(CaseOutcome::Kind::fail, where() + timeout_why(verb));
        return;
      }
      end_step();
    }
    if (!finished_) finish(CaseOutcome::Kind::pass, {});
  }

  std::string where() const {
    if (pc_ >= scenario_.steps.size()) return "after the last step: ";
    return "step " + std::to_string(pc_ + 1) + " (" + verb_ + "): ";
  }

  void begin_step(const std::string& verb, const json& step) {
    started_ = true;
    verb_ = verb;
    state_ = {};
    state_.started_at = loop_.now();
    const json within = step.value("within", json(kDefaultWithin));
    const auto ms = live::duration_ms(within, timing_);
    if (!ms) throw ScenarioError("a duration it cannot read: " + live::clip(within));
    deadline_ = loop_.now() + *ms;
    arm(deadline_);
    state_.arg = live::substituted(step[verb], vars_);
  }

  void end_step() {
    started_ = false;
    ++pc_;
    for (io::TimerId t : timers_) loop_.cancel_timer(t);
    timers_.clear();
  }

  void arm(std::uint64_t at) {
    const std::uint64_t now = loop_.now();
    timers_.push_back(loop_.start_timer(at > now ? at - now : 0, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->poke();
    }));
  }

  // A timed step (expect_silence, wait) is over once its duration has passed since it began.
  bool timed_step_over(const json& arg) {
    const auto ms = live::duration_ms(arg, timing_);
    if (!ms) throw ScenarioError("a duration it cannot read: " + live::clip(arg));
    if (!state_.began) {
      state_.began = true;
      deadline_ = ~std::uint64_t{0};
      arm(state_.started_at + *ms);
    }
    state_.duration = *ms;
    return loop_.now() >= state_.started_at + *ms;
  }

  std::uint64_t ms_of(const json& value) {
    const auto ms = live::duration_ms(value, timing_);
    if (!ms) throw ScenarioError("a duration it cannot read: " + live::clip(value));
    return *ms;
  }

  Progress failed(std::string why) {
    why_ = std::move(why);
    return Progress::failed;
  }

  std::string timeout_why(const std::string& verb) {
    const std::string waited = " within " + std::to_string(deadline_ - state_.started_at) + " ms";
    if (verb == "report") return "timed out" + waited + " waiting for the report " + state_.waiting_for;
    if (verb == "expect") return "timed out" + waited + " waiting for " + state_.waiting_for + session_state();
    if (verb == "accept") return "the client opened no new session" + waited;
    if (verb == "expect_closed") return "the session was still open" + waited;
    if (verb == "expect_attempts" || verb == "expect_transport")
      return "timed out" + waited + " waiting for " + state_.waiting_for;
    return "timed out" + waited;
  }

  std::string session_state() const {
    if (session_ == nullptr) return "";
    return session_->ended().empty() ? "" : "; the session ended: " + session_->ended();
  }

  ScriptSession& session() {
    if (session_ == nullptr) throw ScenarioError("no session: accept one first");
    return *session_;
  }

  Progress run_step(const std::string& verb, const json& step) {
    const json& arg = state_.arg;
    if (verb == "connect") return step_connect(arg);
    if (verb == "emit") return step_emit(arg);
    if (verb == "disconnect") {
      driver_->send({{"op", "disconnect"}});
      return Progress::done;
    }
    if (verb == "report") return step_report(step, arg);
    if (verb == "accept") return step_accept(arg);
    if (verb == "expect") return step_expect(step, arg);
    if (verb == "send") {
      if (!arg.is_array()) throw ScenarioError("send takes a list of packets");
      std::vector<Packet> packets;
      for (const json& p : arg) packets.push_back(packet_of(p));
      session().send(std::move(packets));
      return Progress::done;
    }
    if (verb == "expect_silence") return step_silence(step, arg);
    if (verb == "expect_closed") {
      if (!session().ended().empty()) return Progress::done;
      return Progress::waiting;
    }
    if (verb == "drop") return session().drop(), Progress::done;
    if (verb == "close") return session().close(), Progress::done;
    if (verb == "stall") return session().stall(), Progress::done;
    if (verb == "refuse_handshakes") return server_->refuse_handshakes = arg.get<int>(), Progress::done;
    if (verb == "refuse_upgrades") return server_->refuse_upgrades = arg.get<int>(), Progress::done;
    if (verb == "expect_attempts") return step_attempts(arg);
    if (verb == "expect_transport") {
      if (session().transport() == arg.get<std::string>()) return Progress::done;
      if (!session().ended().empty()) return failed("the session ended (" + session().ended() + ")");
      state_.waiting_for = "the session on " + arg.get<std::string>() + " (it is on " + session().transport() + ")";
      return Progress::waiting;
    }
    if (verb == "wait") return timed_step_over(arg) ? Progress::done : Progress::waiting;
    throw ScenarioError("unknown verb " + verb);
  }

  static Packet packet_of(const json& v) {
    try {
      return live::packet_from(v);
    } catch (const std::invalid_argument& e) {
      throw ScenarioError(e.what());
    }
  }

  Progress step_connect(const json& arg) {
    json options = {{"transports", transports_for(options_.transport)}};
    const json given = arg.value("options", json::object());
    for (const auto& [k, v] : given.items()) options[k] = v;
    std::string nsp = arg.value("nsp", "/");
    json command = {{"op", "connect"}, {"url", url_ + nsp}, {"options", options}};
    if (arg.contains("auth")) command["auth"] = arg["auth"];
    driver_->send(command);
    return Progress::done;
  }

  Progress step_emit(const json& arg) {
    json command = {{"op", "emit"}, {"event", arg.at("event")}, {"args", arg.value("args", json::array())}};
    for (const char* key : {"id", "ack", "volatile"})
      if (arg.contains(key)) command[key] = arg[key];
    if (arg.contains("timeout")) command["timeout"] = ms_of(arg["timeout"]);
    driver_->send(command);
    return Progress::done;
  }

  // A report pattern: a string is a report's kind ("connected"); an object a value pattern of
  // the whole report ({"report": "ack", "id": 1, "args": [3]}).
  static json report_pattern(const json& p) {
    if (p.is_string()) return {{"report", p}, {"$more", true}};
    return p;
  }

  bool skipped(const json& step, const json& report) const {
    const json skip = step.value("skip", json::array());
    return std::find(skip.begin(), skip.end(), report.value("report", "")) != skip.end();
  }

  Progress step_report(const json& step, const json& arg) {
    if (!arg.is_array()) throw ScenarioError("report takes a list of report patterns");
    if (!state_.began) {
      state_.began = true;
      for (const json& p : arg) state_.expected.push_back(report_pattern(p));
    }
    auto& reports = driver_->reports();
    while (state_.matched < state_.expected.size() && !reports.empty()) {
      const json got = std::move(reports.front());
      reports.pop_front();
      if (skipped(step, got)) continue;
      std::string why;
      if (!live::match_value(state_.expected[state_.matched], got, vars_, why, "$"))
        return failed("expected the report " + live::clip(state_.expected[state_.matched], 200) + ", received " +
                      live::clip(got, 300) + " (" + why + ")");
      ++state_.matched;
    }
    if (state_.matched == state_.expected.size()) return Progress::done;
    state_.waiting_for = live::clip(state_.expected[state_.matched], 200);
    return Progress::waiting;
  }

  Progress step_accept(const json& arg) {
    if (accepted_ >= server_->sessions.size()) return Progress::waiting;
    session_ = server_->sessions[accepted_++].get();
    attempts_seen_ = std::max(attempts_seen_, server_->attempts.size());  // its handshake was one
    session_->keep_pongs = arg.value("pongs", "") == "keep";
    vars_["sid"] = session_->sid();
    if (arg.contains("transport") && arg["transport"] != session_->transport())
      return failed("the client opened its session on " + std::string(session_->transport()) + ", not " +
                    arg["transport"].get<std::string>());
    return Progress::done;
  }

  Progress step_expect(const json& step, const json& arg) {
    ScriptSession& s = session();
    if (!arg.is_array()) throw ScenarioError("expect takes a list of packet patterns");
    if (!state_.began) {
      state_.began = true;
      state_.expected.assign(arg.begin(), arg.end());
    }
    const bool any_order = step.value("any_order", false);
    auto& want = state_.expected;
    while (!want.empty() && !s.inbox.empty()) {
      const Packet got = std::move(s.inbox.front());
      s.inbox.pop_front();
      std::string why;
      bool matched = false;
      for (std::size_t k = 0; k < (any_order ? want.size() : 1) && !matched; ++k)
        if (live::match_packet(want[k], got, vars_, why)) {
          want.erase(want.begin() + static_cast<std::ptrdiff_t>(k));
          matched = true;
        }
      if (!matched)
        return failed(any_order ? "received " + live::describe(got) + ", which none of the " +
                                      std::to_string(want.size()) + " packets still expected matches"
                                : why);
      ++state_.matched;
    }
    if (want.empty()) return Progress::done;
    state_.waiting_for = live::clip(want.front(), 200) + " (" + std::to_string(state_.matched) + " matched)";
    if (!s.ended().empty())
      return failed("the session ended (" + s.ended() + ") while waiting for " + state_.waiting_for);
    return Progress::waiting;
  }

  Progress step_silence(const json& step, const json& arg) {
    if (!state_.began) {
      state_.attempts = server_->attempts.size();
      state_.session_open = step.value("open", false);
      if (state_.session_open && (session_ == nullptr || !session_->ended().empty()))
        return failed("no open session to stay open");
    }
    const bool over = timed_step_over(arg);
    const std::string quiet = "expected nothing for " + std::to_string(state_.duration) + " ms; ";
    if (session_ != nullptr) {
      if (!session_->inbox.empty()) return failed(quiet + "the client sent " + live::describe(session_->inbox.front()));
      if (state_.session_open && !session_->ended().empty())
        return failed(quiet + "the session ended: " + session_->ended());
    }
    for (const json& r : driver_->reports())
      if (!skipped(step, r)) return failed(quiet + "the driver reported " + live::clip(r, 300));
    if (server_->attempts.size() > state_.attempts)
      return failed(quiet + "the client made a connection attempt " +
                    std::to_string(server_->attempts.back() - state_.started_at) + " ms in");
    return over ? Progress::done : Progress::waiting;
  }

  // {"count": N, "min_gaps": [durations], "max_gaps": [durations], "max_per_second": M}: N more
  // handshakes, the k-th at least min_gaps[k] (and at most max_gaps[k]) after the one before it
  // (the first: after the step began), and no more than M of them in any second.
  Progress step_attempts(const json& arg) {
    const std::size_t count = arg.at("count").get<std::size_t>();
    if (!state_.began) {
      state_.began = true;
      state_.attempts = attempts_seen_;
    }
    const auto& at = server_->attempts;
    if (at.size() < state_.attempts + count) {
      state_.waiting_for =
          std::to_string(count) + " connection attempts (" + std::to_string(at.size() - state_.attempts) + " came)";
      return Progress::waiting;
    }
    for (std::size_t k = 0; k < count; ++k) {
      const std::size_t i = state_.attempts + k;
      const std::uint64_t before = k == 0 ? state_.started_at : at[i - 1];
      const std::uint64_t gap = at[i] >= before ? at[i] - before : 0;
      const json min = arg.value("min_gaps", json::array()), max = arg.value("max_gaps", json::array());
      if (k < min.size() && gap < ms_of(min[k]))
        return failed("attempt " + std::to_string(k + 1) + " came " + std::to_string(gap) +
                      " ms after the one before, " + "sooner than " + std::to_string(ms_of(min[k])) +
                      " ms: no backoff");
      if (k < max.size() && gap > ms_of(max[k]))
        return failed("attempt " + std::to_string(k + 1) + " came " + std::to_string(gap) +
                      " ms after the one before, " + "later than " + std::to_string(ms_of(max[k])) + " ms");
    }
    if (arg.contains("max_per_second")) {
      const std::size_t most = arg["max_per_second"].get<std::size_t>();
      for (std::size_t i = state_.attempts; i < state_.attempts + count; ++i) {
        std::size_t in_window = 0;
        for (std::size_t j = i; j < state_.attempts + count && at[j] < at[i] + 1000; ++j) ++in_window;
        if (in_window > most)
          return failed(std::to_string(in_window) + " connection attempts within one second (at most " +
                        std::to_string(most) + "): a reconnection storm");
      }
    }
    attempts_seen_ = state_.attempts + count;
    return Progress::done;
  }

  void finish(CaseOutcome::Kind kind, std::string why) {
    if (finished_) return;
    finished_ = true;
    for (io::TimerId t : timers_) loop_.cancel_timer(t);
    timers_.clear();
    loop_.cancel_timer(hello_timer_);
    outcome_.kind = kind;
    outcome_.why = std::move(why);
    if (kind != CaseOutcome::Kind::pass) log_.add("", "*", outcome_.why);
    outcome_.hello = hello_;
    if (!driver_) return wind_down();
    driver_->stop([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->wind_down();
    });
  }

  // The driver is gone: a crash seen only now (it died after the last step, before bye) still
  // counts; then the server and the port close and the case reports.
  void wind_down() {
    if (driver_) {
      if (outcome_.kind == CaseOutcome::Kind::pass && !driver_->crashed().empty()) {
        outcome_.kind = CaseOutcome::Kind::crash;
        outcome_.why = "after the last step: " + crash_text();
        log_.add("", "*", outcome_.why);
      }
      outcome_.driver_stderr = driver_->stderr_text();
    }
    outcome_.wire = log_.to_json();
    auto close_listener = [this] {
      if (!listener_) return end();
      listener_->close([weak = weak_from_this()] {
        if (auto self = weak.lock()) self->end();
      });
    };
    if (!server_) return close_listener();
    server_->on_change = nullptr;
    server_->close(close_listener);
  }

  void end() {
    loop_.post([self = std::move(self_)]() mutable {
      self->driver_.reset();
      self->server_.reset();
      self->listener_.reset();
      auto done = std::move(self->done_);
      done(std::move(self->outcome_));
    });
  }

  io::UvLoop& loop_;
  live::WireLog log_;
  const live::Scenario& scenario_;
  CaseOptions options_;
  std::function<void(CaseOutcome)> done_;
  std::shared_ptr<Check> self_;
  ServerSettings settings_;
  live::Timing timing_;
  live::Vars vars_;
  std::unique_ptr<ScriptServer> server_;
  io::ListenerPtr listener_;
  std::unique_ptr<Driver> driver_;
  std::string url_;
  json hello_;
  bool expect_hello_ = false;
  io::TimerId hello_timer_ = 0;
  CaseOutcome outcome_;

  ScriptSession* session_ = nullptr;  // the session steps act on: the last one accepted
  std::size_t accepted_ = 0;          // sessions taken by accept steps
  std::size_t attempts_seen_ = 0;     // handshakes counted by expect_attempts steps
  std::size_t pc_ = 0;
  bool started_ = false, finished_ = false, poke_posted_ = false;
  std::string verb_, why_;
  std::uint64_t deadline_ = 0;
  std::vector<io::TimerId> timers_;
  struct StepState {
    bool began = false, session_open = false;
    std::uint64_t started_at = 0, duration = 0;
    json arg;
    std::vector<json> expected;
    std::size_t matched = 0, attempts = 0;
    std::string waiting_for;
  } state_;
};

}  // namespace

void run_client_case(io::UvLoop& loop, const live::Scenario& scenario, const CaseOptions& options,
                     std::function<void(CaseOutcome)> done) {
  std::make_shared<Check>(loop, scenario, options, std::move(done))->start();
}

}  // namespace sioconf::client
