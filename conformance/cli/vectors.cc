// `sioconf vectors`: runs spec vectors (corpus/spec) against implementations — adapters started
// as child processes, or the reference in this process — and reports verdicts per case.
//
// Byte-stream layers (ws, ndjson) are also fed in two pieces at split points (every one up to
// kAllSplitsUpTo bytes, an even sample beyond), and each split must give the same answer as the
// whole stream (chunking "any", the default). Message layers arrive one message per element, so
// every message boundary is already a boundary of the input.
#include <fnmatch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "runner.h"
#include "sioconf/base64.h"
#include "transport.h"

namespace sioconf::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kAllSplitsUpTo = 2048;
constexpr std::size_t kSampledSplits = 128;

std::vector<fs::path> vector_files(const std::vector<std::string>& paths, std::vector<std::string>& errors) {
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      for (const auto& entry : fs::recursive_directory_iterator(p))
        if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    } else if (fs::is_regular_file(p, ec)) {
      files.emplace_back(p);
    } else {
      errors.push_back(p + ": no such file or folder");
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

bool selected(const std::string& id, const std::vector<std::string>& globs) {
  if (globs.empty()) return true;
  for (const std::string& g : globs)
    if (fnmatch(g.c_str(), id.c_str(), 0) == 0) return true;
  return false;
}

// The file's name relative to the corpus folder it came from (sio/event.json), for reports.
std::string display_name(const fs::path& file) { return (file.parent_path().filename() / file.filename()).string(); }

std::vector<Case> load_cases(const VectorOptions& options, std::vector<std::string>& errors) {
  std::vector<Case> cases;
  std::map<std::string, std::string> first_file_of;  // id -> file
  for (const fs::path& file : vector_files(options.paths, errors)) {
    std::ifstream in(file);
    json doc = json::parse(in, nullptr, false);
    if (doc.is_discarded() || !doc.is_object() || doc.value("schema", "") != "sioconf-vector-v1" ||
        !doc.contains("tests") || !doc["tests"].is_array()) {
      errors.push_back(file.string() + ": not a sioconf-vector-v1 file");
      continue;
    }
    const json notes = doc.value("notes", json::object());
    for (const json& test : doc["tests"]) {
      Case c;
      c.id = test.is_object() ? test.value("id", "") : "";
      if (c.id.empty() || !test.contains("expect")) {
        errors.push_back(file.string() + ": a vector without id or expect: " + clipped(test, 200));
        continue;
      }
      if (!selected(c.id, options.case_globs)) continue;
      if (auto [it, fresh] = first_file_of.emplace(c.id, file.string()); !fresh) {
        errors.push_back(c.id + ": duplicate id (" + it->second + " and " + file.string() + ")");
        continue;
      }
      c.layer = doc.value("layer", "");
      c.topic = doc.value("topic", file.stem().string());
      c.file = display_name(file);
      c.level = test.value("level", "must");
      c.basis = test.value("basis", "");
      c.title = test.value("title", test.value("description", ""));
      c.op = test.value("op", "decode");
      c.test = test;
      c.notes = json::object();
      for (const json& flag : test.value("flags", json::array()))
        if (flag.is_string() && notes.contains(flag.get<std::string>()))
          c.notes[flag.get<std::string>()] = notes[flag.get<std::string>()];
      cases.push_back(std::move(c));
    }
  }
  return cases;
}

bool is_byte_stream(const std::string& layer) {
  const Layer* l = find_layer(layer);
  return l != nullptr && l->byte_stream;
}

json elements_of(const json& vector_elements) {
  json elements = json::array();
  for (const json& e : vector_elements) elements.push_back(element_to_json(element_from_json(e)));
  return elements;
}

// The request for a case, or a reason it cannot be made (a malformed vector). A vector's
// follow-up (`next`) goes to the same decoder after the input: on a message layer as the
// request's `next`, answered apart; on a byte stream as more of the same stream (the corpus
// gives byte streams a follow-up only after input they accept).
std::string build_request(const Case& c, json& request) {
  request = {{"op", c.op}, {"id", c.id}, {"layer", c.layer}};
  if (c.test.contains("limits")) request["limits"] = c.test["limits"];
  if (c.test.contains("options")) request["options"] = c.test["options"];
  try {
    if (c.op == "encode") {
      request["items"] = c.test.at("items");
    } else {
      request["input"] = elements_of(c.test.at("input"));
      if (c.test.contains("next")) {
        json next = elements_of(c.test["next"].at("input"));
        if (is_byte_stream(c.layer)) {
          for (json& e : next) request["input"].push_back(std::move(e));
        } else {
          request["next"] = std::move(next);
        }
      }
    }
  } catch (const BadRequest& e) {
    return "malformed input: " + e.what;
  } catch (const json::exception& e) {
    return std::string("malformed vector: ") + e.what();
  }
  return {};
}

std::vector<std::size_t> split_points(std::size_t size) {
  std::vector<std::size_t> points;
  if (size <= kAllSplitsUpTo) {
    for (std::size_t i = 1; i < size; ++i) points.push_back(i);
  } else {
    for (std::size_t k = 1; k < kSampledSplits; ++k) points.push_back(size * k / kSampledSplits);
  }
  return points;
}

// An answer without what may differ between two runs of the same input: its id and error text.
json comparable(json answer) {
  answer.erase("id");
  answer.erase("message");
  return answer;
}

// What the answer to the request of build_request() must be: on a byte stream with a follow-up,
// the items of the input and then those of the follow-up.
json expected_answer(const Case& c) {
  json expect = c.test["expect"];
  if (c.test.contains("next") && is_byte_stream(c.layer) && expect.contains("items"))
    for (const json& item : c.test["next"].value("items", json::array())) expect["items"].push_back(item);
  return expect;
}

// The follow-up's answer on a message layer: the decoder must take the next messages as on a
// fresh connection, whatever it made of the input (an error, a rejection, something odd).
Judgement judge_follow_up(const Case& c, const json& answer, bool strict) {
  const json& next = c.test["next"];
  if (!answer.contains("next"))
    return {Verdict::error, "malformed answer: the request had a follow-up (\"next\") and the answer has no \"next\""};
  if (std::string bad = malformed_answer(answer["next"], false); !bad.empty())
    return {Verdict::error, "malformed answer to the follow-up: " + bad};
  Judgement j = judge(next.value("level", c.level), {{"items", next.value("items", json::array())}}, answer["next"],
                      false, strict);
  if (!j.why.empty()) j.why = "the follow-up " + clipped(next["input"], 200) + " after the input: " + j.why;
  return j;
}

bool lists(const json& array, const std::string& value) {
  return array.is_array() && std::find(array.begin(), array.end(), value) != array.end();
}

Result error_result(const Exchange& ex) {
  Result r;
  r.verdict = Verdict::error;
  r.why = std::string("adapter ") + failure_name(ex.failure) + ": " + ex.detail;
  r.stderr_text = ex.stderr_text;
  return r;
}

Result run_case(Transport& transport, const Implementation& impl, const Case& c, bool strict) {
  Result r;
  if (!lists(impl.layers, c.layer)) {
    r.verdict = Verdict::unsupported;
    r.why = "the adapter does not list layer " + c.layer;
    return r;
  }
  const json limits = c.test.value("limits", json::object());
  for (const auto& [key, value] : limits.items()) {
    if (!lists(impl.limits, key)) {
      r.verdict = Verdict::unsupported;
      r.why = "the adapter does not honour limit " + key;
      return r;
    }
  }
  json request;
  if (std::string bad = build_request(c, request); !bad.empty()) {
    r.verdict = Verdict::error;
    r.why = "the vector: " + bad;
    return r;
  }
  const bool encode = c.op == "encode";
  Exchange ex = transport.request(request);
  if (ex.failure != Exchange::Failure::none) return error_result(ex);
  r.answer = ex.answer;
  r.stderr_text = ex.stderr_text;
  if (std::string bad = malformed_answer(ex.answer, encode); !bad.empty()) {
    r.verdict = Verdict::error;
    r.why = "malformed answer: " + bad + ": " + clipped(ex.answer, 300);
    return r;
  }
  Judgement j = judge(c.level, expected_answer(c), ex.answer, encode, strict);
  if (request.contains("next") && !ex.answer.contains("unsupported"))
    j = worse(j, judge_follow_up(c, ex.answer, strict));
  r.verdict = j.verdict;
  r.why = j.why;
  if (encode || !is_byte_stream(c.layer) || c.test.value("chunking", "any") != "any" || !j.why.empty()) return r;
  // Split invariance: the stream in two pieces, at every split point, answers the same.
  std::string stream;
  for (const json& e : request["input"]) stream += element_from_json(e).bytes;
  const json whole = comparable(ex.answer);
  for (std::size_t cut : split_points(stream.size())) {
    json split = request;
    split["id"] = c.id + "@" + std::to_string(cut);
    const std::string_view s(stream);
    split["input"] = json::array({element_to_json({false, std::string(s.substr(0, cut))}),
                                  element_to_json({false, std::string(s.substr(cut))})});
    Exchange again = transport.request(split);
    if (again.failure != Exchange::Failure::none) {
      Result e = error_result(again);
      e.why = "split at byte " + std::to_string(cut) + ": " + e.why;
      return e;
    }
    if (comparable(again.answer) != whole) {
      const Judgement split_j = judge_difference(
          c.level, "split at byte " + std::to_string(cut) + " of " + std::to_string(stream.size()) +
                       " changed the answer: " + clipped(again.answer, 300) + " instead of " + clipped(ex.answer, 300));
      r.verdict = split_j.verdict;
      r.why = split_j.why;
      r.stderr_text += again.stderr_text;
      return r;
    }
  }
  return r;
}

// Known failures: {"schema":"sioconf-baseline-v1","known":[{"adapter","id","verdict","finding"}]}.
struct Baseline {
  std::map<std::pair<std::string, std::string>, json> entries;  // (adapter, id) -> entry
};

bool load_baseline(const std::string& path, Baseline& baseline, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = path + ": cannot read";
    return false;
  }
  const json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded() || doc.value("schema", "") != "sioconf-baseline-v1" || !doc.contains("known") ||
      !doc["known"].is_array()) {
    error = path + ": not a sioconf-baseline-v1 file";
    return false;
  }
  for (const json& e : doc["known"]) {
    if (!e.is_object() || !e.contains("adapter") || !e.contains("id")) {
      error = path + ": an entry without adapter or id: " + clipped(e, 200);
      return false;
    }
    baseline.entries[{e["adapter"].get<std::string>(), e["id"].get<std::string>()}] = e;
  }
  return true;
}

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

