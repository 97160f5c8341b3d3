// The reports of a `sioconf vectors` run: JSON (schema sioconf-report-v1, the source of the
// others), JUnit XML (one testsuite per implementation) and the self-contained HTML matrix.
#include <sstream>

#include "runner.h"

namespace sioconf::cli {

// The HTML template, conformance/report/report.html, embedded at build time (report_template.cc).
extern const char* const kReportTemplate;

namespace {

constexpr int kReportDepth = 64;                  // deeper values are cut (readers recurse)
constexpr std::size_t kReportValueBytes = 65536;  // longer values are cut (the page stays light)

// A value as the reports carry it: adapters' answers are untrusted and vectors hold bombs, so a
// value nested deeper than kReportDepth or longer than kReportValueBytes becomes
// {"$truncated": "<the start of its JSON text>"}.
json bounded(const json& value, int depth = 0) {
  if (depth >= kReportDepth)
    return {{"$truncated", value.dump(-1, ' ', false, json::error_handler_t::replace).substr(0, 200)}};
  if (depth == 0) {
    const std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > kReportValueBytes) return {{"$truncated", text.substr(0, 2000)}};
  }
  if (!value.is_structured()) return value;
  json out = value.is_array() ? json::array() : json::object();
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (value.is_array()) out.push_back(bounded(*it, depth + 1));
    else out[it.key()] = bounded(*it, depth + 1);
  }
  return out;
}

}  // namespace

json report_json(const Run& run) {
  json impls = json::array();
  for (const Implementation& impl : run.implementations) {
    json counts = json::object();
    for (Verdict v : kVerdicts) counts[verdict_name(v)] = impl.counts[static_cast<std::size_t>(v)];
    counts["KNOWN"] = impl.known;
    impls.push_back({{"key", impl.key},
                     {"command", impl.command},
                     {"name", impl.name},
                     {"version", impl.version},
                     {"layers", impl.layers},
                     {"limits", impl.limits},
                     {"counts", counts},
                     {"restarts", impl.restarts},
                     {"stderr_tail", impl.stderr_tail}});
  }
  json cases = json::array();
  for (const Case& c : run.cases) {
    json results = json::object();
    for (std::size_t k = 0; k < c.results.size(); ++k) {
      const Result& r = c.results[k];
      json result = {{"verdict", verdict_name(r.verdict)}, {"why", r.why}};
      if (!r.answer.is_null()) result["answer"] = bounded(r.answer);
      if (!r.wire.is_null()) result["wire"] = bounded(r.wire);
      if (!r.stderr_text.empty()) result["stderr"] = r.stderr_text;
      if (r.known) {
        result["known"] = true;
        result["finding"] = r.finding;
      }
      results[run.implementations[k].key] = std::move(result);
    }
    json entry = {{"id", c.id},
                  {"layer", c.layer},
                  {"topic", c.topic},
                  {"file", c.file},
                  {"title", c.title},
                  {"level", c.level},
                  {"basis", c.basis},
                  {"op", c.op},
                  {"flags", c.test.value("flags", json::array())},
                  {"notes", c.notes},
                  {"expect", bounded(c.test.value("expect", json()))},
                  {"results", std::move(results)}};
    for (const char* field : {"input", "items", "limits", "options", "steps", "transports"})
      if (c.test.contains(field)) entry[field] = bounded(c.test[field]);
    cases.push_back(std::move(entry));
  }
  json now_passing = json::array();
  for (const auto& [key, id] : run.now_passing) now_passing.push_back({{"adapter", key}, {"id", id}});
  json globs = json::array();
  for (const std::string& g : run.options.case_globs) globs.push_back(g);
  json options = {{"strict", run.options.strict}, {"cases", globs}, {"baseline", run.options.baseline}};
  for (const auto& [key, value] : run.settings.items()) options[key] = value;
  return {{"schema", "sioconf-report-v1"},      {"generated", run.generated},
          {"sioconf_version", SIOCONF_VERSION}, {"command", run.command},
          {"options", std::move(options)},      {"implementations", std::move(impls)},
          {"cases", std::move(cases)},          {"baseline_now_passing", std::move(now_passing)},
          {"corpus_errors", run.corpus_errors}};
}

