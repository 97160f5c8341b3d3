#include "sioconf/ack/ack_table.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sioconf/io/sim.h"
#include "splitmix.h"
#include "support/manual_loop.h"

namespace sioconf::ack {
namespace {

// What one callback saw, and when.
struct Call {
  std::uint64_t tag;  // which add() it belongs to (chosen by the test)
  Errc error;
  std::string args;
  std::uint64_t at;  // loop.now() during the call
  friend bool operator==(const Call&, const Call&) = default;
};

void PrintTo(const Call& c, std::ostream* os) {
  *os << "{" << c.tag << ", " << name(c.error) << ", '" << c.args << "', @" << c.at << "}";
}

AckCallback record(std::vector<Call>& calls, const io::Loop& loop, std::uint64_t tag) {
  return [&calls, &loop, tag](Errc error, std::string_view args) {
    calls.push_back({tag, error, std::string(args), loop.now()});
  };
}

// The tests use only the io::Loop interface plus "advance time" and "run what is ready", so any
// deterministic loop with those two can be added to `Loops`.
template <class LoopT>
class AckTableTest : public ::testing::Test {
 protected:
  void advance(std::uint64_t ms) { loop_.advance(ms); }
  void run_ready() { loop_.run_ready(); }
  io::Loop& loop() { return loop_; }

  LoopT loop_;
};

// The simulator with the two test verbs; its scheduler may interleave what is ready.
class SimTestLoop final : public io::Loop {
 public:
  std::uint64_t now() const noexcept override { return sim_.now(); }
  void post(io::Task task) override { sim_.post(std::move(task)); }
  io::TimerId start_timer(std::uint64_t delay_ms, io::Task task) override {
    return sim_.start_timer(delay_ms, std::move(task));
  }
  bool cancel_timer(io::TimerId id) noexcept override { return sim_.cancel_timer(id); }
  std::size_t pending_timers() const noexcept override { return sim_.pending_timers(); }
  void advance(std::uint64_t ms) { sim_.run_until(sim_.now() + ms); }
  void run_ready() { sim_.run_until(sim_.now()); }

