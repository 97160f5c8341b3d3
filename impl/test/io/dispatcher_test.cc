#include "sioconf/io/dispatcher.h"

#include <gtest/gtest.h>

#include <vector>

#include "sioconf/io/sim.h"
#include "support/naive_dispatcher.h"

namespace sioconf::io {
namespace {

// Handlers that finish after a delay the item chooses (item i takes (7 * i) % 5 ms), as Node's async
// 'data' handlers do: started in order, they would finish out of order if allowed to overlap.
template <typename Dispatcher>
struct Arrivals {
  SeededChoices choices{3};
  SimLoop loop{choices};
  std::vector<int> started, finished;
  std::uint64_t most_in_flight = 0;
  Dispatcher d{[this](int item, Done done) {
    started.push_back(item);
    most_in_flight = std::max(most_in_flight, d.counts().in_flight());
    loop.start_timer(static_cast<std::uint64_t>((7 * item) % 5) + 1, [this, item, done] {
      finished.push_back(item);
      done();
    });
  }};
  void arrive(int n) {
    for (int i = 0; i < n; ++i) loop.post([this, i] { d.push(i); });
    loop.run();
  }
};

TEST(OrderedDispatcher, OneAtATimeInArrivalOrder) {
  Arrivals<OrderedDispatcher<int>> r;
  r.arrive(20);
  std::vector<int> expected(20);
  for (int i = 0; i < 20; ++i) expected[static_cast<std::size_t>(i)] = i;
  EXPECT_EQ(r.started, expected);
  EXPECT_EQ(r.finished, expected);
  EXPECT_EQ(r.most_in_flight, 1u);
  EXPECT_EQ(r.d.counts().finished, 20u);
  EXPECT_FALSE(r.d.running());
  EXPECT_EQ(r.d.queued(), 0u);
}

TEST(NaiveDispatcher, Interleaves) {
  Arrivals<NaiveDispatcher<int>> r;
  r.arrive(20);
  EXPECT_GT(r.most_in_flight, 1u);   // handlers overlap
  EXPECT_NE(r.finished, r.started);  // and finish out of arrival order
  EXPECT_EQ(r.d.counts().finished, 20u);
}

TEST(OrderedDispatcher, SynchronousHandlersDoNotRecurse) {
  std::uint64_t sum = 0;
  OrderedDispatcher<int> d([&](int item, Done done) {
    sum += static_cast<std::uint64_t>(item);
    done();
  });
  for (int i = 0; i < 200'000; ++i) d.push(i);  // a recursive drain would overflow the stack
  EXPECT_EQ(sum, 199'999ULL * 200'000 / 2);
  EXPECT_EQ(d.counts().in_flight(), 0u);
}

TEST(OrderedDispatcher, DoneTwiceIsCountedAndIgnored) {
  std::vector<Done> dones;
  std::vector<int> started;
  OrderedDispatcher<int> d([&](int item, Done done) {
    started.push_back(item);
    dones.push_back(done);
  });
  d.push(1);
  d.push(2);
  ASSERT_EQ(started, std::vector<int>{1});
  dones[0]();
  ASSERT_EQ(started, (std::vector<int>{1, 2}));
  dones[0]();  // late, second call for item 1: must not finish item 2
  EXPECT_TRUE(d.running());
  EXPECT_EQ(d.counts().extra_done_calls, 1u);
  dones[1]();
  EXPECT_FALSE(d.running());
}

TEST(OrderedDispatcher, DoneAfterTheDispatcherIsGoneDoesNothing) {
  Done kept;
  {
    OrderedDispatcher<int> d([&](int, Done done) { kept = done; });
    d.push(1);
  }
  kept();  // must not touch freed memory (ASan checks)
  SUCCEED();
}

}  // namespace
}  // namespace sioconf::io
