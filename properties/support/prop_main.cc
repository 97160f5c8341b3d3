// main for every property binary: GoogleTest, plus a line per test with the cases it ran per
// second (the figure is schedules per second for ordering and backpressure).
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "prop.h"

namespace sioconf::prop {

Counters& counters() {
  static Counters c;
  return c;
}

namespace {

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
  ::testing::UnitTest::GetInstance()->listeners().Append(new sioconf::prop::RatePrinter);
  return RUN_ALL_TESTS();
}
