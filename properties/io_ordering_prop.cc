// Ordering: with the ordered dispatcher, for any arrival pattern over a few connections
// and any handler durations (done at once, after a post, after a timer), each connection's
// handlers start and finish in arrival order and never overlap; across connections they may
// interleave. The simulator's every decision (which ready lane runs, what happens first at equal
// times) comes from a generated choice list, so RapidCheck shrinks the schedule as well as the
// arrivals. Twin: the naive dispatcher (Node's `on('data', async ...)`) breaks it.
#include <algorithm>
#include <memory>
#include <ostream>
#include <vector>

#include "prop.h"
#include "sioconf/io/dispatcher.h"
#include "sioconf/io/sim.h"
#include "support/naive_dispatcher.h"

namespace sioconf::io {
namespace {

constexpr int kConnections = 3;

/// One item arriving on a connection, `gap_ms` after the previous arrival (any connection), whose
/// handler finishes as `finish` says: 0 at once, 1 from a posted task, 2 after `duration_ms`.
struct Arrival {
  int connection = 0;
  int gap_ms = 0;
  int finish = 0;
  int duration_ms = 0;
};

void showValue(const Arrival& a, std::ostream& os) {
  static const char* const kFinish[] = {"at once", "posted", "timer"};
  os << "{conn " << a.connection << ", +" << a.gap_ms << " ms, " << kFinish[a.finish];
  if (a.finish == 2) os << ' ' << a.duration_ms << " ms";
  os << '}';
}

rc::Gen<std::vector<Arrival>> arrivals() {
  return rc::gen::container<std::vector<Arrival>>(rc::gen::build<Arrival>(
      rc::gen::set(&Arrival::connection, rc::gen::inRange(0, kConnections)),
      rc::gen::set(&Arrival::gap_ms, rc::gen::inRange(0, 4)), rc::gen::set(&Arrival::finish, rc::gen::inRange(0, 3)),
      rc::gen::set(&Arrival::duration_ms, rc::gen::inRange(0, 10))));
}

/// What one connection saw.
struct Seen {
  std::vector<int> arrived, started, finished;
  int in_flight = 0, most_in_flight = 0;
};

template <template <typename> class Dispatcher>
void check_ordering(const std::vector<Arrival>& items, const std::vector<std::size_t>& choices) {
  prop::Case c(items.size());
  ListChoices list(choices);
  SimLoop loop(list);
  std::vector<Seen> seen(kConnections);
  std::vector<std::unique_ptr<Dispatcher<int>>> dispatchers;
  for (int k = 0; k < kConnections; ++k) {
    dispatchers.push_back(std::make_unique<Dispatcher<int>>([&, k](int i, Done done) {
      Seen& s = seen[static_cast<std::size_t>(k)];
      s.started.push_back(i);
      s.most_in_flight = std::max(s.most_in_flight, ++s.in_flight);
      auto finish = [&s, i, done] {
        s.finished.push_back(i);
        --s.in_flight;
        done();
      };
      const Arrival& a = items[static_cast<std::size_t>(i)];
      if (a.finish == 0) finish();
      else if (a.finish == 1) loop.post(finish);
      else loop.start_timer(static_cast<std::uint64_t>(a.duration_ms), finish);
    }));
  }
  std::uint64_t at = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    at += static_cast<std::uint64_t>(items[i].gap_ms);
    const int k = items[i].connection;
    seen[static_cast<std::size_t>(k)].arrived.push_back(static_cast<int>(i));
    loop.start_timer(at, [&dispatchers, k, i] { dispatchers[static_cast<std::size_t>(k)]->push(static_cast<int>(i)); });
  }
  loop.run();
  for (const Seen& s : seen) {
    RC_ASSERT(s.started == s.arrived);
    RC_ASSERT(s.finished == s.arrived);
    RC_ASSERT(s.most_in_flight <= 1);
  }
  RC_TAG(std::count_if(seen.begin(), seen.end(), [](const Seen& s) { return !s.arrived.empty(); }) > 1
             ? "several connections"
             : "one connection");
}

const auto choice_list = [] {
  return rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(0, 8));
};

RC_GTEST_PROP(Ordering, EachConnectionInArrivalOrderOneAtATime, ()) {
  const auto items = *arrivals();
  const auto choices = *choice_list();
  check_ordering<OrderedDispatcher>(items, choices);
}

// The twin: starting each handler as its item arrives lets a quick handler overtake a slow one.
// The smallest counterexample is two items on one connection, the first slower than the second;
// shrinking sometimes stops at 3 to 6 arrivals (removing any one of them moves the others' arrival
// times so that nothing overlaps any more; 6 was seen once in a fresh-clone CI run).
TEST(Planted, naive_dispatch) {
  prop::expect_counterexample(
      [] {
        const auto items = *arrivals();
        const auto choices = *choice_list();
        check_ordering<NaiveDispatcher>(items, choices);
      },
      6);
}

}  // namespace
}  // namespace sioconf::io
