// What `sioconf vectors` and `sioconf live` do once their cases ran, and the pieces both use
// while they run: the baseline of known failures, the progress line, the closing summary and the
// reports.
#include <algorithm>
#include <ctime>
#include <fstream>
#include <iostream>

#include "runner.h"
#include "scenario.h"

namespace sioconf::cli {

bool load_baseline(const Run& run, Baseline& baseline, std::ostream& out) {
  const std::string& path = run.options.baseline;
  if (path.empty()) return true;
  const std::string whose = "sioconf " + run.command + ": " + path;
  std::ifstream in(path);
  if (!in) {
    out << whose << ": cannot read\n";
    return false;
  }
  const json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded() || doc.value("schema", "") != "sioconf-baseline-v1" || !doc.contains("known") ||
      !doc["known"].is_array()) {
    out << whose << ": not a sioconf-baseline-v1 file\n";
    return false;
  }
  for (const json& e : doc["known"]) {
    if (!e.is_object() || !e.contains("adapter") || !e.contains("id")) {
      out << whose << ": an entry without adapter or id: " << clipped(e, 200) << "\n";
      return false;
    }
    baseline.entries[{e["adapter"].get<std::string>(), e["id"].get<std::string>()}] = e;
  }
  return true;
}

int list_cases(const Run& run, std::ostream& out) {
  for (const Case& c : run.cases) out << c.id << "  " << c.level << "  " << c.title << "\n";
  for (const std::string& e : run.corpus_errors) out << "CORPUS ERROR " << e << "\n";
  out << run.cases.size() << " cases selected\n";
  return run.corpus_errors.empty() && !run.cases.empty() ? 0 : 1;
}

void record_result(Run& run, const Baseline& baseline, Implementation& impl, Case& c, Result r) {
  if (r.verdict != Verdict::pass && r.verdict != Verdict::info) {
    if (auto it = baseline.entries.find({impl.key, c.id}); it != baseline.entries.end()) {
      r.known = true;
      r.finding = it->second.value("finding", "");
      if (it->second.value("verdict", "") != verdict_name(r.verdict))
        r.finding += std::string(" [baseline says ") + it->second.value("verdict", "?") + ", now " +
                     verdict_name(r.verdict) + "]";
    }
  } else if (baseline.entries.count({impl.key, c.id})) {
    run.now_passing.emplace_back(impl.key, c.id);
  }
  ++impl.counts[static_cast<std::size_t>(r.verdict)];
  if (r.known) ++impl.known;
  c.results.push_back(std::move(r));
}

