// `sioconf vectors`: runs spec vectors (corpus/spec) against implementations — adapters started
// as child processes, or the reference in this process — and reports verdicts per case.
//
// Byte-stream layers (ws, ndjson) are also fed in two pieces at split points (every one up to
// kAllSplitsUpTo bytes, an even sample beyond), and each split must give the same answer as the
// whole stream (chunking "any", the default). Message layers arrive one message per element, so
// every message boundary is already a boundary of the input.
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

// The file's name relative to the corpus folder it came from (sio/event.json), for reports.
std::string display_name(const fs::path& file) { return (file.parent_path().filename() / file.filename()).string(); }

std::vector<Case> load_cases(const VectorOptions& options, std::vector<std::string>& errors) {
  std::vector<Case> cases;
  std::map<std::string, std::string> first_file_of;  // id -> file
  for (const fs::path file : corpus_files(options.paths, errors)) {
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
      if (!selected_by(c.id, options.case_globs)) continue;
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

json request_elements(const json& vector_elements) {
  json elements = json::array();
  for (const json& e : vector_elements) elements.push_back(element_to_json(corpus_element(e)));
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
      request["input"] = request_elements(c.test.at("input"));
      if (c.test.contains("next")) {
        json next = request_elements(c.test["next"].at("input"));
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

// An adapter that fails to answer is ERROR: the run learnt nothing of the case.
Result error_result(const Exchange& ex) {
  Result r;
  r.verdict = Verdict::error;
  r.why = std::string("adapter ") + failure_name(ex.failure) + ": " + ex.detail;
  r.stderr_text = ex.stderr_text;
  return r;
}

// A failed answer to a case's request. An adapter killed by a signal while it handled the input
// (a segfault, an abort, Node's out-of-memory abort) is FAIL at any level, not ERROR: input,
// however hostile, must never crash an implementation.
Result failed_case(const Exchange& ex) {
  if (ex.failure != Exchange::Failure::killed) return error_result(ex);
  Result r;
  r.verdict = Verdict::fail;
  r.why = "the implementation crashed on this input: " + ex.detail;
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
  if (ex.failure != Exchange::Failure::none) return failed_case(ex);
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
      Result e = failed_case(again);
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

}  // namespace

int run_vectors(const VectorOptions& options, std::ostream& out) {
  Run run;
  run.options = options;
  run.command = "vectors";
  run.generated = utc_now();
  run.cases = load_cases(options, run.corpus_errors);

  if (options.dry_run) return list_cases(run, out);
  Baseline baseline;
  if (!load_baseline(run, baseline, out)) return 2;

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
      record_result(run, baseline, impl, c,
                    hello.failure == Exchange::Failure::none ? run_case(*transport, impl, c, options.strict)
                                                             : error_result(hello));
    }
    transport->stop();
    impl.restarts = transport->restarts();
    impl.stderr_tail = transport->stderr_tail();
    run.implementations.push_back(std::move(impl));
  }
  progress.clear();

  run.settings = {{"timeout_ms", options.timeout_ms}};
  return finish_run(run, out, print_result_block);
}

}  // namespace sioconf::cli