// A progress line on stderr, at most ten times a second.
class Progress {
 public:
  explicit Progress(bool on) : on_(on) {}
  void show(const std::string& impl, std::size_t done, std::size_t total, const std::string& id) {
    if (!on_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done != total && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    std::string line = "  " + impl + "  " + std::to_string(done) + "/" + std::to_string(total) + "  " + id;
    if (line.size() > 100) line.resize(100);
    std::cerr << "\r\033[K" << line << std::flush;
  }
  void clear() {
    if (on_) std::cerr << "\r\033[K" << std::flush;
  }

 private:
  bool on_;
  std::chrono::steady_clock::time_point last_{};
};

void print_result_block(std::ostream& out, const Implementation& impl, const Case& c, const Result& r) {
  out << verdict_name(r.verdict) << (r.known ? " (known)" : "") << "  " << impl.key << "  " << c.id << "  [" << c.file
      << "; " << c.level << (c.basis.empty() ? "" : "; " + c.basis) << "]\n";
  if (!c.title.empty()) out << "     " << c.title << "\n";
  out << "     expected: " << clipped(c.test["expect"], 300) << "\n";
  if (!r.answer.is_null()) out << "     actual:   " << clipped(r.answer, 300) << "\n";
  out << "     why:      " << r.why << "\n";
  for (const auto& [flag, note] : c.notes.items()) out << "     " << flag << ": " << clipped(note, 300) << "\n";
  if (r.known && !r.finding.empty()) out << "     known:    " << r.finding << "\n";
  if (!r.stderr_text.empty()) {
    std::string text = r.stderr_text.substr(0, 600);
    std::replace(text.begin(), text.end(), '\n', ' ');
    out << "     stderr:   " << text << "\n";
  }
}

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

int run_vectors(const VectorOptions& options, std::ostream& out) {
  Run run;
  run.options = options;
  run.generated = utc_now();
  run.cases = load_cases(options, run.corpus_errors);

  if (options.dry_run) {
    for (const Case& c : run.cases) out << c.id << "  " << c.level << "  " << c.title << "\n";
    for (const std::string& e : run.corpus_errors) out << "CORPUS ERROR " << e << "\n";
    out << run.cases.size() << " cases selected\n";
    return run.corpus_errors.empty() && !run.cases.empty() ? 0 : 1;
  }

  Baseline baseline;
  if (!options.baseline.empty()) {
    std::string error;
    if (!load_baseline(options.baseline, baseline, error)) {
      out << "sioconf vectors: " << error << "\n";
      return 2;
    }
  }

  // The implementations, each run over every case in turn.
  std::vector<std::unique_ptr<Transport>> transports;
  if (options.adapters.empty()) {
    transports.push_back(in_process_reference());
  } else {
    ChildOptions child;
    child.timeout = std::chrono::milliseconds(options.timeout_ms);
    for (const std::string& command : options.adapters) transports.push_back(child_adapter(command, child));
  }
  std::map<std::string, int> key_uses;
  Progress progress(options.progress);
  for (auto& transport : transports) {
    Implementation impl;
    impl.command = transport->command();
    const Exchange hello = transport->hello();
    if (hello.failure == Exchange::Failure::none) {
      impl.name = hello.answer.value("name", "unnamed");
      impl.version = hello.answer.value("version", "");
      impl.layers = hello.answer.value("layers", json::array());
      impl.limits = hello.answer.value("limits", json::array());
    } else {
      impl.name = impl.command;
    }
    impl.key = impl.name;
    if (key_uses[impl.key]++ > 0) {
      impl.key = impl.name + "@" + impl.version;
      if (key_uses[impl.key]++ > 0) impl.key += "#" + std::to_string(key_uses[impl.key]);
    }
    for (std::size_t i = 0; i < run.cases.size(); ++i) {
      Case& c = run.cases[i];
      progress.show(impl.key, i + 1, run.cases.size(), c.id);
      Result r = hello.failure == Exchange::Failure::none ? run_case(*transport, impl, c, options.strict)
                                                          : error_result(hello);
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
    transport->stop();
    impl.restarts = transport->restarts();
    impl.stderr_tail = transport->stderr_tail();
    run.implementations.push_back(std::move(impl));
  }
  progress.clear();

  // Failures (and with --verbose everything), per implementation.
  int passed = 0, failed = 0;
  for (std::size_t k = 0; k < run.implementations.size(); ++k) {
    const Implementation& impl = run.implementations[k];
    for (const Case& c : run.cases) {
      const Result& r = c.results[k];
      const bool fails = fails_run(r, options.strict);
      if (fails) ++failed;
      if (r.verdict == Verdict::pass) ++passed;
      if (fails || (options.verbose && r.verdict != Verdict::pass)) print_result_block(out, impl, c, r);
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
    if (!impl.version.empty() || impl.command != transports.front()->command())
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
    json doc = {{"schema", "sioconf-baseline-v1"},
                {"description", "known failures, written by sioconf vectors --write-baseline on " + run.generated},
                {"known", known}};
    written &= write_file(options.write_baseline, doc.dump(1) + "\n", out);
  }

  if (run.cases.empty() && run.corpus_errors.empty()) {
    out << "no vectors found\n";
    return 1;
  }
  out << "\n"
      << run.cases.size() << " cases x " << run.implementations.size() << " implementation"
      << (run.implementations.size() == 1 ? "" : "s") << (options.strict ? ", strict" : "") << "\n";
  out << passed << " passed, " << failed << " failed\n";
  return failed == 0 && written ? 0 : 1;
}

}  // namespace sioconf::cli
