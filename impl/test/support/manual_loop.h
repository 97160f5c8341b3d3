// Test support: deterministic io::Loop implementations for layers above the loop seam.
//
//   test::ManualLoop loop;                   // clock at 0, nothing queued
//   loop.start_timer(100, [&] { ... });
//   loop.advance(99);                        // nothing runs: the deadline is 100
//   loop.advance(1);                         // the timer runs, now() == 100
//   loop.post([&] { ... });
//   loop.run_ready();                        // posted tasks run, in the order they were posted
//
//   test::FailTimerLoop failing(loop);       // the same loop, but start_timer() returns 0
//   failing.fail_timer_starts(1);            // ... for the next call only
//
// Nothing runs unless the test says so (advance() or run_ready()), so a test decides exactly when
// time passes. The orders are the ones io/loop.h guarantees on every backend: posted tasks FIFO,
// timers by deadline and, for the same deadline, in the order they were started. A test that only
// relies on those (and on advance()/run_ready()) runs unchanged on io::SimLoop later.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <unordered_map>
#include <utility>

#include "sioconf/io/loop.h"

namespace sioconf::test {

class ManualLoop : public io::Loop {
 public:
  std::uint64_t now() const noexcept override { return now_; }

  /// Queues `task`; it runs at the next run_ready() (or after a timer inside advance()).
  void post(io::Task task) override { posted_.push_back(std::move(task)); }

  /// Starts a timer due at now() + delay_ms. Ids count up from 1; the id is also the start order.
  io::TimerId start_timer(std::uint64_t delay_ms, io::Task task) override {
    const io::TimerId id = next_timer_id_++;
    const std::uint64_t deadline = now_ + delay_ms;
    timers_.emplace(Key{deadline, id}, std::move(task));
    deadlines_.emplace(id, deadline);
    return id;
  }

  bool cancel_timer(io::TimerId id) noexcept override {
    const auto it = deadlines_.find(id);
    if (it == deadlines_.end()) return false;
    timers_.erase(Key{it->second, id});
    deadlines_.erase(it);
    return true;
  }

  std::size_t pending_timers() const noexcept override { return timers_.size(); }

  /// Runs posted tasks until none is left, including tasks posted by the tasks it runs. Returns how
  /// many ran.
  std::size_t run_ready() {
    std::size_t ran = 0;
    while (!posted_.empty()) {
      io::Task task = std::move(posted_.front());
      posted_.pop_front();
      task();
      ++ran;
    }
    return ran;
  }

  /// Moves the clock forward by `ms`. Each timer whose deadline falls in (now, now + ms] runs with
  /// now() set to its deadline, in deadline order and for equal deadlines in start order; after
  /// each timer, run_ready(). A timer started by a timer runs too if it falls in the window. Ends
  /// with now() == old now + ms and a last run_ready(). Returns how many timers ran.
  std::size_t advance(std::uint64_t ms) {
    const std::uint64_t target = now_ + ms;
    std::size_t ran = 0;
    run_ready();
    while (!timers_.empty() && timers_.begin()->first.deadline <= target) {
      const auto first = timers_.begin();
      now_ = first->first.deadline;
      io::Task task = std::move(first->second);
      deadlines_.erase(first->first.id);
      timers_.erase(first);
      task();
      ++ran;
      run_ready();
    }
    now_ = target;
    run_ready();
    return ran;
  }

  std::size_t posted() const noexcept { return posted_.size(); }

 private:
  struct Key {
    std::uint64_t deadline;
    io::TimerId id;
    bool operator<(const Key& o) const noexcept { return deadline != o.deadline ? deadline < o.deadline : id < o.id; }
  };
  std::uint64_t now_ = 0;
  io::TimerId next_timer_id_ = 1;
  std::deque<io::Task> posted_;
  std::map<Key, io::Task> timers_;
  std::unordered_map<io::TimerId, std::uint64_t> deadlines_;
};

/// Wraps any loop and makes start_timer() fail (return 0, drop the task) for a chosen number of
/// calls: the "fail the timer" loop (Beast's fail_count). Everything else goes to the wrapped loop,
/// which must outlive this one.
class FailTimerLoop : public io::Loop {
 public:
  explicit FailTimerLoop(io::Loop& inner) noexcept : inner_(inner) {}

  /// The next `count` start_timer() calls fail; SIZE_MAX: all of them.
  void fail_timer_starts(std::size_t count) noexcept { failures_left_ = count; }
  /// How many start_timer() calls failed so far.
  std::size_t failed_timer_starts() const noexcept { return failed_; }

  std::uint64_t now() const noexcept override { return inner_.now(); }
  void post(io::Task task) override { inner_.post(std::move(task)); }
  io::TimerId start_timer(std::uint64_t delay_ms, io::Task task) override {
    if (failures_left_ > 0) {
      --failures_left_;
      ++failed_;
      return 0;
    }
    return inner_.start_timer(delay_ms, std::move(task));
  }
  bool cancel_timer(io::TimerId id) noexcept override { return inner_.cancel_timer(id); }
  std::size_t pending_timers() const noexcept override { return inner_.pending_timers(); }

 private:
  io::Loop& inner_;
  std::size_t failures_left_ = 0;
  std::size_t failed_ = 0;
};

}  // namespace sioconf::test
