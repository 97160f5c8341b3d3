// `sioconf live`: runs live scenarios (corpus/live) against running Socket.IO servers and reports
// verdicts per case, as `sioconf vectors` does for adapters. A case is one scenario on one
// transport; it passes when its steps pass with the client's bytes written whole, one byte per
// write and in random cuts (the shapings). Independent cases run side by side on one event loop;
// a hostile one, or one that loads the server ("alone"), runs with no other; after a hostile one,
// and after any that did not pass, a fresh client must still be served (the liveness probe), else
// it FAILs and the runner waits for the server to come back (or restarts it).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include "interpreter.h"
#include "runner.h"
#include "sioconf/io/uv.h"

namespace sioconf::cli {
namespace {

using live::Outcome;
using live::Scenario;
using live::Shaping;
using live::TransportKind;

// The liveness probe: a fresh client opens a WebSocket session and joins the main namespace.
// It asks only for an open packet with a sid, whatever else the server's handshake holds (before
// engine.io 6.2 there was no maxPayload): the probe asks "is it alive", not "is it right".
const char* const kProbe = R"({"id": "probe", "level": "must", "transports": ["websocket"], "shaping": "whole",
  "steps": [{"ws_open": {"query": "EIO=4&transport=websocket"}, "within": "3000 ms"},
            {"expect": [{"text": "0", "json": {"sid": "$string", "$more": true}}], "within": "3000 ms"},
            {"send": ["40"]}, {"expect": [{"prefix": "40"}], "within": "3000 ms"}]})";

// http://HOST:PORT[/path/] -> a target; the path defaults to /socket.io/.
std::optional<live::Target> parse_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) return std::nullopt;
  const std::string rest = url.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  const std::string authority = rest.substr(0, slash);
  const std::size_t colon = authority.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  live::Target t;
  t.host = authority.substr(0, colon);
  if (t.host == "localhost") t.host = "127.0.0.1";
  const int port = std::atoi(authority.substr(colon + 1).c_str());
  if (port <= 0 || port > 65535) return std::nullopt;
  t.port = static_cast<std::uint16_t>(port);
  if (slash != std::string::npos && slash + 1 < rest.size()) {
    t.path = rest.substr(slash);
    if (t.path.back() != '/') t.path += '/';
  }
  return t;
}

// A server the runner starts (--server NAME=CMD): `/bin/sh -c CMD` in its own process group, with
// PORT in its environment (and {port} in CMD replaced), stderr kept in a file for the report.
class ServerProcess {
 public:
  ServerProcess(std::string command, std::uint16_t port) : command_(std::move(command)), port_(port) {
    for (std::size_t at; (at = command_.find("{port}")) != std::string::npos;)
      command_.replace(at, 6, std::to_string(port));
    log_path_ = (std::filesystem::temp_directory_path() /
                 ("sioconf-live-server-" + std::to_string(::getpid()) + "-" + std::to_string(port) + ".log"))
                    .string();
  }
  ~ServerProcess() { stop(); }
  void start() {
    stop();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);
      ::setenv("PORT", std::to_string(port_).c_str(), 1);
      if (FILE* f = std::freopen(log_path_.c_str(), "a", stderr); f == nullptr) _exit(127);
      if (FILE* f = std::freopen("/dev/null", "w", stdout); f == nullptr) _exit(127);
      ::execl("/bin/sh", "sh", "-c", command_.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGTERM);
    for (int i = 0; i < 60; ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  std::string stderr_tail() const {
    std::ifstream in(log_path_);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.size() > 4096 ? text.substr(text.size() - 4096) : text;
  }
  void remove_log() const { std::remove(log_path_.c_str()); }
  const std::string& command() const { return command_; }

 private:
  std::string command_;
  std::uint16_t port_;
  std::string log_path_;
  pid_t pid_ = -1;
};

std::uint16_t free_port() {
  io::UvLoop loop;
  Errc e = Errc::none;
  io::ListenerPtr l = loop.listen(
      "127.0.0.1", 0, [](Errc, io::TransportPtr) {}, e);
  const std::uint16_t port = l ? l->port() : 0;
  if (l) l->close(nullptr);
  loop.run();
  return port;
}

// Runs every case against one server, `jobs` at a time, on one loop.
class Scheduler {
 public:
  Scheduler(const LiveOptions& options, const live::Target& target, const std::vector<ScenarioCase>& cases,
            std::function<bool()> restart, Progress& progress, const std::string& key)
      : options_(options),
        target_(target),
        cases_(cases),
        results_(cases.size()),
        restart_(std::move(restart)),
        progress_(progress),
        key_(key) {
    std::vector<std::string> errors;
    probe_.id = "probe";
    probe_.level = "must";
    probe_.transports = {TransportKind::websocket};
    probe_.steps = json::parse(kProbe)["steps"];
    for (const std::string& s : options.shapings)
      for (Shaping sh : {Shaping::whole, Shaping::bytes, Shaping::cuts})
        if (s == live::shaping_name(sh)) shapings_.push_back(sh);
    if (shapings_.empty()) shapings_ = {Shaping::whole, Shaping::bytes, Shaping::cuts};
  }

