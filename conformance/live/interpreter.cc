#include "interpreter.h"

#include <algorithm>
#include <map>
#include <memory>
#include <stdexcept>

#include "cli.h"
#include "session.h"
#include "sioconf/http/websocket.h"

namespace sioconf::live {

namespace {

constexpr const char* kDefaultWithin = "2000 ms";
constexpr const char* kVerbs[] = {"open",    "send",       "expect",          "expect_closed", "expect_silence",
                                  "wait",    "http",       "expect_response", "ws_open",       "frame",
                                  "write",   "expect_end", "close",           "stop_reading",  "resume_reading",
                                  "connect", "reset"};

// A step's verb: its one key that names one.
std::string verb_of(const json& step) {
  std::string verb;
  for (const char* v : kVerbs)
    if (step.contains(v)) {
      if (!verb.empty()) throw std::runtime_error("a step with two verbs: " + verb + " and " + v);
      verb = v;
    }
  if (verb.empty()) throw std::runtime_error("a step with no verb: " + clip(step, 120));
  return verb;
}

// A step that cannot be done as written is the scenario's fault, not the server's: ERROR.
struct ScenarioError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Progress { done, waiting, failed };

std::optional<ws::Opcode> opcode_from(const json& v) {
  if (v.is_number_unsigned() && v.get<unsigned>() < 16) return static_cast<ws::Opcode>(v.get<unsigned>());
  static const std::pair<const char*, ws::Opcode> names[] = {{"continuation", ws::Opcode::continuation},
                                                             {"text", ws::Opcode::text},
                                                             {"binary", ws::Opcode::binary},
                                                             {"close", ws::Opcode::close},
                                                             {"ping", ws::Opcode::ping},
                                                             {"pong", ws::Opcode::pong}};
  if (v.is_string())
    for (const auto& [n, op] : names)
      if (v == n) return op;
  return std::nullopt;
}

// `want` is a number or a list of numbers; is `got` it, or in it?
bool one_of(const json& want, int got) {
  return want.is_array() ? std::find(want.begin(), want.end(), got) != want.end() : want == got;
}

// A packet as steps write it; one the scenario cannot write is its own error, not the server's.
Packet packet_of(const json& v) {
  try {
    return packet_from(v);
  } catch (const std::invalid_argument& e) {
    throw ScenarioError(e.what());
  }
}

class Interpreter : public std::enable_shared_from_this<Interpreter> {
 public:
  Interpreter(io::Loop& loop, const Connector& connector, const Target& target, const Scenario& scenario,
              const Variant& options, std::function<void(Outcome)> done)
      : loop_(loop),
        log_(loop),
        run_{loop,         log_,
             connector,    options.shaping,
             options.seed, target.host + ":" + std::to_string(target.port),
             target.path,  {}},
        scenario_(scenario),
        options_(options),
        done_(std::move(done)) {
    timing_.scale = options.time_scale;
    vars_["path"] = target.path;
    vars_["host"] = run_.host;
    vars_["transport"] = transport_name(options.transport);
  }

  void start() {
    // Every arrival pokes the run; one advance per loop turn however many arrived.
    run_.poke = [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->poke();
    };
    self_ = shared_from_this();  // alive until finish()
    poke();
  }

 private:
  struct Actor {
    std::unique_ptr<Session> session;
    std::unique_ptr<Connection> raw;
  };

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

  void advance() {
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
        return finish(Outcome::Kind::error, step_name(verb) + e.what());
      } catch (const std::exception& e) {  // json type errors, unknown ${names}: the scenario's
        return finish(Outcome::Kind::error, step_name(verb) + "the scenario: " + e.what());
      }
      if (p == Progress::failed) return finish(Outcome::Kind::fail, step_name(verb) + why_);
      if (p == Progress::waiting) {
        if (loop_.now() >= deadline_) return finish(Outcome::Kind::fail, step_name(verb) + timeout_why(verb));
        return;
      }
      end_step();
    }
    if (!finished_) finish(Outcome::Kind::pass, {});
  }

  std::string step_name(const std::string& verb) const {
    return "step " + std::to_string(pc_ + 1) + " (" + verb + (actor_name_ != "main" ? " on " + actor_name_ : "") +
           "): ";
  }

