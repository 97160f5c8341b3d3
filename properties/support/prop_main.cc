// main for every property binary: GoogleTest, plus a line per test with the cases it ran per
// second (the figure is schedules per second for ordering and backpressure).
//
// --planted=<bug> runs the twin PLANTED_TWIN(<bug>) as the test Planted.<bug>, alone (prop.h); the
// binary must be one linked with planted/<bug>.patch (properties/CMakeLists.txt makes them). A
// binary without that twin exits 1, so a twin whose test was lost fails.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "prop.h"

namespace sioconf::prop {

Counters& counters() {
  static Counters c;
  return c;
}

std::vector<PlantedTwin>& planted_twins() {
  static std::vector<PlantedTwin> twins;
  return twins;
}

namespace {

class PlantedTest : public ::testing::Test {
 public:
  explicit PlantedTest(void (*body)()) : body_(body) {}
  void TestBody() override { body_(); }

 private:
  void (*body_)();
};

/// Registers the twin of `bug` as Planted.<bug> and makes it the only test to run.
bool select_planted_twin(const std::string& bug) {
  for (const PlantedTwin& twin : planted_twins()) {
    if (bug != twin.bug) continue;
    ::testing::RegisterTest("Planted", twin.bug, nullptr, nullptr, twin.file, twin.line,
                            [body = twin.body]() -> ::testing::Test* { return new PlantedTest(body); });
    GTEST_FLAG_SET(filter, "Planted." + bug);
    return true;
  }
  std::fprintf(stderr, "--planted=%s: this binary has no PLANTED_TWIN(%s)\n", bug.c_str(), bug.c_str());
  return false;
}

class RatePrinter : public ::testing::EmptyTestEventListener {
  std::chrono::steady_clock::time_point start_;

  void OnTestStart(const ::testing::TestInfo&) override {
    counters() = {};
    start_ = std::chrono::steady_clock::now();
  }
  void OnTestEnd(const ::testing::TestInfo& info) override {
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const std::uint64_t n = counters().cases;
    if (n == 0) return;
    std::printf("[ rate ] %s.%s: %llu cases in %.2f s = %.0f/s\n", info.test_suite_name(), info.name(),
                static_cast<unsigned long long>(n), s, s > 0 ? static_cast<double>(n) / s : 0.0);
  }
};

}  // namespace
}  // namespace sioconf::prop

int main(int argc, char** argv) {
  // 1000 cases per property unless RC_PARAMS says otherwise (RapidCheck reads it on first use).
  setenv("RC_PARAMS", "max_success=1000", 0);
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--planted=", 10) == 0 && !sioconf::prop::select_planted_twin(argv[i] + 10)) return 1;
  }
  ::testing::UnitTest::GetInstance()->listeners().Append(new sioconf::prop::RatePrinter);
  return RUN_ALL_TESTS();
}