  std::vector<Result> run() {
    connector_ = [this](io::ConnectHandler done) { loop_.connect(target_.host, target_.port, std::move(done)); };
    start_next();
    loop_.run();
    return std::move(results_);
  }

 private:
  void start_next() {
    while (next_ < cases_.size() && !alone_ && !down_) {
      const ScenarioCase& c = cases_[next_];
      if (c.scenario->alone && in_flight_ > 0) return;  // it waits for the others to finish
      if (in_flight_ >= static_cast<std::size_t>(std::max(1, options_.jobs))) return;
      alone_ = c.scenario->alone;
      launch(next_++, 0);
    }
    if (down_)  // the server is gone for good: what is left cannot be judged
      for (; next_ < cases_.size(); ++next_) {
        results_[next_].verdict = Verdict::error;
        results_[next_].why = "the server stopped answering earlier in the run and did not come back";
      }
  }

  std::uint64_t seed_of(std::size_t index, std::size_t shaping) const {
    std::uint64_t h = 1469598103934665603ULL;
    for (char ch : cases_[index].scenario->id) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ULL;
    return h + shaping * 7919 + static_cast<std::uint64_t>(cases_[index].transport);
  }

  void launch(std::size_t index, std::size_t shaping) {
    if (shaping == 0) ++in_flight_;
    const ScenarioCase& c = cases_[index];
    live::Variant v{c.transport, shapings_[shaping], options_.time_scale, seed_of(index, shaping)};
    live::run_scenario(loop_, connector_, target_, *c.scenario, v, [this, index, shaping](Outcome o) {
      const ScenarioCase& lc = cases_[index];
      const bool last = shaping + 1 >= shapings_.size() || !lc.scenario->shaped;
      if (o.kind == Outcome::Kind::pass && !last) return launch(index, shaping + 1);
      Result& r = results_[index];
      r.wire = std::move(o.wire);
      if (o.kind != Outcome::Kind::pass) {
        r.verdict = o.kind == Outcome::Kind::error ? Verdict::error : Verdict::fail;
        r.why = (shapings_[shaping] != Shaping::whole
                     ? std::string("with the client's bytes ") +
                           (shapings_[shaping] == Shaping::bytes ? "one per write" : "in random cuts") + ": "
                     : std::string()) +
                o.why;
        if (r.verdict == Verdict::fail) {
          const Judgement j = judge_difference(lc.scenario->level, r.why);
          r.verdict = j.verdict;
          r.why = j.why;
        }
      }
      // After a hostile case, and after any case that did not pass (a server may die of ordinary
      // input too): is a fresh client still served?
      if (lc.scenario->hostile || r.verdict != Verdict::pass) return probe(index, 0);
      done(index);
    });
  }

  // A fresh client must be served. If not, the case FAILs, and the runner waits for the server
  // (restarting it when it can) before the next case.
  void probe(std::size_t index, int attempt) {
    live::Variant v{TransportKind::websocket, Shaping::whole, options_.time_scale, 1};
    live::run_scenario(loop_, connector_, target_, probe_, v, [this, index, attempt](Outcome o) {
      if (o.kind == Outcome::Kind::pass) return done(index);
      Result& r = results_[index];
      if (attempt == 0) {
        r.verdict = Verdict::fail;
        r.why = "after this scenario a fresh client was not served: " + o.why +
                (r.why.empty() ? std::string() : " (the scenario itself: " + r.why + ")");
        if (restart_ && restart_()) ++restarts_;
      }
      if (attempt >= 20) {
        down_ = true;
        return done(index);
      }
      loop_.start_timer(static_cast<std::uint64_t>(500 * options_.time_scale),
                        [this, index, attempt] { probe(index, attempt + 1); });
    });
  }