  void begin_step(const std::string& verb, const json& step) {
    started_ = true;
    step_state_ = {};
    step_state_.started_at = loop_.now();
    actor_name_ = step.value("on", "main");
    const json within = step.value("within", json(kDefaultWithin));
    const auto ms = duration_ms(within, timing_);
    if (!ms) throw ScenarioError("a duration it cannot read (pi and pt only after a handshake): " + clip(within));
    deadline_ = loop_.now() + *ms;
    arm(deadline_);
    step_state_.arg = substituted(step[verb], vars_, index_vars(0));
  }

  void end_step() {
    started_ = false;
    ++pc_;
    for (io::TimerId t : timers_) loop_.cancel_timer(t);
    timers_.clear();
  }

  // Looks again at `at` (a deadline, the end of a wait).
  void arm(std::uint64_t at) {
    const std::uint64_t now = loop_.now();
    timers_.push_back(loop_.start_timer(at > now ? at - now : 0, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->poke();
    }));
  }

  std::string timeout_why(const std::string& verb) {
    const std::string waited = " within " + std::to_string(deadline_ - step_started_at()) + " ms";
    Actor& a = actor();
    std::string state;
    if (a.session && a.session->closed()) state = "; the session closed: " + a.session->closed_how();
    if (verb == "expect") return "timed out" + waited + " waiting for " + step_state_.waiting_for + state;
    if (verb == "expect_closed") return "the session was still open" + waited;
    if (verb == "expect_end") return "the connection was still open" + waited;
    if (verb == "open") return "no session was open" + waited + state;
    if (verb == "send") return "the POST was not answered" + waited + state;
    return "timed out" + waited + state;
  }
  std::uint64_t step_started_at() const { return step_state_.started_at; }

  Actor& actor() { return actors_[actor_name_]; }
  Session& session() {
    Actor& a = actor();
    if (!a.session) throw ScenarioError("no session on \"" + actor_name_ + "\": open one first");
    return *a.session;
  }
  // The client's raw connection; steps that write open a new one when the last one ended, steps
  // that read look at the last one.
  Connection& raw(bool reopen = true) {
    Actor& a = actor();
    if (!a.raw || (reopen && a.raw->state() == Connection::State::ended)) a.raw = run_.connection(actor_name_);
    return *a.raw;
  }
  std::string var_prefix() const { return actor_name_ == "main" ? "" : actor_name_ + "."; }

  // A failed step says why; the run ends.
  Progress failed(std::string why) {
    why_ = std::move(why);
    return Progress::failed;
  }

  // A session's protocol failure, found while the step waited.
  std::optional<Progress> session_failed(Session& s) {
    if (!s.failure().empty()) return failed("the server broke the protocol: " + s.failure());
    return std::nullopt;
  }

  Progress run_step(const std::string& verb, const json& step) {
    const json& arg = step_state_.arg;
    if (verb == "open") return step_open(arg);
    if (verb == "send") return step_send(step, arg);
    if (verb == "expect") return step_expect(step);
    if (verb == "expect_closed") return step_expect_closed(arg);
    if (verb == "expect_silence") return step_silence(arg);
    if (verb == "wait") return step_wait(arg);
    if (verb == "http") return step_http(arg);
    if (verb == "expect_response") return step_expect_response(arg);
    if (verb == "ws_open") return step_ws_open(arg);
    if (verb == "frame") return step_frame(step);
    if (verb == "write") return step_write(step);
    if (verb == "expect_end") return step_expect_end();
    if (verb == "close") return step_close();
    if (verb == "stop_reading" || verb == "resume_reading") {
      Actor& a = actor();
      for (auto* conn : {a.raw.get()})
        if (conn != nullptr) verb == "stop_reading" ? conn->stop_reading() : conn->resume_reading();
      if (a.session) verb == "stop_reading" ? a.session->stop_reading() : a.session->resume_reading();
      return Progress::done;
    }
    if (verb == "reset") {
      if (!actor().raw) throw ScenarioError("reset needs a raw connection on \"" + actor_name_ + "\"");
      actor().raw->reset();
      return Progress::done;
    }
    if (verb == "connect") {
      raw();
      return Progress::done;
    }
    throw ScenarioError("unknown verb " + verb);
  }

  // ${i} is the repetition's index in a step with "repeat" (0, 1, ... n-1), ${ri} the same
  // counted from the end (n-1, ... 0).
  static Vars index_vars(std::size_t i, std::size_t n = 1) {
    return {{"i", std::to_string(i)}, {"ri", std::to_string(n - 1 - i)}};
  }
  std::size_t repeat(const json& step) const {
    const std::size_t n = step.value("repeat", std::size_t{1});
    if (n == 0 || n > 1'000'000) throw ScenarioError("repeat must be 1..1000000");
    return n;
  }

  Progress step_open(const json& arg) {
    Actor& a = actor();
    if (!step_state_.began) {
      step_state_.began = true;
      if (a.session) throw ScenarioError("\"" + actor_name_ + "\" already has a session");
      TransportKind kind = options_.transport;
      if (arg.contains("transport"))
        kind = transport_from_name(arg["transport"].get<std::string>()).value_or(TransportKind::websocket);
      a.session = std::make_unique<Session>(run_, actor_name_, kind, arg.value("heartbeat", "auto") != "manual",
                                            arg.value("query", ""));
      a.session->start();
    }
    Session& s = *a.session;
    if (auto f = session_failed(s)) return *f;
    if (s.closed()) return failed("the session closed before it opened: " + s.closed_how());
    if (!s.opened()) return Progress::waiting;
    const json& h = s.handshake();
    if (h.is_object()) {
      vars_[var_prefix() + "sid"] = h["sid"].get<std::string>();
      vars_[var_prefix() + "ping_interval"] = h["pingInterval"].dump();
      vars_[var_prefix() + "ping_timeout"] = h["pingTimeout"].dump();
      vars_[var_prefix() + "max_payload"] = h["maxPayload"].dump();
      if (timing_.ping_interval_ms == 0) {
        timing_.ping_interval_ms = s.ping_interval_ms;
        timing_.ping_timeout_ms = s.ping_timeout_ms;
      }
    }
    return Progress::done;
  }

  Progress step_send(const json& step, const json&) {
    Session& s = session();
    if (!step_state_.began) {
      step_state_.began = true;
      std::vector<Packet> packets;
      const std::size_t n = repeat(step);
      for (std::size_t i = 0; i < n; ++i) {
        const json list = substituted(step["send"], vars_, index_vars(i, n));
        if (!list.is_array()) throw ScenarioError("send takes a list of packets");
        for (const json& p : list) packets.push_back(packet_of(p));
      }
      std::vector<int> statuses;  // a number or a list
      if (step.contains("status"))
        statuses = step["status"].is_array() ? step["status"].get<std::vector<int>>()
                                             : std::vector<int>{step["status"].get<int>()};
      if (s.closed()) return failed("the session was closed before the send: " + s.closed_how());
      s.send(packets, std::move(statuses));
    }
    if (auto f = session_failed(s)) return *f;
    if (!s.send_failure().empty()) return failed(s.send_failure());
    return s.sent() ? Progress::done : Progress::waiting;
  }

  Progress step_expect(const json& step) {
    Session& s = session();
    if (!step_state_.began) {
      step_state_.began = true;
      const std::size_t n = repeat(step);
      for (std::size_t i = 0; i < n; ++i) {
        const json list = substituted(step["expect"], vars_, index_vars(i, n));
        if (!list.is_array()) throw ScenarioError("expect takes a list of packet patterns");
        for (const json& p : list) step_state_.expected.push_back(p);
      }
      // Kept last first, so that taking the next one is a pop_back, not a shift of them all.
      std::reverse(step_state_.expected.begin(), step_state_.expected.end());
    }
    const bool any_order = step.value("any_order", false);
    auto& want = step_state_.expected;  // last first: the next packet expected is back()
    while (!want.empty() && !s.inbox.empty()) {
      const Packet got = std::move(s.inbox.front());
      s.inbox.pop_front();
      std::string why;
      bool matched = false;
      for (std::size_t k = want.size(); k-- > (any_order ? 0 : want.size() - 1) && !matched;) {
        if (match_packet(want[k], got, vars_, why)) {
          learn_timing(got);
          want.erase(want.begin() + static_cast<std::ptrdiff_t>(k));
          matched = true;
        }
      }
      if (!matched)
        return failed(any_order ? "received " + describe(got) + ", which none of the " + std::to_string(want.size()) +
                                      " packets still expected matches (the next: " + clip(want.back(), 200) + ")"
                                : why);
      ++step_state_.matched;
    }
    if (want.empty()) return Progress::done;
    step_state_.waiting_for = clip(want.back(), 200) +
                              (want.size() > 1 ? " and " + std::to_string(want.size() - 1) + " more packets" : "") +
                              " (" + std::to_string(step_state_.matched) + " matched)";
    if (auto f = session_failed(s)) return *f;
    if (s.closed())
      return failed("the session closed (" + s.closed_how() + ") while waiting for " + step_state_.waiting_for);
    return Progress::waiting;
  }

  Progress step_expect_closed(const json& arg) {
    Session& s = session();
    if (!step_state_.began) {
      step_state_.began = true;
    }
    if (!s.closed()) return Progress::waiting;
    if (arg.contains("code")) {
      const json& code = arg["code"];
      if (!s.close_code || !one_of(code, *s.close_code))
        return failed("the session closed (" + s.closed_how() + "), not with a close frame of code " + clip(code));
    }
    if (arg.contains("status")) {
      const json& status = arg["status"];
      if (!s.close_status || !one_of(status, *s.close_status))
        return failed("the session closed (" + s.closed_how() + "), not with a GET answered " + clip(status));
    }
    return Progress::done;
  }

  Progress step_silence(const json& arg) {
    Session& s = session();
    const auto ms = duration_ms(arg, timing_);
    if (!ms) throw ScenarioError("a duration it cannot read (pi and pt only after a handshake): " + clip(arg));
    if (!step_state_.began) {
      step_state_.began = true;
      deadline_ = ~std::uint64_t{0};
      arm(loop_.now() + *ms);
    }
    if (!s.inbox.empty())
      return failed("expected no packet for " + std::to_string(*ms) + " ms, received " + describe(s.inbox.front()));
    if (auto f = session_failed(s)) return *f;
    if (s.closed()) return failed("expected the session to stay open and quiet; it closed: " + s.closed_how());
    return loop_.now() >= step_state_.started_at + *ms ? Progress::done : Progress::waiting;
  }

  Progress step_wait(const json& arg) {
    const auto ms = duration_ms(arg, timing_);
    if (!ms) throw ScenarioError("a duration it cannot read (pi and pt only after a handshake): " + clip(arg));
    if (!step_state_.began) {
      step_state_.began = true;
      deadline_ = ~std::uint64_t{0};
      arm(loop_.now() + *ms);
    }
    return loop_.now() >= step_state_.started_at + *ms ? Progress::done : Progress::waiting;
  }

  static std::string header_lines(const json& headers) {
    std::string out;
    if (headers.is_object())
      for (const auto& [k, v] : headers.items()) out += k + ": " + v.get<std::string>() + "\r\n";
    return out;
  }

  Progress step_http(const json& arg) {
    const std::string method = arg.value("method", "GET");
    const std::string path = arg.value("path", run_.path);
    const std::string query = arg.value("query", "");
    const std::string target = query.empty() ? path : path + "?" + query;
    std::string body;
    if (arg.contains("body")) body = packet_of(arg["body"]).bytes;
    const json headers = arg.value("headers", json::object());
    std::string request = method + " " + target + " HTTP/1.1\r\n";
    if (!headers.contains("Host") && !headers.contains("host")) request += "Host: " + run_.host + "\r\n";
    request += header_lines(headers);
    if (arg.contains("body") && !headers.contains("Content-Length") && !headers.contains("Transfer-Encoding"))
      request += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    const std::string what = method + " " + target + (body.empty() ? "" : " " + printable(body, 200));
    raw().write(request + "\r\n" + body, what);
    return Progress::done;
  }

  Progress step_expect_response(const json& arg) {
    Connection& c = raw(false);
    if (!step_state_.began) {
      step_state_.began = true;
    }
    http::ReceivedResponse r;
    if (const auto p = next_response(c, "a response", r)) return *p;
    return match_response(arg, r);
  }

  // Takes the connection's next response into `r`; else says to wait, or why none will come.
  std::optional<Progress> next_response(Connection& c, const char* what, http::ReceivedResponse& r) {
    if (c.responses.empty()) {
      if (!c.violation().empty()) return failed(c.violation());
      if (c.state() == Connection::State::ended)
        return failed("the connection ended (" + c.end_reason() + ") with no " + what);
      return Progress::waiting;
    }
    r = std::move(c.responses.front());
    c.responses.pop_front();
    return std::nullopt;
  }

  Progress match_response(const json& arg, const http::ReceivedResponse& r) {
    const std::string got = std::to_string(r.status) + " " + printable(r.body, 200);
    if (arg.contains("status")) {
      const json& st = arg["status"];
      if (!one_of(st, r.status)) return failed("expected status " + clip(st) + ", received " + got);
    }
    const json headers = arg.value("headers", json::object());
    for (const auto& [name, pattern] : headers.items()) {
      std::string lower = name;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](char ch) { return static_cast<char>(std::tolower(ch)); });
      if (!r.has_header(lower)) return failed("expected a " + name + " header, received " + got);
      std::string why;
      Vars captures;
      if (!match_value(pattern, json(std::string(r.header(lower))), captures, why, name))
        return failed(why + " (" + got + ")");
    }
    if (!arg.contains("body")) return Progress::done;
    const json& body = arg["body"];
    if (body.is_string()) {
      if (r.body == body.get<std::string>()) return Progress::done;
      return failed("expected the body " + printable(body.get<std::string>(), 200) + ", received " + got);
    }
    if (body.contains("packets")) return match_body_packets(body["packets"], r);
    if (body.contains("prefix") &&
        r.body.compare(0, body["prefix"].get<std::string>().size(), body["prefix"].get<std::string>()) != 0)
      return failed("expected a body starting " + printable(body["prefix"].get<std::string>()) + ", received " + got);
    if (body.contains("json")) {
      const json value = json::parse(r.body, nullptr, false);
      std::string why;
      if (value.is_discarded()) return failed("expected a JSON body, received " + got);
      if (!match_value(body["json"], value, vars_, why, "$")) return failed(why + " (" + got + ")");
    }
    return Progress::done;
  }

  Progress match_body_packets(const json& patterns, const http::ReceivedResponse& r) {
    std::string error;
    const std::optional<std::vector<Packet>> packets = body_packets(r.body, error);
    if (!packets) return failed("a polling body the reference cannot decode: " + error);
    if (packets->size() != patterns.size())
      return failed("expected " + std::to_string(patterns.size()) + " packets in the body, received " +
                    std::to_string(packets->size()) + ": " + printable(r.body, 200));
    for (std::size_t i = 0; i < patterns.size(); ++i) {
      std::string why;
      if (!match_packet(patterns[i], (*packets)[i], vars_, why))
        return failed("packet " + std::to_string(i + 1) + ": " + why);
      learn_timing((*packets)[i]);
    }
    return Progress::done;
  }

  // The first open packet the run sees sets pi and pt, whichever step saw it.
  void learn_timing(const Packet& p) {
    if (timing_.ping_interval_ms != 0 || p.binary || p.bytes.empty() || p.bytes[0] != '0') return;
    const json j = json::parse(p.bytes.substr(1), nullptr, false);
    if (!j.is_object() || !j.contains("pingInterval") || !j["pingInterval"].is_number() || !j.contains("pingTimeout") ||
        !j["pingTimeout"].is_number())
      return;
    timing_.ping_interval_ms = j["pingInterval"].get<double>();
    timing_.ping_timeout_ms = j["pingTimeout"].get<double>();
  }

  Progress step_ws_open(const json& arg) {
    Actor& a = actor();
    if (!step_state_.began) {
      step_state_.began = true;
      if (a.session) throw ScenarioError("\"" + actor_name_ + "\" already has a session");
      const std::string query = arg.value("query", "EIO=4&transport=websocket");
      Connection& c = raw();
      c.websocket_key = "c2lvY29uZi1saXZlLXJ1bg==";
      std::string request = "GET " + arg.value("path", run_.path) + "?" + query + " HTTP/1.1\r\nHost: " + run_.host +
                            "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                            "Sec-WebSocket-Key: " +
                            c.websocket_key + "\r\n" + header_lines(arg.value("headers", json::object())) + "\r\n";
      c.write(request, "GET (websocket) " + query);
    }
    Connection& c = *a.raw;
    http::ReceivedResponse r;
    if (const auto p = next_response(c, "an answer to the upgrade", r)) return *p;
    if (arg.contains("status")) return match_response(arg, r);  // a refusal the scenario expects
    if (r.status != 101)
      return failed("expected 101 Switching Protocols, received " + std::to_string(r.status) + " " +
                    printable(r.body, 200));
    if (r.header("sec-websocket-accept") != http::websocket_accept(c.websocket_key))
      return failed("the 101 has no Sec-WebSocket-Accept for the request's key (RFC 6455 4.2.2)");
    a.session =
        std::make_unique<Session>(run_, actor_name_, std::move(a.raw), arg.value("heartbeat", "auto") != "manual");
    a.session->start();
    return Progress::done;
  }

  // Raw bytes go to the client's raw connection, or to its session's WebSocket (frames a client
  // must not send, in the middle of a session).
  Connection& byte_connection() {
    Actor& a = actor();
    if (!a.session) return raw();
    if (Connection* ws = a.session->websocket()) return *ws;
    throw ScenarioError("frame and write need a raw connection or a WebSocket session; \"" + actor_name_ +
                        "\" has a polling session");
  }

  // All repetitions in one write: 131,073 fragments go out as fast as the kernel takes them.
  Progress step_frame(const json& step) {
    Connection& c = byte_connection();
    const std::size_t n = repeat(step);
    std::string bytes, first;
    for (std::size_t i = 0; i < n; ++i) {
      const json f = substituted(step["frame"], vars_, index_vars(i, n));
      const auto op = opcode_from(f.value("opcode", json("text")));
      if (!op) throw ScenarioError("an unknown opcode: " + clip(f.value("opcode", json())));
      const std::string payload = f.contains("payload") ? packet_of(f["payload"]).bytes : std::string();
      bytes += c.frame_bytes(*op, payload, f.value("fin", true), static_cast<std::uint8_t>(f.value("rsv", 0)),
                             f.value("masked", true), i == 0 ? &first : nullptr);
    }
    c.write(std::move(bytes), n == 1 ? first : std::to_string(n) + " frames, the first: " + first);
    return Progress::done;
  }

  Progress step_write(const json& step) {
    Connection& c = byte_connection();
    const std::size_t n = repeat(step);
    std::string bytes;
    for (std::size_t i = 0; i < n; ++i) bytes += packet_of(substituted(step["write"], vars_, index_vars(i, n))).bytes;
    const std::string what = printable(bytes, 200);
    c.write(std::move(bytes), what);
    return Progress::done;
  }

  Progress step_expect_end() {
    Actor& a = actor();
    if (!step_state_.began) {
      step_state_.began = true;
    }
    if (a.session) return a.session->closed() ? Progress::done : Progress::waiting;
    Connection& c = raw(false);
    return c.state() == Connection::State::ended ? Progress::done : Progress::waiting;
  }

  Progress step_close() {
    Actor& a = actor();
    if (a.session) a.session->close();
    if (a.raw) a.raw->close();
    return Progress::done;
  }

  void finish(Outcome::Kind kind, std::string why) {
    if (finished_) return;
    finished_ = true;
    for (io::TimerId t : timers_) loop_.cancel_timer(t);
    timers_.clear();
    Outcome outcome{kind, std::move(why), json(), timing_.ping_interval_ms};
    if (kind != Outcome::Kind::pass) log_.add("", "*", outcome.why);
    outcome.wire = log_.to_json();
    // Connections are let go on the next turn: this may run from inside one's callback.
    loop_.post([self = std::move(self_), outcome = std::move(outcome)]() mutable {
      self->actors_.clear();
      auto done = std::move(self->done_);
      done(std::move(outcome));
    });
  }

  io::Loop& loop_;
  WireLog log_;
  RunContext run_;
  const Scenario& scenario_;
  Variant options_;
  std::function<void(Outcome)> done_;
  std::shared_ptr<Interpreter> self_;
  Timing timing_;
  Vars vars_;
  std::map<std::string, Actor> actors_;
  std::size_t pc_ = 0;
  bool started_ = false, finished_ = false, poke_posted_ = false;
  std::string actor_name_ = "main", why_;
  std::uint64_t deadline_ = 0;
  std::vector<io::TimerId> timers_;
  struct StepState {
    bool began = false;
    std::uint64_t started_at = 0;
    json arg;  // the verb's argument, ${variables} substituted when the step began
    std::vector<json> expected;
    std::size_t matched = 0;
    std::string waiting_for;
  } step_state_;
};

}  // namespace

void run_scenario(io::Loop& loop, const Connector& connector, const Target& target, const Scenario& scenario,
                  const Variant& options, std::function<void(Outcome)> done) {
  std::make_shared<Interpreter>(loop, connector, target, scenario, options, std::move(done))->start();
}

}  // namespace sioconf::live
