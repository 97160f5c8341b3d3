#include "sioconf/io/uv.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace sioconf::io {
namespace {

TEST(UvLoop, RunReturnsAtOnceWhenIdle) {
  UvLoop loop;
  loop.run();
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(UvLoop, PostRunsInOrder) {
  UvLoop loop;
  std::vector<int> ran;
  for (int i = 0; i < 5; ++i) loop.post([&ran, i] { ran.push_back(i); });
  EXPECT_TRUE(ran.empty());  // post() only queues
  loop.run();
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3, 4}));
}

TEST(UvLoop, PostFromInsideATaskRunsAfterIt) {
  UvLoop loop;
  std::vector<std::string> ran;
  loop.post([&] {
    ran.push_back("a");
    loop.post([&] { ran.push_back("c"); });
    ran.push_back("a end");
  });
  loop.post([&] { ran.push_back("b"); });
  loop.run();
  EXPECT_EQ(ran, (std::vector<std::string>{"a", "a end", "b", "c"}));
}

TEST(UvLoop, RunReturnsAfterTheLastTaskAndCanRunAgain) {
  UvLoop loop;
  int runs = 0;
  loop.post([&] { ++runs; });
  loop.run();
  EXPECT_EQ(runs, 1);
  loop.run();  // nothing left: returns without running anything
  EXPECT_EQ(runs, 1);
  loop.post([&] { ++runs; });
  loop.run();
  EXPECT_EQ(runs, 2);
}

TEST(UvLoop, TimersRunInDeadlineOrderNotBeforeTheirDeadline) {
  UvLoop loop;
  std::vector<std::uint64_t> ran;
  const std::uint64_t start = loop.now();
  for (std::uint64_t delay : {30u, 10u, 20u, 0u}) {
    loop.start_timer(delay, [&, delay] {
      EXPECT_GE(loop.now(), start + delay);
      ran.push_back(delay);
    });
  }
  EXPECT_EQ(loop.pending_timers(), 4u);
  loop.run();
  EXPECT_EQ(ran, (std::vector<std::uint64_t>{0, 10, 20, 30}));
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(UvLoop, SameDeadlineRunsInStartOrder) {
  UvLoop loop;
  std::vector<int> ran;
  for (int i = 0; i < 8; ++i) loop.start_timer(5, [&ran, i] { ran.push_back(i); });
  loop.run();
  EXPECT_EQ(ran, (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(UvLoop, TimerIdsIncreaseFromOne) {
  UvLoop loop;
  EXPECT_EQ(loop.start_timer(0, [] {}), 1u);
  EXPECT_EQ(loop.start_timer(0, [] {}), 2u);
  EXPECT_EQ(loop.start_timer(1, [] {}), 3u);
  loop.run();
  EXPECT_EQ(loop.start_timer(0, [] {}), 4u);
  loop.run();
}

TEST(UvLoop, ZeroDelayTimerRunsWithoutAnyOtherEvent) {
  UvLoop loop;
  bool ran = false;
  const TimerId id = loop.start_timer(0, [&] { ran = true; });
  EXPECT_NE(id, 0u);
  EXPECT_FALSE(ran);  // start_timer() only queues
  loop.run();
  EXPECT_TRUE(ran);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(UvLoop, CancelledTimerNeverRuns) {
  UvLoop loop;
  bool cancelled_ran = false;
  bool other_ran = false;
  const TimerId cancelled = loop.start_timer(5, [&] { cancelled_ran = true; });
  loop.start_timer(10, [&] { other_ran = true; });
  EXPECT_EQ(loop.pending_timers(), 2u);
  EXPECT_TRUE(loop.cancel_timer(cancelled));
  EXPECT_FALSE(loop.cancel_timer(cancelled));
  EXPECT_EQ(loop.pending_timers(), 1u);
  loop.run();
  EXPECT_FALSE(cancelled_ran);
  EXPECT_TRUE(other_ran);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(UvLoop, CancelIsFalseForARunOrUnknownTimer) {
  UvLoop loop;
  const TimerId id = loop.start_timer(0, [] {});
  loop.run();
  EXPECT_FALSE(loop.cancel_timer(id));
  EXPECT_FALSE(loop.cancel_timer(0));
  EXPECT_FALSE(loop.cancel_timer(12345));
}

TEST(UvLoop, TimerTaskCanCancelALaterTimer) {
  UvLoop loop;
  bool later_ran = false;
  bool cancel_result = false;
  const TimerId later = loop.start_timer(20, [&] { later_ran = true; });
  loop.start_timer(1, [&] { cancel_result = loop.cancel_timer(later); });
  loop.run();
  EXPECT_TRUE(cancel_result);
  EXPECT_FALSE(later_ran);
  EXPECT_EQ(loop.pending_timers(), 0u);
}

TEST(UvLoop, TimerCannotCancelItselfWhileRunning) {
  UvLoop loop;
  TimerId self = 0;
  bool cancel_result = true;
  self = loop.start_timer(0, [&] { cancel_result = loop.cancel_timer(self); });
  loop.run();
  EXPECT_FALSE(cancel_result);
}

TEST(UvLoop, StopMakesRunReturnWithTimersPending) {
  UvLoop loop;
  loop.start_timer(1, [&] { loop.stop(); });
  const TimerId far = loop.start_timer(3000, [] { ADD_FAILURE() << "ran after stop()"; });
  loop.run();
  EXPECT_EQ(loop.pending_timers(), 1u);
  EXPECT_TRUE(loop.cancel_timer(far));
  loop.run();
}

TEST(UvLoop, DestructorDropsQueuedTasksAndPendingTimers) {
  bool ran = false;
  auto witness = std::make_shared<int>(0);
  {
    UvLoop loop;
    loop.post([&ran, witness] { ran = true; });
    loop.start_timer(0, [&ran, witness] { ran = true; });
    loop.start_timer(1000, [&ran, witness] { ran = true; });
    EXPECT_EQ(witness.use_count(), 4);
  }
  EXPECT_FALSE(ran);
  EXPECT_EQ(witness.use_count(), 1);  // every capture was released
}

}  // namespace
}  // namespace sioconf::io
