// `sioconf vectors`: runs the reference implementation over corpus/spec vector files.
//
// Each case goes through handle_request(), the very code `sioconf adapter` answers with, so a
// vector that passes here passes over stdio too. Byte-stream layers (ws, ndjson) are also re-fed
// at split points (every one up to kAllSplitsUpTo bytes, an even sample beyond) and must give the
// same answer each time (chunking "any", the default).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "cli.h"
#include "sioconf/base64.h"

namespace sioconf::cli {
namespace {

namespace fs = std::filesystem;

constexpr std::size_t kAllSplitsUpTo = 2048;
constexpr std::size_t kSampledSplits = 128;

struct CaseResult {
  std::string id;
  std::string layer;
  std::string level;
  std::string file;
  bool passed = false;
  std::string why;  // on failure: expected vs actual
};

std::vector<fs::path> vector_files(const std::vector<std::string>& paths) {
  std::vector<fs::path> files;
  for (const std::string& p : paths) {
    if (fs::is_directory(p)) {
      for (const auto& entry : fs::recursive_directory_iterator(p))
        if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
    } else {
      files.emplace_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Replaces {"hex": ...} elements by {"base64": ...}, the adapter protocol's spelling.
json normalize_input(const json& input) {
  json out = json::array();
  for (const json& e : input) out.push_back(element_to_json(element_from_json(e)));
  return out;
}

std::string short_dump(const json& j) {
  std::string s = j.dump(-1, ' ', false, json::error_handler_t::replace);
  if (s.size() > 600) s = s.substr(0, 600) + "...(" + std::to_string(s.size()) + " chars)";
  return s;
}

// Compares an answer with `expect`; returns "" when it matches, else the reason.
std::string mismatch(const json& expect, const json& answer, bool encode) {
  if (answer.contains("unsupported")) return "adapter said unsupported: " + short_dump(answer);
  if (expect.contains("reject")) {
    if (answer.value("ok", true)) return "expected rejection (" + short_dump(expect) + "), got accepted " + short_dump(answer);
    if (answer.value("condition", "") != expect["reject"])
      return "expected condition " + short_dump(expect["reject"]) + ", got " + short_dump(answer);
    if (expect.contains("errc") && answer.value("error", "") != expect["errc"])
      return "expected error " + short_dump(expect["errc"]) + ", got " + short_dump(answer["error"]);
    if (expect.contains("offset") && answer.value("offset", json()) != expect["offset"])
      return "expected offset " + short_dump(expect["offset"]) + ", got " + short_dump(answer.value("offset", json()));
    if (expect.contains("items") && answer.value("items", json::array()) != expect["items"])
      return "expected items before the error " + short_dump(expect["items"]) + ", got " + short_dump(answer["items"]);
    return "";
  }
  if (!answer.value("ok", false)) return "expected acceptance, got " + short_dump(answer);
  const char* field = encode ? "output" : "items";
  if (!expect.contains(field)) return std::string("vector's expect has no ") + field;
  if (answer.value(field, json()) != expect[field])
    return std::string("expected ") + field + " " + short_dump(expect[field]) + ", got " + short_dump(answer[field]);
  return "";
}

// The stream of a byte-stream vector, cut at `cuts`, as base64 elements.
json chunked(const std::string& stream, const std::vector<std::size_t>& cuts) {
  json out = json::array();
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    out.push_back({{"base64", base64_encode(as_bytes(std::string_view(stream).substr(at, cut - at)))}});
    at = cut;
  }
  out.push_back({{"base64", base64_encode(as_bytes(std::string_view(stream).substr(at)))}});
  return out;
}

std::vector<std::size_t> split_points(std::size_t size) {
  std::vector<std::size_t> points;
  if (size <= kAllSplitsUpTo) {
    for (std::size_t i = 0; i <= size; ++i) points.push_back(i);
  } else {
    for (std::size_t k = 0; k <= kSampledSplits; ++k) points.push_back(size * k / kSampledSplits);
  }
  return points;
}

CaseResult run_case(const json& test, const std::string& layer_name, const std::string& file) {
  CaseResult r;
  r.id = test.value("id", "");
  r.layer = layer_name;
  r.level = test.value("level", "");
  r.file = file;
  const Layer* layer = find_layer(layer_name);
  if (r.id.empty() || !layer || !test.contains("expect")) {
    r.why = "malformed vector (needs id, a known layer and expect)";
    return r;
  }
  const std::string op = test.value("op", "decode");
  json request = {{"op", op}, {"id", r.id}, {"layer", layer_name}};
  if (test.contains("limits")) request["limits"] = test["limits"];
  if (test.contains("options")) request["options"] = test["options"];
  try {
    if (op == "encode") {
      request["items"] = test.at("items");
    } else {
      request["input"] = normalize_input(test.at("input"));
    }
  } catch (const BadRequest& e) {
    r.why = "malformed input: " + e.what;
    return r;
  } catch (const json::exception& e) {
    r.why = std::string("malformed vector: ") + e.what();
    return r;
  }
  const json answer = handle_request(request);
  r.why = mismatch(test["expect"], answer, op == "encode");
  if (r.why.empty() && op == "decode" && layer->byte_stream && test.value("chunking", "any") == "any") {
    std::string stream;
    for (const json& e : request["input"]) stream += element_from_json(e).bytes;
    for (std::size_t cut : split_points(stream.size())) {
      json split = request;
      split["input"] = chunked(stream, {cut});
      json again = handle_request(split);
      if (again != answer) {
        r.why = "split at byte " + std::to_string(cut) + " changed the answer: " + short_dump(again) +
                " vs whole " + short_dump(answer);
        break;
      }
    }
  }
  r.passed = r.why.empty();
  return r;
}

}  // namespace

int run_vectors(const VectorOptions& options, std::ostream& out) {
  std::vector<CaseResult> results;
  std::map<std::string, std::string> bad_files;
  for (const fs::path& file : vector_files(options.paths)) {
    std::ifstream in(file);
    json doc = json::parse(in, nullptr, false);
    if (doc.is_discarded() || doc.value("schema", "") != "sioconf-vector-v1" || !doc.contains("tests")) {
      bad_files[file.string()] = "not a sioconf-vector-v1 file";
      continue;
    }
    const std::string layer = doc.value("layer", "");
    for (const json& test : doc["tests"]) {
      if (!options.filter.empty() && test.value("id", "").find(options.filter) == std::string::npos) continue;
      results.push_back(run_case(test, layer, file.filename().string()));
    }
  }

  std::map<std::string, std::pair<int, int>> per_layer;  // passed, failed
  std::map<std::string, int> seen_ids;
  int passed = 0, failed = 0;
  for (const CaseResult& r : results) {
    if (++seen_ids[r.id] == 2) {
      out << "FAIL " << r.id << "  [" << r.file << "]\n     duplicate id\n";
      ++failed;
    }
    if (r.passed) {
      ++passed;
      ++per_layer[r.layer].first;
      if (options.verbose) out << "PASS " << r.id << "\n";
    } else {
      ++failed;
      ++per_layer[r.layer].second;
      out << "FAIL " << r.id << "  [" << r.file << ", " << r.level << "]\n     " << r.why << "\n";
    }
  }
  for (const auto& [file, why] : bad_files) {
    out << "FAIL " << file << "\n     " << why << "\n";
    ++failed;
  }
  out << "\nlayer         passed  failed\n";
  for (const auto& [layer, counts] : per_layer)
    out << layer << std::string(layer.size() < 14 ? 14 - layer.size() : 1, ' ') << counts.first
        << std::string(8 - std::min<std::size_t>(7, std::to_string(counts.first).size()), ' ')
        << counts.second << "\n";
  out << "\nsioconf reference: " << results.size() << " vectors, " << passed << " passed, " << failed
      << " failed\n";

  if (!options.json_report.empty()) {
    json report = {{"implementation", "sioconf"}, {"passed", passed}, {"failed", failed}, {"cases", json::array()}};
    for (const CaseResult& r : results)
      report["cases"].push_back({{"id", r.id}, {"layer", r.layer}, {"level", r.level},
                                 {"verdict", r.passed ? "PASS" : "FAIL"}, {"why", r.why}});
    std::ofstream(options.json_report) << report.dump(2) << "\n";
  }
  if (results.empty() && bad_files.empty()) {
    out << "no vectors found\n";
    return 1;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace sioconf::cli