  void done(std::size_t index) {
    --in_flight_;
    ++finished_;
    if (cases_[index].scenario->alone) alone_ = false;
    progress_.show(key_, finished_, cases_.size(), cases_[index].scenario->id);
    start_next();
  }

 public:
  int restarts_ = 0;

 private:
  const LiveOptions& options_;
  live::Target target_;
  const std::vector<ScenarioCase>& cases_;
  std::vector<Result> results_;
  std::function<bool()> restart_;
  Progress& progress_;
  std::string key_;
  io::UvLoop loop_;
  live::Connector connector_;
  Scenario probe_;
  std::vector<Shaping> shapings_;
  std::size_t next_ = 0, in_flight_ = 0, finished_ = 0;
  bool alone_ = false, down_ = false;
};

}  // namespace

int run_live(const LiveOptions& options, std::ostream& out) {
  Run run;
  run.options = options;
  run.command = "live";
  run.generated = utc_now();
  run.settings = {{"time_scale", options.time_scale}, {"jobs", options.jobs}};
  const std::vector<Scenario> scenarios = live::load_scenarios(options.paths, {}, run.corpus_errors);

  const std::vector<ScenarioCase> cases = select_scenario_cases(scenarios, options.transports, run);

  if (options.dry_run) return list_cases(run, out);
  Baseline baseline;
  if (!load_baseline(run, baseline, out)) return 2;

  // The servers: those already running (--url), then those the runner starts (--server).
  struct Server {
    std::string key, command;
    live::Target target;
    std::unique_ptr<ServerProcess> process;
  };
  std::vector<Server> servers;
  for (const std::string& url : options.urls) {
    const auto target = parse_url(url);
    if (!target) {
      out << "sioconf live: " << url << ": not http://HOST:PORT[/path/]\n";
      return 2;
    }
    servers.push_back({url, "", *target, nullptr});
  }
  for (const std::string& spec : options.servers) {
    const std::size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      out << "sioconf live: --server " << spec << ": not NAME=COMMAND\n";
      return 2;
    }
    live::Target target;
    target.port = free_port();
    auto process = std::make_unique<ServerProcess>(spec.substr(eq + 1), target.port);
    servers.push_back({spec.substr(0, eq), process->command(), target, std::move(process)});
  }

  Progress progress(options.progress);
  for (Server& server : servers) {
    Implementation impl;
    impl.key = impl.name = server.key;
    impl.command = server.command;
    // A server the runner started must answer before the run begins (10 s); one given by URL too.
    auto answers = [&](int attempts) {
      for (int i = 0; i < attempts; ++i) {
        io::UvLoop loop;
        bool ok = false;
        loop.connect(server.target.host, server.target.port, [&](Errc e, io::TransportPtr t) {
          ok = e == Errc::none;
          if (t) t->close([t = std::shared_ptr<io::Transport>(std::move(t))] {});
        });
        loop.run();
        if (ok) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      return false;
    };
    if (server.process) server.process->start();
    std::function<bool()> restart;
    if (server.process) {
      restart = [&] {
        server.process->start();
        return answers(100);
      };
    } else if (!options.restart.empty()) {
      restart = [&] { return std::system(options.restart.c_str()) == 0 && answers(100); };
    }
    std::vector<Result> results;
    int restarts = 0;
    if (!answers(server.process ? 100 : 5)) {
      Result unreachable;
      unreachable.verdict = Verdict::error;
      unreachable.why = "nothing answers on " + server.target.host + ":" + std::to_string(server.target.port);
      results.assign(cases.size(), unreachable);
    } else {
      Scheduler scheduler(options, server.target, cases, restart, progress, impl.key);
      results = scheduler.run();
      restarts = scheduler.restarts_;
    }
    impl.restarts = restarts;
    if (server.process) {
      server.process->stop();
      impl.stderr_tail = server.process->stderr_tail();
      server.process->remove_log();
    }
    for (std::size_t i = 0; i < run.cases.size(); ++i) record_result(run, baseline, impl, run.cases[i], results[i]);
    run.implementations.push_back(std::move(impl));
  }
  progress.clear();
  return finish_run(run, out, print_wire_block);
}

}  // namespace sioconf::cli
