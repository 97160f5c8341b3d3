// properties/support/prop.h — what every property test shares.
//
//   RC_GTEST_PROP(Ordering, ArrivalOrder, (const Schedule& s)) {
//     prop::Case c(s.size());        // counts the schedule; records its size if the case fails
//     ... RC_ASSERT(...) ...
//   }
//   TEST(Planted, naive_dispatch) {  // the twin: RapidCheck must find a small counterexample
//     prop::expect_counterexample([](const Schedule& s) { prop::Case c(s.size()); ... }, 12);
//   }
//   PLANTED_TWIN(stream_pause_drop) {  // the twin of a bug in planted/stream_pause_drop.patch
//     prop::expect_counterexample([] { check_reads(false); }, 2);
//   }
//
// main (prop_main.cc) prints, after each test, how many cases ran and how many per second
// ("[ rate ] Ordering.ArrivalOrder: 2000 schedules in 0.21 s = 9524/s").
//
// A twin whose bug is a patch (planted/README.md) passes only in a binary linked with the patched
// object. PLANTED_TWIN(bug) registers it with main instead of with GoogleTest: it becomes the test
// Planted.<bug> only when the binary runs with --planted=<bug> (then it is the only test that
// runs), so a normal run lists no test that passes only because a bug is present. The test source
// is compiled once, for the normal binary and all its twins alike.
#pragma once

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/detail/Configuration.h>
#include <rapidcheck/detail/TestListener.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

namespace sioconf::prop {

/// Counts of the test that is running (reset before each test by prop_main.cc).
struct Counters {
  std::uint64_t cases = 0;            // Case objects made: schedules or inputs tried
  std::size_t last_failing_size = 0;  // size of the last case that failed (the shrunk one)
  bool any_failed = false;
};
Counters& counters();

/// One case of a property, on the stack of the property's body. A case that ends by an exception
/// (RC_ASSERT and friends throw) failed; RapidCheck's shrinking ends on its smallest failing case,
/// so the last one recorded is the counterexample it reports.
class Case {
 public:
  explicit Case(std::size_t size) noexcept : size_(size), uncaught_(std::uncaught_exceptions()) { ++counters().cases; }
  ~Case() {
    if (std::uncaught_exceptions() > uncaught_) {
      counters().last_failing_size = size_;
      counters().any_failed = true;
    }
  }
  Case(const Case&) = delete;
  Case& operator=(const Case&) = delete;

 private:
  std::size_t size_;
  int uncaught_;
};

/// The twins of patched bugs in this binary (PLANTED_TWIN), in the order of their definitions.
struct PlantedTwin {
  const char* bug;
  const char* file;
  int line;
  void (*body)();
};
std::vector<PlantedTwin>& planted_twins();
inline bool add_planted_twin(PlantedTwin twin) {
  planted_twins().push_back(twin);
  return true;
}

#define PLANTED_TWIN(bug)                                                                 \
  void planted_twin_##bug();                                                              \
  [[maybe_unused]] const bool planted_twin_added_##bug =                                  \
      ::sioconf::prop::add_planted_twin({#bug, __FILE__, __LINE__, &planted_twin_##bug}); \
  void planted_twin_##bug()

/// The running GoogleTest test as RapidCheck names it (as RC_GTEST_PROP does: "Suite/Name"), so
/// that RC_PARAMS="reproduce=..." finds it.
inline rc::detail::TestMetadata current_test_metadata() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata metadata;
  metadata.id = std::string(info->test_suite_name()) + "/" + info->name();
  metadata.description = info->name();
  return metadata;
}

/// Checks `property` like RC_GTEST_PROP, with RapidCheck's configuration except that it runs
/// 1/`divisor` of the cases (at least 1): for properties on the real libuv backend, whose cases
/// take milliseconds of wall time. Failures print RapidCheck's report (counterexample, RC_PARAMS).
template <typename Testable>
void check_fewer(Testable&& property, int divisor) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = std::max(1, params.maxSuccess / divisor);
  const rc::detail::TestMetadata metadata = current_test_metadata();
  const rc::detail::TestResult result =
      rc::detail::checkProperty(rc::detail::toProperty(std::forward<Testable>(property)), metadata, params);
  std::ostringstream report;
  rc::detail::printResultMessage(result, report);
  ASSERT_TRUE(result.template is<rc::detail::SuccessResult>()) << report.str();
}

/// Runs `property` (a RapidCheck testable) with RapidCheck's configuration (RC_PARAMS: seed,
/// max_success, ...) and expects a counterexample whose size (as given to Case) is at most
/// `max_size`. This is how a planted-bug twin shows that its property can fail.
template <typename Testable>
void expect_counterexample(Testable&& property, std::size_t max_size) {
  counters().last_failing_size = 0;
  counters().any_failed = false;
  const rc::detail::TestMetadata metadata = current_test_metadata();
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  // A listener of our own: the default one would list this expected failure at exit as one to
  // reproduce. Seed and case count still come from RC_PARAMS.
  struct Quiet : rc::detail::TestListener {
    void onTestCaseFinished(const rc::detail::CaseDescription&) override {}
    void onShrinkTried(const rc::detail::CaseDescription&, bool) override {}
    void onTestFinished(const rc::detail::TestMetadata&, const rc::detail::TestResult&) override {}
  } quiet;
  const rc::detail::TestResult result =
      rc::detail::checkProperty(rc::detail::toProperty(std::forward<Testable>(property)), metadata,
                                rc::detail::configuration().testParams, quiet);
  std::ostringstream report;
  rc::detail::printResultMessage(result, report);
  ASSERT_TRUE(result.template is<rc::detail::FailureResult>())
      << "RapidCheck found no counterexample to the planted bug:\n"
      << report.str();
  ASSERT_TRUE(counters().any_failed) << "the property failed outside a prop::Case:\n" << report.str();
  EXPECT_LE(counters().last_failing_size, max_size) << "the shrunk counterexample is not small:\n" << report.str();
  std::cout << "[ caught ] " << info->test_suite_name() << "." << info->name() << ": counterexample of size "
            << counters().last_failing_size << " after " << result.template get<rc::detail::FailureResult>().numSuccess
            << " passing cases:";
  for (const auto& [type, value] : result.template get<rc::detail::FailureResult>().counterExample)
    std::cout << ' ' << value;
  std::cout << '\n';
}

}  // namespace sioconf::prop
