// The runner against adapters that misbehave on purpose (misbehaving_adapter.py, which answers
// through the real `sioconf adapter` except where told): every kind of misbehaviour is reported
// with the right verdict, the adapter is restarted, and the run goes on.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli.h"

#ifndef SIOCONF_BINARY
#error "SIOCONF_BINARY: the sioconf executable (set by conformance/CMakeLists.txt)"
#endif
#ifndef SIOCONF_MISBEHAVING_ADAPTER
#error "SIOCONF_MISBEHAVING_ADAPTER: test/misbehaving_adapter.py (set by conformance/CMakeLists.txt)"
#endif

namespace sioconf::cli {
namespace {

namespace fs = std::filesystem;

json accept_one(const std::string& id, const char* text, json items) {
  return {{"id", id}, {"level", "must"}, {"input", {{{"text", text}}}}, {"expect", {{"items", std::move(items)}}}};
}

json event_a(const std::string& id) {
  return accept_one(id, "2[\"a\"]", {{{"type", 2}, {"nsp", "/"}, {"data", {"a"}}}});
}

class Runner : public ::testing::Test {
 protected:
  fs::path dir = fs::temp_directory_path() / ("sioconf-runner-" + std::to_string(::getpid()));
  VectorOptions options;
  std::string printed;
  json report;

  void SetUp() override {
    fs::create_directories(dir);
    json sio = json::array();
    for (const char* name : {"ok", "crash", "segv", "hang", "garbage", "wrongid", "flood", "malformed", "stderr",
                             "unsupported", "wrong", "after"})
      sio.push_back(event_a(std::string("sio.t.") + name));
    sio.push_back({{"id", "sio.t.reject"},
                   {"level", "must"},
                   {"input", {{{"text", "2[{}]"}}}},
                   {"expect", {{"reject", "protocol"}, {"errc", "sio_bad_event_name"}}}});
    write("sio.json", {{"schema", "sioconf-vector-v1"}, {"layer", "sio"}, {"topic", "t"}, {"tests", sio}});
    write("ndjson.json",
          {{"schema", "sioconf-vector-v1"},
           {"layer", "ndjson"},
           {"topic", "t"},
           {"tests", {accept_one("ndjson.t.split", "[1]\n[2]\n", {{{"value", {1}}}, {{"value", {2}}}})}}});
    options.paths = {(dir / "corpus").string()};
    options.json_report = (dir / "report.json").string();
    options.timeout_ms = 3000;  // a restarted Python adapter under a loaded ctest -j may take a second to answer
  }
  void TearDown() override { fs::remove_all(dir); }

  void write(const std::string& name, const json& doc) {
    fs::create_directories(dir / "corpus");
    std::ofstream(dir / "corpus" / name) << doc.dump();
  }

  static std::string adapter(const std::string& rules) {
    return std::string("python3 '") + SIOCONF_MISBEHAVING_ADAPTER + "' --ref \"'" + SIOCONF_BINARY + "' adapter\" " +
           rules;
  }

  int run() {
    std::ostringstream out;
    const int code = run_vectors(options, out);
    printed = out.str();
    std::ifstream in(options.json_report);
    report = json::parse(in, nullptr, false);
    return code;
  }