std::vector<ScenarioCase> select_scenario_cases(const std::vector<live::Scenario>& scenarios,
                                                const std::vector<std::string>& transports, Run& run) {
  std::vector<ScenarioCase> cases;
  for (const live::Scenario& s : scenarios)
    for (live::TransportKind t : s.transports) {
      const std::string name = live::transport_name(t);
      const std::string id = s.id + "@" + name;
      if (!transports.empty() && std::find(transports.begin(), transports.end(), name) == transports.end()) continue;
      const auto& globs = run.options.case_globs;
      if (!globs.empty() && !selected_by(s.id, globs) && !selected_by(id, globs)) continue;
      cases.push_back({&s, t});
      Case c;
      c.id = id;
      c.layer = s.area;
      c.topic = s.topic;
      c.file = s.file;
      c.level = s.level;
      c.basis = s.basis;
      c.title = s.title;
      c.op = name;
      c.test = s.source;
      c.notes = s.notes;
      run.cases.push_back(std::move(c));
    }
  return cases;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

void Progress::show(const std::string& impl, std::size_t done, std::size_t total, const std::string& id) {
  if (!on_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done != total && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  std::string line = "  " + impl + "  " + std::to_string(done) + "/" + std::to_string(total) + "  " + id;
  if (line.size() > 100) line.resize(100);
  std::cerr << "\r\033[K" << line << std::flush;
}

void Progress::clear() {
  if (on_) std::cerr << "\r\033[K" << std::flush;
}

namespace {

std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

bool write_file(const std::string& path, const std::string& text, std::ostream& out) {
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) {
    out << "cannot write " << path << "\n";
    return false;
  }
  return true;
}

}  // namespace

int finish_run(Run& run, std::ostream& out, const PrintBlock& print_block) {
  const RunOptions& options = run.options;
  // Failures (and with --verbose everything), per implementation.
  int passed = 0, failed = 0;
  for (std::size_t k = 0; k < run.implementations.size(); ++k) {
    const Implementation& impl = run.implementations[k];
    for (const Case& c : run.cases) {
      const Result& r = c.results[k];
      const bool fails = fails_run(r, options.strict);
      if (fails) ++failed;
      if (r.verdict == Verdict::pass) ++passed;
      if (fails || (options.verbose && r.verdict != Verdict::pass)) print_block(out, impl, c, r);
      else if (options.verbose) out << "PASS  " << impl.key << "  " << c.id << "\n";
    }
  }
  for (const std::string& e : run.corpus_errors) {
    out << "CORPUS ERROR  " << e << "\n";
    ++failed;
  }

  // Counts per verdict and implementation.
  out << "\n" << pad("implementation", 24);
  for (Verdict v : kVerdicts) out << pad(verdict_name(v), 12);
  out << "known  restarts\n";
  for (const Implementation& impl : run.implementations) {
    out << pad(impl.key, 24);
    for (Verdict v : kVerdicts) out << pad(std::to_string(impl.counts[static_cast<std::size_t>(v)]), 12);
    out << pad(std::to_string(impl.known), 7) << impl.restarts << "\n";
    if (!impl.version.empty() || (!impl.command.empty() && impl.command != run.implementations.front().command))
      out << "  " << impl.name << " " << impl.version << "  (" << impl.command << ")\n";
  }
  if (!run.now_passing.empty()) {
    out << "\nbaseline entries that pass now (remove them from " << options.baseline << "):\n";
    for (const auto& [key, id] : run.now_passing) out << "  " << key << "  " << id << "\n";
  }

  // Reports.
  bool written = true;
  if (!options.json_report.empty()) written &= write_file(options.json_report, report_json(run).dump(1) + "\n", out);
  if (!options.junit_report.empty()) written &= write_file(options.junit_report, report_junit(run), out);
  if (!options.html_report.empty()) written &= write_file(options.html_report, report_html(run), out);
  if (!options.write_baseline.empty()) {
    json known = json::array();
    for (std::size_t k = 0; k < run.implementations.size(); ++k)
      for (const Case& c : run.cases) {
        const Result& r = c.results[k];
        if (r.verdict != Verdict::pass && r.verdict != Verdict::info && c.level != "may")
          known.push_back({{"adapter", run.implementations[k].key},
                           {"id", c.id},
                           {"verdict", verdict_name(r.verdict)},
                           {"finding", r.known ? r.finding : r.why}});
      }
    json doc = {
        {"schema", "sioconf-baseline-v1"},
        {"description", "known failures, written by sioconf " + run.command + " --write-baseline on " + run.generated},
        {"known", known}};
    written &= write_file(options.write_baseline, doc.dump(1) + "\n", out);
  }

  if (run.cases.empty() && run.corpus_errors.empty()) {
    out << "no " << (run.command == "vectors" ? "vectors" : "scenarios") << " found\n";
    return 1;
  }
  out << "\n"
      << run.cases.size() << " cases x " << run.implementations.size() << " implementation"
      << (run.implementations.size() == 1 ? "" : "s") << (options.strict ? ", strict" : "") << "\n";
  out << passed << " passed, " << failed << " failed\n";
  return failed == 0 && written ? 0 : 1;
}

void print_wire_block(std::ostream& out, const Implementation& impl, const Case& c, const Result& r) {
  out << verdict_name(r.verdict) << (r.known ? " (known)" : "") << "  " << impl.key << "  " << c.id << "  [" << c.file
      << "; " << c.level << (c.basis.empty() ? "" : "; " + c.basis) << "]\n";
  if (!c.title.empty()) out << "     " << c.title << "\n";
  out << "     why:      " << r.why << "\n";
  for (const auto& [flag, note] : c.notes.items()) out << "     " << flag << ": " << clipped(note, 300) << "\n";
  if (r.known && !r.finding.empty()) out << "     known:    " << r.finding << "\n";
  // The last lines of the wire log: what led to the failure.
  if (r.wire.is_array() && !r.wire.empty()) {
    out << "     wire (last lines):\n";
    const std::size_t from = r.wire.size() > 8 ? r.wire.size() - 8 : 0;
    for (std::size_t i = from; i < r.wire.size(); ++i) {
      const json& e = r.wire[i];
      out << "       " << e.value("t", 0) << " ms  " << e.value("on", "") << " " << e.value("dir", "") << " "
          << e.value("what", "").substr(0, 160) << "\n";
    }
  }
}

}  // namespace sioconf::cli
