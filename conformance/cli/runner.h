// The data of one `sioconf vectors` or `sioconf live` run, shared by the runners (vectors.cc,
// live.cc), the verdict rules (verdict.cc), the report writers (reports.cc) and what both runners
// do once their cases ran (run_summary.cc).
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cli.h"

namespace sioconf::live {
struct Scenario;
enum class TransportKind;
}  // namespace sioconf::live

namespace sioconf::cli {

/// conformance/PROTOCOL.md "Verdicts": from the vector's level and how the answer differs.
enum class Verdict { pass, fail, non_strict, info, unsupported, error };
constexpr std::array<Verdict, 6> kVerdicts = {Verdict::pass, Verdict::fail,        Verdict::non_strict,
                                              Verdict::info, Verdict::unsupported, Verdict::error};
const char* verdict_name(Verdict verdict);  // "PASS", "FAIL", "NON-STRICT", ...

struct Judgement {
  Verdict verdict = Verdict::pass;
  std::string why;  // empty for an exact match
};

/// Judges a well-formed answer against a vector's `expect`. `strict` also compares error names,
/// items before an error and offsets (when the answer reports one).
Judgement judge(const std::string& level, const json& expect, const json& answer, bool encode, bool strict);

/// `j` as one line of JSON for a message, cut after `max` characters (invalid UTF-8 replaced).
std::string clipped(const json& j, std::size_t max = 600);

/// The verdict of an answer that differs from the expected one in substance (not only in the
/// reason for a rejection), at the vector's level.
Judgement judge_difference(const std::string& level, std::string why);

/// The graver of two judgements (ERROR, FAIL, UNSUPPORTED, NON-STRICT, INFO, PASS), for a case
/// judged in parts (the input, then its follow-up).
Judgement worse(Judgement a, Judgement b);

/// Why `answer` is not a well-formed adapter-protocol answer to a decode or encode, or "".
std::string malformed_answer(const json& answer, bool encode);

struct Result {
  Verdict verdict = Verdict::pass;
  std::string why;
  json answer;
  json wire;  // live: what crossed the wire (live/wire.h WireLog)
  std::string stderr_text;
  bool known = false;   // a failure the baseline lists
  std::string finding;  // the baseline's words for it
};

struct Case {
  std::string id, layer, topic, file, level, basis, title, op;
  json test;                    // the vector as written
  json notes;                   // the file's notes for this vector's flags
  std::vector<Result> results;  // one per implementation
};

struct Implementation {
  std::string key;  // unique in the run: the hello name (with @version or #n when repeated)
  std::string command, name, version;
  json layers = json::array(), limits = json::array();
  std::array<int, kVerdicts.size()> counts{};  // by Verdict, known failures included
  int known = 0;
  int restarts = 0;
  std::string stderr_tail;
};

struct Run {
  RunOptions options;
  std::string command = "vectors";  // or "live"
  json settings = json::object();   // the command's own options, for the report
  std::string generated;            // UTC, ISO 8601
  std::vector<Case> cases;
  std::vector<Implementation> implementations;
  std::vector<std::pair<std::string, std::string>> now_passing;  // baseline entries (key, id) that pass
  std::vector<std::string> corpus_errors;                        // malformed files, duplicate ids
};

/// Does this result fail the run? FAIL and ERROR, and NON-STRICT under --strict, unless known.
bool fails_run(const Result& result, bool strict);

/// Known failures: {"schema":"sioconf-baseline-v1","known":[{"adapter","id","verdict","finding"}]}.
struct Baseline {
  std::map<std::pair<std::string, std::string>, json> entries;  // (implementation key, id) -> entry
};
/// Loads the run's --baseline, if it has one. False, after saying why on `out`, when the file
/// cannot be read or is not a baseline (a usage error: exit status 2).
bool load_baseline(const Run& run, Baseline& baseline, std::ostream& out);
/// --dry-run: the selected cases and the corpus errors; the exit status (1 when nothing was
/// selected or a file is malformed).
int list_cases(const Run& run, std::ostream& out);
/// Marks a result the baseline knows (or records that its entry passes now) and counts it.
void record_result(Run& run, const Baseline& baseline, Implementation& impl, Case& c, Result r);

/// One scenario on one transport: a case of `sioconf live` or `sioconf client-check`.
struct ScenarioCase {
  const live::Scenario* scenario;
  live::TransportKind transport;
};
/// The cases of `scenarios` the options select (--case globs on the id or id@transport, and
/// `transports` when not empty), each also added to `run.cases` for the reports.
std::vector<ScenarioCase> select_scenario_cases(const std::vector<live::Scenario>& scenarios,
                                                const std::vector<std::string>& transports, Run& run);

/// Now, UTC, ISO 8601.
std::string utc_now();

/// A progress line on stderr, at most ten times a second.
class Progress {
 public:
  explicit Progress(bool on) : on_(on) {}
  void show(const std::string& impl, std::size_t done, std::size_t total, const std::string& id);
  void clear();

 private:
  bool on_;
  std::chrono::steady_clock::time_point last_{};
};

/// What a run prints once its cases ran: each failure (every result with --verbose) through
/// `print_block`, the counts per verdict and implementation, baseline entries that pass now; then
/// it writes the reports and the baseline it was asked for. Returns the exit status: 1 on any
/// failure (fails_run), corpus error, no cases or a report it could not write.
using PrintBlock = std::function<void(std::ostream&, const Implementation&, const Case&, const Result&)>;
int finish_run(Run& run, std::ostream& out, const PrintBlock& print_block);
/// The block of `sioconf live` and `sioconf client-check`: the verdict, the case, why, the notes,
/// the baseline's finding and the last lines of the wire log.
void print_wire_block(std::ostream& out, const Implementation& impl, const Case& c, const Result& r);

json report_json(const Run& run);
std::string report_junit(const Run& run);
/// The HTML report: conformance/report/report.html with the report JSON in it.
std::string report_html(const Run& run);

}  // namespace sioconf::cli