namespace {

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default:
        // XML 1.0 has no place for other control characters: show them as \xNN.
        if (ch < 0x20 && ch != '\n' && ch != '\t' && ch != '\r') {
          static const char* hex = "0123456789abcdef";
          out += "\\x";
          out += hex[ch >> 4];
          out += hex[ch & 15];
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
  return out;
}

}  // namespace

std::string report_junit(const Run& run) {
  std::ostringstream x;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"sioconf " << run.command << "\">\n";
  for (std::size_t k = 0; k < run.implementations.size(); ++k) {
    const Implementation& impl = run.implementations[k];
    int failures = 0, errors = 0, skipped = 0;
    const std::size_t tests = run.cases.size();
    for (const Case& c : run.cases) {
      const Result& r = c.results[k];
      if (r.known || r.verdict == Verdict::unsupported) ++skipped;
      else if (r.verdict == Verdict::error) ++errors;
      else if (fails_run(r, run.options.strict)) ++failures;
    }
    x << " <testsuite name=\"" << xml_escape(impl.key) << "\" tests=\"" << tests << "\" failures=\"" << failures
      << "\" errors=\"" << errors << "\" skipped=\"" << skipped << "\" timestamp=\"" << run.generated << "\">\n";
    x << "  <properties><property name=\"command\" value=\"" << xml_escape(impl.command)
      << "\"/><property name=\"version\" value=\"" << xml_escape(impl.version) << "\"/></properties>\n";
    for (const Case& c : run.cases) {
      const Result& r = c.results[k];
      x << "  <testcase classname=\"" << xml_escape(impl.key + "." + c.layer + "." + c.topic) << "\" name=\""
        << xml_escape(c.id) << "\">";
      const std::string message = std::string(verdict_name(r.verdict)) + " (" + c.level + "): " + r.why;
      const std::string body =
          c.title + "\nbasis: " + c.basis + "\nexpected: " + c.test.value("expect", json()).dump() + "\nactual: " +
          (r.answer.is_null() ? std::string("-") : r.answer.dump(-1, ' ', false, json::error_handler_t::replace));
      if (r.known) {
        x << "<skipped message=\"" << xml_escape("known " + message + " -- " + r.finding) << "\"/>";
      } else if (r.verdict == Verdict::unsupported) {
        x << "<skipped message=\"" << xml_escape(message) << "\"/>";
      } else if (r.verdict == Verdict::error) {
        x << "<error message=\"" << xml_escape(message) << "\">" << xml_escape(body) << "</error>";
      } else if (fails_run(r, run.options.strict)) {
        x << "<failure message=\"" << xml_escape(message) << "\" type=\"" << verdict_name(r.verdict) << "\">"
          << xml_escape(body) << "</failure>";
      } else if (r.verdict != Verdict::pass) {
        x << "<system-out>" << xml_escape(message) << "</system-out>";
      }
      if (!r.stderr_text.empty()) x << "<system-err>" << xml_escape(r.stderr_text) << "</system-err>";
      x << "</testcase>\n";
    }
    x << " </testsuite>\n";
  }
  x << "</testsuites>\n";
  return x.str();
}

std::string report_html(const Run& run) {
  // The data goes into a <script>, so the HTML parser must meet no tag and no comment opener in
  // it: every "<" is written \u003c (the same JSON, as "<" occurs only inside strings). Escaping
  // "</" alone is not enough: "<!--<script>" in an adapter's answer puts the parser in the "script
  // data double escaped" state, where the page's own </script> no longer ends the script.
  std::string data = report_json(run).dump(-1, ' ', false, json::error_handler_t::replace);
  std::string safe;
  safe.reserve(data.size());
  for (const char ch : data) {
    if (ch == '<') safe += "\\u003c";
    else safe += ch;
  }
  std::string html = kReportTemplate;
  static const std::string marker = "/*SIOCONF_REPORT_DATA*/null";
  if (const auto at = html.find(marker); at != std::string::npos) html.replace(at, marker.size(), safe);
  return html;
}

}  // namespace sioconf::cli