  json result(const std::string& id, const std::string& impl) const {
    for (const json& c : report["cases"])
      if (c["id"] == id) return c["results"].value(impl, json());
    return json();
  }
  std::string verdict(const std::string& id, const std::string& impl = "sioconf") const {
    return result(id, impl).value("verdict", "(none)");
  }
  std::string why(const std::string& id, const std::string& impl = "sioconf") const {
    return result(id, impl).value("why", "");
  }
};

TEST_F(Runner, EachMisbehaviourIsAnErrorOrACrashTheAdapterRestartsAndTheRunGoesOn) {
  options.adapters = {
      adapter("crash:sio.t.crash segv:sio.t.segv hang:sio.t.hang garbage:sio.t.garbage wrongid:sio.t.wrongid "
              "flood:sio.t.flood malformed:sio.t.malformed")};
  EXPECT_EQ(run(), 1) << printed;
  EXPECT_EQ(verdict("sio.t.ok"), "PASS");
  EXPECT_EQ(verdict("sio.t.crash"), "ERROR");
  EXPECT_NE(why("sio.t.crash").find("exited with status 3"), std::string::npos) << why("sio.t.crash");
  // Killed by a signal while it handled the input: the implementation crashed on it, a FAIL.
  EXPECT_EQ(verdict("sio.t.segv"), "FAIL");
  EXPECT_NE(why("sio.t.segv").find("crashed on this input"), std::string::npos) << why("sio.t.segv");
  EXPECT_NE(why("sio.t.segv").find("signal 11"), std::string::npos) << why("sio.t.segv");
  EXPECT_EQ(verdict("sio.t.hang"), "ERROR");
  EXPECT_NE(why("sio.t.hang").find("no answer within 3000 ms"), std::string::npos) << why("sio.t.hang");
  EXPECT_EQ(verdict("sio.t.garbage"), "ERROR");
  EXPECT_NE(why("sio.t.garbage").find("not a JSON object: <html>"), std::string::npos) << why("sio.t.garbage");
  EXPECT_EQ(verdict("sio.t.wrongid"), "ERROR");
  EXPECT_NE(why("sio.t.wrongid").find("answered id \"someone-else\""), std::string::npos) << why("sio.t.wrongid");
  EXPECT_EQ(verdict("sio.t.flood"), "ERROR");
  EXPECT_NE(why("sio.t.flood").find("without a newline"), std::string::npos) << why("sio.t.flood");
  EXPECT_EQ(verdict("sio.t.malformed"), "ERROR");
  EXPECT_NE(why("sio.t.malformed").find("malformed answer"), std::string::npos) << why("sio.t.malformed");
  // After each failure a fresh adapter took over: the cases after them pass.
  EXPECT_EQ(verdict("sio.t.after"), "PASS");
  EXPECT_EQ(verdict("sio.t.reject"), "PASS");
  EXPECT_EQ(verdict("ndjson.t.split"), "PASS");
  // Restarted after each failure of the exchange; a well-formed line with a malformed answer
  // leaves the adapter in step, so it keeps running.
  EXPECT_EQ(report["implementations"][0]["restarts"], 6);
  EXPECT_EQ(report["implementations"][0]["counts"]["ERROR"], 6);
  EXPECT_EQ(report["implementations"][0]["counts"]["FAIL"], 1);
  EXPECT_NE(printed.find("7 passed, 7 failed"), std::string::npos) << printed;
}

TEST_F(Runner, WrongAnswersAndSplitDependenceFail) {
  options.adapters = {adapter("wrong:sio.t.wrong splitdiffer:ndjson.t.split")};
  EXPECT_EQ(run(), 1) << printed;
  EXPECT_EQ(verdict("sio.t.wrong"), "FAIL");
  EXPECT_NE(why("sio.t.wrong").find("other items"), std::string::npos) << why("sio.t.wrong");
  EXPECT_EQ(verdict("ndjson.t.split"), "FAIL");
  EXPECT_NE(why("ndjson.t.split").find("split at byte 1 of 8 changed the answer"), std::string::npos)
      << why("ndjson.t.split");
  EXPECT_NE(printed.find("FAIL  sioconf  sio.t.wrong"), std::string::npos) << printed;
  EXPECT_NE(printed.find("expected: "), std::string::npos) << printed;
}

TEST_F(Runner, UnsupportedDoesNotFailAndStderrIsKeptPerCase) {
  options.adapters = {adapter("unsupported:sio.t.unsupported stderr:sio.t.stderr")};
  EXPECT_EQ(run(), 0) << printed;
  EXPECT_EQ(verdict("sio.t.unsupported"), "UNSUPPORTED");
  EXPECT_EQ(verdict("sio.t.stderr"), "PASS");
  EXPECT_EQ(result("sio.t.stderr", "sioconf").value("stderr", ""), "a complaint on stderr about sio.t.stderr\n");
  EXPECT_NE(report["implementations"][0]["stderr_tail"].get<std::string>().find("complaint"), std::string::npos);
}

TEST_F(Runner, AnAdapterThatCannotStartIsErrorEverywhereWithoutEndlessRestarts) {
  options.adapters = {adapter("badhello"), "exit 7"};
  EXPECT_EQ(run(), 1) << printed;
  for (const json& c : report["cases"]) {
    ASSERT_EQ(c["results"].size(), 2u) << c.dump();
    for (const auto& [impl, r] : c["results"].items()) EXPECT_EQ(r["verdict"], "ERROR") << impl << " " << c["id"];
  }
  EXPECT_NE(printed.find("hello was not answered"), std::string::npos) << printed;
  EXPECT_NE(printed.find("exited with status 7"), std::string::npos) << printed;
  EXPECT_LE(report["implementations"][0]["restarts"].get<int>(), 3);
}

// An adapter that starts once, crashes, and then cannot start again: after three failed starts
// the runner gives up on it, and every later case says so once (not wrapped again per case).
TEST_F(Runner, AnAdapterThatCannotRestartIsGivenUpOnce) {
  const std::string flag = (dir / "started-once").string();
  options.adapters = {"test -e '" + flag + "' && exit 9; touch '" + flag + "'; " + adapter("crash:sio.t.crash")};
  EXPECT_EQ(run(), 1) << printed;
  EXPECT_EQ(verdict("sio.t.ok"), "PASS");
  EXPECT_EQ(verdict("sio.t.crash"), "ERROR");
  const std::string last = why("sio.t.reject");  // the last case, seven cases after giving up
  EXPECT_NE(last.find("exited with status 9"), std::string::npos) << last;
  EXPECT_NE(last.find("not trying again"), std::string::npos) << last;
  EXPECT_EQ(last.find("not trying again"), last.rfind("not trying again")) << last;
}

TEST_F(Runner, BaselineKnownFailuresDoNotFailTheRunAndFixedOnesAreListed) {
  options.adapters = {adapter("wrong:sio.t.wrong")};
  options.baseline = (dir / "baseline.txt").string();
  std::ofstream(options.baseline)
      << json{{"schema", "sioconf-baseline-v1"},
              {"known",
               {{{"adapter", "sioconf"}, {"id", "sio.t.wrong"}, {"verdict", "FAIL"}, {"finding", "it is wrong"}},
                {{"adapter", "sioconf"}, {"id", "sio.t.ok"}, {"verdict", "FAIL"}, {"finding", "fixed since"}}}}}
             .dump();
  EXPECT_EQ(run(), 0) << printed;
  EXPECT_EQ(verdict("sio.t.wrong"), "FAIL");
  EXPECT_EQ(result("sio.t.wrong", "sioconf").value("known", false), true);
  EXPECT_EQ(report["baseline_now_passing"], json::parse(R"([{"adapter":"sioconf","id":"sio.t.ok"}])"));
  EXPECT_NE(printed.find("baseline entries that pass now"), std::string::npos) << printed;
  // Without the baseline the same run fails.
  options.baseline.clear();
  EXPECT_EQ(run(), 1) << printed;
}

TEST_F(Runner, WriteBaselineRecordsTheFailuresAndMakesTheNextRunPass) {
  options.adapters = {adapter("wrong:sio.t.wrong")};
  options.write_baseline = (dir / "written.txt").string();
  EXPECT_EQ(run(), 1);
  options.write_baseline.clear();
  options.baseline = (dir / "written.txt").string();
  EXPECT_EQ(run(), 0) << printed;
}

TEST_F(Runner, TwoAdaptersWithOneNameGetTheirOwnColumns) {
  options.adapters = {adapter(""), adapter("wrong:sio.t.ok")};
  EXPECT_EQ(run(), 1);
  ASSERT_EQ(report["implementations"].size(), 2u);
  const std::string second = report["implementations"][1]["key"];
  EXPECT_EQ(report["implementations"][0]["key"], "sioconf");
  EXPECT_NE(second, "sioconf");
  EXPECT_EQ(verdict("sio.t.ok", "sioconf"), "PASS");
  EXPECT_EQ(verdict("sio.t.ok", second), "FAIL");
}

TEST_F(Runner, JunitAndHtmlReports) {
  options.adapters = {adapter("wrong:sio.t.wrong hang:sio.t.hang")};
  options.junit_report = (dir / "junit.xml").string();
  options.html_report = (dir / "report.html").string();
  EXPECT_EQ(run(), 1);
  std::stringstream junit, html;
  junit << std::ifstream(options.junit_report).rdbuf();
  html << std::ifstream(options.html_report).rdbuf();
  EXPECT_NE(junit.str().find("tests=\"14\" failures=\"1\" errors=\"1\""), std::string::npos) << junit.str();
  EXPECT_NE(junit.str().find("<testcase classname=\"sioconf.sio.t\" name=\"sio.t.wrong\"><failure"), std::string::npos);
  EXPECT_EQ(html.str().find("/*SIOCONF_REPORT_DATA*/"), std::string::npos) << "the data marker is still there";
  EXPECT_NE(html.str().find("\"sio.t.wrong\""), std::string::npos);
}

// Answers may be bombs: a 10,000-deep answer (which copying and comparing JSON would recurse
// through) is read without what lies deeper than 512 levels, and reports cut it at 64 levels, so
// that the JSON report stays readable by recursive readers and the HTML page by a browser.
TEST_F(Runner, AnswersNestedTooDeepAreCut) {
  options.adapters = {adapter("deep:sio.t.ok")};
  EXPECT_EQ(run(), 1);
  EXPECT_EQ(verdict("sio.t.ok"), "FAIL");
  const json answer = result("sio.t.ok", "sioconf")["answer"];
  EXPECT_NE(answer.value("$truncated", "").find("deeper than 512 levels"), std::string::npos) << answer.dump();
  json at = answer["items"];
  int depth = 0;
  while (at.is_array() && !at.empty()) at = at[0], ++depth;
  EXPECT_LE(depth, 64);
  ASSERT_TRUE(at.is_object()) << at.dump();
  EXPECT_EQ(at["$truncated"].get<std::string>().substr(0, 5), "[[[[[");
}

// Each adapter's timeout counts from its request, not from when its loop last ran: a second
// adapter started after a first one that took longer than the timeout in all answers in time.
TEST_F(Runner, TimeoutsCountFromTheRequest) {
  options.adapters = {adapter("slow:sio.t.w*"), adapter("")};
  options.case_globs = {"sio.t.w*", "sio.t.ok"};
  EXPECT_EQ(run(), 0) << printed;
  ASSERT_EQ(report["implementations"].size(), 2u);
  EXPECT_EQ(report["implementations"][1]["counts"]["PASS"], 3) << printed;
}

// A vector's follow-up (`next`) goes to the same decoder after the input: on a message layer in
// the request's "next", answered apart and judged at the vector's level; on a byte stream as more
// of the stream.
TEST_F(Runner, AFollowUpCatchesADecoderLeftStuckWhateverTheInputsAnswerSays) {
  const json b = {{{"type", 2}, {"nsp", "/"}, {"data", {"b"}}}};
  const json next = {{"input", {{{"text", "2[\"b\"]"}}}}, {"items", b}};
  json after_reject = {{"id", "sio.f.after-reject"},
                       {"level", "must"},
                       {"input", {{{"text", "511-[\"a\"]"}}}},
                       {"expect", {{"reject", "limit"}, {"errc", "limit_attachments"}}},
                       {"next", next}};
  json after_accept = event_a("sio.f.after-accept");
  after_accept["next"] = next;
  json should = event_a("sio.f.should");
  should["next"] = next;
  should["next"]["level"] = "should";
  write("follow.json", {{"schema", "sioconf-vector-v1"},
                        {"layer", "sio"},
                        {"topic", "f"},
                        {"tests", {after_reject, after_accept, should}}});
  json stream = accept_one("ndjson.f.stream", "[1]\n", {{{"value", {1}}}});
  stream["next"] = {{"input", {{{"text", "[2]\n"}}}}, {"items", {{{"value", {2}}}}}};
  write("follow-ndjson.json",
        {{"schema", "sioconf-vector-v1"}, {"layer", "ndjson"}, {"topic", "f"}, {"tests", {stream}}});
  options.case_globs = {"sio.f.*", "ndjson.f.*"};

  options.adapters = {adapter("")};
  EXPECT_EQ(run(), 0) << printed;
  EXPECT_EQ(report["implementations"][0]["counts"]["PASS"], 4) << printed;

  options.adapters = {adapter("stucknext:sio.f.after-reject nonext:sio.f.after-accept stucknext:sio.f.should")};
  EXPECT_EQ(run(), 1) << printed;
  EXPECT_EQ(verdict("sio.f.after-reject"), "FAIL");
  EXPECT_NE(why("sio.f.after-reject").find("the follow-up [{\"text\":\"2[\\\"b\\\"]\"}] after the input"),
            std::string::npos)
      << why("sio.f.after-reject");
  EXPECT_EQ(verdict("sio.f.after-accept"), "ERROR");
  EXPECT_NE(why("sio.f.after-accept").find("has no \"next\""), std::string::npos) << why("sio.f.after-accept");
  EXPECT_EQ(verdict("sio.f.should"), "NON-STRICT");
  // The byte stream's follow-up was more of the stream: the reference gave both lines.
  EXPECT_EQ(verdict("ndjson.f.stream"), "PASS");
}

// A generated element ({"concat": [...]}) reaches the adapter expanded; a malformed one is the
// vector's ERROR, never a request.
TEST_F(Runner, GeneratedInputIsExpandedBeforeTheAdapterSeesIt) {
  const json concat_event = {{"concat", {{{"text", "2[\""}}, {{"text", "ab"}, {"times", 3}}, {{"text", "\"]"}}}}};
  const json mixed = {{"concat", {{{"text", "2"}}, {{"hex", "31"}}}}};
  const json huge = {{"concat", {{{"text", "2"}}, {{"text", "1"}, {"times", 16u << 20}}}}};
  const json bytes = {{"concat", {{{"hex", "5b 31"}}, {{"hex", "5d 0a"}, {"times", 1}}}}};
  auto vector = [](const char* id, const json& element, json expect) {
    return json{{"id", id}, {"level", "must"}, {"input", json::array({element})}, {"expect", std::move(expect)}};
  };
  write("sio.json",
        {{"schema", "sioconf-vector-v1"},
         {"layer", "sio"},
         {"topic", "g"},
         {"tests",
          {vector("sio.g.event", concat_event,
                  {{"items", json::array({{{"type", 2}, {"nsp", "/"}, {"data", json::array({"ababab"})}}})}}),
           vector("sio.g.mixed", mixed, {{"reject", "protocol"}}),
           vector("sio.g.huge", huge, {{"reject", "protocol"}})}}});
  write("ndjson.json",
        {{"schema", "sioconf-vector-v1"},
         {"layer", "ndjson"},
         {"topic", "g"},
         {"tests",
          json::array({vector("ndjson.g.bytes", bytes, {{"items", json::array({{{"value", json::array({1})}}})}})})}});
  options.adapters = {adapter("")};
  EXPECT_EQ(run(), 1) << printed;
  EXPECT_EQ(verdict("sio.g.event"), "PASS") << why("sio.g.event");
  EXPECT_EQ(verdict("ndjson.g.bytes"), "PASS") << why("ndjson.g.bytes");
  EXPECT_EQ(verdict("sio.g.mixed"), "ERROR");
  EXPECT_NE(why("sio.g.mixed").find("parts must be all text or all bytes"), std::string::npos) << why("sio.g.mixed");
  EXPECT_EQ(verdict("sio.g.huge"), "ERROR");
  EXPECT_NE(why("sio.g.huge").find("more than 16777216 bytes"), std::string::npos) << why("sio.g.huge");
}

TEST_F(Runner, DryRunListsTheCasesAGlobSelects) {
  options.dry_run = true;
  options.case_globs = {"sio.t.w*"};
  EXPECT_EQ(run(), 0);
  EXPECT_NE(printed.find("sio.t.wrong"), std::string::npos) << printed;
  EXPECT_NE(printed.find("sio.t.wrongid"), std::string::npos) << printed;
  EXPECT_NE(printed.find("2 cases selected"), std::string::npos) << printed;
}

}  // namespace
}  // namespace sioconf::cli