 private:
  io::SeededChoices choices_{7};
  io::SimLoop sim_{choices_};
};

using Loops = ::testing::Types<test::ManualLoop, SimTestLoop>;
TYPED_TEST_SUITE(AckTableTest, Loops);

TYPED_TEST(AckTableTest, IdsStartAtZeroAndIncreaseByOne) {
  AckTable acks(this->loop(), Limits{});
  std::vector<Call> calls;
  for (std::uint64_t want = 0; want < 5; ++want) {
    std::uint64_t id = 999;
    ASSERT_EQ(acks.add(record(calls, this->loop(), want), 0, id), Errc::none);
    EXPECT_EQ(id, want);
    EXPECT_EQ(acks.next_id(), want + 1);
  }
  EXPECT_EQ(acks.size(), 5u);
  // Settling does not give ids back: the counter only grows, as socket.io's nsp.ids does.
  EXPECT_TRUE(acks.settle(2, "[]"));
  std::uint64_t id = 999;
  ASSERT_EQ(acks.add(record(calls, this->loop(), 5), 0, id), Errc::none);
  EXPECT_EQ(id, 5u);
  EXPECT_EQ(this->loop().pending_timers(), 0u);  // no timeout, no timer
}

TYPED_TEST(AckTableTest, SettleCallsTheCallbackOnceWithTheArgs) {
  AckTable acks(this->loop(), Limits{});
  std::vector<Call> calls;
  std::uint64_t a = 0, b = 0;
  ASSERT_EQ(acks.add(record(calls, this->loop(), 10), 0, a), Errc::none);
  ASSERT_EQ(acks.add(record(calls, this->loop(), 11), 0, b), Errc::none);
  std::string args = "[\"yes\",{\"n\":1}]";
  EXPECT_TRUE(acks.settle(b, args));
  args = "overwritten";  // the callback copied what it needed during the call
  EXPECT_TRUE(acks.settle(a, "[]"));
  EXPECT_EQ(calls, (std::vector<Call>{{11, Errc::none, "[\"yes\",{\"n\":1}]", 0}, {10, Errc::none, "[]", 0}}));
  EXPECT_EQ(acks.size(), 0u);
  EXPECT_EQ(acks.unknown_acks(), 0u);
  EXPECT_EQ(acks.duplicate_acks(), 0u);
}

TYPED_TEST(AckTableTest, UnknownAndDuplicateAcksAreCountedApart) {
  AckTable acks(this->loop(), Limits{});
  std::vector<Call> calls;
  std::uint64_t id = 0;
  EXPECT_FALSE(acks.settle(0, "[]"));  // nothing issued yet: unknown
  EXPECT_EQ(acks.unknown_acks(), 1u);
  ASSERT_EQ(acks.add(record(calls, this->loop(), 0), 0, id), Errc::none);
  EXPECT_TRUE(acks.settle(0, "[1]"));
  EXPECT_FALSE(acks.settle(0, "[2]"));  // issued and settled: duplicate
  EXPECT_FALSE(acks.settle(0, "[3]"));
  EXPECT_FALSE(acks.settle(1, "[]"));  // the next id, not issued yet: unknown
  EXPECT_FALSE(acks.settle(UINT64_MAX, "[]"));
  EXPECT_EQ(acks.duplicate_acks(), 2u);
  EXPECT_EQ(acks.unknown_acks(), 3u);
  EXPECT_EQ(calls, (std::vector<Call>{{0, Errc::none, "[1]", 0}}));
}

struct LimitRow {
  std::uint32_t max_pending;
  std::uint64_t timeout_ms;  // the entries carry timers or not: the limit counts both alike
};

TYPED_TEST(AckTableTest, PendingLimitAtLimitAndLimitPlusOne) {
  for (const LimitRow row : {LimitRow{1, 0}, LimitRow{3, 0}, LimitRow{3, 50}, LimitRow{0, 0},
                             LimitRow{Limits{}.max_pending_acks, 0}, LimitRow{Limits{}.max_pending_acks, 7}}) {
    SCOPED_TRACE("max_pending_acks " + std::to_string(row.max_pending) + " timeout " + std::to_string(row.timeout_ms));
    Limits limits;
    limits.max_pending_acks = row.max_pending;
    const std::size_t timers_before = this->loop().pending_timers();
    constexpr std::uint64_t refused = UINT64_MAX;  // the tag of every add the table must refuse
    std::vector<Call> calls;
    {
      AckTable acks(this->loop(), limits);
      std::uint64_t id = 0;
      for (std::uint64_t i = 0; i < row.max_pending; ++i) {  // up to the limit: accepted
        ASSERT_EQ(acks.add(record(calls, this->loop(), i), row.timeout_ms, id), Errc::none);
        ASSERT_EQ(id, i);
      }
      EXPECT_EQ(acks.size(), row.max_pending);
      id = 12345;
      EXPECT_EQ(acks.add(record(calls, this->loop(), refused), row.timeout_ms, id), Errc::limit_pending_acks);
      EXPECT_EQ(id, 12345u);                       // untouched
      EXPECT_EQ(acks.size(), row.max_pending);     // nothing added
      EXPECT_EQ(acks.next_id(), row.max_pending);  // no id consumed
      EXPECT_EQ(this->loop().pending_timers(), timers_before + (row.timeout_ms ? row.max_pending : 0));
      if (row.max_pending > 0) {
        // One settled makes room for exactly one more, with the next id.
        EXPECT_TRUE(acks.settle(0, "[]"));
        ASSERT_EQ(acks.add(record(calls, this->loop(), row.max_pending), row.timeout_ms, id), Errc::none);
        EXPECT_EQ(id, row.max_pending);
        EXPECT_EQ(acks.add(record(calls, this->loop(), refused), row.timeout_ms, id), Errc::limit_pending_acks);
      }
      acks.disconnect();
      EXPECT_EQ(acks.size(), 0u);
    }
    EXPECT_EQ(this->loop().pending_timers(), timers_before);
    // Every accepted entry settled once (the one ACK plus the disconnect), the refused ones never.
    EXPECT_EQ(calls.size(), row.max_pending == 0 ? 0u : row.max_pending + 1u);
    for (const Call& c : calls) EXPECT_NE(c.tag, refused);
  }
}

TYPED_TEST(AckTableTest, AckIdAboveMaxAckIdIsRefused) {
  Limits limits;
  limits.max_ack_id = 2;
  AckTable acks(this->loop(), limits);
  std::vector<Call> calls;
  std::uint64_t id = 0;
  for (std::uint64_t i = 0; i <= 2; ++i) {
    ASSERT_EQ(acks.add(record(calls, this->loop(), i), 0, id), Errc::none);
    EXPECT_EQ(id, i);
  }
  EXPECT_EQ(acks.add(record(calls, this->loop(), 3), 0, id), Errc::limit_ack_id);
  EXPECT_EQ(id, 2u);
  EXPECT_EQ(acks.size(), 3u);
}

TYPED_TEST(AckTableTest, TimeoutFiresAtExactlyTheDeadline) {
  for (const std::uint64_t timeout : {1ull, 2ull, 100ull, 30'000ull}) {
    SCOPED_TRACE("timeout " + std::to_string(timeout));
    const std::size_t timers_before = this->loop().pending_timers();
    AckTable acks(this->loop(), Limits{});
    std::vector<Call> calls;
    this->advance(5);  // the deadline counts from now(), not from 0
    const std::uint64_t start = this->loop().now();
    std::uint64_t id = 0;
    ASSERT_EQ(acks.add(record(calls, this->loop(), 7), timeout, id), Errc::none);
    EXPECT_EQ(this->loop().pending_timers(), timers_before + 1);
    this->advance(timeout - 1);
    EXPECT_TRUE(calls.empty()) << "fired before its deadline";
    EXPECT_EQ(acks.size(), 1u);
    this->advance(1);
    EXPECT_EQ(calls, (std::vector<Call>{{7, Errc::ack_timeout, "", start + timeout}}));
    EXPECT_EQ(acks.size(), 0u);
    EXPECT_EQ(acks.timeouts(), 1u);
    EXPECT_EQ(this->loop().pending_timers(), timers_before);
    // The late ACK finds nothing: a duplicate, and the callback is not called again.
    EXPECT_FALSE(acks.settle(id, "[\"late\"]"));
    EXPECT_EQ(acks.duplicate_acks(), 1u);
    this->advance(timeout * 2);
    EXPECT_EQ(calls.size(), 1u);
  }
}

TYPED_TEST(AckTableTest, TimeoutsFireInDeadlineOrderThenIdOrder) {
  AckTable acks(this->loop(), Limits{});
  std::vector<Call> calls;
  std::uint64_t id = 0;
  // tag = id; timeouts 30, 10, 20, 10, 0 (none), 30.
  for (const std::uint64_t t : {30u, 10u, 20u, 10u, 0u, 30u}) {
    ASSERT_EQ(acks.add(record(calls, this->loop(), acks.next_id()), t, id), Errc::none);
  }
  EXPECT_EQ(this->loop().pending_timers(), 5u);
  this->advance(100);
  EXPECT_EQ(calls, (std::vector<Call>{{1, Errc::ack_timeout, "", 10},
                                      {3, Errc::ack_timeout, "", 10},
                                      {2, Errc::ack_timeout, "", 20},
                                      {0, Errc::ack_timeout, "", 30},
                                      {5, Errc::ack_timeout, "", 30}}));
  EXPECT_EQ(acks.size(), 1u);  // id 4 has no timeout and still waits
  EXPECT_TRUE(acks.settle(4, "[4]"));
  EXPECT_EQ(this->loop().pending_timers(), 0u);
}

TYPED_TEST(AckTableTest, SettleBeforeTheTimeoutCancelsTheTimer) {
  AckTable acks(this->loop(), Limits{});
  std::vector<Call> calls;
  std::uint64_t id = 0;
  ASSERT_EQ(acks.add(record(calls, this->loop(), 0), 100, id), Errc::none);
  this->advance(99);
  EXPECT_TRUE(acks.settle(id, "[\"in time\"]"));
  EXPECT_EQ(this->loop().pending_timers(), 0u);
  this->advance(1000);
  EXPECT_EQ(calls, (std::vector<Call>{{0, Errc::none, "[\"in time\"]", 99}}));
  EXPECT_EQ(acks.timeouts(), 0u);
}

TYPED_TEST(AckTableTest, DisconnectSettlesEveryEntryInIdOrder) {
  const std::size_t timers_before = this->loop().pending_timers();
  AckTable acks(this->loop(), Limits{});
  std::vector<Call> calls;
  std::uint64_t id = 0;
  for (const std::uint64_t t : {0u, 50u, 10u, 0u}) {
    ASSERT_EQ(acks.add(record(calls, this->loop(), acks.next_id()), t, id), Errc::none);
  }
  EXPECT_TRUE(acks.settle(1, "[]"));
  this->advance(5);
  acks.disconnect();
  EXPECT_EQ(calls, (std::vector<Call>{{1, Errc::none, "[]", 0},
                                      {0, Errc::ack_disconnected, "", 5},
                                      {2, Errc::ack_disconnected, "", 5},
                                      {3, Errc::ack_disconnected, "", 5}}));
  EXPECT_EQ(acks.size(), 0u);
  EXPECT_TRUE(acks.disconnected());
  EXPECT_EQ(this->loop().pending_timers(), timers_before);
  // Afterwards: no adds, no settles, and the timers that were cancelled never fire.
  id = 77;
  EXPECT_EQ(acks.add(record(calls, this->loop(), 9), 0, id), Errc::ack_disconnected);
  EXPECT_EQ(id, 77u);
  EXPECT_EQ(acks.next_id(), 4u);
  EXPECT_FALSE(acks.settle(0, "[]"));
  EXPECT_FALSE(acks.settle(4, "[]"));
  EXPECT_EQ(acks.duplicate_acks(), 1u);
  EXPECT_EQ(acks.unknown_acks(), 1u);
  acks.disconnect();  // again: nothing
  this->advance(1000);
  EXPECT_EQ(calls.size(), 4u);
}

// A namespace joined again after a DISCONNECT: the table takes entries again, ids go on, and an
// ACK for an id of the earlier connection is a duplicate, never a settle of a new entry.
TYPED_TEST(AckTableTest, ReopenAfterDisconnectTakesEntriesAgainAndIdsGoOn) {
  AckTable acks(this->loop(), Limits{});
  std::vector<Call> calls;
  std::uint64_t id = 0;
  acks.reopen();  // not disconnected: nothing
  ASSERT_EQ(acks.add(record(calls, this->loop(), 0), 0, id), Errc::none);
  ASSERT_EQ(acks.add(record(calls, this->loop(), 1), 20, id), Errc::none);
  acks.disconnect();
  acks.reopen();
  EXPECT_FALSE(acks.disconnected());
  ASSERT_EQ(acks.add(record(calls, this->loop(), 2), 10, id), Errc::none);
  EXPECT_EQ(id, 2u);
  EXPECT_FALSE(acks.settle(1, "[\"late\"]"));  // meant for the earlier connection
  EXPECT_EQ(acks.duplicate_acks(), 1u);
  this->advance(30);  // the new entry's timeout; the old entry's timer was cancelled
  EXPECT_EQ(calls, (std::vector<Call>{{0, Errc::ack_disconnected, "", 0},
                                      {1, Errc::ack_disconnected, "", 0},
                                      {2, Errc::ack_timeout, "", 10}}));
  EXPECT_EQ(acks.size(), 0u);
}

TYPED_TEST(AckTableTest, CallbacksMayCallBackIntoTheTable) {
  AckTable acks(this->loop(), Limits{});
  std::vector<std::string> log;
  std::uint64_t id = 0;
  // 0: when settled, adds a new entry (3) and settles entry 1 from inside.
  ASSERT_EQ(acks.add(
                [&](Errc e, std::string_view) {
                  log.push_back("0 " + std::string(name(e)));
                  std::uint64_t added = 0;
                  EXPECT_EQ(acks.add([&](Errc e3, std::string_view) { log.push_back("3 " + std::string(name(e3))); },
                                     20, added),
                            Errc::none);
                  EXPECT_EQ(added, 3u);
                  EXPECT_TRUE(acks.settle(1, "[1]"));
                  EXPECT_FALSE(acks.settle(0, "[0]"));  // itself: already settled
                },
                10, id),
            Errc::none);
  // 1: when settled, settles 1 again (false) and disconnects the table.
  ASSERT_EQ(acks.add(
                [&](Errc e, std::string_view) {
                  log.push_back("1 " + std::string(name(e)));
                  EXPECT_FALSE(acks.settle(1, "[]"));
                  acks.disconnect();
                },
                10, id),
            Errc::none);
  // 2: settled by that disconnect; from inside, the table refuses everything.
  ASSERT_EQ(acks.add(
                [&](Errc e, std::string_view) {
                  log.push_back("2 " + std::string(name(e)));
                  std::uint64_t ignored = 0;
                  EXPECT_EQ(acks.add([&](Errc, std::string_view) { log.push_back("never"); }, 0, ignored),
                            Errc::ack_disconnected);
                  EXPECT_FALSE(acks.settle(3, "[]"));  // 3 is being settled by the same disconnect
                  EXPECT_EQ(acks.size(), 0u);
                  acks.disconnect();
                },
                0, id),
            Errc::none);
  EXPECT_TRUE(acks.settle(0, "[0]"));
  EXPECT_EQ(log, (std::vector<std::string>{"0 none", "1 none", "2 ack_disconnected", "3 ack_disconnected"}));
  EXPECT_EQ(acks.size(), 0u);
  EXPECT_EQ(this->loop().pending_timers(), 0u);
  this->advance(100);
  EXPECT_EQ(log.size(), 4u);
}

TYPED_TEST(AckTableTest, ATimeoutCallbackMayAddAndSettle) {
  AckTable acks(this->loop(), Limits{});
  std::vector<std::string> log;
  std::uint64_t id = 0;
  ASSERT_EQ(acks.add(
                [&](Errc e, std::string_view) {
                  log.push_back("0 " + std::string(name(e)) + " @" + std::to_string(this->loop().now()));
                  std::uint64_t retry = 0;  // retry with a new id and a new timeout
                  EXPECT_EQ(
                      acks.add(
                          [&](Errc e2, std::string_view) {
                            log.push_back("2 " + std::string(name(e2)) + " @" + std::to_string(this->loop().now()));
                          },
                          10, retry),
                      Errc::none);
                  EXPECT_TRUE(acks.settle(1, "[]"));
                },
                10, id),
            Errc::none);
  ASSERT_EQ(acks.add([&](Errc e, std::string_view) { log.push_back("1 " + std::string(name(e))); }, 10, id),
            Errc::none);
  this->advance(10);
  EXPECT_EQ(log, (std::vector<std::string>{"0 ack_timeout @10", "1 none"}));
  EXPECT_EQ(this->loop().pending_timers(), 1u);
  this->advance(9);
  EXPECT_EQ(log.size(), 2u);
  this->advance(1);
  EXPECT_EQ(log.back(), "2 ack_timeout @20");
  EXPECT_EQ(acks.size(), 0u);
  EXPECT_EQ(this->loop().pending_timers(), 0u);
}

TYPED_TEST(AckTableTest, ACallbackMayDestroyTheTable) {
  // Under ASan this proves no member is touched after the callback returns.
  for (const int how : {0, 1, 2}) {  // settle, timeout, disconnect
    SCOPED_TRACE(how);
    auto acks = std::make_unique<AckTable>(this->loop(), Limits{});
    int calls = 0;
    std::uint64_t id = 0;
    ASSERT_EQ(acks->add(
                  [&](Errc, std::string_view) {
                    ++calls;
                    acks.reset();
                  },
                  how == 1 ? 5 : 0, id),
              Errc::none);
    ASSERT_EQ(acks->add([&](Errc, std::string_view) { ++calls; }, 5, id), Errc::none);
    if (how == 0) acks->settle(0, "[]");
    if (how == 1) this->advance(5);
    if (how == 2) acks->disconnect();
    EXPECT_EQ(acks, nullptr);
    // settle/timeout: the second entry was dropped uncalled by the destructor; disconnect: it had
    // already left the table and is still settled.
    EXPECT_EQ(calls, how == 2 ? 2 : 1);
    EXPECT_EQ(this->loop().pending_timers(), 0u);
    this->advance(100);
    EXPECT_EQ(calls, how == 2 ? 2 : 1);
  }
}

TYPED_TEST(AckTableTest, DestructionCancelsTimersAndCallsNothing) {
  const std::size_t timers_before = this->loop().pending_timers();
  auto token = std::make_shared<int>(0);  // owned by the callbacks: tells whether they were freed
  int calls = 0;
  {
    AckTable acks(this->loop(), Limits{});
    std::uint64_t id = 0;
    for (const std::uint64_t t : {0u, 10u, 20u}) {
      ASSERT_EQ(acks.add([&calls, token](Errc, std::string_view) { ++calls; }, t, id), Errc::none);
    }
    EXPECT_EQ(token.use_count(), 4);
    EXPECT_EQ(this->loop().pending_timers(), timers_before + 2);
  }
  EXPECT_EQ(this->loop().pending_timers(), timers_before);
  EXPECT_EQ(token.use_count(), 1);
  this->advance(100);
  EXPECT_EQ(calls, 0);
}

TYPED_TEST(AckTableTest, EmptyCallbackCountsAndSettlesQuietly) {
  AckTable acks(this->loop(), Limits{});
  std::uint64_t id = 0;
  ASSERT_EQ(acks.add(AckCallback{}, 10, id), Errc::none);
  ASSERT_EQ(acks.add(AckCallback{}, 10, id), Errc::none);
  ASSERT_EQ(acks.add(AckCallback{}, 0, id), Errc::none);
  EXPECT_EQ(acks.size(), 3u);
  EXPECT_TRUE(acks.settle(0, "[]"));
  this->advance(10);
  EXPECT_EQ(acks.timeouts(), 1u);
  acks.disconnect();
  EXPECT_EQ(acks.size(), 0u);
  EXPECT_EQ(this->loop().pending_timers(), 0u);
}

TYPED_TEST(AckTableTest, ATimerTheLoopCannotStartAddsNothing) {
  test::FailTimerLoop failing(this->loop());
  const std::size_t timers_before = failing.pending_timers();
  AckTable acks(failing, Limits{});
  auto token = std::make_shared<int>(0);
  int calls = 0;
  std::uint64_t id = 0;
  ASSERT_EQ(acks.add([&calls, token](Errc, std::string_view) { ++calls; }, 10, id), Errc::none);
  EXPECT_EQ(id, 0u);

  failing.fail_timer_starts(2);
  id = 555;
  EXPECT_EQ(acks.add([&calls, token](Errc, std::string_view) { ++calls; }, 10, id), Errc::io_timer_failed);
  EXPECT_EQ(acks.add([&calls, token](Errc, std::string_view) { ++calls; }, 1, id), Errc::io_timer_failed);
  EXPECT_EQ(failing.failed_timer_starts(), 2u);
  EXPECT_EQ(id, 555u);
  EXPECT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks.next_id(), 1u);                           // no id consumed
  EXPECT_EQ(token.use_count(), 2);                         // the refused callbacks are gone
  EXPECT_EQ(failing.pending_timers(), timers_before + 1);  // only the first entry's timer
  EXPECT_FALSE(acks.settle(1, "[]"));                      // never issued
  EXPECT_EQ(acks.unknown_acks(), 1u);

  // Without a timeout no timer is needed, so the failing loop does not matter.
  failing.fail_timer_starts(SIZE_MAX);
  ASSERT_EQ(acks.add([&calls, token](Errc, std::string_view) { ++calls; }, 0, id), Errc::none);
  EXPECT_EQ(id, 1u);

  // The loop recovers: the next add with a timeout works and gets the next id.
  failing.fail_timer_starts(0);
  ASSERT_EQ(acks.add([&calls, token](Errc, std::string_view) { ++calls; }, 10, id), Errc::none);
  EXPECT_EQ(id, 2u);
  this->advance(10);
  EXPECT_EQ(calls, 2);  // entries 0 and 2 timed out
  acks.disconnect();
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(failing.pending_timers(), timers_before);
  EXPECT_EQ(token.use_count(), 1);
}

// A model check: random adds, ACKs (pending, settled, never issued), time and a final disconnect.
// Whatever the order, every accepted callback runs exactly once, with the outcome the model
// predicts, and the table and the loop end empty.
TYPED_TEST(AckTableTest, RandomOperationsSettleEveryEntryExactlyOnce) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    detail::SplitMix rng(seed);
    Limits limits;
    limits.max_pending_acks = 8;
    const std::size_t timers_before = this->loop().pending_timers();
    std::vector<int> calls;               // per issued id: how many times its callback ran
    std::vector<Errc> outcome;            // per issued id: the last error it saw
    std::vector<std::uint64_t> deadline;  // per issued id: 0 = none
    std::vector<bool> settled;
    {
      AckTable acks(this->loop(), limits);
      for (int step = 0; step < 300; ++step) {
        const std::uint64_t op = rng.next() % 4;
        if (op == 0) {
          const std::uint64_t timeout = rng.next() % 3 == 0 ? 0 : 1 + rng.next() % 40;
          std::uint64_t id = 0;
          const std::uint64_t expect_id = acks.next_id();
          const Errc e = acks.add(
              [&, expect_id](Errc error, std::string_view) {
                ++calls[expect_id];
                outcome[expect_id] = error;
              },
              timeout, id);
          if (e == Errc::limit_pending_acks) {
            EXPECT_EQ(acks.size(), limits.max_pending_acks);
            continue;
          }
          ASSERT_EQ(e, Errc::none);
          ASSERT_EQ(id, calls.size());
          calls.push_back(0);
          outcome.push_back(Errc::none);
          deadline.push_back(timeout ? this->loop().now() + timeout : 0);
          settled.push_back(false);
        } else if (op == 1 && !calls.empty()) {
          const std::uint64_t id = rng.next() % (calls.size() + 2);  // sometimes never issued
          const bool was_pending = id < calls.size() && !settled[id];
          EXPECT_EQ(acks.settle(id, "[]"), was_pending);
          if (was_pending) {
            settled[id] = true;
            EXPECT_EQ(outcome[id], Errc::none);
          }
        } else {
          this->advance(rng.next() % 15);
          for (std::size_t id = 0; id < calls.size(); ++id) {
            if (!settled[id] && deadline[id] != 0 && deadline[id] <= this->loop().now()) {
              settled[id] = true;
              EXPECT_EQ(outcome[id], Errc::ack_timeout) << "id " << id;
            }
          }
        }
        std::size_t pending = 0;
        for (std::size_t id = 0; id < calls.size(); ++id) {
          EXPECT_EQ(calls[id], settled[id] ? 1 : 0) << "id " << id;
          pending += settled[id] ? 0 : 1;
        }
        ASSERT_EQ(acks.size(), pending);
      }
      acks.disconnect();
      for (std::size_t id = 0; id < calls.size(); ++id) {
        EXPECT_EQ(calls[id], 1) << "id " << id;
        if (!settled[id]) {
          EXPECT_EQ(outcome[id], Errc::ack_disconnected) << "id " << id;
        }
      }
      EXPECT_EQ(acks.size(), 0u);
    }
    EXPECT_EQ(this->loop().pending_timers(), timers_before);
    EXPECT_GT(calls.size(), 20u);  // the run did exercise the table
  }
}

}  // namespace
}  // namespace sioconf::ack
