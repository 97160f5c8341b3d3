// `sioconf client-check`: runs client scenarios (corpus/live-client) against Socket.IO clients,
// each through its driver (conformance/DRIVER.md), and reports verdicts per case as `sioconf
// live` does for servers. A case is one scenario on one transport the client is told to use; it
// has a scripted server of its own on a free loopback port and a driver process of its own, so
// cases run side by side (--jobs) without seeing each other.
#include <algorithm>
#include <iostream>

#include "check.h"
#include "runner.h"
#include "sioconf/io/uv.h"

namespace sioconf::cli {
namespace {

using live::Scenario;
using live::TransportKind;

Result result_of(const Scenario& scenario, client::CaseOutcome o) {
  Result r;
  r.wire = std::move(o.wire);
  r.stderr_text = std::move(o.driver_stderr);
  r.why = std::move(o.why);
  switch (o.kind) {
    case client::CaseOutcome::Kind::pass: r.verdict = scenario.level == "may" ? Verdict::info : Verdict::pass; break;
    case client::CaseOutcome::Kind::fail: {
      const Judgement j = judge_difference(scenario.level, r.why);
      r.verdict = j.verdict;
      r.why = j.why;
      break;
    }
    case client::CaseOutcome::Kind::crash:  // whatever the level: input must never crash a client
      r.verdict = Verdict::fail;
      break;
    case client::CaseOutcome::Kind::unsupported: r.verdict = Verdict::unsupported; break;
    case client::CaseOutcome::Kind::error: r.verdict = Verdict::error; break;
  }
  return r;
}

// Every case against one driver, `jobs` at a time, on one loop.
std::vector<Result> run_cases(const ClientCheckOptions& options, const std::string& command,
                              const std::vector<ScenarioCase>& cases, Progress& progress, const std::string& key,
                              live::json& hello) {
  io::UvLoop loop;
  std::vector<Result> results(cases.size());
  std::size_t next = 0, in_flight = 0, finished = 0;
  std::function<void()> start_next = [&] {
    while (next < cases.size() && in_flight < static_cast<std::size_t>(std::max(1, options.jobs))) {
      const std::size_t index = next++;
      ++in_flight;
      const ScenarioCase& c = cases[index];
      client::run_client_case(loop, *c.scenario, {command, c.transport, options.time_scale},
                              [&, index](client::CaseOutcome o) {
                                if (hello.is_null() && o.hello.is_object()) hello = o.hello;
                                results[index] = result_of(*cases[index].scenario, std::move(o));
                                --in_flight;
                                progress.show(key, ++finished, cases.size(), cases[index].scenario->id);
                                start_next();
                              });
    }
  };
  start_next();
  loop.run();
  return results;
}

}  // namespace

int run_client_check(const ClientCheckOptions& options, std::ostream& out) {
  Run run;
  run.options = options;
  run.command = "client-check";
  run.generated = utc_now();
  run.settings = {{"time_scale", options.time_scale}, {"jobs", options.jobs}};
  const std::vector<Scenario> scenarios =
      live::load_scenarios(options.paths, {}, run.corpus_errors, "sioconf-live-client-v1");

  const std::vector<ScenarioCase> cases = select_scenario_cases(scenarios, options.transports, run);

  if (options.dry_run) return list_cases(run, out);
  Baseline baseline;
  if (!load_baseline(run, baseline, out)) return 2;

  Progress progress(options.progress);
  for (const std::string& spec : options.drivers) {
    // NAME=COMMAND names the client in the reports; a bare COMMAND is its own name.
    std::string key = spec, command = spec;
    if (const std::size_t eq = spec.find('='); eq != std::string::npos && eq > 0 && spec.find_first_of(" \t'\"") > eq) {
      key = spec.substr(0, eq);
      command = spec.substr(eq + 1);
    }
    Implementation impl;
    impl.key = impl.name = key;
    impl.command = command;
    live::json hello;
    std::vector<Result> results = run_cases(options, command, cases, progress, key, hello);
    if (hello.is_object()) {
      impl.name = hello.value("name", key);
      impl.version = hello.value("version", "");
    }
    for (std::size_t i = 0; i < run.cases.size(); ++i) {
      if (!results[i].stderr_text.empty() && impl.stderr_tail.size() < 8192)
        impl.stderr_tail += results[i].stderr_text.substr(0, 8192 - impl.stderr_tail.size());
      record_result(run, baseline, impl, run.cases[i], std::move(results[i]));
    }
    run.implementations.push_back(std::move(impl));
  }
  progress.clear();
  return finish_run(run, out, print_wire_block);
}

}  // namespace sioconf::cli
